package dashboard

import (
	"fmt"
	"io"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

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
		name string
		opts []driverOpt
		keys []string
	}{
		{"services", nil, nil},
		{"services-selected-minio", nil, []string{"G", "k", "k"}},
		{"mode", nil, []string{"2", "j"}},
		{"mode-prod-local", nil, []string{"2", "j", "j"}},
		{"mode-prod-local-read-only", []driverOpt{readOnly}, []string{"2", "j", "j"}},
		{"confirm-delete-cluster", nil, []string{"2", "K"}},
		{"dags", nil, []string{"3"}},
		{"runs", nil, []string{"3", "enter"}},
		{"tasks", nil, []string{"3", "j", "enter", "enter"}},
		{"logs", nil, []string{"4"}},
		{"logs-filter-search", nil, []string{"4", "&", "e", "r", "r", "o", "r", "|", "i", "n", "f", "o", "enter", "/", "m", "o", "d", "u", "l", "e", "enter"}},
		{"help", nil, []string{"?"}},
		{"confirm-stop-all", nil, []string{"X"}},
		{"confirm-delete-volumes", nil, []string{"V"}},
		{"read-only", []driverOpt{readOnly}, nil},
		{"no-project", []driverOpt{noProject}, nil},
		{"docker-down", []driverOpt{dockerDown}, nil},
		{"airflow-down", []driverOpt{airflowDown}, []string{"3"}},
	}
	for _, c := range cases {
		for _, sz := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(c.name+"-"+sizeName(sz), func(t *testing.T) {
				t.Parallel()
				d := newDriver(t, sz[0], sz[1], c.opts...)
				d.keys(c.keys...)
				golden.RequireEqual(t, []byte(d.screen()+"\n"))
			})
		}
	}
}

func sizeName(sz [2]int) string { return fmt.Sprintf("%dx%d", sz[0], sz[1]) }

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
