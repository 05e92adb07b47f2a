package modes

import (
	"context"
	"fmt"

	"github.com/gaiaflow/gaiaflow/services/project"
)

// DevDockerEnv is what the dev_docker check reads. ImageExists is nil when
// no engine is reachable; EngineErr then says why.
type DevDockerEnv struct {
	State       *project.State
	ImageExists func(ctx context.Context, ref string) (bool, error)
	EngineErr   error
}

// CheckDevDocker checks what dev_docker needs: a task image built for the
// local engine (recorded by dockerize) that the engine still has.
func CheckDevDocker(ctx context.Context, env DevDockerEnv) []Requirement {
	r := Requirement{ID: IDTaskImage, Name: "task image"}
	ti, ok, err := env.State.TaskImage("docker")
	switch {
	case err != nil:
		r.Detail, r.Fix, r.Remedy = err.Error(), "build one with `gaiaflow dev dockerize`", RemedyDockerize
	case !ok:
		r.Detail = "no task image has been built for the local Docker engine"
		r.Fix, r.Remedy = "build one with `gaiaflow dev dockerize`", RemedyDockerize
	case env.ImageExists == nil:
		r.Detail = fmt.Sprintf("%s was built, but the Docker engine cannot be asked whether it still has it", ti.Image)
		if env.EngineErr != nil {
			r.Detail += ": " + env.EngineErr.Error()
		}
		r.Fix = "start the Docker engine"
	default:
		exists, err := env.ImageExists(ctx, ti.Image)
		switch {
		case err != nil:
			r.Detail, r.Fix = err.Error(), "check the Docker engine"
		case !exists:
			r.Detail = ti.Image + " was built but is no longer on the Docker engine"
			r.Fix, r.Remedy = "build it again with `gaiaflow dev dockerize`", RemedyDockerize
		default:
			r.Ready, r.Detail = true, ti.Image
		}
	}
	return []Requirement{r}
}
