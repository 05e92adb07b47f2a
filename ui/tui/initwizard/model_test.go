package initwizard

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/gaiaflow/gaiaflow/scaffold"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/wizardkit/wizardtest"
)

func isDone(msg tea.Msg) bool { _, ok := msg.(DoneMsg); return ok }

func drive(t *testing.T, m Model) *wizardtest.Driver {
	t.Helper()
	d := wizardtest.New(t, m, isDone)
	d.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	return d
}

func model(d *wizardtest.Driver) Model { return d.M.(Model) }

func backspaces(n int) []string {
	return strings.Split(strings.Repeat("backspace ", n-1)+"backspace", " ")
}

func enters(n int) []string {
	if n == 0 {
		return nil
	}
	return strings.Split(strings.Repeat("enter ", n-1)+"enter", " ")
}

func seeStep(t *testing.T, d *wizardtest.Driver, n int) {
	t.Helper()
	if want := fmt.Sprintf("step %d of 10", n); !strings.Contains(d.View(), want) {
		t.Fatalf("not at step %d:\n%s", n, d.View())
	}
}

func TestTypingTheNameFillsWhatFollowsFromIt(t *testing.T) {
	d := drive(t, fresh()).Type("sales-forecast")
	m := model(d)
	a := m.Answers()
	if a.Name != "sales-forecast" || a.Package != "sales_forecast" || m.Dir() != "sales-forecast" ||
		!strings.Contains(a.Description, "sales-forecast") {
		t.Errorf("answers %+v dir %q", a, m.Dir())
	}
	// The inputs show the followed answers, not only the results.
	if v := d.View(); !strings.Contains(v, "✓") || !strings.Contains(v, "› sales-forecast") || !strings.Contains(v, "step 1 of 10") {
		t.Errorf("view:\n%s", v)
	}
}

func TestValidationShowsTheReasonAsYouType(t *testing.T) {
	d := drive(t, fresh()).Type("Sales")
	if v := d.View(); !strings.Contains(v, "✗ use lower-case letters only") {
		t.Errorf("view:\n%s", v)
	}
	d.Keys("enter") // does not move on while the answer is invalid
	seeStep(t, d, 1)
	d.Keys(backspaces(5)...).Type("sales").Keys("enter")
	seeStep(t, d, 2)
}

func TestPackageAndDirectoryStopFollowingOnceEdited(t *testing.T) {
	d := drive(t, fresh()).Type("demo").Keys("enter") // the directory
	d.Keys(backspaces(4)...).Type("taken")
	if v := d.View(); !strings.Contains(v, "taken is not empty") {
		t.Errorf("directory check not shown:\n%s", v)
	}
	d.Keys(backspaces(5)...).Type("elsewhere").Keys("shift+tab").Type("x") // back to the name
	if m := model(d); m.Dir() != "elsewhere" || m.Answers().Package != "demox" {
		t.Errorf("dir %q package %q", m.Dir(), m.Answers().Package)
	}
}

func TestPackageValidation(t *testing.T) {
	d := drive(t, fresh()).Type("json").Keys(enters(fPackage)...)
	// "json" as a package was refused, so the name's package is empty and required.
	seeStep(t, d, fPackage+1)
	d.Keys("enter")
	if v := d.View(); !strings.Contains(v, "a package name is required") {
		t.Fatalf("view:\n%s", v)
	}
	seeStep(t, d, fPackage+1)
	d.Type("json")
	if !strings.Contains(d.View(), "standard library") {
		t.Errorf("view:\n%s", d.View())
	}
	d.Keys(backspaces(4)...).Type("jsontools").Keys("enter")
	seeStep(t, d, fEnvManager+1)
}

func TestChoicesByArrowsAndLetters(t *testing.T) {
	d := drive(t, fresh()).Type("demo").Keys(enters(fEnvManager)...).Keys("right")
	if got := model(d).Answers().EnvManager; got != "conda" {
		t.Errorf("right: %s", got)
	}
	if !strings.Contains(d.View(), "conda") || !strings.Contains(d.View(), "environment.yml") {
		t.Errorf("view:\n%s", d.View())
	}
	d.Type("p").Keys("enter", "left", "enter").Type("n") // pixi; python wraps to the last; no examples
	a := model(d).Answers()
	last := scaffold.PythonVersions[len(scaffold.PythonVersions)-1]
	if first := scaffold.PythonVersions[0]; scaffold.Defaults("").Python != first {
		last = scaffold.PythonVersions[0] // the default is not the first: left does not wrap
	}
	if a.EnvManager != "pixi" || a.Python != last || a.Examples {
		t.Errorf("answers %+v", a)
	}
}

