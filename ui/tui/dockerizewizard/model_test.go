package dockerizewizard

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

func key(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// drive sends keys and runs every command the model returns until it asks
// for nothing more, collecting the messages that leave the wizard.
func drive(t *testing.T, m tea.Model, keys ...string) (tea.Model, []tea.Msg) {
	t.Helper()
	var out []tea.Msg
	var run func(cmd tea.Cmd)
	run = func(cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		msg := cmd()
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			for _, c := range msg {
				run(c)
			}
		case tui.WizardDone:
			out = append(out, msg)
		default:
			var next tea.Cmd
			m, next = m.Update(msg)
			run(next)
		}
	}
	for _, k := range keys {
		var cmd tea.Cmd
		m, cmd = m.Update(key(k))
		run(cmd)
	}
	return m, out
}

func TestWizardBuildsWithTheAnswersAndShowsProgress(t *testing.T) {
	var got Answers
	m := New(Config{Defaults: Answers{Target: "docker"},
		CheckImage: func(name string) error {
			if strings.HasSuffix(name, ":latest") {
				return errors.New("never :latest")
			}
			return nil
		},
		Build: func(_ context.Context, a Answers, r event.Reporter) error {
			got = a
			r.Report(event.Event{Kind: event.Step, Message: "Step 1/2 : FROM base"})
			r.Report(event.Event{Kind: event.Log, Message: "installing six\n"})
			return nil
		}})
	keys := []string{"right", "enter"}
	for _, r := range "demo:latest" {
		keys = append(keys, string(r))
	}
	keys = append(keys, "enter")
	wm, done := drive(t, m, keys...)
	if !strings.Contains(wm.View(), "never :latest") || len(done) != 0 {
		t.Fatalf("a :latest image was accepted:\n%s", wm.View())
	}
	mm := wm.(Model)
	mm.image.SetValue("demo:1.0")
	wm, _ = drive(t, mm, "enter", "enter", "enter")
	if got != (Answers{Target: "minikube", Image: "demo:1.0"}) {
		t.Fatalf("built with %+v", got)
	}
	view := wm.View()
	if !strings.Contains(view, "Step 1/2 : FROM base") || !strings.Contains(view, "  installing six") || !strings.Contains(view, "done") {
		t.Errorf("progress not shown:\n%s", view)
	}
	_, done = drive(t, wm, "enter")
	if len(done) != 1 || done[0].(tui.WizardDone).Err != nil || !strings.Contains(done[0].(tui.WizardDone).Message, "minikube") {
		t.Errorf("done = %+v", done)
	}
}

func TestEscBeforeConfirmBuildsNothing(t *testing.T) {
	built := false
	m := New(Config{Build: func(context.Context, Answers, event.Reporter) error { built = true; return nil }})
	_, done := drive(t, m, "enter", "enter", "enter", "esc")
	if built || len(done) != 1 || !strings.Contains(done[0].(tui.WizardDone).Message, "nothing was built") {
		t.Errorf("built %v, done %+v", built, done)
	}
}

func TestARunningBuildCanBeCancelled(t *testing.T) {
	started := make(chan struct{})
	m := New(Config{Build: func(ctx context.Context, _ Answers, _ event.Reporter) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}})
	for _, k := range []string{"enter", "enter", "enter"} {
		next, _ := m.Update(key(k))
		m = next.(Model)
	}
	next, cmd := m.Update(key("enter")) // confirm: the build starts
	m = next.(Model)
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
	next, _ = m.Update(key("esc"))
	m = next.(Model)
	select {
	case msg := <-result:
		next, _ = m.Update(msg)
		if !strings.Contains(next.View(), "context canceled") {
			t.Errorf("after cancel:\n%s", next.View())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the build did not stop when cancelled")
	}
}
