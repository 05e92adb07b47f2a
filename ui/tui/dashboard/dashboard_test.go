package dashboard

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/fake"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
)

func TestPanelsByNumberTabAndShiftTab(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30)
	d.see("[0 Overview]") // where it opens
	for _, c := range []struct{ key, tab string }{{"2", "[2 Mode]"}, {"3", "[3 DAGs]"}, {"4", "[4 Logs]"}, {"5", "[5 MLflow]"},
		{"tab", "[0 Overview]"}, {"shift+tab", "[5 MLflow]"}, {"1", "[1 Services]"}, {"0", "[0 Overview]"}} {
		d.keys(c.key)
		d.see(c.tab)
	}
}

func TestFooterShowsTheKeysThatApplyHere(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 120, 40)
	d.see("enter open the line's panel")
	d.notSee("b build", "P start") // the mode misses nothing they fix
	d.keys("1")
	d.see("u start", "d stop", "r restart", "o open in browser", "l logs", "? all keys", "q quit")
	d.keys("3")
	d.see("t trigger", "p pause/unpause")
	d.notSee("u start")
	d.keys("4")
	d.see("/ search", "& filter (regex)", "space pause")
}

func TestHelpIsGeneratedFromTheKeyTable(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 120, 60)
	d.keys("1", "?")
	s := d.screen()
	for _, b := range keys.Default(false).Bindings() {
		if b.AppliesIn(keys.Services) && !strings.Contains(s, b.Help) {
			t.Errorf("help lacks %q", b.Help)
		}
	}
	d.see("Services (here)", "stop all services (asks first)")
	d.keys("esc")
	d.notSee("Services (here)")
	d.keys("?", "j", "k", "?")
	d.notSee("Services (here)")
}

func TestReadOnlyHidesEveryChange(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 120, 60, readOnly)
	d.keys("1")
	d.see("READ-ONLY", "o open in browser", "l logs")
	d.notSee("u start", "d stop")
	d.keys("u")
	d.see("read-only: start is disabled")
	d.keys("X", "U", "V", "C", "i", "D", "E")
	d.keys("2", "j", "m", "b")
	d.notSee("press b", "press m")
	d.keys("3", "t", "p")
	if a := d.actions(); len(a) != 0 {
		t.Errorf("read-only ran %v", a)
	}
	d.keys("?")
	d.see("read-only: actions that change anything are hidden")
	d.notSee("trigger", "stop all services", "switch to this mode")
	// Reading still works.
	d.keys("esc", "enter")
	d.see("DAGs › train_model › runs")
}

func TestNoProjectOffersTheInitWizard(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30, noProject)
	d.see("gaiaflow · no project", "No gaiaflow project here. Press i to create one")
	d.keys("U")
	d.see("no project here: press i")
	d.keys("i")
	d.see("the init wizard is not in this build yet; run `gaiaflow init`")
	d.keys("3")
	d.see("✗ airflow at http://127.0.0.1:8080: connection refused")
}

// stubWizard stands in for a wizard package: it shows a line and finishes on enter.
type stubWizard struct{ which tui.Wizard }

func (w stubWizard) Init() tea.Cmd { return nil }
func (w stubWizard) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && k.Type == tea.KeyEnter {
		return w, func() tea.Msg { return tui.WizardDone{Wizard: w.which, Message: "project created"} }
	}
	return w, nil
}
func (w stubWizard) View() string { return "STUB WIZARD " + string(w.which) }

func TestWizardsOpenAndClose(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30, noProject)
	d.m.opts.Wizards = func(w tui.Wizard, _, _ int) tea.Model { return stubWizard{w} }
	d.keys("i")
	d.see("STUB WIZARD init")
	d.keys("q") // keys belong to the wizard while it is open
	if d.quit {
		t.Fatal("q quit the dashboard from inside a wizard")
	}
	d.keys("enter")
	d.see("project created")
	d.notSee("STUB WIZARD")
	d.keys("D")
	d.see("STUB WIZARD dockerize")
}

func TestDockerDownSaysWhyAndKeepsRunning(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30, dockerDown)
	d.see("✗ Docker: cannot reach unix:///var/run/docker.sock: connection refused; start Docker · retrying (1)", "docker ✗", "unknown")
	d.keys("2")
	d.see("What dev needs")
	// Docker comes back: the backend signals and the banner goes.
	d.be.Update(func(s *tui.Snapshot) { s.Docker = tui.Conn{OK: true} })
	d.until("recovery", func() bool { return !strings.Contains(d.screen(), "✗ Docker") })
}

