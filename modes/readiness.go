package modes

import (
	"context"
	"path/filepath"

	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// ImageChecker answers whether the Docker engine has an image
// (*docker.Client implements it).
type ImageChecker interface {
	ImageExists(ctx context.Context, ref string) (bool, error)
}

// Machine is what the readiness checks look at on this machine. The CLI
// (`mode check`, `mode set`) and the dashboard's mode panel build it from
// the same clients, so they always show the same checklist.
type Machine struct {
	// Engine returns the Docker engine once it has answered; the error says
	// why it cannot be reached.
	Engine func(ctx context.Context) (ImageChecker, error)
	// NewMinikube finds the minikube executable.
	NewMinikube func() (minikube.Runner, error)
	// Kube builds a Kubernetes client from a kubeconfig and a context.
	Kube kube.Factory
	// Registry probes a registry for prod; nil skips that item's probe.
	Registry RegistryProbe
}

// Check checks, item by item, what mode m needs for project p on this
// machine. dev needs nothing beyond the stack itself. Every mode's list
// ends with the DAG files that pin another mode (CheckPinned). It fails
// only when something the checks read cannot be read at all (the state
// directory, the DAG files); everything else is a requirement that is not
// met.
func Check(ctx context.Context, p *project.Project, m Mode, mc Machine) ([]Requirement, error) {
	reqs, err := checkMode(ctx, p, m, mc)
	if err != nil {
		return nil, err
	}
	pinned, err := CheckPinned(filepath.Join(p.Dir, "dags"), m)
	if err != nil {
		return nil, err
	}
	return append(reqs, pinned...), nil
}

func checkMode(ctx context.Context, p *project.Project, m Mode, mc Machine) ([]Requirement, error) {
	switch m {
	case DevDocker:
		st, err := p.State()
		if err != nil {
			return nil, err
		}
		env := DevDockerEnv{State: st}
		if mc.Engine == nil {
			env.EngineErr = errNoEngine
		} else if eng, err := mc.Engine(ctx); err != nil {
			env.EngineErr = err
		} else {
			env.ImageExists = eng.ImageExists
		}
		return CheckDevDocker(ctx, env), nil
	case ProdLocal:
		st, err := p.State()
		if err != nil {
			return nil, err
		}
		env := ProdLocalEnv{Profile: p.Config.Minikube.Profile, State: st, Kube: mc.Kube, DAGsDir: filepath.Join(p.Dir, "dags")}
		if mc.NewMinikube == nil {
			env.NoCluster = errNoMinikube
		} else if r, err := mc.NewMinikube(); err != nil {
			env.NoCluster = err
		} else {
			env.Cluster = minikube.New(r, p.Config.Minikube, st)
		}
		return CheckProdLocal(ctx, env)
	case Prod:
		return CheckProd(ctx, p.Config, mc.Registry), nil
	}
	return []Requirement{}, nil
}

type machineError string

func (e machineError) Error() string { return string(e) }

const (
	errNoEngine   machineError = "no Docker engine was given to check with"
	errNoMinikube machineError = "no minikube was given to check with"
)
