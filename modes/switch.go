package modes

import (
	"context"

	"github.com/gaiaflow/gaiaflow/services/project"
)

// Switch is how a mode change reaches a running stack: Airflow's containers
// carry the mode in GAIAFLOW_MODE, so they are recreated with the new one.
// Both functions are nil when no engine is reachable.
type Switch struct {
	Env Env
	// Force switches even when the mode's needs are not met.
	Force bool
	// AirflowRunning reports whether the project's Airflow runs.
	AirflowRunning func(ctx context.Context, p *project.Project) (bool, error)
	// RecreateAirflow starts Airflow again with the project's new settings.
	RecreateAirflow func(ctx context.Context, p *project.Project) error
}

// Set checks what m needs, writes it to gaiaflow.toml (changing nothing else
// in the file) and recreates the Airflow containers when they run. It
// returns the project as reloaded and whether Airflow was recreated.
func Set(ctx context.Context, p *project.Project, m Mode, sw Switch) (*project.Project, bool, error) {
	if !sw.Force {
		if err := Unmet(m, m.Needs(ctx, sw.Env)); err != nil {
			return p, false, err
		}
	}
	running := false
	if sw.AirflowRunning != nil {
		var err error
		if running, err = sw.AirflowRunning(ctx, p); err != nil {
			return p, false, err
		}
	}
	unlock, err := sw.Env.State.Lock(ctx)
	if err != nil {
		return p, false, err
	}
	err = project.SetMode(p.Dir, string(m))
	unlock()
	if err != nil {
		return p, false, err
	}
	reloaded, err := project.Open(p.Dir, true)
	if err != nil {
		return p, false, err
	}
	if !running || sw.RecreateAirflow == nil {
		return reloaded, false, nil
	}
	return reloaded, true, sw.RecreateAirflow(ctx, reloaded)
}
