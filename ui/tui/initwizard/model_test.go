package initwizard

import (
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gaiaflow/gaiaflow/scaffold"
)

func send(t *testing.T, m Model, msgs ...tea.Msg) (Model, tea.Cmd) {
	t.Helper()
	var cmd tea.Cmd
	for _, msg := range msgs {
		var next tea.Model
		next, cmd = m.Update(msg)
		m = next.(Model)
	}
	return m, cmd
}

func typed(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return out
}

func key(k tea.KeyType) tea.Msg { return tea.KeyMsg{Type: k} }

func backspaces(n int) []tea.Msg {
	out := make([]tea.Msg, n)
	for i := range out {
		out[i] = key(tea.KeyBackspace)
	}
	return out
}

// fresh is the wizard as `gaiaflow init` opens it in a folder that is not empty.
func fresh() Model {
	return New(Config{
		Defaults:       scaffold.Defaults(""),
		DirFollowsName: true,
		CheckDir: func(dir string) error {
			if dir == "taken" {
				return errors.New("taken is not empty")
			}
			return nil
		},
	})
}

func TestTypingTheNameFillsWhatFollowsFromIt(t *testing.T) {
	m, _ := send(t, fresh(), typed("sales-forecast")...)
	a := m.Answers()
	if a.Name != "sales-forecast" || a.Package != "sales_forecast" || m.Dir() != "sales-forecast" ||
		!strings.Contains(a.Description, "sales-forecast") {
		t.Errorf("answers %+v dir %q", a, m.Dir())
	}
	if v := m.View(); !strings.Contains(v, "✓") || !strings.Contains(v, "step 1 of 10") {
		t.Errorf("view:\n%s", v)
	}
}

func TestValidationShowsTheReasonAsYouType(t *testing.T) {
	m, _ := send(t, fresh(), typed("Sales")...)
	if v := m.View(); !strings.Contains(v, "✗ use lower-case letters only") {
		t.Errorf("view:\n%s", v)
	}
	// Enter does not move on while the answer is invalid.
	m, _ = send(t, m, key(tea.KeyEnter))
	if m.current != fName {
		t.Fatalf("moved to %d", m.current)
	}
	m, _ = send(t, m, append(backspaces(5), typed("sales")...)...)
	m, _ = send(t, m, key(tea.KeyEnter))
	if m.current != fDir {
		t.Fatalf("at %d, want the directory", m.current)
	}
}

func TestPackageAndDirectoryStopFollowingOnceEdited(t *testing.T) {
	m, _ := send(t, fresh(), typed("demo")...)
	m, _ = send(t, m, key(tea.KeyEnter)) // directory
	m, _ = send(t, m, append(backspaces(4), typed("taken")...)...)
	if v := m.View(); !strings.Contains(v, "taken is not empty") {
		t.Errorf("directory check not shown:\n%s", v)
	}
	m, _ = send(t, m, append(backspaces(5), typed("elsewhere")...)...)
	m, _ = send(t, m, key(tea.KeyShiftTab)) // back to the name
	m, _ = send(t, m, typed("x")...)
	if m.Dir() != "elsewhere" || m.Answers().Package != "demox" {
		t.Errorf("dir %q package %q", m.Dir(), m.Answers().Package)
	}
}

func TestPackageValidation(t *testing.T) {
	m, _ := send(t, fresh(), typed("json")...)
	for range fPackage {
		m, _ = send(t, m, key(tea.KeyEnter))
	}
	// "json" as a package was refused, so the name's package is empty and required.
	if m.current != fPackage || !strings.Contains(m.View(), "a package name is required") {
		t.Fatalf("at %d:\n%s", m.current, m.View())
	}
	m, _ = send(t, m, typed("json")...)
	if !strings.Contains(m.View(), "standard library") {
		t.Errorf("view:\n%s", m.View())
	}
	m, _ = send(t, m, append(backspaces(4), typed("jsontools")...)...)
	m, _ = send(t, m, key(tea.KeyEnter))
	if m.current != fEnvManager {
		t.Errorf("at %d", m.current)
	}
}

