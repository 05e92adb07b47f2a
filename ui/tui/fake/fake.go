// Package fake is an in-memory fake of the dashboard's Backend: a made-up
// project with four services, DAGs with runs and task instances (and what
// failed in them), an MLflow with experiments, runs, metric histories and
// artifacts, logs, and actions that change that state and report progress. Tests use it, and so
// does the real binary when GAIAFLOW_TUI_FAKE=1 is set (a test and
// development aid: it lets the tmux smoke test and a person try the dashboard
// without Docker or Airflow). It never touches the machine, except the
// deliberately noisy child process of Options.Noisy.
package fake

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// Options shape the fake world.
type Options struct {
	// Now is the fake's clock; the data is laid out around it.
	Now func() time.Time
	// NoProject makes the fake say no gaiaflow.toml was found.
	NoProject bool
	// DockerDown and AirflowDown make those unreachable.
	DockerDown, AirflowDown bool
	// Services is how many services to show (default 4; more are made up).
	Services int
	// DAGs and RunsPerDAG size the Airflow side (defaults 6 and 5).
	DAGs, RunsPerDAG int
	// StepDelay is how long each step of an action takes (0 in tests).
	StepDelay time.Duration
	// LogEvery makes followed logs emit a line this often (0: never).
	LogEvery time.Duration
	// Healthy makes every service healthy and every DAG's runs succeed:
	// the overview of a stack with nothing to fix.
	Healthy bool
	// MLflowRuns is how many runs the fake MLflow's first experiment has
	// (default 8; the benchmark asks for 10,000).
	MLflowRuns int
	// Noisy makes every action also start a child process that writes to
	// the inherited stdout and stderr, and write there itself, to prove the
	// dashboard keeps such output off the screen.
	Noisy bool
}

// Backend is the fake. The zero value is not usable; call New.
type Backend struct {
	opts Options

	mu       sync.Mutex
	snap     tui.Snapshot
	dags     []tui.DAG
	runs     map[string][]tui.Run
	actions  []tui.Action
	changes  tui.Broadcast
	dagReads int
	ready    readiness

	experiments []tui.Experiment
	mlRuns      map[string][]tui.MLflowRun // by experiment id
}

// New makes a fake world.
func New(o Options) *Backend {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Services == 0 {
		o.Services = 4
	}
	if o.DAGs == 0 {
		o.DAGs = 6
	}
	if o.RunsPerDAG == 0 {
		o.RunsPerDAG = 5
	}
	if o.MLflowRuns == 0 {
		o.MLflowRuns = 8
	}
	b := &Backend{opts: o, runs: map[string][]tui.Run{}}
	b.snap = b.initialSnapshot()
	b.dags, b.runs = makeDAGs(o.DAGs, o.RunsPerDAG, o.Now(), o.Healthy)
	b.experiments, b.mlRuns = makeMLflow(b.runs["train_model"], o.MLflowRuns, o.Now())
	return b
}

