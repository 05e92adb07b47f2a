package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/adapter"
	"github.com/gaiaflow/gaiaflow/ui/tui/dashboard"
	"github.com/gaiaflow/gaiaflow/ui/tui/fake"
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
	p, err := a.Project()
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

// projectAirflow is the client of p's Airflow, built by airflow.ForProject
// as the dags commands' is.
func projectAirflow(ctx context.Context, p *project.Project) (*airflow.Client, error) {
	st, err := p.State()
	if err != nil {
		return nil, err
	}
	creds, err := st.Credentials(ctx)
	if err != nil {
		return nil, err
	}
	return airflow.ForProject(p, creds)
}

// runDashboard opens the dashboard. GAIAFLOW_TUI_FAKE (a test and
// development aid, see ui/tui/fake) swaps the real backend for an in-memory
// fake world, so the dashboard can be driven without Docker or Airflow.
func runDashboard(ctx context.Context, a *App) error {
	out, ok := a.Out.(*os.File)
	if !ok {
		return fmt.Errorf("the dashboard needs a terminal on stdout")
	}
	var be tui.Backend
	if v := a.Getenv("GAIAFLOW_TUI_FAKE"); v != "" {
		be = fake.New(fake.FromEnv(v))
	} else {
		be = a.dashboardBackend()
	}
	return dashboard.Run(ctx, dashboard.RunOptions{
		Backend: be, ReadOnly: a.Opts.ReadOnly, NoColor: !a.Color(), Getenv: a.Getenv,
		In: a.In, Out: out, Cwd: a.Cwd, Wizards: dashboardWizards(a),
	})
}

// dashboardBackend is the dashboard's real backend, built from the clients
// and functions the commands use: the same stack (App.stackOf), Airflow
// client (airflow.ForProject), readiness checks (App.Machine), mode switch
// (App.modeSwitch), task image builds (dockerizeLocal, dockerizeMinikube)
// and cluster start and delete (startCluster, deleteCluster).
func (a *App) dashboardBackend() *adapter.Backend {
	// Build the Docker client now: the adapter asks for it from several
	// goroutines, and App builds it lazily without a lock.
	_, _ = a.Docker()
	start, explicit := a.Cwd, false
	if a.Opts.Path != "" {
		start, explicit = a.Opts.Path, true
	}
	return &adapter.Backend{Start: start, Explicit: explicit,
		NewDocker: func() (*docker.Client, error) { return a.NewDocker() },
		Stack: func(p *project.Project, r event.Reporter) (adapter.Stack, error) {
			return a.stackReporting(p, r)
		},
		Airflow: func(ctx context.Context, p *project.Project) (adapter.Airflow, error) {
			return projectAirflow(ctx, p)
		},
		Machine:    a.Machine(),
		ModeSwitch: a.modeSwitchReporting,
		Dockerize: func(ctx context.Context, p *project.Project, target string, r event.Reporter) error {
			// The commands' defaults: build.image, else the package's
			// name and version; build.base_image; the build cache.
			return dockerizeTo(ctx, a, p, target, build.DockerizeOptions{}, r)
		},
		StartCluster: func(ctx context.Context, p *project.Project, r event.Reporter) error {
			pl, err := a.prodLocalOf(p)
			if err != nil {
				return err
			}
			return startCluster(ctx, pl, minikube.StartOptions{}, r)
		},
		DeleteCluster: func(ctx context.Context, p *project.Project, r event.Reporter) error {
			pl, err := a.prodLocalOf(p)
			if err != nil {
				return err
			}
			return a.deleteCluster(ctx, pl, r)
		},
	}
}
