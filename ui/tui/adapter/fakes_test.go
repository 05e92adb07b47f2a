package adapter

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/mlflow"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack"
)

// fakeStack records the calls the adapter makes and answers with canned
// state.
type fakeStack struct {
	mu       sync.Mutex
	status   *stack.StatusView
	err      error
	events   chan struct{}
	lines    []stack.LogLine
	logsErr  error
	logOpts  []stack.LogOptions
	calls    []string
	running  bool
	reporter event.Reporter
}

func (f *fakeStack) record(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
}

func (f *fakeStack) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeStack) Status(context.Context) (*stack.StatusView, error) { return f.status, f.err }

func (f *fakeStack) Changes(ctx context.Context) <-chan struct{} {
	out := make(chan struct{}, 1)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case <-f.events:
				select {
				case out <- struct{}{}:
				default:
				}
			}
		}
	}()
	return out
}

func (f *fakeStack) Logs(ctx context.Context, o stack.LogOptions, out func(stack.LogLine)) error {
	f.mu.Lock()
	f.logOpts = append(f.logOpts, o)
	f.mu.Unlock()
	for _, l := range f.lines {
		out(l)
	}
	if f.logsErr != nil {
		return f.logsErr
	}
	if o.Follow {
		<-ctx.Done()
	}
	return nil
}

func (f *fakeStack) Start(_ context.Context, o stack.StartOptions) error {
	f.record("start %v", o.Services)
	f.reporter.Report(event.Event{Kind: event.Step, Scope: "stack", Message: "starting"})
	return nil
}

func (f *fakeStack) Stop(_ context.Context, o stack.StopOptions) error {
	f.record("stop %v volumes=%v", o.Services, o.Volumes)
	return nil
}

func (f *fakeStack) Restart(_ context.Context, stop stack.StopOptions, start stack.StartOptions) error {
	f.record("restart %v %v", stop.Services, start.Services)
	return nil
}

func (f *fakeStack) Running(_ context.Context, service string) (bool, error) {
	f.record("running %s", service)
	return f.running, nil
}

func (f *fakeStack) PlanCleanup(_ context.Context, prune bool) (*stack.CleanupPlan, error) {
	f.record("plan-cleanup prune=%v", prune)
	return &stack.CleanupPlan{}, nil
}

func (f *fakeStack) Cleanup(context.Context, *stack.CleanupPlan) error {
	f.record("cleanup")
	return nil
}

// fakeAirflow answers with canned DAGs, runs and tasks and records actions.
type fakeAirflow struct {
	mu      sync.Mutex
	health  airflow.Health
	err     error
	dags    []airflow.DAG
	ierrs   []airflow.ImportError
	runs    []airflow.DAGRun
	tis     []airflow.TaskInstance
	log     string
	actions []string
}

