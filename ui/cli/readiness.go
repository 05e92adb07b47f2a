package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// readinessView is `mode check -o json`.
type readinessView struct {
	Mode         string              `json:"mode"`
	Ready        bool                `json:"ready"`
	Requirements []modes.Requirement `json:"requirements"`
}

// readiness checks what mode m needs on this machine (modes.Check, which
// the dashboard's mode panel calls too).
func (a *App) readiness(ctx context.Context, p *project.Project, m modes.Mode) (readinessView, error) {
	v := readinessView{Mode: string(m), Requirements: []modes.Requirement{}}
	reqs, err := modes.Check(ctx, p, m, a.Machine())
	if err != nil {
		return v, err
	}
	if reqs != nil {
		v.Requirements = reqs
	}
	v.Ready = modes.AllReady(v.Requirements)
	return v, nil
}

// Machine is what the readiness checks look at: the Docker engine once it
// answers, minikube and the Kubernetes client.
func (a *App) Machine() modes.Machine {
	return modes.Machine{
		Engine: func(ctx context.Context) (modes.ImageChecker, error) {
			dc, err := a.Docker()
			if err != nil {
				return nil, err
			}
			if _, err := dc.Info(ctx); err != nil {
				return nil, err
			}
			return dc, nil
		},
		NewMinikube: a.NewMinikube,
		Kube:        a.NewKube,
	}
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
	return modes.NotReady(modes.Mode(v.Mode), v.Requirements, hint)
}
