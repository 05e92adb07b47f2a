// Package adapter connects the dashboard's tui.Backend to services/ and
// modes/: the project and its settings, the local stack (services/stack:
// status, Docker events, logs, start, stop, restart, cleanup), the project's
// Airflow (services/airflow: DAGs, runs, task instances, task logs, trigger,
// pause), the modes (modes.Check readiness, modes.Set), the task image
// builds and the Minikube cluster (through the CLI's own functions, handed
// over as hooks). It translates between their types and the dashboard's and
// decides nothing: what an action does is what the same call does for the
// CLI.
package adapter

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// Stack is what the adapter asks of a project's local stack; *stack.Stack
// implements it.
type Stack interface {
	Status(ctx context.Context) (*stack.StatusView, error)
	Changes(ctx context.Context) <-chan struct{}
	Logs(ctx context.Context, o stack.LogOptions, out func(stack.LogLine)) error
	Start(ctx context.Context, o stack.StartOptions) error
	Stop(ctx context.Context, o stack.StopOptions) error
	Restart(ctx context.Context, stop stack.StopOptions, start stack.StartOptions) error
	PlanCleanup(ctx context.Context, prune bool) (*stack.CleanupPlan, error)
	Cleanup(ctx context.Context, cp *stack.CleanupPlan) error
}

// Airflow is what the adapter asks of a project's Airflow; *airflow.Client
// implements it.
type Airflow interface {
	BaseURL() string
	Health(ctx context.Context) (airflow.Health, error)
	ListDAGs(ctx context.Context) ([]airflow.DAG, error)
	ListImportErrors(ctx context.Context) ([]airflow.ImportError, error)
	ListRuns(ctx context.Context, dagID string, limit int) ([]airflow.DAGRun, error)
	ListTaskInstances(ctx context.Context, dagID, runID string) ([]airflow.TaskInstance, error)
	TaskLog(ctx context.Context, dagID, runID, taskID string, try int) (string, error)
	SetPaused(ctx context.Context, dagID string, paused bool) (airflow.DAG, error)
	Trigger(ctx context.Context, dagID string, conf map[string]any) (airflow.DAGRun, error)
}

// Backend is the adapter. Every dependency is a function so that the CLI
// hands over exactly what its own commands use; a nil one leaves its part
// of the dashboard unknown or unavailable.
type Backend struct {
	// Start is where to look for the project; Explicit is -p.
	Start    string
	Explicit bool
	// NewDocker builds a Docker client (services/docker.New), to say
	// whether the engine answers.
	NewDocker func() (*docker.Client, error)
	// Stack returns the project's local stack reporting to r (the CLI's
	// App.stackOf).
	Stack func(p *project.Project, r event.Reporter) (Stack, error)
	// Airflow returns the client of the project's Airflow (what
	// airflow.ForProject builds). The adapter keeps one per project.
	Airflow func(ctx context.Context, p *project.Project) (Airflow, error)
	// Machine is what the readiness checks look at (modes.Check).
	Machine modes.Machine
	// ModeSwitch gathers what modes.Set needs to bring a running stack over
	// to a new mode (the CLI's `mode set` builds it the same way); nil only
	// writes the mode.
	ModeSwitch func(ctx context.Context, p *project.Project, r event.Reporter) (modes.Switch, error)
	// Dockerize builds p's task image with the defaults of the dockerize
	// commands: for target build.TargetDocker what `gaiaflow dev dockerize`
	// runs, for build.TargetMinikube what `gaiaflow prod-local dockerize`
	// runs (build, then load into the cluster). Nil leaves building
	// unavailable.
	Dockerize func(ctx context.Context, p *project.Project, target string, r event.Reporter) error
	// StartCluster is what `gaiaflow prod-local start` runs.
	StartCluster func(ctx context.Context, p *project.Project, r event.Reporter) error
	// DeleteCluster is what `gaiaflow prod-local cleanup` runs once
	// confirmed; the dashboard asks before it sends the action.
	DeleteCluster func(ctx context.Context, p *project.Project, r event.Reporter) error

	changes tui.Broadcast
	mu      sync.Mutex
	af      Airflow
	afOf    string // the project and port af was built for

	// At most one snapshot is read at a time; calls that arrive meanwhile
	// share the next one, which starts when the current one ends, so each
	// caller gets a state read after its call.
	snapMu  sync.Mutex
	reading *snapshotRead
	queued  *snapshotRead
}