func (b *Backend) initialSnapshot() tui.Snapshot {
	now := b.opts.Now()
	s := tui.Snapshot{
		Project:  tui.Project{Found: true, Name: "demo", Dir: "/home/ada/demo"},
		Docker:   tui.Conn{OK: true, Detail: "unix:///var/run/docker.sock (API 1.51)"},
		Minikube: tui.Conn{Unknown: true, Detail: "not needed in dev"},
		Airflow:  tui.Conn{OK: true, Detail: "http://127.0.0.1:8080 (3.3.2)"},
		Mode:     "dev",
	}
	if b.opts.NoProject {
		s.Project = tui.Project{}
	}
	if b.opts.DockerDown {
		s.Docker = tui.Conn{Detail: "cannot reach unix:///var/run/docker.sock: connection refused; start Docker"}
	}
	if b.opts.AirflowDown || b.opts.DockerDown {
		s.Airflow = tui.Conn{Detail: "http://127.0.0.1:8080: connection refused; start the stack with U"}
	}
	up := func(d time.Duration) time.Time { return now.Add(-d) }
	af, pg, ml := project.DefaultAirflowImage("3.12"), project.DefaultPostgresImage, project.DefaultMLflowImage
	mi, jl := project.DefaultMinioImage, project.DefaultJupyterImage
	svcs := []tui.Service{
		{Name: "airflow", Enabled: true, URL: "http://127.0.0.1:8080", Image: af,
			Ports: []string{"127.0.0.1:8080->8080"}, Containers: []tui.Container{
				{Name: "postgres-airflow", Image: pg, State: tui.StateHealthy, Started: up(3 * time.Hour)},
				{Name: "airflow-init", Image: af, State: tui.StateExited, OneShot: true},
				{Name: "airflow-api-server", Image: af, State: tui.StateHealthy, Started: up(3 * time.Hour), Ports: []string{"127.0.0.1:8080->8080"}},
				{Name: "airflow-scheduler", Image: af, State: tui.StateHealthy, Started: up(3 * time.Hour)},
				{Name: "airflow-dag-processor", Image: af, State: tui.StateHealthy, Started: up(3 * time.Hour)},
				{Name: "airflow-triggerer", Image: af, State: tui.StateUnhealthy, Started: up(3 * time.Hour)},
			}},
		{Name: "mlflow", Enabled: true, URL: "http://127.0.0.1:5000", Image: ml,
			Ports: []string{"127.0.0.1:5000->5000"}, Containers: []tui.Container{
				{Name: "postgres-mlflow", Image: pg, State: tui.StateHealthy, Started: up(3 * time.Hour)},
				{Name: "mlflow", Image: ml, State: tui.StateStarting, Started: up(20 * time.Second)},
			}},
		{Name: "minio", Enabled: true, URL: "http://127.0.0.1:9001", Image: mi,
			Ports: []string{"127.0.0.1:9000->9000", "127.0.0.1:9001->9001"}, Containers: []tui.Container{
				{Name: "minio", Image: mi, State: tui.StateExited, ExitCode: 137, OOMKilled: true},
			}},
		{Name: "jupyter", Enabled: true, URL: "http://127.0.0.1:8895/lab", Image: jl,
			Ports: []string{"127.0.0.1:8895->8888"}, Containers: []tui.Container{
				{Name: "jupyter", Image: jl, State: tui.StateStopped},
			}},
	}
	for i := len(svcs); i < b.opts.Services; i++ {
		svcs = append(svcs, tui.Service{Name: fmt.Sprintf("extra-%02d", i), Enabled: true, Image: "busybox:1.37",
			Containers: []tui.Container{{Name: "main", Image: "busybox:1.37", State: tui.StateRunning, Started: up(time.Duration(i) * time.Minute)}}})
	}
	if b.opts.Healthy {
		for i := range svcs {
			for j := range svcs[i].Containers {
				c := &svcs[i].Containers[j]
				if !c.OneShot {
					c.State, c.Started, c.ExitCode, c.OOMKilled = tui.StateHealthy, up(3*time.Hour), 0, false
				}
			}
		}
	}
	s.Services = svcs[:b.opts.Services]
	if b.opts.DockerDown {
		for i := range s.Services {
			for j := range s.Services[i].Containers {
				s.Services[i].Containers[j] = tui.Container{Name: s.Services[i].Containers[j].Name, State: tui.StateUnknown}
			}
		}
	}
	s.Modes = b.ready.modes()
	if b.opts.NoProject {
		s.Services, s.Modes, s.Mode = nil, nil, ""
	}
	return s
}

var states = []string{"success", "failed", "running", "success", "queued", "success", "up_for_retry"}

