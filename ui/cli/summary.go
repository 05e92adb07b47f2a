package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/ui/tui/adapter"
	"github.com/gaiaflow/gaiaflow/ui/tui/dashboard"
)

type summaryView struct {
	Project  string           `json:"project"`
	ID       string           `json:"id"`
	Dir      string           `json:"dir"`
	Mode     string           `json:"mode"`
	Services []serviceSummary `json:"services"`
}

type serviceSummary struct {
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
	URL     string `json:"url"`
	Image   string `json:"image"`
}

// runSummary is `gaiaflow` itself: the dashboard on a terminal, else (with
// --no-tui, -o json, or a stdout that is not a terminal) a status summary.
func runSummary(ctx context.Context, a *App) error {
	if !a.Headless() {
		return runDashboard(ctx, a)
	}
	p, err := a.Core().Project()
	if err != nil {
		return err
	}
	v := summaryView{Project: p.Config.Name, ID: p.ID(), Dir: p.Dir, Mode: p.Config.Mode}
	for _, name := range project.ServiceNames {
		s, _ := p.Config.Service(name)
		v.Services = append(v.Services, serviceSummary{Name: name, Enabled: s.IsEnabled(),
			URL: fmt.Sprintf("http://127.0.0.1:%d", s.Port), Image: s.Image})
	}
	return a.Emit(v, func(w io.Writer) {
		fmt.Fprintf(w, "project %s (%s)\n", v.Project, v.Dir)
		fmt.Fprintf(w, "mode    %s\n", v.Mode)
		for _, s := range v.Services {
			state := "enabled"
			if !s.Enabled {
				state = "disabled"
			}
			fmt.Fprintf(w, "  %-8s %-8s %s\n", s.Name, state, s.URL)
		}
	})
}

// runDashboard opens the dashboard. In a binary built with -tags
// fakebackend, GAIAFLOW_TUI_FAKE (a test and development aid, see
// ui/tui/fake) swaps the real backend for an in-memory fake world, so the
// dashboard can be driven without Docker or Airflow.
func runDashboard(ctx context.Context, a *App) error {
	out, ok := a.Out.(*os.File)
	if !ok {
		return fmt.Errorf("the dashboard needs a terminal on stdout")
	}
	be, err := fakeBackend(a)
	if err != nil {
		return err
	}
	if be == nil {
		be = adapter.New(a.Core())
	}
	return dashboard.Run(ctx, dashboard.RunOptions{
		Backend: be, ReadOnly: a.Opts.ReadOnly, NoColor: !a.Color(), Getenv: a.Getenv,
		In: a.In, Out: out, Cwd: a.Cwd, Wizards: dashboardWizards(a),
	})
}