type snapshotRead struct {
	done chan struct{}
	s    tui.Snapshot
	err  error
}

// checkTimeout bounds each part of a snapshot, so that one slow dependency
// (a hung engine, minikube) cannot freeze the dashboard.
const checkTimeout = 4 * time.Second

func (b *Backend) open() (*project.Project, error) {
	return project.Open(b.Start, b.Explicit)
}

// Snapshot implements tui.Backend. It reads the stack's status, Airflow's
// health and every mode's readiness at once, each bounded by checkTimeout.
// A burst of calls (Docker events while the stack starts) costs at most
// two reads.
func (b *Backend) Snapshot(ctx context.Context) (tui.Snapshot, error) {
	b.snapMu.Lock()
	r := b.queued
	switch {
	case b.reading == nil:
		r = &snapshotRead{done: make(chan struct{})}
		b.reading = r
		go b.read(r)
	case r == nil:
		r = &snapshotRead{done: make(chan struct{})}
		b.queued = r
	}
	b.snapMu.Unlock()
	select {
	case <-r.done:
		return r.s, r.err
	case <-ctx.Done():
		return tui.Snapshot{}, ctx.Err()
	}
}

// read makes one snapshot, then starts the queued one.
func (b *Backend) read(r *snapshotRead) {
	r.s, r.err = b.snapshot(context.Background())
	b.snapMu.Lock()
	close(r.done)
	b.reading, b.queued = b.queued, nil
	if b.reading != nil {
		go b.read(b.reading)
	}
	b.snapMu.Unlock()
}

func (b *Backend) snapshot(ctx context.Context) (tui.Snapshot, error) {
	var s tui.Snapshot
	// Minikube applies to prod_local only; the other modes' header leaves
	// it unknown (its checklist still says whether it runs).
	s.Minikube = tui.Conn{Unknown: true, Detail: "used in mode prod_local only"}
	s.Airflow = tui.Conn{Unknown: true}
	var wg sync.WaitGroup
	run := func(f func(ctx context.Context)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(ctx, checkTimeout)
			defer cancel()
			f(ctx)
		}()
	}
	run(func(ctx context.Context) { s.Docker = b.docker(ctx) })
	p, err := b.open()
	switch {
	case errors.Is(err, project.ErrNotFound):
		wg.Wait()
		return s, nil
	case err != nil:
		wg.Wait()
		s.Project.Problem = oneLine(err)
		return s, nil
	}
	s.Project = tui.Project{Found: true, Name: p.Config.Name, Dir: p.Dir}
	s.Mode = p.Config.Mode
	var status *stack.StatusView
	if b.Stack != nil {
		run(func(ctx context.Context) {
			if st, err := b.Stack(p, event.Discard); err == nil {
				status, _ = st.Status(ctx)
			}
		})
	}
	if b.Airflow != nil {
		run(func(ctx context.Context) { s.Airflow = b.airflowConn(ctx, p) })
	}
	all := modes.All()
	s.Modes = make([]tui.ModeStatus, len(all))
	for i, m := range all {
		s.Modes[i] = tui.ModeStatus{Mode: string(m), Description: m.Describe()}
		run(func(ctx context.Context) {
			reqs, err := modes.Check(ctx, p, m, b.Machine)
			if err != nil {
				reqs = []modes.Requirement{{ID: "readiness", Name: "readiness", Detail: oneLine(err)}}
			}
			s.Modes[i].Checks = checks(reqs)
		})
	}
	wg.Wait()
	for _, ms := range s.Modes {
		if ms.Mode == string(modes.ProdLocal) && s.Mode == ms.Mode {
			s.Minikube = minikubeConn(ms.Checks)
		}
	}
	if status != nil {
		s.Services = services(p, status)
	} else {
		s.Services = configuredServices(p)
	}
	return s, nil
}