func makeDAGs(n, runs int, now time.Time, healthy bool) ([]tui.DAG, map[string][]tui.Run) {
	names := []string{"train_model", "etl_daily", "feature_store", "evaluate", "batch_predict", "broken_dag"}
	dags := make([]tui.DAG, n)
	all := map[string][]tui.Run{}
	for i := range dags {
		id := fmt.Sprintf("dag_%04d", i)
		if i < len(names) {
			id = names[i]
		}
		d := tui.DAG{ID: id, Paused: i%4 == 3, Schedule: "@daily", File: "dags/" + id + ".py"}
		if id == "broken_dag" && !healthy {
			d.ImportError = "ModuleNotFoundError: No module named 'sklearn'\n  File \"dags/broken_dag.py\", line 3"
			d.Paused = true
		} else {
			d.NextRun = now.Add(time.Duration(i%24+1) * time.Hour).Truncate(time.Hour)
		}
		var rs []tui.Run
		for r := 0; r < runs && d.ImportError == ""; r++ {
			start := now.Add(-time.Duration(r*24+i%7+1) * time.Hour)
			st := states[(i+r)%len(states)]
			if (r > 0 && st == "running") || healthy {
				st = "success"
			}
			run := tui.Run{DAGID: id, RunID: fmt.Sprintf("scheduled__%s", start.UTC().Format("2006-01-02T15:04:05")),
				State: st, Type: "scheduled", LogicalDate: start, Start: start}
			if st != "running" && st != "queued" {
				run.End = start.Add(time.Duration(37+r*13+i) * time.Second)
			}
			if st == "queued" {
				run.Start = time.Time{}
			}
			rs = append(rs, run)
		}
		if len(rs) > 0 {
			d.LastRunState, d.LastRunStart, d.LastRunEnd, d.LastRunID = rs[0].State, rs[0].Start, rs[0].End, rs[0].RunID
		}
		all[id] = rs
		dags[i] = d
	}
	return dags, all
}

// Snapshot implements tui.Backend.
func (b *Backend) Snapshot(context.Context) (tui.Snapshot, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return clone(b.snap), nil
}

func clone(s tui.Snapshot) tui.Snapshot {
	out := s
	out.Services = make([]tui.Service, len(s.Services))
	for i, svc := range s.Services {
		svc.Containers = slices.Clone(svc.Containers)
		svc.State, svc.Culprit = summarize(svc)
		if svc.Progress != nil {
			p := *svc.Progress
			svc.Progress = &p
		}
		out.Services[i] = svc
	}
	out.Modes = slices.Clone(s.Modes)
	return out
}

// Changes implements tui.Backend.
func (b *Backend) Changes(ctx context.Context) <-chan struct{} { return b.changes.Subscribe(ctx) }

// Update changes the fake world from a test and signals subscribers.
func (b *Backend) Update(f func(*tui.Snapshot)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f(&b.snap)
	b.changes.Notify()
}

// SetAirflowDown makes Airflow unreachable or reachable again.
func (b *Backend) SetAirflowDown(down bool) {
	b.mu.Lock()
	b.opts.AirflowDown = down
	b.mu.Unlock()
	b.Update(func(s *tui.Snapshot) {
		s.Airflow.OK = !down
		if down {
			s.Airflow.Detail = "http://127.0.0.1:8080: connection refused"
		}
	})
}

// Actions returns what was asked of the fake, in order.
func (b *Backend) Actions() []tui.Action {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.actions)
}

// DAGReads counts DAGs calls: tests check the dashboard polls only while the
// overview or the DAG panel is visible.
func (b *Backend) DAGReads() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.dagReads
}

func (b *Backend) airflowErr() error {
	if b.opts.AirflowDown || b.opts.DockerDown || !b.snap.Project.Found {
		return fmt.Errorf("airflow at http://127.0.0.1:8080: connection refused: %w", tui.ErrUnavailable)
	}
	return nil
}

// DAGs implements tui.Backend.
func (b *Backend) DAGs(context.Context) (tui.DAGList, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dagReads++
	if err := b.airflowErr(); err != nil {
		return tui.DAGList{}, err
	}
	out := tui.DAGList{DAGs: slices.Clone(b.dags)}
	for _, d := range b.dags {
		if d.ImportError != "" {
			out.ImportErrors = append(out.ImportErrors, tui.ImportError{File: d.File, Message: d.ImportError})
		}
	}
	return out, nil
}

