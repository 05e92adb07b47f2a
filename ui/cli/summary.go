package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gaiaflow/gaiaflow/services/project"
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

// runSummary is `gaiaflow` itself. The dashboard is not built yet, so a
// terminal gets the same summary as --no-tui, with a line saying so. Where
// no project is found, a terminal gets the init wizard (as the dashboard
// will offer it).
func runSummary(ctx context.Context, a *App) error {
	p, err := a.Project()
	if errors.Is(err, project.ErrNotFound) && a.Opts.Path == "" && !a.Headless() {
		return runInitWizard(ctx, a, "", initFlags{})
	}
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
		if !a.Headless() {
			fmt.Fprintln(w, "(the dashboard is not available yet in this version; this is the --no-tui summary)")
		}
	})
}
