package adapter

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack"
	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/backendtest"
)

var (
	_ tui.Backend = (*Backend)(nil)
	_ Stack       = (*stack.Stack)(nil)
	_ Airflow     = (*airflow.Client)(nil)
)

func TestSnapshotWithoutProject(t *testing.T) {
	b := &Backend{Start: t.TempDir()}
	s, err := b.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.Project.Found || s.Project.Problem != "" {
		t.Errorf("project = %+v", s.Project)
	}
	if _, err := b.DAGs(context.Background()); !errors.Is(err, tui.ErrUnavailable) {
		t.Errorf("DAGs err = %v", err)
	}
}

func demoStatus() *stack.StatusView {
	return &stack.StatusView{Project: "demo", Services: []stack.ServiceStatus{
		{Name: "airflow", Enabled: true, State: "healthy",
			URLs: []stack.URL{{Name: "Airflow", URL: "http://127.0.0.1:8080"}},
			Containers: []stack.ContainerStatus{
				{Component: "airflow-init", State: "completed", ExitCode: ptr(0), Image: "af:1"},
				{Component: "airflow-apiserver", State: "healthy", Image: "af:1", Ports: []string{"127.0.0.1:8080->8080"}, StartedAt: ptr(t0), Restarts: 2},
			}},
		{Name: "mlflow", Enabled: true, State: "unhealthy", Containers: []stack.ContainerStatus{
			{Component: "mlflow", State: "exited", ExitCode: ptr(1), OOMKilled: true, Image: "mlf:1"},
		}},
		{Name: "minio", Enabled: true, State: "starting", Containers: []stack.ContainerStatus{
			{Component: "minio", State: "pulling"},
		}},
		{Name: "jupyter", Enabled: false, State: "disabled", Containers: []stack.ContainerStatus{
			{Component: "jupyter", State: "not created"},
		}},
	}}
}

func TestSnapshotMapsTheStacksStatus(t *testing.T) {
	fs := &fakeStack{status: demoStatus()}
	fa := &fakeAirflow{health: airflow.Health{Healthy: true, Components: []airflow.Component{
		{Name: "scheduler", Status: airflow.StatusHealthy}, {Name: "triggerer", Status: airflow.StatusNotDeployed}}}}
	b := wired(t, fs, fa)
	s, err := b.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !s.Project.Found || s.Project.Name != "demo" || s.Mode != "dev" {
		t.Fatalf("project %+v mode %q", s.Project, s.Mode)
	}
	if len(s.Services) != 4 {
		t.Fatalf("services = %+v", s.Services)
	}
	af := s.Services[0]
	if af.Name != "airflow" || !af.Enabled || af.URL != "http://127.0.0.1:8080" || !strings.HasPrefix(af.Image, "apache/airflow:") ||
		!reflect.DeepEqual(af.Ports, []string{"127.0.0.1:8080->8080"}) {
		t.Errorf("airflow = %+v", af)
	}
	want := []tui.Container{
		{Name: "airflow-init", Image: "af:1", State: tui.StateExited, OneShot: true},
		{Name: "airflow-apiserver", Image: "af:1", State: tui.StateHealthy, Started: t0, RestartCount: 2, Ports: []string{"127.0.0.1:8080->8080"}},
	}
	if !reflect.DeepEqual(af.Containers, want) {
		t.Errorf("airflow containers\n got %+v\nwant %+v", af.Containers, want)
	}
	if c := s.Services[1].Containers[0]; c.State != tui.StateExited || c.ExitCode != 1 || !c.OOMKilled || c.OneShot {
		t.Errorf("mlflow = %+v", c)
	}
	if c := s.Services[2].Containers[0]; c.State != tui.StatePulling {
		t.Errorf("minio = %+v", c)
	}
	if j := s.Services[3]; j.Enabled || j.Containers[0].State != tui.StateMissing {
		t.Errorf("jupyter = %+v", j)
	}
	if !s.Airflow.OK || s.Airflow.Detail != "http://127.0.0.1:1 (triggerer not deployed)" {
		t.Errorf("airflow conn = %+v", s.Airflow)
	}
	if !s.Docker.Unknown {
		t.Errorf("docker = %+v (no client was given)", s.Docker)
	}
}

