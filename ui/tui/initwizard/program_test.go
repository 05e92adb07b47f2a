package initwizard

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/gaiaflow/gaiaflow/scaffold"
)

// One run of the real program loop, from the keyboard alone: the answers
// make the same project as the headless command given the same flags.
func TestProgramFromTheKeyboardAlone(t *testing.T) {
	cfg := Config{Defaults: scaffold.Defaults(""), DirFollowsName: true}
	tm := teatest.NewTestModel(t, New(cfg), teatest.WithInitialTermSize(100, 80))
	waitFor := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	}
	waitFor("Project name")
	tm.Type("churn")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) // directory: churn
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) // description: the default
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Type("Ada Lovelace")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Type("ada@lovelace.org")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) // package: churn
	tm.Type("c")                            // conda
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Type("3.11")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) // examples: yes
	waitFor("Review")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

	res := tm.FinalModel(t).(Model).Result()
	if !res.Confirmed || res.Dir != "churn" {
		t.Fatalf("result %+v", res)
	}
	headless := scaffold.Defaults("churn")
	headless.Author, headless.Email, headless.EnvManager, headless.Python = "Ada Lovelace", "ada@lovelace.org", "conda", "3.11"
	if res.Answers != headless {
		t.Fatalf("wizard answers %+v\nheadless answers %+v", res.Answers, headless)
	}
	fromWizard, err := scaffold.Render(res.Answers, scaffold.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fromFlags, _ := scaffold.Render(headless, scaffold.Options{})
	if !slices.EqualFunc(fromWizard, fromFlags, func(a, b scaffold.File) bool { return a.Path == b.Path && bytes.Equal(a.Data, b.Data) }) {
		t.Error("the wizard's project differs from the headless one")
	}
	out, _ := io.ReadAll(tm.FinalOutput(t))
	if strings.Contains(string(out), "panic") {
		t.Errorf("output:\n%s", out)
	}
}
