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
	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/stack"
	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/backendtest"
)

var _ tui.Backend = (*Backend)(nil)

// noProject is a backend looking for a project where there is none.
func noProject(t *testing.T) *Backend {
	return New(&fakeCore{dir: t.TempDir(), fs: &fakeStack{}, fa: &fakeAirflow{}})
}

func TestSnapshotWithoutProject(t *testing.T) {
	b := noProject(t)
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
	b, _ := wired(t, fs, fa)
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
	if !s.Docker.OK || s.Docker.Detail != "unix:///fake.sock (engine 29.0, API 1.51)" {
		t.Errorf("docker = %+v", s.Docker)
	}
}

func TestSnapshotWithoutEngineShowsTheConfiguredServices(t *testing.T) {
	fs := &fakeStack{err: errors.New("cannot connect to the Docker daemon")}
	fa := &fakeAirflow{err: fmt.Errorf("get a token: %w", airflow.ErrUnreachable)}
	b, fc := wired(t, fs, fa)
	fc.engine = errors.New("Cannot connect to the Docker daemon")
	s, err := b.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Services) != 4 || s.Services[0].URL != "http://127.0.0.1:8080" || s.Services[0].Containers[0].State != tui.StateUnknown {
		t.Errorf("services = %+v", s.Services)
	}
	if s.Airflow.OK || s.Airflow.Unknown || !strings.Contains(s.Airflow.Detail, "not reachable") || !strings.Contains(s.Airflow.Detail, "gaiaflow dev start") {
		t.Errorf("airflow = %+v", s.Airflow)
	}
	if s.Docker.OK || s.Docker.Detail != "Cannot connect to the Docker daemon; start Docker" {
		t.Errorf("docker = %+v", s.Docker)
	}
}

