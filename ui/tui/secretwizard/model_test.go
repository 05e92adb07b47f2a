package secretwizard

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gaiaflow/gaiaflow/ui/tui"
)

func press(t *testing.T, m tea.Model, keys ...string) (tea.Model, []tui.WizardDone) {
	t.Helper()
	var done []tui.WizardDone
	for _, k := range keys {
		var msg tea.KeyMsg
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "esc":
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		for cmd != nil {
			out := cmd()
			cmd = nil
			switch out := out.(type) {
			case tui.WizardDone:
				done = append(done, out)
			case nil:
			default:
				m, cmd = m.Update(out)
			}
		}
	}
	return m, done
}

func TestSecretWizardAppliesTypedPairsAndNeverShowsValues(t *testing.T) {
	var applied Answers
	m := New(Config{Namespace: "default",
		Check: func(a Answers) error {
			if a.Name != strings.ToLower(a.Name) {
				return errors.New(`secret name "` + a.Name + `" must be a DNS-1123 subdomain`)
			}
			return nil
		},
		Apply: func(_ context.Context, a Answers) (string, error) {
			applied = a
			return "secret default/mlflow-creds created with keys PASSWORD, USER", nil
		}})
	// name, namespace (default), then two pairs, an empty key, no env file, review.
	wm, done := press(t, m, "mlflow-creds", "enter", "enter",
		"USER", "enter", "alice", "enter",
		"PASSWORD", "enter", "s3cr3t-value", "enter",
		"enter", "enter")
	if len(done) != 0 {
		t.Fatalf("ended early: %+v", done)
	}
	view := wm.View()
	if strings.Contains(view, "s3cr3t-value") || strings.Contains(view, "alice") {
		t.Fatalf("a value is on the screen:\n%s", view)
	}
	if !strings.Contains(view, "keys: PASSWORD, USER (values hidden)") || !strings.Contains(view, `Create secret "mlflow-creds" in namespace "default"`) {
		t.Errorf("review:\n%s", view)
	}
	_, done = press(t, wm, "enter")
	if len(done) != 1 || done[0].Err != nil || !strings.Contains(done[0].Message, "created") {
		t.Fatalf("done = %+v", done)
	}
	if applied.Name != "mlflow-creds" || applied.Namespace != "default" || applied.Data["USER"] != "alice" || applied.Data["PASSWORD"] != "s3cr3t-value" {
		t.Errorf("applied %+v", applied.Name)
	}
}

func TestSecretWizardCheckBlocksAndEscSendsNothing(t *testing.T) {
	called := false
	m := New(Config{Namespace: "default",
		Check: func(a Answers) error { return errors.New("secret name \"Bad\" must be a DNS-1123 subdomain") },
		Apply: func(context.Context, Answers) (string, error) { called = true; return "", nil }})
	wm, done := press(t, m, "Bad", "enter", "enter", "enter", "enter", "enter")
	if called || len(done) != 0 || !strings.Contains(wm.View(), "DNS-1123") {
		t.Fatalf("called %v, done %+v\n%s", called, done, wm.View())
	}
	_, done = press(t, wm, "esc")
	if called || len(done) != 1 || !strings.Contains(done[0].Message, "nothing was sent") {
		t.Errorf("esc: called %v, done %+v", called, done)
	}
}
