// Package adapter connects the dashboard's tui.Backend to the application
// layer (services/core): every read and every action is a use case of the
// core, the same one the CLI's command calls, and the adapter only
// translates between the core's types and the dashboard's. It decides
// nothing; what it owns is when to read: the stack on the project's
// container events, the modes' readiness and Airflow's health on schedules
// of their own.
package adapter

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/mlflow"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// Core is what the dashboard asks of the application layer; *core.Core
// implements it, and the adapter's unit tests a fake.
type Core interface {
	Project() (*project.Project, error)
	EngineInfo(ctx context.Context) (core.EngineInfo, string, error)

	Status(ctx context.Context) (*stack.StatusView, error)
	Changes(ctx context.Context) (<-chan struct{}, error)
	Logs(ctx context.Context, o stack.LogOptions, out func(stack.LogLine)) error
	Start(ctx context.Context, o core.StartOptions, r event.Reporter) error
	Stop(ctx context.Context, o core.StopOptions, r event.Reporter) error
	Restart(ctx context.Context, stop core.StopOptions, start core.StartOptions, r event.Reporter) error
	PlanCleanup(ctx context.Context, prune bool) (*stack.CleanupPlan, error)
	Cleanup(ctx context.Context, cp *stack.CleanupPlan, r event.Reporter) error

	CheckMode(ctx context.Context, m modes.Mode) (core.Readiness, error)
	SetMode(ctx context.Context, m modes.Mode, o core.SetModeOptions, r event.Reporter) (core.SetModeResult, error)
	DockerizeForMode(ctx context.Context, m modes.Mode, r event.Reporter) (*core.BuildResult, error)
	StartCluster(ctx context.Context, o core.ClusterStartOptions, r event.Reporter) (core.ClusterStarted, error)
	DeleteCluster(ctx context.Context, r event.Reporter) error

	AirflowHealth(ctx context.Context) (airflow.Health, string, error)
	Overview(ctx context.Context) (core.DAGOverview, error)
	Runs(ctx context.Context, dagID string, limit int) ([]airflow.DAGRun, error)
	TaskInstances(ctx context.Context, dagID, runID string) ([]airflow.TaskInstance, error)
	OpenTaskLog(ctx context.Context, dagID, runID string, ti airflow.TaskInstance) (*core.TaskLogStream, error)
	Trigger(ctx context.Context, dagID string, o core.TriggerOptions, r event.Reporter) (core.Triggered, error)
	SetPaused(ctx context.Context, dagID string, paused bool) (airflow.DAG, error)
	Grid(ctx context.Context, dagID string, n int) (core.DAGGrid, error)
	Failures(ctx context.Context, limit int) ([]core.Failure, error)

	MLflowURL() (string, error)
	Experiments(ctx context.Context) ([]mlflow.Experiment, error)
	MLflowRuns(ctx context.Context, q core.MLflowRunsQuery) (core.MLflowRuns, error)
	MLflowRun(ctx context.Context, runID string) (core.MLflowRunDetail, error)
	MLflowArtifacts(ctx context.Context, runID, path string) ([]mlflow.FileInfo, error)
}

var _ Core = (*core.Core)(nil)

// How long what the snapshot shows besides the stack may be reused: the
// readiness checks can ask the engine and minikube, Airflow's health is one
// HTTP request. Container events re-read the stack only; these are read
// again when older than this, after an action, or (Airflow) on their own
// tick while the dashboard listens for changes.
var (
	readinessTTL = 30 * time.Second
	airflowTTL   = 5 * time.Second
	airflowTick  = 15 * time.Second
	// projectTick is how often gaiaflow.toml is looked at (a stat; read
	// again only when it changed), so that an edit shows while idle.
	projectTick = 2 * time.Second
)