// checks maps a mode's requirements onto the checklist: the CLI's fix for
// every missing item, and the dashboard's own remedy where it has one.
func checks(reqs []modes.Requirement) []tui.Check {
	out := make([]tui.Check, 0, len(reqs))
	for _, r := range reqs {
		c := tui.Check{ID: r.ID, Name: r.Name, OK: r.Ready, Detail: r.Detail}
		if !r.Ready {
			c.Fix, c.Remedy = r.Fix, remedy(r.Remedy)
		}
		out = append(out, c)
	}
	return out
}

// remedy is the one place that says which of the dashboard's actions does
// what a requirement's fix asks; the mode panel shows the key the key table
// binds to it. A fix the dashboard cannot do (install minikube, start
// Docker, edit gaiaflow.toml, push an image) has none, and the panel shows
// the fix itself.
func remedy(r modes.Remedy) tui.Remedy {
	switch r {
	case modes.RemedyDockerize, modes.RemedyDockerizeCluster:
		// build-image with the mode panel's mode as its target: dev
		// dockerize for dev_docker, prod-local dockerize for prod_local.
		return tui.Remedy{Verb: tui.VerbBuildImage}
	case modes.RemedyStartCluster, modes.RemedyClusterConfig:
		// prod-local start writes the kubeconfigs again when the cluster
		// runs already: what create-config does.
		return tui.Remedy{Verb: tui.VerbStartCluster}
	case modes.RemedyCreateSecret:
		return tui.Remedy{Wizard: tui.WizardSecret}
	}
	return tui.Remedy{}
}

// minikubeConn is the prod_local checklist's "cluster" item.
func minikubeConn(cs []tui.Check) tui.Conn {
	for _, c := range cs {
		if c.ID == modes.IDCluster {
			conn := tui.Conn{OK: c.OK, Detail: c.Detail}
			if !c.OK && c.Fix != "" {
				conn.Detail += "; " + c.Fix // the header says what to do, as Conn asks
			}
			return conn
		}
	}
	return tui.Conn{Unknown: true}
}

func (b *Backend) docker(ctx context.Context) tui.Conn {
	if b.NewDocker == nil {
		return tui.Conn{Unknown: true}
	}
	c, err := b.NewDocker()
	if err != nil {
		return tui.Conn{Detail: oneLine(err) + "; check DOCKER_HOST and your docker context"}
	}
	defer c.Close()
	info, err := c.Info(ctx)
	if err != nil {
		return tui.Conn{Detail: oneLine(err) + "; start Docker"}
	}
	return tui.Conn{OK: true, Detail: fmt.Sprintf("%s (engine %s, API %s)", c.Host, info.Version, info.APIVersion)}
}

func oneLine(err error) string {
	s := err.Error()
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}

// Changes implements tui.Backend: the stack's container events (Docker's
// event stream, no polling) and the adapter's own actions.
func (b *Backend) Changes(ctx context.Context) <-chan struct{} {
	ch := b.changes.Subscribe(ctx)
	var events <-chan struct{}
	if b.Stack != nil {
		if p, err := b.open(); err == nil {
			if st, err := b.Stack(p, event.Discard); err == nil {
				events = st.Changes(ctx)
			}
		}
	}
	if events != nil {
		go func() {
			for range events { // closed when ctx ends
				b.changes.Signal(ch)
			}
		}()
	}
	return ch
}

// notify tells every subscriber something changed.
func (b *Backend) notify() { b.changes.Notify() }

// unavailable wraps err so that the dashboard shows it and keeps running.
func unavailable(what string, err error) error {
	return fmt.Errorf("%s: %s: %w", what, oneLine(err), tui.ErrUnavailable)
}
