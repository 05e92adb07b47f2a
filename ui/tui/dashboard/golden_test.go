package dashboard

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/fake"
	"github.com/gaiaflow/gaiaflow/ui/tui/theme"
)

// Golden files live under testdata/<test name>.golden and are rewritten by
// go test ./ui/tui/dashboard -run Golden -update (the flag belongs to
// charmbracelet/x/exp/golden, which teatest uses too).

// TestGoldenViews pins whole screens at 80×24 and 120×40, with no colour and
// a fixed clock, so layout changes show up in review as text diffs.
func TestGoldenViews(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		opts  []driverOpt
		setup func(*driver)
		keys  []string
	}{
		{"overview", nil, nil, nil},
		{"overview-healthy", []driverOpt{healthy}, nil, nil},
		{"overview-failing-container", []driverOpt{healthy}, failContainer("minio", "minio"), nil},
		{"overview-failed-run", []driverOpt{healthy}, failRun("train_model"), nil},
		{"overview-mode-missing", []driverOpt{healthy}, switchMode("dev_docker"), nil},
		{"services", nil, nil, []string{"1"}},
		{"services-selected-minio", nil, nil, []string{"1", "G", "k", "k"}},
		{"mode", nil, nil, []string{"2", "j"}},
		{"mode-prod-local", nil, nil, []string{"2", "j", "j"}},
		{"mode-prod-local-read-only", []driverOpt{readOnly}, nil, []string{"2", "j", "j"}},
		{"confirm-delete-cluster", nil, nil, []string{"2", "K"}},
		{"dags", nil, nil, []string{"3"}},
		{"runs", nil, nil, []string{"3", "enter"}},
		{"tasks", nil, nil, []string{"3", "j", "enter", "enter"}},
		{"grid", nil, nil, []string{"3", "j", "v"}},
		{"logs", nil, nil, []string{"4"}},
		{"logs-filter-search", nil, nil, []string{"4", "&", "e", "r", "r", "o", "r", "|", "i", "n", "f", "o", "enter", "/", "m", "o", "d", "u", "l", "e", "enter"}},
		{"logs-wrapped", nil, nil, []string{"4", "W"}},
		{"mlflow", nil, nil, []string{"5"}},
		{"mlflow-runs", nil, nil, []string{"5", "enter"}},
		{"mlflow-columns", nil, nil, []string{"5", "enter", "m", "j", "enter"}},
		{"mlflow-column-hidden", nil, nil, []string{"5", "enter", "m", "j", "enter", "esc"}},
		{"mlflow-run", nil, nil, []string{"5", "enter", "enter", "G", "k", "k", "enter"}},
		{"task-mlflow", nil, nil, []string{"3", "enter", "enter", "j", "j", "M"}},
		{"help", nil, nil, []string{"?"}},
		{"confirm-stop-all", nil, nil, []string{"X"}},
		{"confirm-delete-volumes", nil, nil, []string{"V"}},
		{"read-only", []driverOpt{readOnly}, nil, nil},
		{"no-project", []driverOpt{noProject}, nil, nil},
		{"docker-down", []driverOpt{dockerDown}, nil, nil},
		{"airflow-down", []driverOpt{airflowDown}, nil, []string{"3"}},
	}
	for _, c := range cases {
		for _, sz := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(c.name+"-"+sizeName(sz), func(t *testing.T) {
				t.Parallel()
				d := newDriver(t, sz[0], sz[1], c.opts...)
				if c.setup != nil {
					c.setup(d)
				}
				d.keys(c.keys...)
				golden.RequireEqual(t, []byte(d.screen()+"\n"))
			})
		}
	}
}

func sizeName(sz [2]int) string { return fmt.Sprintf("%dx%d", sz[0], sz[1]) }

// failContainer makes one container of a service exit with an error.
func failContainer(service, container string) func(*driver) {
	return func(d *driver) {
		d.be.Update(func(s *tui.Snapshot) {
			for i := range s.Services {
				for j := range s.Services[i].Containers {
					if c := &s.Services[i].Containers[j]; s.Services[i].Name == service && c.Name == container {
						c.State, c.ExitCode, c.Started = tui.StateExited, 1, time.Time{}
					}
				}
			}
		})
		d.settle()
	}
}

// failRun makes a DAG's newest run fail, as its train task does.
func failRun(dag string) func(*driver) {
	return func(d *driver) {
		if err := d.be.SetLastRun(dag, "failed"); err != nil {
			d.t.Fatal(err)
		}
		d.handle(pollMsg{gen: d.m.pollGen}) // the overview's next read
		d.settle()
	}
}

// switchMode makes the project's mode another one.
func switchMode(mode string) func(*driver) {
	return func(d *driver) {
		d.be.Update(func(s *tui.Snapshot) { s.Mode = mode })
		d.settle()
	}
}

// TestGoldenColours pins the semantic colours of the services panel in both
// themes with a fixed 256-colour profile.
func TestGoldenColours(t *testing.T) {
	t.Parallel()
	for _, n := range []theme.Name{theme.Dark, theme.Light} {
		t.Run(string(n)+"-120x40", func(t *testing.T) {
			t.Parallel()
			r := lipgloss.NewRenderer(io.Discard)
			r.SetColorProfile(termenv.ANSI256)
			st := theme.For(r, n)
			d := newDriver(t, 120, 40, func(o *Options, _ *fake.Options) { o.Styles = &st })
			golden.RequireEqualEscape(t, []byte(d.screen()+"\n"), true)
		})
	}
}
