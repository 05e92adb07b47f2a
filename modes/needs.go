package modes

import (
	"context"
	"fmt"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// Status of one need of a mode.
type Status string

const (
	// Met: the need is satisfied.
	Met Status = "ok"
	// Missing: the mode cannot work until it is.
	Missing Status = "missing"
	// Unknown: it could not be checked (no engine, say); not a blocker.
	Unknown Status = "unknown"
)

// Need is one thing a mode needs, checked on this machine.
type Need struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Hint   string `json:"hint,omitempty"`
}

// Env is what the checks read. ImageExists is nil when no engine is
// reachable; EngineErr then says why.
type Env struct {
	Project     *project.Project
	State       *project.State
	ImageExists func(ctx context.Context, ref string) (bool, error)
	EngineErr   error
}

// Needs checks what m needs. dev needs nothing beyond the stack itself;
// dev_docker needs a task image built for the local engine and present in
// it. prod_local and prod are checked by their own commands.
func (m Mode) Needs(ctx context.Context, env Env) []Need {
	switch m {
	case DevDocker:
		return []Need{taskImage(ctx, env)}
	case Dev:
		return nil
	}
	return []Need{{Name: "checks", Status: Unknown, Detail: "the needs of " + string(m) + " are checked by `gaiaflow prod-local` commands"}}
}

func taskImage(ctx context.Context, env Env) Need {
	n := Need{Name: "task image"}
	ti, ok, err := env.State.TaskImage("docker")
	switch {
	case err != nil:
		n.Status, n.Detail = Unknown, err.Error()
		return n
	case !ok:
		n.Status, n.Detail = Missing, "no task image has been built for the local Docker engine"
		n.Hint = "build one with `gaiaflow dev dockerize`"
		return n
	}
	if env.ImageExists == nil {
		n.Status, n.Detail = Unknown, fmt.Sprintf("%s was built, but the Docker engine cannot be asked whether it still has it", ti.Image)
		if env.EngineErr != nil {
			n.Detail += ": " + env.EngineErr.Error()
		}
		return n
	}
	exists, err := env.ImageExists(ctx, ti.Image)
	switch {
	case err != nil:
		n.Status, n.Detail = Unknown, err.Error()
	case !exists:
		n.Status, n.Detail = Missing, ti.Image+" was built but is no longer on the Docker engine"
		n.Hint = "build it again with `gaiaflow dev dockerize`"
	default:
		n.Status, n.Detail = Met, ti.Image
	}
	return n
}

// Unmet returns the first missing need as an error a person can act on, or nil.
func Unmet(m Mode, needs []Need) error {
	for _, n := range needs {
		if n.Status == Missing {
			return errs.Failf(n.Hint+" (or pass --force to switch anyway)", "mode %s needs a %s: %s", m, n.Name, n.Detail)
		}
	}
	return nil
}