// Backend is the adapter.
type Backend struct {
	Core Core

	changes tui.Broadcast

	// At most one snapshot is read at a time; calls that arrive meanwhile
	// share the next one, which starts when the current one ends, so each
	// caller gets a state read after its call.
	snapMu  sync.Mutex
	reading *snapshotRead
	queued  *snapshotRead

	// What the snapshot reuses between reads.
	cacheMu   sync.Mutex
	proj      *project.Project // the project the cache was read for
	modes     []tui.ModeStatus
	modesAt   time.Time
	airflow   tui.Conn
	airflowAt time.Time
}

// New returns the dashboard's backend over c.
func New(c Core) *Backend { return &Backend{Core: c} }

type snapshotRead struct {
	done chan struct{}
	s    tui.Snapshot
	err  error
}

// checkTimeout bounds each part of a snapshot, so that one slow dependency
// (a hung engine, minikube) cannot freeze the dashboard.
const checkTimeout = 4 * time.Second

// Snapshot implements tui.Backend. It reads the stack's status, and reuses
// Airflow's health and the modes' readiness while they are fresh; each read
// is bounded by checkTimeout. A burst of calls (Docker events while the
// stack starts) costs at most two reads.
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
	p, err := b.Core.Project()
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
	run(func(ctx context.Context) { status, _ = b.Core.Status(ctx) })
	run(func(ctx context.Context) { s.Airflow = b.airflowConn(ctx, p) })
	run(func(ctx context.Context) { s.Modes = b.readiness(ctx, p) })
	wg.Wait()
	for _, ms := range s.Modes {
		if ms.Mode == string(modes.ProdLocal) && s.Mode == ms.Mode {
			s.Minikube = minikubeConn(ms.Checks)
		}
	}
	if status != nil {
		s.Services = Services(p, status)
	} else {
		s.Services = configuredServices(p)
	}
	return s, nil
}

// fresh reports whether what was read at `at` for project `of` can be
// shown for p: the same settings (a changed gaiaflow.toml is a new
// *project.Project), and younger than ttl. Callers hold cacheMu.
func (b *Backend) fresh(p *project.Project, at time.Time, ttl time.Duration) bool {
	return b.proj == p && !at.IsZero() && time.Since(at) < ttl
}

// readiness is every mode's checklist, read again when stale.
func (b *Backend) readiness(ctx context.Context, p *project.Project) []tui.ModeStatus {
	b.cacheMu.Lock()
	if b.fresh(p, b.modesAt, readinessTTL) {
		out := b.modes
		b.cacheMu.Unlock()
		return out
	}
	b.cacheMu.Unlock()
	all := modes.All()
	out := make([]tui.ModeStatus, len(all))
	var wg sync.WaitGroup
	for i, m := range all {
		out[i] = tui.ModeStatus{Mode: string(m), Description: m.Describe()}
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := b.Core.CheckMode(ctx, m)
			if err != nil {
				v.Requirements = []modes.Requirement{{ID: "readiness", Name: "readiness", Detail: oneLine(err)}}
			}
			out[i].Checks = checks(v.Requirements)
		}()
	}
	wg.Wait()
	b.cacheMu.Lock()
	if b.proj != p {
		b.proj, b.airflowAt = p, time.Time{}
	}
	b.modes, b.modesAt = out, time.Now()
	b.cacheMu.Unlock()
	return out
}

