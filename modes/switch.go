package modes

import (
	"context"

	"github.com/gaiaflow/gaiaflow/services/project"
)

// Switch is how a mode change reaches a running stack: Airflow's containers
// carry the mode in GAIAFLOW_MODE, so they are recreated with the new one.
// Both functions are nil when no engine is reachable.
type Switch struct {
	State *project.State
	// AirflowRunning reports whether the project's Airflow runs.
	AirflowRunning func(ctx context.Context, p *project.Project) (bool, error)
	// RecreateAirflow starts Airflow again with the project's new settings.
	RecreateAirflow func(ctx context.Context, p *project.Project) error
}

// Set writes m to gaiaflow.toml (changing nothing else in the file) and
// recreates the Airflow containers when they run. What m needs is checked
// by the caller beforehand (see CheckDevDocker, CheckProdLocal, CheckProd),
// so that a person can be shown every missing item and can override. It
// returns the project as reloaded and whether Airflow was recreated.
func Set(ctx context.Context, p *project.Project, m Mode, sw Switch) (*project.Project, bool, error) {
	running := false
	if sw.AirflowRunning != nil {
		var err error
		if running, err = sw.AirflowRunning(ctx, p); err != nil {
			return p, false, err
		}
	}
	unlock, err := sw.State.Lock(ctx)
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