func TestContainerStatesMapOntoTheDashboards(t *testing.T) {
	for in, want := range map[string]tui.State{
		"pulling": tui.StatePulling, "building": tui.StateBuilding, "creating": tui.StateStarting,
		"starting": tui.StateStarting, "created": tui.StateCreated, "healthy": tui.StateHealthy,
		"unhealthy": tui.StateUnhealthy, "running": tui.StateRunning, "restarting": tui.StateRestarting,
		"completed": tui.StateExited, "exited": tui.StateExited, "dead": tui.StateExited,
		"stopped": tui.StateStopped, "paused": tui.StateStopped, "not created": tui.StateMissing,
		"something new": tui.StateUnknown,
	} {
		if got := containerState(in); got != want {
			t.Errorf("containerState(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSnapshotWithoutEngineShowsTheConfiguredServices(t *testing.T) {
	fs := &fakeStack{err: errors.New("cannot connect to the Docker daemon")}
	fa := &fakeAirflow{err: fmt.Errorf("get a token: %w", airflow.ErrUnreachable)}
	s, err := wired(t, fs, fa).Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Services) != 4 || s.Services[0].URL != "http://127.0.0.1:8080" || s.Services[0].Containers[0].State != tui.StateUnknown {
		t.Errorf("services = %+v", s.Services)
	}
	if s.Airflow.OK || s.Airflow.Unknown || !strings.Contains(s.Airflow.Detail, "not reachable") {
		t.Errorf("airflow = %+v", s.Airflow)
	}
}

func TestSnapshotHasEveryModesChecklist(t *testing.T) {
	b := wired(t, &fakeStack{status: demoStatus()}, &fakeAirflow{})
	s, err := b.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range s.Modes {
		names = append(names, m.Mode)
	}
	if strings.Join(names, " ") != "dev dev_docker prod_local prod" {
		t.Fatalf("modes = %v", names)
	}
	if !s.Modes[0].Ready() || s.Modes[0].Checks == nil || s.Modes[0].Description == "" { // checked, needs nothing
		t.Errorf("dev = %+v", s.Modes[0])
	}
	dd := s.Modes[1]
	if want := (tui.Check{ID: modes.IDTaskImage, Name: "task image", Detail: "no task image has been built for the local Docker engine",
		Fix: "build one with `gaiaflow dev dockerize`", Remedy: tui.Remedy{Verb: tui.VerbBuildImage}}); dd.Ready() || len(dd.Checks) != 1 || dd.Checks[0] != want {
		t.Errorf("dev_docker = %+v", dd)
	}
	// No minikube was given: installing it is for the person, so no item
	// has a remedy of the dashboard's.
	if pl := s.Modes[2]; pl.Ready() || len(pl.Checks) < 2 || pl.Checks[0].ID != modes.IDMinikube ||
		pl.Checks[0].Fix == "" || pl.Checks[1].Remedy != (tui.Remedy{}) {
		t.Errorf("prod_local = %+v", pl)
	}
	if !s.Minikube.Unknown {
		t.Errorf("minikube in mode dev = %+v, want unknown", s.Minikube)
	}
	if err := os.WriteFile(filepath.Join(b.Start, "gaiaflow.toml"), []byte("name = \"demo\"\npackage = \"demo\"\nmode = \"prod_local\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, _ = b.Snapshot(context.Background())
	if s.Minikube.OK || s.Minikube.Unknown || !strings.HasPrefix(s.Minikube.Detail, "needs minikube; install minikube") {
		t.Errorf("minikube in mode prod_local = %+v", s.Minikube)
	}
}

func TestChangesFollowTheStacksEvents(t *testing.T) {
	fs := &fakeStack{status: demoStatus()}
	b := wired(t, fs, &fakeAirflow{})
	ctx, cancel := context.WithCancel(context.Background())
	ch := b.Changes(ctx)
	select {
	case <-ch:
		t.Fatal("a change without an event")
	case <-time.After(50 * time.Millisecond):
	}
	fs.events <- struct{}{}
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("no change after a container event")
	}
	cancel()
	for range ch {
	}
}

func TestServiceLogs(t *testing.T) {
	fs := &fakeStack{status: demoStatus(), lines: []stack.LogLine{
		{Service: "airflow", Component: "airflow-scheduler", Stream: "stdout", Text: "one"},
		{Service: "airflow", Component: "airflow-apiserver", Stream: "stderr", Text: "two"},
	}}
	b := wired(t, fs, &fakeAirflow{})
	ch, err := b.Logs(context.Background(), tui.LogSource{Service: "airflow"}, tui.LogQuery{Since: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	var got []tui.LogLine
	for l := range ch {
		got = append(got, l)
	}
	want := []tui.LogLine{{Container: "airflow-scheduler", Text: "one"}, {Container: "airflow-apiserver", Stderr: true, Text: "two"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lines = %+v", got)
	}
	if o := fs.logOpts[0]; !reflect.DeepEqual(o.Names, []string{"airflow"}) || o.Tail != -1 || o.Since != "10m0s" || o.Follow {
		t.Errorf("options = %+v", o)
	}

	fs.logsErr = errors.New("no container of this project to show logs of")
	fs.lines = nil
	ch, err = b.Logs(context.Background(), tui.LogSource{Service: "airflow"}, tui.LogQuery{Tail: 5})
	if err != nil {
		t.Fatal(err)
	}
	l := <-ch
	if !l.Stderr || !strings.Contains(l.Text, "no container") {
		t.Errorf("failure line = %+v", l)
	}
	if fs.logOpts[1].Tail != 5 {
		t.Errorf("tail = %d", fs.logOpts[1].Tail)
	}
}

func TestTaskLog(t *testing.T) {
	b := wired(t, &fakeStack{}, &fakeAirflow{log: "done\n"})
	ti := tui.TaskInstance{DAGID: "d", RunID: "r", TaskID: "t", Try: 2}
	ch, err := b.Logs(context.Background(), tui.LogSource{Task: &ti}, tui.LogQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for l := range ch {
		texts = append(texts, l.Container+": "+l.Text)
	}
	if strings.Join(texts, "|") != "t: d r t try 2|t: done" {
		t.Errorf("lines = %q", texts)
	}
}

func TestDAGsRunsAndTasks(t *testing.T) {
	fa := &fakeAirflow{
		dags: []airflow.DAG{
			{ID: "etl", Paused: true, Schedule: "@daily", File: "etl.py", NextRun: ptr(t0.Add(time.Hour))},
			{ID: "broken", File: "broken.py", HasImportErrors: true},
			{ID: "never", File: "never.py"},
		},
		ierrs: []airflow.ImportError{{Filename: "broken.py", StackTrace: "Traceback:\n  ...\nNameError: x\n", Timestamp: t0}},
		runs: []airflow.DAGRun{
			{DAGID: "etl", RunID: "new", State: airflow.RunRunning, RunType: "manual", RunAfter: t0, StartDate: ptr(t0)},
			{DAGID: "etl", RunID: "old", State: airflow.RunFailed, RunType: "scheduled", LogicalDate: ptr(t0.Add(-time.Hour)),
				RunAfter: t0, StartDate: ptr(t0.Add(-time.Hour)), EndDate: ptr(t0.Add(-time.Minute))},
		},
		tis: []airflow.TaskInstance{{TaskID: "load", MapIndex: -1, State: airflow.TaskSuccess, TryNumber: 1, StartDate: ptr(t0), Operator: "PythonOperator"}},
	}
	b := wired(t, &fakeStack{}, fa)
	ctx := context.Background()
	l, err := b.DAGs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []tui.DAG{
		{ID: "etl", Paused: true, LastRunState: "running", LastRunStart: t0, NextRun: t0.Add(time.Hour), Schedule: "@daily", File: "etl.py"},
		{ID: "broken", File: "broken.py", ImportError: "NameError: x"},
		{ID: "never", File: "never.py"},
	}
	if !reflect.DeepEqual(l.DAGs, want) {
		t.Errorf("DAGs\n got %+v\nwant %+v", l.DAGs, want)
	}
	if len(l.ImportErrors) != 1 || l.ImportErrors[0].File != "broken.py" || !l.ImportErrors[0].Time.Equal(t0) {
		t.Errorf("import errors = %+v", l.ImportErrors)
	}
	runs, err := b.Runs(ctx, "etl", 25)
	if err != nil {
		t.Fatal(err)
	}
	wantRuns := []tui.Run{
		{DAGID: "etl", RunID: "new", State: "running", Type: "manual", LogicalDate: t0, Start: t0},
		{DAGID: "etl", RunID: "old", State: "failed", Type: "scheduled", LogicalDate: t0.Add(-time.Hour), Start: t0.Add(-time.Hour), End: t0.Add(-time.Minute)},
	}
	if !reflect.DeepEqual(runs, wantRuns) {
		t.Errorf("runs\n got %+v\nwant %+v", runs, wantRuns)
	}
	tis, err := b.TaskInstances(ctx, "etl", "new")
	if err != nil {
		t.Fatal(err)
	}
	wantTI := []tui.TaskInstance{{DAGID: "etl", RunID: "new", TaskID: "load", MapIndex: -1, State: "success", Try: 1, Start: t0, Operator: "PythonOperator"}}
	if !reflect.DeepEqual(tis, wantTI) {
		t.Errorf("tasks = %+v", tis)
	}
}

func TestUnreachableAirflowIsUnavailable(t *testing.T) {
	b := wired(t, &fakeStack{}, &fakeAirflow{err: fmt.Errorf("GET /api/v2/dags: %w", airflow.ErrUnreachable)})
	_, err := b.DAGs(context.Background())
	if !errors.Is(err, tui.ErrUnavailable) || !strings.Contains(err.Error(), "gaiaflow dev start") {
		t.Errorf("err = %v", err)
	}
	other := errors.New("boom")
	b = wired(t, &fakeStack{}, &fakeAirflow{err: other})
	if _, err := b.Runs(context.Background(), "x", 5); !errors.Is(err, other) || errors.Is(err, tui.ErrUnavailable) {
		t.Errorf("err = %v", err)
	}
}

func TestDoCallsTheStackAsTheCLIDoes(t *testing.T) {
	fs := &fakeStack{status: demoStatus()}
	b := wired(t, fs, &fakeAirflow{})
	var rec event.Recorder
	for _, a := range []tui.Action{
		{Verb: tui.VerbStart, Target: "mlflow"}, {Verb: tui.VerbStop, Target: "minio"},
		{Verb: tui.VerbRestart, Target: "airflow"}, {Verb: tui.VerbStartAll}, {Verb: tui.VerbStopAll},
		{Verb: tui.VerbRestartAll}, {Verb: tui.VerbDeleteVolumes}, {Verb: tui.VerbCleanup},
	} {
		if err := b.Do(context.Background(), a, &rec); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	want := []string{"start [mlflow]", "stop [minio] volumes=false", "restart [airflow] [airflow]", "start []",
		"stop [] volumes=false", "restart [] []", "stop [] volumes=true", "plan-cleanup prune=true"}
	if got := fs.Calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls\n got %q\nwant %q", got, want)
	}
	if len(rec.Events()) == 0 {
		t.Error("the stack's progress did not reach the action's reporter")
	}
	for _, v := range []tui.Verb{tui.VerbBuildImage, tui.VerbStartCluster, tui.VerbDeleteCluster} {
		if err := b.Do(context.Background(), tui.Action{Verb: v}, &rec); !errors.Is(err, tui.ErrUnavailable) || !strings.Contains(err.Error(), "not wired") {
			t.Errorf("%s without its hook: err = %v", v, err)
		}
	}
	if err := b.Do(context.Background(), tui.Action{Verb: "fly"}, &rec); err == nil || !strings.Contains(err.Error(), "not available yet") {
		t.Errorf("an unknown verb: err = %v", err)
	}
}

func TestDoDAGActions(t *testing.T) {
	fa := &fakeAirflow{}
	b := wired(t, &fakeStack{}, fa)
	var rec event.Recorder
	for _, a := range []tui.Action{{Verb: tui.VerbTrigger, Target: "etl"}, {Verb: tui.VerbPause, Target: "etl"}, {Verb: tui.VerbUnpause, Target: "etl"}} {
		if err := b.Do(context.Background(), a, &rec); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	if want := []string{"trigger etl", "paused etl=true", "paused etl=false"}; !reflect.DeepEqual(fa.actions, want) {
		t.Errorf("actions = %q", fa.actions)
	}
	if ev := rec.Events(); len(ev) != 3 || !strings.Contains(ev[0].Message, "manual__1") {
		t.Errorf("events = %+v", ev)
	}
}

func TestSetModeIsRefusedUntilTheModeIsReady(t *testing.T) {
	fs := &fakeStack{status: demoStatus()}
	b := wired(t, fs, &fakeAirflow{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := b.Changes(ctx)
	var rec event.Recorder
	err := b.Do(ctx, tui.Action{Verb: tui.VerbSetMode, Target: "dev_docker"}, &rec)
	if err == nil || !strings.Contains(err.Error(), "dev_docker is not ready: 1 of 1 requirements are missing") {
		t.Fatalf("err = %v", err)
	}
	if err := os.WriteFile(filepath.Join(b.Start, "gaiaflow.toml"), []byte("name = \"demo\"\npackage = \"demo\"\nmode = \"prod\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := b.Do(ctx, tui.Action{Verb: tui.VerbSetMode, Target: "dev"}, &rec); err != nil {
		t.Fatal(err)
	}
	<-changes
	s, _ := b.Snapshot(ctx)
	if s.Mode != "dev" {
		t.Errorf("mode = %q", s.Mode)
	}
	if len(rec.Events()) == 0 {
		t.Error("no progress reported")
	}
	if calls := fs.Calls(); len(calls) != 0 {
		t.Errorf("without a switch nothing is asked of the stack, got %q", calls)
	}

	// With the CLI's switch, a running stack is brought over.
	var asked []string
	b.ModeSwitch = func(_ context.Context, p *project.Project, r event.Reporter) (modes.Switch, error) {
		st, err := p.State()
		return modes.Switch{State: st,
			AirflowRunning: func(context.Context, *project.Project) (bool, error) {
				asked = append(asked, "running?")
				return true, nil
			},
			RecreateAirflow: func(_ context.Context, p *project.Project) error {
				asked = append(asked, "switch to "+p.Config.Mode)
				r.Report(event.Event{Kind: event.Step, Message: "recreating"})
				return nil
			}}, err
	}
	if err := os.WriteFile(filepath.Join(b.Start, "gaiaflow.toml"), []byte("name = \"demo\"\npackage = \"demo\"\nmode = \"prod\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec = event.Recorder{}
	if err := b.Do(ctx, tui.Action{Verb: tui.VerbSetMode, Target: "dev"}, &rec); err != nil {
		t.Fatal(err)
	}
	if strings.Join(asked, ", ") != "running?, switch to dev" {
		t.Errorf("asked %q", asked)
	}
	ev := rec.Events()
	if len(ev) == 0 || !strings.Contains(ev[len(ev)-1].Message, "Airflow was recreated with GAIAFLOW_MODE=dev") {
		t.Errorf("events = %+v", ev)
	}
	cancel()
	for range changes {
	}
}

func TestAdapterKeepsTheBackendContract(t *testing.T) {
	t.Run("NoProject", func(t *testing.T) { backendtest.Contract(t, &Backend{Start: t.TempDir()}) })
	t.Run("Wired", func(t *testing.T) {
		backendtest.Contract(t, wired(t, &fakeStack{status: demoStatus()}, &fakeAirflow{}))
	})
}

// countingStack counts status reads and makes each one take a while.
type countingStack struct {
	fakeStack
	reads atomic.Int32
}

func (c *countingStack) Status(ctx context.Context) (*stack.StatusView, error) {
	c.reads.Add(1)
	time.Sleep(50 * time.Millisecond)
	return demoStatus(), nil
}

func TestABurstOfSnapshotsCostsAtMostTwoReads(t *testing.T) {
	cs := &countingStack{}
	b := &Backend{Start: demoProject(t), Explicit: true,
		Stack: func(*project.Project, event.Reporter) (Stack, error) { return cs, nil }}
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := b.Snapshot(context.Background())
			if err != nil || s.Services[0].Containers[1].State != tui.StateHealthy {
				t.Errorf("snapshot %+v, %v", s.Services, err)
			}
		}()
	}
	wg.Wait()
	if n := cs.reads.Load(); n < 1 || n > 2 {
		t.Errorf("%d status reads for a burst of 20 snapshots", n)
	}
	s, _ := b.Snapshot(context.Background())
	if n := cs.reads.Load(); n > 3 || len(s.Services) != 4 {
		t.Errorf("a later snapshot: %d reads in all, %d services", n, len(s.Services))
	}
}

// growingAirflow is a task whose log grows by a line per read and which
// succeeds after its third read.
type growingAirflow struct {
	fakeAirflow
	reads atomic.Int32
}

func (g *growingAirflow) TaskLog(_ context.Context, _, _, _ string, try int) (string, error) {
	n := int(g.reads.Add(1))
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "try %d line %d\n", try, i)
	}
	return b.String(), nil
}

func (g *growingAirflow) ListTaskInstances(context.Context, string, string) ([]airflow.TaskInstance, error) {
	state := airflow.TaskRunning
	if g.reads.Load() >= 3 {
		state = airflow.TaskSuccess
	}
	return []airflow.TaskInstance{{TaskID: "t", MapIndex: -1, State: state, TryNumber: 1}}, nil
}

func TestAFollowedTaskLogSendsNewLinesUntilTheTryEnds(t *testing.T) {
	defer func(d time.Duration) { taskLogPoll = d }(taskLogPoll)
	taskLogPoll = 10 * time.Millisecond
	g := &growingAirflow{}
	b := &Backend{Start: demoProject(t), Explicit: true,
		Airflow: func(context.Context, *project.Project) (Airflow, error) { return g, nil }}
	ti := tui.TaskInstance{DAGID: "d", RunID: "r", TaskID: "t", MapIndex: -1, Try: 1, State: "running"}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ch, err := b.Logs(ctx, tui.LogSource{Task: &ti}, tui.LogQuery{Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for l := range ch {
		texts = append(texts, l.Text)
	}
	if ctx.Err() != nil {
		t.Fatal("the stream did not end with the try")
	}
	want := []string{"try 1 line 1", "try 1 line 2", "try 1 line 3", "try 1 line 4"}
	if !reflect.DeepEqual(texts, want) {
		t.Errorf("lines = %q, want %q", texts, want)
	}
}

// TestRemedies pins which dashboard action does each fix the modes name:
// the mode panel shows the key bound to it.
func TestRemedies(t *testing.T) {
	for r, want := range map[modes.Remedy]tui.Remedy{
		modes.RemedyDockerize:        {Verb: tui.VerbBuildImage},
		modes.RemedyDockerizeCluster: {Verb: tui.VerbBuildImage},
		modes.RemedyStartCluster:     {Verb: tui.VerbStartCluster},
		modes.RemedyClusterConfig:    {Verb: tui.VerbStartCluster},
		modes.RemedyCreateSecret:     {Wizard: tui.WizardSecret},
		"":                           {},
		"something-new":              {},
	} {
		if got := remedy(r); got != want {
			t.Errorf("remedy(%q) = %+v, want %+v", r, got, want)
		}
	}
	got := checks([]modes.Requirement{
		{ID: modes.IDCluster, Name: "cluster", Ready: true, Detail: "running"},
		{ID: modes.SecretID("db"), Name: "secret db", Detail: "missing", Fix: "gaiaflow prod-local create-secret --name db", Remedy: modes.RemedyCreateSecret},
	})
	want := []tui.Check{
		{ID: modes.IDCluster, Name: "cluster", OK: true, Detail: "running"},
		{ID: "secret/db", Name: "secret db", Detail: "missing", Fix: "gaiaflow prod-local create-secret --name db", Remedy: tui.Remedy{Wizard: tui.WizardSecret}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("checks\n got %+v\nwant %+v", got, want)
	}
}

// The mode panel lists what `mode check` lists, DAG files pinned to another
// mode included.
func TestSnapshotListsDAGsPinnedToAnotherMode(t *testing.T) {
	b := wired(t, &fakeStack{status: demoStatus()}, &fakeAirflow{})
	if err := os.MkdirAll(filepath.Join(b.Start, "dags"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.Start, "dags", "d.py"), []byte("MODE = \"dev_docker\"\ncreate_task('a', 'p:f', mode=MODE)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := b.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dev := s.Modes[0]
	if dev.Ready() || len(dev.Checks) != 1 || dev.Checks[0].ID != modes.PinnedID("d.py", modes.DevDocker) ||
		!strings.Contains(dev.Checks[0].Fix, "gaiaflow mode set dev_docker") {
		t.Errorf("dev = %+v", dev)
	}
	for _, c := range s.Modes[1].Checks {
		if strings.HasPrefix(c.ID, "dag-mode/") {
			t.Errorf("dev_docker lists a DAG that pins it: %+v", c)
		}
	}
}
