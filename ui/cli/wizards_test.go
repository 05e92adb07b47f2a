package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gaiaflow/gaiaflow/scaffold"
	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/initwizard"
)

func TestDashboardInitWizardGeneratesOnConfirm(t *testing.T) {
	cwd := t.TempDir()
	a := NewApp(nil, nil, nil)
	a.Cwd = cwd
	m := dashboardWizards(a)(tui.WizardInit, 100, 40)
	if m == nil {
		t.Fatal("no init wizard")
	}
	if dashboardWizards(a)(tui.WizardDockerize, 100, 40) == nil {
		t.Error("no dockerize wizard")
	}
	if dashboardWizards(a)(tui.WizardSecret, 100, 40) != nil {
		t.Error("a secret wizard was offered before it exists")
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
