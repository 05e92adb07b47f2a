package dashboard

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/gaiaflow/gaiaflow/ui/tui/fake"
	"github.com/gaiaflow/gaiaflow/ui/tui/theme"
)

// TestProgramLoop runs the dashboard in bubbletea's real program loop
// (teatest): input parsing, the renderer, commands and the quit path.
func TestProgramLoop(t *testing.T) {
	t.Parallel()
	be := fake.New(fake.Options{Now: clock})
	var clip bytes.Buffer
	m := New(Options{Backend: be, Now: clock, Location: time.UTC, PollInterval: time.Hour,
		Styles: asciiStyles(theme.Dark), Clipboard: &clip})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	out := tm.Output()
	waitFor := func(what ...string) {
		t.Helper()
		var seen []byte
		teatest.WaitFor(t, out, func(b []byte) bool {
			seen = append(seen, b...)
			for _, w := range what {
				if !bytes.Contains(seen, []byte(w)) {
					return false
				}
			}
			return true
		}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	}
	waitFor("triggerer", "unhealthy", "http://127.0.0.1:8080")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("3")})
	waitFor("train_model", "import error")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("train_model › runs")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("4")})
	waitFor("INFO Starting the scheduler")
	// Typed fast, keys arrive as one message: they still act one by one.
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("&warn")})
	waitFor("filter /warn/ 1 of 10")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("?")})
	waitFor("Logs (here)")
	tm.Send(tea.KeyMsg{Type: tea.KeyEscape})
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	fm, ok := tm.FinalModel(t).(*Model)
	if !ok || !fm.Quitting() {
		t.Fatalf("final model %T did not quit", tm.FinalModel(t))
	}
	rest, _ := io.ReadAll(out)
	if strings.Contains(string(rest), "panic") {
		t.Errorf("output mentions a panic: %q", rest)
	}
}