// Runs implements tui.Backend.
func (b *Backend) Runs(_ context.Context, dagID string, limit int) ([]tui.Run, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.airflowErr(); err != nil {
		return nil, err
	}
	rs := b.runs[dagID]
	if limit > 0 && len(rs) > limit {
		rs = rs[:limit]
	}
	return slices.Clone(rs), nil
}

// TaskInstances implements tui.Backend.
func (b *Backend) TaskInstances(_ context.Context, dagID, runID string) ([]tui.TaskInstance, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.airflowErr(); err != nil {
		return nil, err
	}
	var run *tui.Run
	for i, r := range b.runs[dagID] {
		if r.RunID == runID {
			run = &b.runs[dagID][i]
		}
	}
	if run == nil {
		return nil, fmt.Errorf("run %s of %s not found", runID, dagID)
	}
	return taskInstancesOf(*run), nil
}

// taskInstancesOf makes up a run's task instances from its state: a
// failed run's train task failed (on its second try) and the tasks after
// it did not run; a running run is at train.
func taskInstancesOf(run tui.Run) []tui.TaskInstance {
	tasks := []struct{ id, op string }{{"extract", "PythonOperator"}, {"transform", "PythonOperator"}, {"train", "DockerOperator"}, {"evaluate", "KubernetesPodOperator"}, {"publish", "PythonOperator"}}
	out := make([]tui.TaskInstance, len(tasks))
	at := run.Start
	for i, t := range tasks {
		ti := tui.TaskInstance{DAGID: run.DAGID, RunID: run.RunID, TaskID: t.id, MapIndex: -1, Try: 1, Operator: t.op}
		switch {
		case run.Start.IsZero():
			ti.State, ti.Try = "scheduled", 0
		case run.State == "failed" && i == 2:
			ti.State, ti.Start, ti.End, ti.Try = "failed", at, at.Add(9*time.Second), 2
		case run.State == "failed" && i > 2:
			ti.State, ti.Try = "upstream_failed", 0
		case run.State == "running" && i == 2:
			ti.State, ti.Start = "running", at
		case run.State == "running" && i > 2:
			ti.State, ti.Try = "scheduled", 0
		default:
			ti.State, ti.Start, ti.End = "success", at, at.Add(time.Duration(3+i*4)*time.Second)
		}
		if !ti.End.IsZero() {
			at = ti.End
		}
		out[i] = ti
	}
	return out
}

// FromEnv reads GAIAFLOW_TUI_FAKE: "1" for the default fake world, plus
// comma-separated words that change it: noproject, dockerdown, airflowdown,
// healthy (every service healthy, every run a success), noisy, fast (no
// delay in actions), follow (a log line every second).
func FromEnv(v string) Options {
	o := Options{StepDelay: 400 * time.Millisecond}
	for _, w := range strings.Split(v, ",") {
		switch strings.TrimSpace(w) {
		case "noproject":
			o.NoProject = true
		case "dockerdown":
			o.DockerDown = true
		case "airflowdown":
			o.AirflowDown = true
		case "noisy":
			o.Noisy = true
		case "healthy":
			o.Healthy = true
		case "fast":
			o.StepDelay = 0
		case "follow":
			o.LogEvery = time.Second
		}
	}
	return o
}

// summarize is the fake's service summary: its containers as the stack
// would name them, summed up by the stack's own rule (stack.Summarize).
func summarize(svc tui.Service) (tui.State, string) {
	cs := make([]stack.ContainerStatus, 0, len(svc.Containers))
	for _, c := range svc.Containers {
		st := string(c.State)
		switch {
		case c.State == tui.StateUnknown:
			return tui.StateUnknown, ""
		case c.State == tui.StateExited && c.ExitCode == 0 && !c.OOMKilled && c.OneShot:
			st = stack.StateCompleted
		case c.State == tui.StateExited && c.ExitCode == 0 && !c.OOMKilled:
			st = stack.StateStopped
		case c.State == tui.StateBuilding:
			st = stack.StatePulling
		}
		cs = append(cs, stack.ContainerStatus{Component: c.Name, State: st})
	}
	state, culprit := stack.Summarize(svc.Enabled, cs)
	return tui.StateOf(state), culprit
}