// invalidate makes the next snapshot read everything again: an action may
// have changed what the readiness checks and Airflow's health see.
func (b *Backend) invalidate() {
	b.cacheMu.Lock()
	b.modesAt, b.airflowAt = time.Time{}, time.Time{}
	b.cacheMu.Unlock()
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
// Docker, edit gaiaflow.toml, make a secret in prod's cluster) has none, and
// the panel shows the fix itself.
func remedy(r modes.Remedy) tui.Remedy {
	switch r {
	case modes.RemedyDockerize, modes.RemedyDockerizeCluster, modes.RemedyPush:
		// build-image with the mode panel's mode as its target: dev
		// dockerize for dev_docker, prod-local dockerize for prod_local,
		// prod dockerize (build and push) for prod.
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
	info, host, err := b.Core.EngineInfo(ctx)
	if err != nil {
		if host == "" {
			return tui.Conn{Detail: shown(err)}
		}
		return tui.Conn{Detail: oneLine(err) + "; start Docker"}
	}
	return tui.Conn{OK: true, Detail: fmt.Sprintf("%s (engine %s, API %s)", host, info.Version, info.APIVersion)}
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

// shown is an error as the dashboard shows it: the core's one line and,
// when it has one, its hint.
func shown(err error) string {
	msg := oneLine(err)
	if h := errs.HintOf(err); h != "" {
		msg += "; " + h
	}
	return msg
}

// Changes implements tui.Backend: the project's container events (the
// core's shared watcher on Docker's event stream, no polling), the
// adapter's own actions, and a change of Airflow's health seen on its tick.
func (b *Backend) Changes(ctx context.Context) <-chan struct{} {
	ch := b.changes.Subscribe(ctx)
	if events, err := b.Core.Changes(ctx); err == nil {
		go func() {
			for range events { // closed when ctx ends
				b.changes.Signal(ch)
			}
		}()
	}
	go b.watchAirflow(ctx, ch)
	// What the project is now is read before Changes returns: an edit
	// made after it is a change.
	p, err := b.Core.Project()
	go b.watchProject(ctx, ch, p, err)
	return ch
}

// watchProject signals when gaiaflow.toml was edited: read again, it gives
// other settings, or a problem (or the problem is gone). It asks the
// engine nothing.
func (b *Backend) watchProject(ctx context.Context, ch <-chan struct{}, last *project.Project, lastErr error) {
	every(ctx, projectTick, func() {
		p, err := b.Core.Project()
		if !reflect.DeepEqual(p, last) || errText(err) != errText(lastErr) {
			last, lastErr = p, err
			b.changes.Signal(ch)
		}
	})
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// watchAirflow reads Airflow's health every airflowTick (one HTTP request;
// no engine request) and signals when the header's item changed.
func (b *Backend) watchAirflow(ctx context.Context, ch <-chan struct{}) {
	every(ctx, airflowTick, func() {
		p, err := b.Core.Project()
		if err != nil {
			return
		}
		b.cacheMu.Lock()
		before, had := b.airflow, !b.airflowAt.IsZero()
		b.airflowAt = time.Time{}
		b.cacheMu.Unlock()
		rctx, cancel := context.WithTimeout(ctx, checkTimeout)
		now := b.airflowConn(rctx, p)
		cancel()
		if had && now != before {
			b.changes.Signal(ch)
		}
	})
}

// every runs f every d until ctx ends.
func every(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		f()
	}
}

// notify tells every subscriber something changed, and drops what the
// snapshot reuses: an action may have changed it.
func (b *Backend) notify() {
	b.invalidate()
	b.changes.Notify()
}

// unavailableError is an error the dashboard shows and goes on: the source
// is not reachable or not there yet. It keeps its cause for errors.Is.
type unavailableError struct {
	msg   string
	cause error
}

func (e *unavailableError) Error() string   { return e.msg }
func (e *unavailableError) Unwrap() []error { return []error{e.cause, tui.ErrUnavailable} }

// unavailable wraps err so that the dashboard shows it and keeps running.
func unavailable(what string, err error) error {
	return &unavailableError{msg: what + ": " + shown(err), cause: err}
}

// faceErr is the core's error as the dashboard shows it: its line and hint;
// Airflow or MLflow down, or not taking this project's requests, is
// unavailable.
func faceErr(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, airflow.ErrUnreachable), errors.Is(err, airflow.ErrUnauthorized), errors.Is(err, project.ErrNotFound),
		errors.Is(err, mlflow.ErrUnreachable), errors.Is(err, mlflow.ErrDenied):
		return unavailable(what, err)
	}
	return err
}
