package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gaiaflow/gaiaflow/scaffold"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube/kubetest"
	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/initwizard"
)

func TestDashboardInitWizardGeneratesOnConfirm(t *testing.T) {
	cwd := t.TempDir()
	a := NewApp(nil, nil, nil)
	a.Cwd = cwd
	m := dashboardWizards(a)(tui.WizardInit, nil, 100, 40)
	if m == nil {
		t.Fatal("no init wizard")
	}
	if dashboardWizards(a)(tui.WizardDockerize, nil, 100, 40) == nil {
		t.Error("no dockerize wizard")
	}
	if dashboardWizards(a)(tui.WizardSecret, nil, 100, 40) == nil {
		t.Error("no secret wizard")
	}
	host := m.(initHost)
	ans := scaffold.Defaults("demo")
	ans.Examples = false
	_, cmd := host.Update(initwizard.DoneMsg{Result: initwizard.Result{Answers: ans, Dir: "demo", Confirmed: true}})
	done, ok := cmd().(tui.WizardDone)
	if !ok || done.Err != nil || !strings.Contains(done.Message, "created") {
		t.Fatalf("done = %+v", done)
	}
	if _, err := os.Stat(filepath.Join(cwd, "demo", "gaiaflow.toml")); err != nil {
		t.Fatalf("project not generated: %v", err)
	}

	_, cmd = host.Update(initwizard.DoneMsg{Result: initwizard.Result{Answers: ans, Dir: "other", Confirmed: false}})
	done = cmd().(tui.WizardDone)
	if !strings.Contains(done.Message, "nothing was written") {
		t.Errorf("cancel: %+v", done)
	}
	if _, err := os.Stat(filepath.Join(cwd, "other")); !os.IsNotExist(err) {
		t.Errorf("cancel wrote something: %v", err)
	}
	var _ tea.Model = host
}

// TestStandInMinikubeSecretWizardCreatesTheSecret drives the dashboard's
// secret wizard as wired here, against the stand-in minikube and client-go's
// fake clientset: the secret is created with the typed keys, and the value
// appears on no screen.
func TestStandInMinikubeSecretWizardCreatesTheSecret(t *testing.T) {
	h := newPL(t)
	h.standIn.Absent()
	h.run("prod-local", "start").ok(t, "start")
	a := NewApp(strings.NewReader(""), io.Discard, io.Discard)
	a.Cwd = h.dir
	a.NewKube = func(string, string) (kube.API, error) { return kubetest.FromClientset(h.kube), nil }
	m := dashboardWizards(a)(tui.WizardSecret, nil, 100, 40)
	if m == nil {
		t.Fatal("no secret wizard")
	}
	var screens []string
	var done []tui.WizardDone
	for _, k := range []string{"db-creds", "enter", "enter", "PASSWORD", "enter", "wizard-VALUE-9", "enter", "enter", "enter", "enter"} {
		msg := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		if k == "enter" {
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		}
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		screens = append(screens, m.View())
		for cmd != nil {
			out := cmd()
			cmd = nil
			if d, ok := out.(tui.WizardDone); ok {
				done = append(done, d)
			} else if out != nil {
				m, cmd = m.Update(out)
			}
		}
	}
	if len(done) != 1 || done[0].Err != nil || !strings.Contains(done[0].Message, "db-creds created with keys PASSWORD") {
		t.Fatalf("done = %+v", done)
	}
	for _, s := range append(screens, done[0].Message) {
		if strings.Contains(s, "wizard-VALUE-9") {
			t.Fatalf("the value reached the screen:\n%s", s)
		}
	}
	sec, err := h.kube.CoreV1().Secrets("default").Get(context.Background(), "db-creds", metav1.GetOptions{})
	if err != nil || string(sec.Data["PASSWORD"]) != "wizard-VALUE-9" {
		t.Fatalf("secret in the cluster: %v %v", sec, err)
	}
}