func (f *fakeAirflow) BaseURL() string { return "http://127.0.0.1:1" }
func (f *fakeAirflow) Health(context.Context) (airflow.Health, error) {
	return f.health, f.err
}
func (f *fakeAirflow) ListDAGs(context.Context) ([]airflow.DAG, error) { return f.dags, f.err }
func (f *fakeAirflow) ListImportErrors(context.Context) ([]airflow.ImportError, error) {
	return f.ierrs, f.err
}
func (f *fakeAirflow) ListRuns(_ context.Context, dagID string, limit int) ([]airflow.DAGRun, error) {
	var out []airflow.DAGRun
	for _, r := range f.runs {
		if dagID == airflow.AllDAGs || r.DAGID == dagID {
			out = append(out, r)
		}
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, f.err
}
func (f *fakeAirflow) ListTaskInstances(context.Context, string, string) ([]airflow.TaskInstance, error) {
	return f.tis, f.err
}
func (f *fakeAirflow) TaskLog(_ context.Context, dagID, runID, taskID string, try int) (string, error) {
	return fmt.Sprintf("%s %s %s try %d\n%s", dagID, runID, taskID, try, f.log), f.err
}
func (f *fakeAirflow) SetPaused(_ context.Context, dagID string, paused bool) (airflow.DAG, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.actions = append(f.actions, fmt.Sprintf("paused %s=%v", dagID, paused))
	return airflow.DAG{ID: dagID, Paused: paused}, f.err
}
func (f *fakeAirflow) Trigger(_ context.Context, dagID string, _ map[string]any) (airflow.DAGRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.actions = append(f.actions, "trigger "+dagID)
	return airflow.DAGRun{DAGID: dagID, RunID: "manual__1", State: airflow.RunQueued}, f.err
}

// demoProject writes a project and gives it its own state directory.
func demoProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	if err := os.WriteFile(filepath.Join(dir, "gaiaflow.toml"), []byte("name = \"demo\"\npackage = \"demo\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// fakeCore plays the application layer over a fake stack and a fake
// Airflow: each use case is the plain call the real core makes, without
// its rules (those are services/core's tests, and the parity tests show
// both faces reach the same ones). What the adapter asked is recorded.
type fakeCore struct {
	dir      string
	explicit bool
	fs       *fakeStack
	fa       airflowAPI
	engine   error                                        // EngineInfo's error; nil: an engine answers
	machine  modes.Machine                                // what CheckMode looks at
	setMode  func(modes.Mode) (core.SetModeResult, error) // nil: writes the mode
	mu       sync.Mutex
	calls    []string
	callErr  error // returned by the build and cluster use cases

	// Canned answers of the overview's, the grid's and MLflow's reads,
	// whose rules are services/core's tests: here only the translation
	// is the adapter's.
	grid     core.DAGGrid
	failures []core.Failure
	exps     []mlflow.Experiment
	mlRuns   core.MLflowRuns
	mlRun    core.MLflowRunDetail
	arts     []mlflow.FileInfo
	mlErr    error
	mlQuery  core.MLflowRunsQuery // what MLflowRuns was asked
}

// airflowAPI is what fakeCore reads of its Airflow.
type airflowAPI interface {
	BaseURL() string
	Health(context.Context) (airflow.Health, error)
	ListDAGs(context.Context) ([]airflow.DAG, error)
	ListImportErrors(context.Context) ([]airflow.ImportError, error)
	ListRuns(ctx context.Context, dagID string, limit int) ([]airflow.DAGRun, error)
	ListTaskInstances(ctx context.Context, dagID, runID string) ([]airflow.TaskInstance, error)
	TaskLog(ctx context.Context, dagID, runID, taskID string, try int) (string, error)
	SetPaused(ctx context.Context, dagID string, paused bool) (airflow.DAG, error)
	Trigger(ctx context.Context, dagID string, conf map[string]any) (airflow.DAGRun, error)
}

func (f *fakeCore) record(what string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, what)
}

func (f *fakeCore) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.calls
	f.calls = nil
	return out
}

func (f *fakeCore) Project() (*project.Project, error) { return project.Open(f.dir, f.explicit) }

func (f *fakeCore) EngineInfo(context.Context) (core.EngineInfo, string, error) {
	if f.engine != nil {
		return core.EngineInfo{}, "unix:///fake.sock", f.engine
	}
	return core.EngineInfo{Version: "29.0", APIVersion: "1.51"}, "unix:///fake.sock", nil
}

func (f *fakeCore) stack() (*fakeStack, error) {
	if _, err := f.Project(); err != nil {
		return nil, err
	}
	return f.fs, nil
}

func (f *fakeCore) Status(ctx context.Context) (*stack.StatusView, error) {
	s, err := f.stack()
	if err != nil {
		return nil, err
	}
	return s.Status(ctx)
}

func (f *fakeCore) Changes(ctx context.Context) (<-chan struct{}, error) {
	s, err := f.stack()
	if err != nil {
		return nil, err
	}
	return s.Changes(ctx), nil
}

func (f *fakeCore) Logs(ctx context.Context, o stack.LogOptions, out func(stack.LogLine)) error {
	return f.fs.Logs(ctx, o, out)
}

func (f *fakeCore) withReporter(r event.Reporter) *fakeStack {
	f.fs.mu.Lock()
	f.fs.reporter = r
	f.fs.mu.Unlock()
	return f.fs
}

func (f *fakeCore) Start(ctx context.Context, o core.StartOptions, r event.Reporter) error {
	return f.withReporter(r).Start(ctx, o)
}
func (f *fakeCore) Stop(ctx context.Context, o core.StopOptions, r event.Reporter) error {
	return f.withReporter(r).Stop(ctx, o)
}
func (f *fakeCore) Restart(ctx context.Context, stop core.StopOptions, start core.StartOptions, r event.Reporter) error {
	return f.withReporter(r).Restart(ctx, stop, start)
}
func (f *fakeCore) PlanCleanup(ctx context.Context, prune bool) (*stack.CleanupPlan, error) {
	return f.fs.PlanCleanup(ctx, prune)
}
func (f *fakeCore) Cleanup(ctx context.Context, cp *stack.CleanupPlan, r event.Reporter) error {
	return f.withReporter(r).Cleanup(ctx, cp)
}

func (f *fakeCore) CheckMode(ctx context.Context, m modes.Mode) (core.Readiness, error) {
	p, err := f.Project()
	if err != nil {
		return core.Readiness{}, err
	}
	reqs, err := modes.Check(ctx, p, m, f.machine)
	return core.Readiness{Mode: string(m), Ready: modes.AllReady(reqs), Requirements: reqs}, err
}

func (f *fakeCore) SetMode(ctx context.Context, m modes.Mode, o core.SetModeOptions, r event.Reporter) (core.SetModeResult, error) {
	f.record(fmt.Sprintf("set-mode %s force=%v", m, o.Force))
	r.Report(event.Event{Kind: event.Step, Scope: "mode", Message: "setting mode " + string(m)})
	if f.setMode != nil {
		return f.setMode(m)
	}
	return core.SetModeResult{Mode: string(m)}, project.SetMode(f.dir, string(m))
}

func (f *fakeCore) DockerizeForMode(ctx context.Context, m modes.Mode, r event.Reporter) (*core.BuildResult, error) {
	f.record("dockerize " + string(m))
	r.Report(event.Event{Kind: event.Step, Scope: "fake", Message: "dockerize"})
	return &core.BuildResult{}, f.callErr
}

func (f *fakeCore) StartCluster(ctx context.Context, o core.ClusterStartOptions, r event.Reporter) (core.ClusterStarted, error) {
	f.record("start-cluster")
	r.Report(event.Event{Kind: event.Step, Scope: "fake", Message: "start-cluster"})
	return core.ClusterStarted{}, f.callErr
}

func (f *fakeCore) DeleteCluster(ctx context.Context, r event.Reporter) error {
	f.record("delete-cluster")
	r.Report(event.Event{Kind: event.Step, Scope: "fake", Message: "delete-cluster"})
	return f.callErr
}

func (f *fakeCore) AirflowHealth(ctx context.Context) (airflow.Health, string, error) {
	h, err := f.fa.Health(ctx)
	return h, f.fa.BaseURL(), core.AirflowError(err, f.fa.BaseURL(), "read Airflow's health", "")
}

func (f *fakeCore) Overview(ctx context.Context) (core.DAGOverview, error) {
	if _, err := f.Project(); err != nil {
		return core.DAGOverview{}, err
	}
	var o core.DAGOverview
	var err error
	if o.DAGs, err = f.fa.ListDAGs(ctx); err != nil {
		return o, core.AirflowError(err, f.fa.BaseURL(), "list the DAGs", "")
	}
	o.ImportErrors, _ = f.fa.ListImportErrors(ctx)
	runs, _ := f.fa.ListRuns(ctx, airflow.AllDAGs, 0)
	o.LastRuns = map[string]airflow.DAGRun{}
	for _, r := range runs {
		if _, ok := o.LastRuns[r.DAGID]; !ok {
			o.LastRuns[r.DAGID] = r
		}
	}
	return o, nil
}

func (f *fakeCore) Runs(ctx context.Context, dagID string, limit int) ([]airflow.DAGRun, error) {
	runs, err := f.fa.ListRuns(ctx, dagID, limit)
	return runs, core.AirflowError(err, f.fa.BaseURL(), "list the runs of "+dagID, dagID)
}

func (f *fakeCore) TaskInstances(ctx context.Context, dagID, runID string) ([]airflow.TaskInstance, error) {
	tis, err := f.fa.ListTaskInstances(ctx, dagID, runID)
	return tis, core.AirflowError(err, f.fa.BaseURL(), "list the tasks", dagID)
}

func (f *fakeCore) OpenTaskLog(ctx context.Context, dagID, runID string, ti airflow.TaskInstance) (*core.TaskLogStream, error) {
	text, err := f.fa.TaskLog(ctx, dagID, runID, ti.TaskID, ti.TryNumber)
	if err != nil {
		return nil, core.AirflowError(err, f.fa.BaseURL(), "read the log", dagID)
	}
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	return &core.TaskLogStream{Lines: lines, Try: ti.TryNumber, Follow: func(ctx context.Context, out func(string)) error {
		f.record("follow " + ti.TaskID)
		return nil
	}}, nil
}

func (f *fakeCore) Trigger(ctx context.Context, dagID string, o core.TriggerOptions, r event.Reporter) (core.Triggered, error) {
	run, err := f.fa.Trigger(ctx, dagID, o.Conf)
	if err != nil {
		return core.Triggered{}, core.AirflowError(err, f.fa.BaseURL(), "trigger "+dagID, dagID)
	}
	r.Report(event.Event{Kind: event.Done, Scope: "dags", Message: "triggered " + dagID + ": run " + run.RunID + " is " + string(run.State)})
	return core.Triggered{Run: run}, nil
}

func (f *fakeCore) SetPaused(ctx context.Context, dagID string, paused bool) (airflow.DAG, error) {
	d, err := f.fa.SetPaused(ctx, dagID, paused)
	return d, core.AirflowError(err, f.fa.BaseURL(), "pause "+dagID, dagID)
}

func (f *fakeCore) Grid(ctx context.Context, dagID string, n int) (core.DAGGrid, error) {
	f.record(fmt.Sprintf("grid %s %d", dagID, n))
	return f.grid, nil
}

func (f *fakeCore) Failures(ctx context.Context, limit int) ([]core.Failure, error) {
	f.record(fmt.Sprintf("failures %d", limit))
	return f.failures, nil
}

func (f *fakeCore) MLflowURL() (string, error) { return "http://127.0.0.1:5000", nil }

func (f *fakeCore) Experiments(ctx context.Context) ([]mlflow.Experiment, error) {
	return f.exps, f.mlErr
}

func (f *fakeCore) MLflowRuns(ctx context.Context, q core.MLflowRunsQuery) (core.MLflowRuns, error) {
	f.mu.Lock()
	f.mlQuery = q
	f.mu.Unlock()
	return f.mlRuns, f.mlErr
}

func (f *fakeCore) MLflowRun(ctx context.Context, runID string) (core.MLflowRunDetail, error) {
	return f.mlRun, f.mlErr
}

func (f *fakeCore) MLflowArtifacts(ctx context.Context, runID, path string) ([]mlflow.FileInfo, error) {
	f.record("artifacts " + runID + " " + path)
	return f.arts, f.mlErr
}

// wired is a Backend on a project with a fake stack and a fake Airflow.
func wired(t *testing.T, fs *fakeStack, fa airflowAPI) (*Backend, *fakeCore) {
	t.Helper()
	if fs.events == nil {
		fs.events = make(chan struct{}, 8)
	}
	fc := &fakeCore{dir: demoProject(t), explicit: true, fs: fs, fa: fa}
	return New(fc), fc
}

func ptr[T any](v T) *T { return &v }

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