func TestChoicesByArrowsAndLetters(t *testing.T) {
	m, _ := send(t, fresh(), typed("demo")...)
	for range fEnvManager {
		m, _ = send(t, m, key(tea.KeyEnter))
	}
	m, _ = send(t, m, key(tea.KeyRight))
	if got := m.Answers().EnvManager; got != "conda" {
		t.Errorf("right: %s", got)
	}
	if !strings.Contains(m.View(), "(•) conda") || !strings.Contains(m.View(), "environment.yml") {
		t.Errorf("view:\n%s", m.View())
	}
	m, _ = send(t, m, typed("p")...)
	m, _ = send(t, m, key(tea.KeyEnter))
	m, _ = send(t, m, key(tea.KeyLeft)) // 3.12 -> 3.10 (wraps)
	m, _ = send(t, m, key(tea.KeyEnter))
	m, _ = send(t, m, typed("n")...)
	a := m.Answers()
	if a.EnvManager != "pixi" || a.Python != "3.10" || a.Examples {
		t.Errorf("answers %+v", a)
	}
}

func TestReviewPreviewsTheTreeAndConfirms(t *testing.T) {
	m, _ := send(t, fresh(), typed("demo")...)
	for range numFields {
		m, _ = send(t, m, key(tea.KeyEnter))
	}
	if m.current != review {
		t.Fatalf("at %d", m.current)
	}
	v := m.View()
	for _, want := range []string{"▸ Review", "files in demo", "demo/", "├── dags/", "example_pipeline.py", "gaiaflow.toml", "enter create"} {
		if !strings.Contains(v, want) {
			t.Errorf("review lacks %q:\n%s", want, v)
		}
	}
	// Back to the examples question, answer no: the preview follows.
	m, _ = send(t, m, key(tea.KeyShiftTab))
	m, _ = send(t, m, typed("n")...)
	m, _ = send(t, m, key(tea.KeyEnter))
	if strings.Contains(m.View(), "example") {
		t.Errorf("examples still previewed:\n%s", m.View())
	}
	m, cmd := send(t, m, key(tea.KeyEnter))
	if !m.Done() || !m.Result().Confirmed || m.Result().Dir != "demo" || m.Result().Answers.Examples {
		t.Fatalf("result %+v", m.Result())
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("a standalone wizard must quit when done")
	}
	if m.View() != "" {
		t.Error("a finished wizard still draws")
	}
}

func TestTheReviewRefusesAnInvalidAnswerLeftBehind(t *testing.T) {
	m := New(Config{Defaults: scaffold.Answers{Name: "demo", Package: "demo", EnvManager: "uv", Python: "3.12", Email: "bad"}, Dir: "demo"})
	for range numFields {
		m, _ = send(t, m, key(tea.KeyEnter))
	}
	if m.current != fEmail {
		t.Errorf("at %d, want the email", m.current)
	}
}

func TestCancelAtAnyStep(t *testing.T) {
	for _, k := range []tea.KeyType{tea.KeyEsc, tea.KeyCtrlC} {
		for steps := 0; steps <= numFields; steps++ {
			m, _ := send(t, fresh(), typed("demo")...)
			for range steps {
				m, _ = send(t, m, key(tea.KeyEnter))
			}
			m, cmd := send(t, m, key(k))
			if !m.Done() || m.Result().Confirmed {
				t.Fatalf("%v after %d steps: %+v", k, steps, m.Result())
			}
			if _, ok := cmd().(tea.QuitMsg); !ok {
				t.Fatalf("%v after %d steps did not quit", k, steps)
			}
		}
	}
}

func TestEmbeddedWizardEndsWithDoneMsg(t *testing.T) {
	cfg := Config{Defaults: scaffold.Defaults("demo"), Dir: "demo", Embedded: true}
	m, cmd := send(t, New(cfg), key(tea.KeyEsc))
	msg, ok := cmd().(DoneMsg)
	if !ok || msg.Result.Confirmed || !m.Done() {
		t.Fatalf("msg %#v", msg)
	}
	// After the end, keys do nothing.
	if _, cmd := send(t, m, key(tea.KeyEnter)); cmd != nil {
		t.Error("a finished wizard still reacts")
	}
}
