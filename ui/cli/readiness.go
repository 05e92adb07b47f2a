package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// readinessView is `mode check -o json`.
type readinessView struct {
	Mode         string              `json:"mode"`
	Ready        bool                `json:"ready"`
	Requirements []modes.Requirement `json:"requirements"`
}

// readiness checks what mode m needs on this machine.
func (a *App) readiness(ctx context.Context, p *project.Project, m modes.Mode) (readinessView, error) {
	v := readinessView{Mode: string(m), Requirements: []modes.Requirement{}}
	switch m {
	case modes.Dev:
		// dev runs tasks in the stack itself: nothing beyond it.
	case modes.DevDocker:
		st, err := p.State()
		if err != nil {
			return v, err
		}
		env := modes.DevDockerEnv{State: st}
		dc, err := a.Docker()
		if err == nil {
			_, err = dc.Info(ctx)
		}
		if err != nil {
			env.EngineErr = err
		} else {
			env.ImageExists = dc.ImageExists
		}
		v.Requirements = modes.CheckDevDocker(ctx, env)
	case modes.ProdLocal:
		st, err := p.State()
		if err != nil {
			return v, err
		}
		env := modes.ProdLocalEnv{Profile: p.Config.Minikube.Profile, State: st, Kube: a.NewKube, DAGsDir: filepath.Join(p.Dir, "dags")}
		if r, err := a.NewMinikube(); err != nil {
			env.NoCluster = err
		} else {
			env.Cluster = minikube.New(r, p.Config.Minikube, st)
		}
		reqs, err := modes.CheckProdLocal(ctx, env)
		if err != nil {
			return v, err
		}
		v.Requirements = reqs
	case modes.Prod:
		v.Requirements = modes.CheckProd(ctx, p.Config, nil)
	}
	v.Ready = modes.AllReady(v.Requirements)
	return v, nil
}

func printReadiness(w io.Writer, v readinessView) {
	state := "ready"
	if !v.Ready {
		state = "not ready"
	}
	fmt.Fprintf(w, "%s: %s\n", v.Mode, state)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range v.Requirements {
		mark := "ok"
		if !r.Ready {
			mark = "MISSING"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", mark, r.Name, r.Detail)
		if !r.Ready && r.Fix != "" {
			fmt.Fprintf(tw, "  \t\tfix: %s\n", r.Fix)
		}
	}
	_ = tw.Flush()
}

// notReady is the error of a mode that lacks something.
func notReady(v readinessView, hint string) error {
	missing := 0
	for _, r := range v.Requirements {
		if !r.Ready {
			missing++
		}
	}
	return errs.Failf(hint, "%s is not ready: %d of %d requirements are missing", v.Mode, missing, len(v.Requirements))
}
