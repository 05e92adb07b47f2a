package modes

import (
	"context"
	"os"
	"path/filepath"

	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/kubecontext"
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
	// Registry asks registries for prod (with this machine's credentials
	// for each); nil cannot ask.
	Registry RegistryProbe
	// Getenv reads the environment (KUBECONFIG, for the kubeconfig
	// provider); nil is os.Getenv.
	Getenv func(string) string
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
		if cs := p.Config.Cluster; cs.Provider == project.ProviderKubeconfig {
			getenv := mc.Getenv
			if getenv == nil {
				getenv = os.Getenv
			}
			cl, err := kubecontext.New(cs, getenv, mc.Kube)
			if err != nil {
				return nil, err
			}
			return CheckProdLocalContext(ctx, ContextEnv{Cluster: cl, Settings: cs, State: st,
				Namespace: cl.Settings.Namespace, DAGsDir: filepath.Join(p.Dir, "dags")})
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
		return CheckProd(ctx, ProdEnvOf(p, mc))
	}
	return []Requirement{}, nil
}

type machineError string

func (e machineError) Error() string { return string(e) }

const (
	errNoEngine   machineError = "no Docker engine was given to check with"
	errNoMinikube machineError = "no minikube was given to check with"
)

// ProdEnvOf gathers what the prod checks look at for project p.
func ProdEnvOf(p *project.Project, mc Machine) ProdEnv {
	env := ProdEnv{Settings: p.Config.Prod, Registry: mc.Registry, DAGsDir: filepath.Join(p.Dir, "dags")}
	local, err := build.ImageName("", p.Config.Build.Image, p.Config.Package, p.Dir)
	if err == nil {
		env.Image, err = p.Config.ProdImage(local)
	}
	env.ImageErr = err
	env.Deployment, env.Recorded, env.DeploymentErr = p.Deployment()
	if p.Config.Prod.Context != "" {
		getenv := mc.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		cl, err := kubecontext.New(p.Config.ProdCluster(), getenv, mc.Kube)
		if err == nil {
			env.Cluster = cl
		} else {
			env.Cluster = brokenContext{err}
		}
	}
	return env
}

// brokenContext is a context that cannot be used; every call says why.
type brokenContext struct{ err error }

func (b brokenContext) Name() string { return "the prod context" }
func (b brokenContext) Reach(context.Context) (kube.ClusterInfo, error) {
	return kube.ClusterInfo{}, b.err
}
func (b brokenContext) HasImage(context.Context, string) (bool, error) { return false, b.err }
func (b brokenContext) Client() (kube.API, error)                      { return nil, b.err }