func TestRetryDelayBacksOff(t *testing.T) {
	t.Parallel()
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second}
	for i, w := range want {
		if got := retryDelay(i); got != w {
			t.Errorf("retryDelay(%d) = %v, want %v", i, got, w)
		}
	}
}

func TestQuit(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30)
	d.keys("q")
	if !d.quit || !d.m.Quitting() {
		t.Error("q did not quit")
	}
	if d.m.root.Err() == nil {
		t.Error("quitting left the background work running")
	}
}

func TestRemappedKeysDispatchAndShow(t *testing.T) {
	t.Parallel()
	km, err := keys.New(map[keys.Action][]string{keys.ServiceStart: {"S"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, 100, 30, func(o *Options, _ *fake.Options) { o.Keymap = km })
	d.keys("1")
	d.see("S start")
	d.keys("u")
	if len(d.actions()) != 0 {
		t.Fatal("the old key still works")
	}
	d.keys("S")
	d.until("start", func() bool { return len(d.actions()) == 1 })
}

func TestMouse(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30)
	tabs := d.m.tabRanges()
	d.handle(tea.MouseMsg{X: tabs[PanelDAGs][0] + 1, Y: 1, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	d.settle()
	d.see("[3 DAGs]")
	d.handle(tea.MouseMsg{Y: 5, Button: tea.MouseButtonWheelDown})
	if d.m.dags.dags.Cursor() != 1 {
		t.Errorf("wheel: cursor %d", d.m.dags.dags.Cursor())
	}
	// Row 0 of the DAG table is screen line 4 (header, tabs, summary, titles).
	d.handle(tea.MouseMsg{X: 5, Y: 4 + 3, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if d.m.dags.dags.Cursor() != 3 {
		t.Errorf("click: cursor %d", d.m.dags.dags.Cursor())
	}
}

// TestEveryViewFitsEverySize resizes through many sizes on every panel and
// overlay: the screen must always be exactly the terminal's size.
func TestEveryViewFitsEverySize(t *testing.T) {
	t.Parallel()
	sizes := [][2]int{{80, 24}, {81, 25}, {100, 30}, {120, 40}, {200, 60}, {80, 50}, {240, 24}}
	setups := map[string][]string{
		"overview": nil, "services": {"1"}, "mode": {"2"}, "dags": {"3"}, "runs": {"3", "enter"}, "tasks": {"3", "enter", "enter"},
		"grid": {"3", "v"}, "logs": {"4"}, "logs-wrapped": {"4", "W"}, "help": {"?"}, "confirm": {"V"}, "prompt": {"4", "&"},
		"tasklist": {"1", "u", "T"}, "mlflow": {"5"}, "mlflow-runs": {"5", "enter"}, "mlflow-run": {"5", "enter", "enter"},
		"metric-columns": {"5", "enter", "m"},
	}
	for name, ks := range setups {
		t.Run(name, func(t *testing.T) {
			d := newDriver(t, 80, 24, slowActions)
			d.keys(ks...)
			for _, sz := range sizes {
				d.handle(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				d.settle()
				lines := strings.Split(d.screen(), "\n")
				if len(lines) != sz[1] {
					t.Errorf("%dx%d: %d lines", sz[0], sz[1], len(lines))
				}
				for i, l := range lines {
					if w := lipgloss.Width(l); w > sz[0] {
						t.Errorf("%dx%d: line %d is %d wide: %q", sz[0], sz[1], i, w, l)
					}
				}
			}
		})
	}
	d := newDriver(t, 30, 8)
	d.see("gaiaflow needs a bigger terminal")
}

// TestIdleDoesNothing: with nothing changing and no polled panel (the
// overview, DAGs, MLflow) in front, no message arrives at all — no ticker,
// no polling.
func TestIdleDoesNothing(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30)
	d.m.opts.PollInterval = 5 * time.Millisecond
	d.keys("2", "4", "1")
	select {
	case msg := <-d.msgs:
		t.Errorf("idle dashboard received %T", msg)
	case <-time.After(150 * time.Millisecond):
	}
}