func TestSnapshotHasEveryModesChecklist(t *testing.T) {
	b, fc := wired(t, &fakeStack{status: demoStatus()}, &fakeAirflow{})
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
	if err := os.WriteFile(filepath.Join(fc.dir, "gaiaflow.toml"), []byte("name = \"demo\"\npackage = \"demo\"\nmode = \"prod_local\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, _ = b.Snapshot(context.Background())
	if s.Minikube.OK || s.Minikube.Unknown || !strings.HasPrefix(s.Minikube.Detail, "needs minikube; install minikube") {
		t.Errorf("minikube in mode prod_local = %+v", s.Minikube)
	}
}

func TestChangesFollowTheStacksEvents(t *testing.T) {
	fs := &fakeStack{status: demoStatus()}
	b, _ := wired(t, fs, &fakeAirflow{})
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

// An edit of gaiaflow.toml while the dashboard is idle is a change: a
// broken file, then a mended one with other settings.
func TestChangesFollowEditsOfTheProjectFile(t *testing.T) {
	b, fc := wired(t, &fakeStack{status: demoStatus()}, &fakeAirflow{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := b.Changes(ctx)
	file := filepath.Join(fc.dir, "gaiaflow.toml")
	for _, body := range []string{"name = \"demo\"\npackage = ", "name = \"demo\"\npackage = \"demo\"\nmode = \"prod\"\n"} {
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ch:
		case <-time.After(3 * projectTick):
			t.Fatalf("no change after gaiaflow.toml became %q", body)
		}
	}
	s, err := b.Snapshot(ctx)
	if err != nil || s.Mode != "prod" {
		t.Errorf("snapshot after the edit: mode %q, %v", s.Mode, err)
	}
}

func TestServiceLogs(t *testing.T) {
	fs := &fakeStack{status: demoStatus(), lines: []stack.LogLine{
		{Service: "airflow", Component: "airflow-scheduler", Stream: "stdout", Text: "one"},
		{Service: "airflow", Component: "airflow-apiserver", Stream: "stderr", Text: "two"},
	}}
	b, _ := wired(t, fs, &fakeAirflow{})
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
	b, _ := wired(t, &fakeStack{}, &fakeAirflow{log: "done\n"})
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
	b, _ := wired(t, &fakeStack{}, fa)
	ctx := context.Background()
	l, err := b.DAGs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []tui.DAG{
		{ID: "etl", Paused: true, LastRunState: "running", LastRunStart: t0, LastRunID: "new", NextRun: t0.Add(time.Hour), Schedule: "@daily", File: "etl.py"},
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
	b, _ := wired(t, &fakeStack{}, &fakeAirflow{err: fmt.Errorf("GET /api/v2/dags: %w", airflow.ErrUnreachable)})
	_, err := b.DAGs(context.Background())
	if !errors.Is(err, tui.ErrUnavailable) || !errors.Is(err, airflow.ErrUnreachable) || !strings.Contains(err.Error(), "gaiaflow dev start") {
		t.Errorf("err = %v", err)
	}
	other := errors.New("boom")
	b, _ = wired(t, &fakeStack{}, &fakeAirflow{err: other})
	if _, err := b.Runs(context.Background(), "x", 5); !errors.Is(err, other) || errors.Is(err, tui.ErrUnavailable) {
		t.Errorf("err = %v", err)
	}
}

func TestDoCallsTheStackAsTheCLIDoes(t *testing.T) {
	fs := &fakeStack{status: demoStatus()}
	b, fc := wired(t, fs, &fakeAirflow{})
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
		"stop [] volumes=false", "restart [] []", "stop [] volumes=true", "plan-cleanup prune=true", "cleanup"}
	if got := fs.Calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls\n got %q\nwant %q", got, want)
	}
	if len(rec.Events()) == 0 {
		t.Error("the stack's progress did not reach the action's reporter")
	}
	for _, a := range []tui.Action{{Verb: tui.VerbBuildImage, Target: "prod_local"}, {Verb: tui.VerbBuildImage}, {Verb: tui.VerbStartCluster}, {Verb: tui.VerbDeleteCluster}} {
		if err := b.Do(context.Background(), a, &rec); err != nil {
			t.Errorf("%s: %v", a, err)
		}
	}
	if got, want := fc.Calls(), []string{"dockerize prod_local", "dockerize ", "start-cluster", "delete-cluster"}; !reflect.DeepEqual(got, want) {
		t.Errorf("core calls %q, want %q (an empty mode is the project's, the core's choice)", got, want)
	}
	if err := b.Do(context.Background(), tui.Action{Verb: "fly"}, &rec); err == nil || !strings.Contains(err.Error(), "not available yet") {
		t.Errorf("an unknown verb: err = %v", err)
	}
}

func TestDoDAGActions(t *testing.T) {
	fa := &fakeAirflow{}
	b, _ := wired(t, &fakeStack{}, fa)
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

// set-mode is the core's SetMode without force; its refusal keeps the
// core's words and says where the dashboard lists what is missing, and the
// mode panel is read again afterwards.
func TestSetModeCallsTheCoreWithoutForce(t *testing.T) {
	fs := &fakeStack{status: demoStatus()}
	b, fc := wired(t, fs, &fakeAirflow{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := b.Changes(ctx)
	fc.setMode = func(m modes.Mode) (core.SetModeResult, error) {
		return core.SetModeResult{}, &core.NotReadyError{Readiness: core.Readiness{Mode: string(m),
			Requirements: []modes.Requirement{{ID: modes.IDTaskImage, Name: "task image"}}}}
	}
	var rec event.Recorder
	err := b.Do(ctx, tui.Action{Verb: tui.VerbSetMode, Target: "dev_docker"}, &rec)
	var nr *core.NotReadyError
	if !errors.As(err, &nr) || !strings.Contains(err.Error(), "dev_docker is not ready: 1 of 1 requirements are missing") ||
		errs.HintOf(err) != "fix the items the mode panel lists for dev_docker" {
		t.Fatalf("err = %v (hint %q)", err, errs.HintOf(err))
	}
	if err := b.Do(ctx, tui.Action{Verb: tui.VerbSetMode, Target: "nonsense"}, &rec); err == nil {
		t.Error("an unknown mode was sent to the core")
	}
	fc.setMode = nil
	if err := b.Do(ctx, tui.Action{Verb: tui.VerbSetMode, Target: "prod"}, &rec); err != nil {
		t.Fatal(err)
	}
	<-changes
	s, _ := b.Snapshot(ctx)
	if s.Mode != "prod" {
		t.Errorf("mode = %q", s.Mode)
	}
	if got := fc.Calls(); !reflect.DeepEqual(got, []string{"set-mode dev_docker force=false", "set-mode prod force=false"}) {
		t.Errorf("calls %q", got)
	}
	cancel()
	for range changes {
	}
}

func TestAdapterKeepsTheBackendContract(t *testing.T) {
	t.Run("NoProject", func(t *testing.T) { backendtest.Contract(t, noProject(t)) })
	t.Run("Wired", func(t *testing.T) {
		b, _ := wired(t, &fakeStack{status: demoStatus()}, &fakeAirflow{})
		backendtest.Contract(t, b)
	})
}

// countingStack counts status reads and makes each one take a while.
type countingStack struct {
	fakeStack
	reads atomic.Int32
}

type countingCore struct {
	*fakeCore
	cs *countingStack
}

func (c *countingCore) Status(ctx context.Context) (*stack.StatusView, error) {
	c.cs.reads.Add(1)
	time.Sleep(50 * time.Millisecond)
	return demoStatus(), nil
}

func TestABurstOfSnapshotsCostsAtMostTwoReads(t *testing.T) {
	cs := &countingStack{}
	fc := &fakeCore{dir: demoProject(t), explicit: true, fs: &cs.fakeStack, fa: &fakeAirflow{}}
	b := New(&countingCore{fakeCore: fc, cs: cs})
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

// A followed task log: the lines read when it was opened, then what the
// core's Follow sends, until it returns.
func TestAFollowedTaskLogSendsTheOpenedLinesThenWhatFollows(t *testing.T) {
	b, fc := wired(t, &fakeStack{}, &fakeAirflow{log: "done\n"})
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
		t.Fatal("the stream did not end with Follow")
	}
	if want := []string{"d r t try 1", "done"}; !reflect.DeepEqual(texts, want) {
		t.Errorf("lines = %q, want %q", texts, want)
	}
	if got := fc.Calls(); !reflect.DeepEqual(got, []string{"follow t"}) {
		t.Errorf("calls %q", got)
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
		modes.RemedyPush:             {Verb: tui.VerbBuildImage},
		// prod's secrets are made in another cluster than the secret
		// wizard's: the panel shows the command.
		modes.RemedyCreateProdSecret: {},
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
	b, fc := wired(t, &fakeStack{status: demoStatus()}, &fakeAirflow{})
	if err := os.MkdirAll(filepath.Join(fc.dir, "dags"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fc.dir, "dags", "d.py"), []byte("MODE = \"dev_docker\"\ncreate_task('a', 'p:f', mode=MODE)\n"), 0o644); err != nil {
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
