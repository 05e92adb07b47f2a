package adapter

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/event"
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

// wired is a Backend on a project with a fake stack and a fake Airflow.
func wired(t *testing.T, fs *fakeStack, fa *fakeAirflow) *Backend {
	t.Helper()
	if fs.events == nil {
		fs.events = make(chan struct{}, 8)
	}
	return &Backend{Start: demoProject(t), Explicit: true,
		Stack: func(_ *project.Project, r event.Reporter) (Stack, error) {
			fs.mu.Lock()
			fs.reporter = r
			fs.mu.Unlock()
			return fs, nil
		},
		Airflow: func(context.Context, *project.Project) (Airflow, error) { return fa, nil },
	}
}

func ptr[T any](v T) *T { return &v }

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
