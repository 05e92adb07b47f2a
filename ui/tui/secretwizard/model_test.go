package secretwizard

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/wizardkit/wizardtest"
)

func isDone(msg tea.Msg) bool { _, ok := msg.(tui.WizardDone); return ok }

func drive(t *testing.T, m Model) *wizardtest.Driver {
	t.Helper()
	d := wizardtest.New(t, m, isDone)
	d.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	return d
}

func done(d *wizardtest.Driver) []tui.WizardDone {
	var out []tui.WizardDone
	for _, m := range d.Out {
		out = append(out, m.(tui.WizardDone))
	}
	return out
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
	// name, namespace (default), then two pairs, an empty key, no env file: the confirmation.
	d := drive(t, m)
	var screens []string
	for _, step := range []string{"mlflow-creds", "enter", "enter", "USER", "enter", "alice", "enter",
		"PASSWORD", "enter", "s3cr3t-value", "enter", "enter", "enter"} {
		if step == "enter" {
			d.Keys(step)
		} else {
			d.Type(step)
		}
		screens = append(screens, d.View())
	}
	if len(d.Out) != 0 {
		t.Fatalf("ended early: %+v", d.Out)
	}
	for _, s := range screens {
		if strings.Contains(s, "s3cr3t-value") || strings.Contains(s, "alice") {
			t.Fatalf("a value is on the screen:\n%s", s)
		}
	}
	view := d.View()
	if !strings.Contains(view, "keys: PASSWORD, USER (values hidden)") || !strings.Contains(view, `Create secret "mlflow-creds" in namespace "default"?`) {
		t.Errorf("confirmation:\n%s", view)
	}
	d.Keys("enter")
	if out := done(d); len(out) != 1 || out[0].Err != nil || !strings.Contains(out[0].Message, "created") {
		t.Fatalf("done = %+v", out)
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
	d := drive(t, m).Type("Bad").Keys("enter", "enter", "enter", "enter", "enter")
	if called || len(d.Out) != 0 || !strings.Contains(d.View(), "DNS-1123") {
		t.Fatalf("called %v, done %+v\n%s", called, d.Out, d.View())
	}
	d.Keys("esc")
	if out := done(d); called || len(out) != 1 || !strings.Contains(out[0].Message, "nothing was sent") {
		t.Errorf("esc: called %v, done %+v", called, out)
	}
}

func TestRemappedKeysMoveAndCancel(t *testing.T) {
	km, err := keys.New(map[keys.Action][]string{keys.Back: {"ctrl+g"}, keys.PrevPanel: {"ctrl+p"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	d := drive(t, New(Config{Namespace: "default", Keys: km}))
	d.Type("a").Keys("enter", "ctrl+p").Type("b") // back to the name with the remapped key
	if got := d.M.(Model).Answers().Name; got != "ab" {
		t.Errorf("name %q: ctrl+p did not go back", got)
	}
	d.Keys("esc")
	if len(d.Out) != 0 {
		t.Fatal("esc cancels though back is ctrl+g")
	}
	d.Keys("ctrl+g")
	if out := done(d); len(out) != 1 || !strings.Contains(out[0].Message, "nothing was sent") {
		t.Errorf("ctrl+g: %+v", out)
	}
}

func TestGoldenScreens(t *testing.T) {
	d := drive(t, New(Config{Namespace: "default"})).Type("db-creds").Keys("enter", "enter").Type("PASSWORD").Keys("enter").Type("hunter2")
	golden.RequireEqual(t, []byte(d.View()+"\n"))
}
