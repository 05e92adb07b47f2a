// Package core is gaiaflow's application layer: one use case for every action
// a person can start — start, stop, restart and clean up the local stack,
// build a task image, check and set a mode, start and delete the cluster,
// create a secret, trigger and pause DAGs, read status, logs, runs, task
// logs, what failed lately and a DAG's grid, and read MLflow's experiments
// and runs. It is the only package that composes the edge packages (docker,
// build, stack, minikube, kube, airflow, mlflow, modes); both faces call it, the
// CLI (ui/cli) and the dashboard (through ui/tui/adapter), so they cannot
// disagree.
//
// Every use case takes a context, reports progress as typed events
// (services/event) and returns a typed result, or an error that carries its
// hint (services/errs). Decisions live here: what is refused, what is
// warned about, which engine a build targets. The faces parse input, ask
// for confirmation, and print.
package core

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gaiaflow/gaiaflow/pylib"
	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack"
)

// Deps are what the core is built from. Tests replace some of them; nil
// fields get the real thing.
type Deps struct {
	// Getenv reads the environment (os.Getenv).
	Getenv func(string) string
	// Start is where to look for the project; Explicit says it was given
	// (-p), so no search upwards.
	Start    string
	Explicit bool
	// NewDocker builds the Docker client (docker.New).
	NewDocker func() (*docker.Client, error)
	// NewMinikube finds the minikube executable and returns its runner.
	NewMinikube func() (minikube.Runner, error)
	// NewKube builds a Kubernetes client for a kubeconfig and context.
	NewKube kube.Factory
	// Library is the bundled Python library (pylib).
	Library *build.Library
	// AirflowImage, when set, replaces the Airflow runtime image build
	// (tests that run stand-in images).
	AirflowImage stack.ImageResolver
	// RunLoad, when set, runs a kubeconfig cluster's load command instead
	// of os/exec (tests).
	RunLoad func(ctx context.Context, argv []string, out func(string)) error
	// NewMLflow builds the client of a project's MLflow
	// (mlflow.ForProject).
	NewMLflow func(*project.Project) (MLflowAPI, error)
}

// Core is the application layer for one process. It is safe for concurrent
// use: the dashboard calls it from several goroutines.
type Core struct {
	d Deps

	mu       sync.Mutex
	docker   *docker.Client
	proj     *project.Project
	projStat projectStamp
	airflow  map[string]*airflow.Client // by project id and port
	mlflow   map[string]MLflowAPI       // by project id and port
	// errLines are the first error lines of finished task tries' logs,
	// which do not change (see Failures).
	errLines map[string]string
	watchers map[string]*stack.Watcher // by project id
}

// projectStamp is what a loaded project was read from: a changed
// gaiaflow.toml is read again.
type projectStamp struct {
	file string
	mod  time.Time
	size int64
}

// New returns the core over d.
func New(d Deps) *Core {
	if d.Getenv == nil {
		d.Getenv = os.Getenv
	}
	if d.NewDocker == nil {
		getenv := d.Getenv
		d.NewDocker = func() (*docker.Client, error) { return docker.New(getenv) }
	}
	if d.NewMinikube == nil {
		getenv := d.Getenv
		d.NewMinikube = func() (minikube.Runner, error) { return minikube.NewExecRunner(getenv, os.Environ()) }
	}
	if d.NewKube == nil {
		d.NewKube = kube.NewClient
	}
	if d.Library == nil {
		d.Library = &build.Library{Version: pylib.Version(), Wheel: pylib.WriteWheel}
	}
	return &Core{d: d, airflow: map[string]*airflow.Client{}, mlflow: map[string]MLflowAPI{},
		errLines: map[string]string{}, watchers: map[string]*stack.Watcher{}}
}

// Close releases the clients the core built and stops its watchers.
func (c *Core) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.docker != nil {
		_ = c.docker.Close()
		c.docker = nil
	}
	for id, w := range c.watchers {
		w.Close()
		delete(c.watchers, id)
	}
}

// Project finds and loads the project (Deps.Start, else the nearest
// gaiaflow.toml upwards). It is read again when gaiaflow.toml changed since
// the last read, so a long-lived face (the dashboard) follows edits.
func (c *Core) Project() (*project.Project, error) {
	c.mu.Lock()
	p, stamp := c.proj, c.projStat
	c.mu.Unlock()
	if p != nil {
		if fi, err := os.Stat(stamp.file); err == nil && fi.ModTime().Equal(stamp.mod) && fi.Size() == stamp.size {
			return p, nil
		}
	}
	p, err := project.Open(c.d.Start, c.d.Explicit)
	if err != nil {
		return nil, err
	}
	file := filepath.Join(p.Dir, project.FileName)
	if fi, err := os.Stat(file); err == nil {
		c.mu.Lock()
		c.proj, c.projStat = p, projectStamp{file: file, mod: fi.ModTime(), size: fi.Size()}
		c.mu.Unlock()
	}
	return p, nil
}

// Docker returns the Docker client, building it on first use.
func (c *Core) Docker() (*docker.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.docker != nil {
		return c.docker, nil
	}
	dc, err := c.d.NewDocker()
	if err != nil {
		return nil, errs.Wrap(errs.Failure, err, "check DOCKER_HOST and your docker context", "set up the Docker client")
	}
	c.docker = dc
	return dc, nil
}

// Engine returns the Docker client once the engine answers.
func (c *Core) Engine(ctx context.Context) (*docker.Client, error) {
	dc, err := c.Docker()
	if err != nil {
		return nil, err
	}
	if _, err := dc.Info(ctx); err != nil {
		return nil, errs.Wrap(errs.Failure, err, "start the Docker engine, or point DOCKER_HOST at one: gaiaflow doctor", "reach the Docker engine")
	}
	return dc, nil
}

// EngineInfo says whether the engine answers, and which it is.
func (c *Core) EngineInfo(ctx context.Context) (docker.EngineInfo, string, error) {
	dc, err := c.Docker()
	if err != nil {
		return docker.EngineInfo{}, "", err
	}
	info, err := dc.Info(ctx)
	return info, dc.Host, err
}

// Library is the bundled Python library.
func (c *Core) Library() build.Library { return *c.d.Library }

// stateOf opens p's state directory, saying so when it cannot.
func stateOf(p *project.Project) (*project.State, error) {
	st, err := p.State()
	if err != nil {
		return nil, errs.Wrap(errs.Failure, err, "", "open the project's state")
	}
	return st, nil
}