func TestReviewPreviewsTheTreeAndConfirms(t *testing.T) {
	d := drive(t, fresh())
	d.Send(tea.WindowSizeMsg{Width: 100, Height: 60}) // room for the whole tree
	d.Type("demo").Keys(enters(numFields)...)
	seeStep(t, d, 10)
	v := d.View()
	for _, want := range []string{"Review", "files in demo", "demo/", "├── dags/", "example_pipeline.py", "gaiaflow.toml", "Create", "Cancel"} {
		if !strings.Contains(v, want) {
			t.Errorf("review lacks %q:\n%s", want, v)
		}
	}
	// Back to the examples question, answer no: the preview follows.
	d.Keys("shift+tab").Type("n").Keys("enter")
	seeStep(t, d, 10)
	if strings.Contains(d.View(), "example") {
		t.Errorf("examples still previewed:\n%s", d.View())
	}
	d.Keys("enter")
	m := model(d)
	if !m.Done() || !m.Result().Confirmed || m.Result().Dir != "demo" || m.Result().Answers.Examples {
		t.Fatalf("result %+v", m.Result())
	}
	if !d.Quit {
		t.Error("a standalone wizard must quit when done")
	}
	if d.View() != "" {
		t.Error("a finished wizard still draws")
	}
}

func TestTheReviewRefusesAnInvalidAnswerLeftBehind(t *testing.T) {
	d := drive(t, New(Config{Defaults: scaffold.Answers{Name: "demo", Package: "demo", EnvManager: "uv", Python: "3.12", Email: "bad"}, Dir: "demo"}))
	d.Keys(enters(numFields)...)
	seeStep(t, d, fEmail+1)
}

func TestCancelAtAnyStep(t *testing.T) {
	for _, k := range []string{"esc", "ctrl+c"} {
		for steps := 0; steps <= numFields; steps++ {
			d := drive(t, fresh()).Type("demo").Keys(enters(steps)...).Keys(k)
			if m := model(d); !m.Done() || m.Result().Confirmed || !d.Quit {
				t.Fatalf("%s after %d steps: %+v, quit %v", k, steps, m.Result(), d.Quit)
			}
		}
	}
}

func TestCancelOnTheReview(t *testing.T) {
	d := drive(t, fresh()).Type("demo").Keys(enters(numFields)...).Keys("n")
	if m := model(d); !m.Done() || m.Result().Confirmed {
		t.Fatalf("n on the review: %+v", m.Result())
	}
}

func TestEmbeddedWizardEndsWithDoneMsg(t *testing.T) {
	cfg := Config{Defaults: scaffold.Defaults("demo"), Dir: "demo", Embedded: true}
	d := drive(t, New(cfg)).Keys("esc")
	if len(d.Out) != 1 || d.Out[0].(DoneMsg).Result.Confirmed || !model(d).Done() || d.Quit {
		t.Fatalf("out %#v quit %v", d.Out, d.Quit)
	}
	d.Keys("enter") // after the end, keys do nothing
	if len(d.Out) != 1 {
		t.Error("a finished wizard still reacts")
	}
}

// The keys come from the one key table: remapped there, they work here, and
// the keys they replaced no longer do what they did.
func TestRemappedKeysWorkInsideTheWizard(t *testing.T) {
	km, err := keys.New(map[keys.Action][]string{
		keys.Back: {"ctrl+g"}, keys.Quit: {"Q"}, keys.Open: {"f2"}, keys.NextPanel: {"ctrl+n"},
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Defaults: scaffold.Defaults(""), DirFollowsName: true, Embedded: true, Keys: km}
	d := drive(t, New(cfg)).Type("demo")
	if !strings.Contains(d.View(), "ctrl+g cancels") || !strings.Contains(d.View(), "f2 next") {
		t.Errorf("the screen does not show the remapped keys:\n%s", d.View())
	}
	d.Keys("enter") // open is f2 now: enter does not move on
	seeStep(t, d, 1)
	d.Keys("f2")
	seeStep(t, d, 2)
	d.Keys("ctrl+n") // panel.next moves on too
	seeStep(t, d, 3)
	d.Keys("esc").Type("Q") // back and quit lost esc and ctrl+c; "Q" types, it does not cancel
	if len(d.Out) != 0 {
		t.Fatalf("cancelled by a key no longer bound: %+v", d.Out)
	}
	d.Keys("ctrl+g")
	if len(d.Out) != 1 || d.Out[0].(DoneMsg).Result.Confirmed {
		t.Fatalf("ctrl+g did not cancel: %+v", d.Out)
	}
}

// The screens at the dashboard's smallest body, without colour: the first
// question and the review. go test -update rewrites them.
func TestGoldenScreens(t *testing.T) {
	cfg := Config{Defaults: scaffold.Defaults(""), DirFollowsName: true, Embedded: true}
	t.Run("first-question", func(t *testing.T) {
		d := drive(t, New(cfg)).Type("churn")
		golden.RequireEqual(t, []byte(d.View()+"\n"))
	})
	t.Run("review", func(t *testing.T) {
		d := drive(t, New(cfg)).Type("churn").Keys(enters(numFields)...)
		golden.RequireEqual(t, []byte(d.View()+"\n"))
	})
}
