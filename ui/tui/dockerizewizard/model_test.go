package dockerizewizard

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/gaiaflow/gaiaflow/services/event"
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

func noLatest(name string) error {
	if strings.HasSuffix(name, ":latest") {
		return errors.New("never :latest")
	}
	return nil
}

func TestWizardBuildsWithTheAnswersAndShowsProgress(t *testing.T) {
	var got Answers
	m := New(Config{Defaults: Answers{Target: "docker"}, CheckImage: noLatest,
		Build: func(_ context.Context, a Answers, r event.Reporter) error {
			got = a
			r.Report(event.Event{Kind: event.Step, Message: "Step 1/2 : FROM base"})
			r.Report(event.Event{Kind: event.Log, Message: "installing six\n"})
			return nil
		}})
	d := drive(t, m).Keys("right", "enter").Type("demo:latest").Keys("enter")
	if !strings.Contains(d.View(), "never :latest") || len(d.Out) != 0 {
		t.Fatalf("a :latest image was accepted:\n%s", d.View())
	}
	d.Keys(strings.Split(strings.Repeat("backspace ", 5)+"backspace", " ")...).Type("1.0")
	d.Keys("enter", "enter")
	if !strings.Contains(d.View(), "Build the task image for minikube?") {
		t.Fatalf("no confirmation:\n%s", d.View())
	}
	d.Keys("enter")
	if got != (Answers{Target: "minikube", Image: "demo:1.0"}) {
		t.Fatalf("built with %+v", got)
	}
	view := d.View()
	if !strings.Contains(view, "Step 1/2 : FROM base") || !strings.Contains(view, "  installing six") || !strings.Contains(view, "done") {
		t.Errorf("progress not shown:\n%s", view)
	}
	d.Keys("enter")
	if len(d.Out) != 1 || d.Out[0].(tui.WizardDone).Err != nil || !strings.Contains(d.Out[0].(tui.WizardDone).Message, "minikube") {
		t.Errorf("done = %+v", d.Out)
	}
}

func TestEscOrNoBeforeTheBuildBuildsNothing(t *testing.T) {
	for _, last := range []string{"esc", "n"} {
		built := false
		m := New(Config{Build: func(context.Context, Answers, event.Reporter) error { built = true; return nil }})
		d := drive(t, m).Keys("enter", "enter", "enter", last)
		if built || len(d.Out) != 1 || !strings.Contains(d.Out[0].(tui.WizardDone).Message, "nothing was built") {
			t.Errorf("%s: built %v, done %+v", last, built, d.Out)
		}
	}
}

// A remapped back key cancels inside the wizard; the key it replaced does
// not, and the screen names the new one.
func TestRemappedBackCancelsTheWizard(t *testing.T) {
	km, err := keys.New(map[keys.Action][]string{keys.Back: {"ctrl+g"}, keys.Quit: {"Q"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	d := drive(t, New(Config{Keys: km, Build: func(context.Context, Answers, event.Reporter) error { return nil }}))
	if !strings.Contains(d.View(), "ctrl+g cancels") {
		t.Errorf("view:\n%s", d.View())
	}
	d.Keys("enter", "esc")
	if len(d.Out) != 0 {
		t.Fatalf("esc still cancels: %+v", d.Out)
	}
	d.Keys("ctrl+g")
	if len(d.Out) != 1 || !strings.Contains(d.Out[0].(tui.WizardDone).Message, "nothing was built") {
		t.Fatalf("ctrl+g: %+v", d.Out)
	}
}

func TestARunningBuildCanBeCancelled(t *testing.T) {
	started := make(chan struct{})
	m := New(Config{Build: func(ctx context.Context, _ Answers, _ event.Reporter) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}})
	var next tea.Model = m
	for _, k := range []string{"enter", "enter", "enter"} {
		next, _ = next.Update(wizardtest.Key(k))
	}
	next, cmd := next.Update(wizardtest.Key("enter")) // the last enter confirms: the build starts
	if cmd == nil {
		t.Fatalf("the build did not start:\n%s", next.View())
	}
	result := make(chan tea.Msg, 1)
	go func() {
		for _, c := range cmd().(tea.BatchMsg) {
			if msg := c(); msg != nil {
				if _, ok := msg.(finishedMsg); ok {
					result <- msg
				}
			}
		}
	}()
	<-started
	next, _ = next.Update(wizardtest.Key("esc"))
	select {
	case msg := <-result:
		next, _ = next.Update(msg)
		if !strings.Contains(next.View(), "context canceled") {
			t.Errorf("after cancel:\n%s", next.View())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the build did not stop when cancelled")
	}
}

func TestGoldenScreens(t *testing.T) {
	d := drive(t, New(Config{Defaults: Answers{Target: "docker"}})).Keys("enter").Type("churn:0.1.0").Keys("enter", "enter")
	golden.RequireEqual(t, []byte(d.View()+"\n"))
}
