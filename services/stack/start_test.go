package stack

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
)

var allComponents = []string{
	"postgres-airflow", "airflow-init", "airflow-api-server", "airflow-scheduler", "airflow-dag-processor",
	"airflow-triggerer", "postgres-mlflow", "mlflow", "minio", "jupyter-deps", "jupyter",
}

func TestStartOrderAndParallelism(t *testing.T) {
	f := newFixture(t, fakeToml)
	// Delays long enough that the roots overlap even on a loaded machine,
	// where a 60 ms one let a starved scheduler run them one after another.
	for _, c := range []string{"postgres-airflow", "postgres-mlflow", "minio", "jupyter"} {
		f.eng.behave[c] = behaviour{delay: 400 * time.Millisecond}
	}
	f.eng.behave["airflow-init"] = behaviour{delay: 100 * time.Millisecond, exit: exitCode(0)}
	f.eng.behave["jupyter-deps"] = behaviour{delay: 400 * time.Millisecond, exit: exitCode(0)}
	if err := f.start(StartOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range allComponents {
		if f.rec.at(c, "healthy").IsZero() && f.rec.at(c, "completed").IsZero() {
			t.Errorf("%s never became ready", c)
		}
	}
	before := func(a, aState, b, bState string) {
		t.Helper()
		ta, tb := f.rec.at(a, aState), f.rec.at(b, bState)
		if ta.IsZero() || tb.IsZero() || !ta.Before(tb) {
			t.Errorf("%s %s (%v) is not before %s %s (%v)", a, aState, ta, b, bState, tb)
		}
	}
	before("postgres-airflow", "healthy", "airflow-init", "starting")
	for _, c := range []string{"airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"} {
		before("airflow-init", "completed", c, "starting")
	}
	before("postgres-mlflow", "healthy", "mlflow", "starting")
	before("minio", "healthy", "mlflow", "starting")
	before("jupyter-deps", "completed", "jupyter", "starting")
	// Independent roots start together: every one of them was started
	// before the first became ready.
	firstReady := f.rec.at("postgres-airflow", "healthy")
	for _, c := range []string{"postgres-mlflow", "minio", "jupyter-deps"} {
		if s := f.rec.at(c, "starting"); s.IsZero() || !s.Before(firstReady) {
			t.Errorf("%s started at %v, after postgres-airflow was ready at %v: not in parallel", c, s, firstReady)
		}
	}
	if f.eng.maxFlight < 4 {
		t.Errorf("at most %d containers were starting at once", f.eng.maxFlight)
	}
	if !slices.Contains(f.eng.Calls(), "bucket mlflow") {
		t.Errorf("the mlflow bucket was not created: %v", f.eng.Calls())
	}
	// The api-server got Airflow's passwords file before it started.
	for _, c := range f.eng.containers {
		if c.spec.Labels[LabelComponent] == "airflow-api-server" {
			if pw := c.files[len(c.files)-1]; !strings.Contains(string(pw.Data), f.mustCreds().AirflowAdminPassword) {
				t.Errorf("api-server files = %+v", c.files)
			}
		}
	}
}

func TestStartTwiceIsANoOp(t *testing.T) {
	f := newFixture(t, fakeToml)
	f.eng.behave["airflow-init"] = behaviour{exit: exitCode(0)}
	if err := f.start(StartOptions{}); err != nil {
		t.Fatal(err)
	}
	f.eng.resetCalls()
	began := time.Now()
	if err := f.start(StartOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range f.eng.Calls() {
		if c != "bucket mlflow" {
			t.Errorf("second start changed something: %s", c)
		}
	}
	if d := time.Since(began); d > time.Second {
		t.Errorf("second start took %v", d)
	}
}

func TestStartRecreatesOnlyWhatChanged(t *testing.T) {
	f := newFixture(t, fakeToml)
	f.eng.behave["airflow-init"] = behaviour{exit: exitCode(0)}
	if err := f.start(StartOptions{}); err != nil {
		t.Fatal(err)
	}
	f.eng.resetCalls()
	f.eng.images["mlflow:other"] = f.eng.images["mlflow:test"]
	f.reload(strings.Replace(fakeToml, `image = "mlflow:test"`, `image = "mlflow:other"`, 1))
	if err := f.start(StartOptions{}); err != nil {
		t.Fatal(err)
	}
	var changed []string
	for _, c := range f.eng.Calls() {
		if !strings.HasPrefix(c, "bucket") {
			changed = append(changed, c)
		}
	}
	want := []string{"remove mlflow", "create mlflow", "start mlflow"}
	if !slices.Equal(changed, want) {
		t.Errorf("calls = %v, want %v", changed, want)
	}
}

func TestStartReplacesARebuiltImage(t *testing.T) {
	f := newFixture(t, fakeToml)
	f.eng.behave["airflow-init"] = behaviour{exit: exitCode(0)}
	if err := f.start(StartOptions{Services: []string{"jupyter"}}); err != nil {
		t.Fatal(err)
	}
	f.eng.resetCalls()
	f.eng.images["jupyter:test"] = f.eng.images["mlflow:test"] // same tag, new image id
	if err := f.start(StartOptions{Services: []string{"jupyter"}}); err != nil {
		t.Fatal(err)
	}
	// JupyterLab's setup runs in the same image: it is redone too.
	if want := []string{"remove jupyter-deps", "create jupyter-deps", "start jupyter-deps", "remove jupyter", "create jupyter", "start jupyter"}; !slices.Equal(f.eng.Calls(), want) {
		t.Errorf("calls = %v, want %v", f.eng.Calls(), want)
	}
}

func TestStartFailureReport(t *testing.T) {
	f := newFixture(t, fakeToml)
	f.eng.behave["airflow-init"] = behaviour{exit: exitCode(0)}
	logs := make([]string, 30)
	for i := range logs {
		logs[i] = "scheduler line " + string(rune('a'+i%26))
	}
	f.eng.behave["airflow-scheduler"] = behaviour{delay: 20 * time.Millisecond, exit: exitCode(3), logs: logs}
	err := f.start(StartOptions{Services: []string{"airflow"}})
	var se *StartError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *StartError", err)
	}
	if len(se.Failures) != 1 {
		t.Fatalf("failures = %+v", se.Failures)
	}
	fl := se.Failures[0]
	if fl.Service != "airflow" || fl.Component != "airflow-scheduler" || fl.ExitCode != 3 || fl.State != "exited" ||
		!strings.Contains(fl.Reason, "exited with code 3") {
		t.Errorf("failure = %+v", fl)
	}
	if len(fl.Logs) != 30 && len(fl.Logs) != 20 { // the fake ignores Tail
		t.Errorf("logs = %d lines", len(fl.Logs))
	}
	if !strings.Contains(err.Error(), "airflow-scheduler exited with code 3") || !strings.Contains(se.Hint(), "gaiaflow dev logs airflow") {
		t.Errorf("error %q, hint %q", err, se.Hint())
	}
	// The others came up: a failure does not stop the rest.
	if f.rec.at("airflow-api-server", "healthy").IsZero() {
		t.Error("api-server did not come up")
	}
}

func TestStartOOMAndUnhealthy(t *testing.T) {
	f := newFixture(t, fakeToml)
	f.eng.behave["postgres-mlflow"] = behaviour{delay: 10 * time.Millisecond, unhealthy: true}
	f.eng.behave["jupyter"] = behaviour{delay: 10 * time.Millisecond, exit: exitCode(137), oom: true}
	err := f.start(StartOptions{Services: []string{"mlflow", "jupyter"}})
	var se *StartError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v", err)
	}
	got := map[string]Failure{}
	for _, fl := range se.Failures {
		got[fl.Component] = fl
	}
	if fl := got["postgres-mlflow"]; !strings.Contains(fl.Reason, "unhealthy") {
		t.Errorf("postgres-mlflow: %+v", fl)
	}
	if fl := got["jupyter"]; !fl.OOMKilled || fl.ExitCode != 137 {
		t.Errorf("jupyter: %+v", fl)
	}
	if !slices.Contains(se.Skipped, "mlflow") {
		t.Errorf("mlflow should be skipped: %v", se.Skipped)
	}
	if !strings.Contains(se.Hint(), "memory") && got["postgres-mlflow"].Component == se.Failures[0].Component {
		// the first failure decides the hint; jupyter's OOM is second here
		t.Logf("hint: %s", se.Hint())
	}
}

// TestStartExitBeatsTheUnhealthyVerdict: the engine marks a container
// unhealthy as it stops it, and that verdict may arrive before the exit
// (engine 29, a database exiting at once). The exit is the reason given.
func TestStartExitBeatsTheUnhealthyVerdict(t *testing.T) {
	f := newFixture(t, fakeToml)
	f.eng.behave["postgres-mlflow"] = behaviour{delay: 10 * time.Millisecond, unhealthy: true,
		dieAfter: 300 * time.Millisecond, dieCode: 3}
	err := f.start(StartOptions{Services: []string{"mlflow"}})
	var se *StartError
	if !errors.As(err, &se) || len(se.Failures) == 0 {
		t.Fatalf("err = %v", err)
	}
	if fl := se.Failures[0]; fl.Component != "postgres-mlflow" || fl.Reason != "exited with code 3" {
		t.Errorf("first failure %+v: want postgres-mlflow, exited with code 3", fl)
	}
}

func TestStartWaitTimesOut(t *testing.T) {
	f := newFixture(t, fakeToml)
	f.eng.behave["minio"] = behaviour{unhealthy: true}
	err := f.start(StartOptions{Services: []string{"minio"}, Wait: 100 * time.Millisecond})
	var se *StartError
	if !errors.As(err, &se) || !se.TimedOut {
		t.Fatalf("err = %v", err)
	}
	if r := se.Failures[0].Reason; !strings.Contains(r, "not ready") || !strings.Contains(r, "HTTP 503") {
		t.Errorf("reason = %q", r)
	}
}

func TestMLflowBringsMinio(t *testing.T) {
	f := newFixture(t, fakeToml)
	if err := f.start(StartOptions{Services: []string{"mlflow"}}); err != nil {
		t.Fatal(err)
	}
	said := false
	for _, e := range f.rec.Events() {
		if e.Kind == event.Warn && e.Service == "minio" && strings.Contains(e.Message, "mlflow stores its artifacts in minio") {
			said = true
		}
	}
	if !said {
		t.Error("starting minio for mlflow was not reported")
	}
	for _, c := range f.eng.Calls() {
		if strings.Contains(c, "airflow") || strings.Contains(c, "jupyter") {
			t.Errorf("unrequested service touched: %s", c)
		}
	}
}

func TestStartMissingImage(t *testing.T) {
	f := newFixture(t, fakeToml)
	delete(f.eng.images, "minio:test")
	err := f.start(StartOptions{Services: []string{"minio"}})
	if err == nil || !strings.Contains(err.Error(), "image minio:test is not on this machine and could not be pulled") {
		t.Fatalf("err = %v", err)
	}
	if h := errs.HintOf(err); !strings.Contains(h, "services.minio.image") {
		t.Errorf("hint = %q", h)
	}
	// A pullable image is pulled, with progress.
	f.eng.pullable["minio:test"] = true
	if err := f.start(StartOptions{Services: []string{"minio"}}); err != nil {
		t.Fatal(err)
	}
	progress := 0
	for _, e := range f.rec.Events() {
		if e.Kind == event.Progress && e.Total == 10 {
			progress++
		}
	}
	if progress == 0 || !slices.Contains(f.eng.Calls(), "pull minio:test") {
		t.Errorf("no pull progress: %v", f.eng.Calls())
	}
}

func TestStartPortTaken(t *testing.T) {
	f := newFixture(t, fakeToml)
	f.eng.ports[5000] = PortUserOf("someone-else", "other-1234")
	s := New(f.eng, f.p, Options{Reporter: f.rec, Prober: f.eng, MakeBucket: f.eng.MakeBucket,
		Ports: Ports{Free: func(p int) bool { return p != 8080 }, Owner: func(int) string { return "nginx (pid 42)" },
			Suggest: func(p int, taken map[int]bool) int { return p + 1 }}})
	err := s.Start(context.Background(), StartOptions{Wait: time.Second})
	if err == nil {
		t.Fatal("start succeeded with taken ports")
	}
	msg, hint := err.Error(), errs.HintOf(err)
	for _, want := range []string{"port 8080 (airflow) is taken by nginx (pid 42)", "port 5000 (mlflow) is taken by container someone-else (gaiaflow project other-1234)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if !strings.Contains(hint, "services.airflow.port = 8081") || !strings.Contains(hint, "services.mlflow.port = 5001") {
		t.Errorf("hint = %q", hint)
	}
	if len(f.eng.Calls()) != 0 {
		t.Errorf("a failed preflight changed something: %v", f.eng.Calls())
	}
}

func TestStartCancelled(t *testing.T) {
	f := newFixture(t, fakeToml)
	f.eng.behave["postgres-airflow"] = behaviour{delay: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for f.rec.at("postgres-airflow", "starting").IsZero() {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	began := time.Now()
	err := f.stack.Start(ctx, StartOptions{Services: []string{"airflow"}, Wait: time.Minute})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(began); d > 2*time.Second {
		t.Errorf("cancel took %v", d)
	}
	for _, c := range f.eng.containers {
		if c.spec.Labels[LabelProject] != f.p.ID() {
			t.Errorf("unlabelled container %s", c.name)
		}
	}
}

func TestStartAfterFailedInitRunsItAgain(t *testing.T) {
	f := newFixture(t, fakeToml)
	f.eng.behave["airflow-init"] = behaviour{exit: exitCode(1)}
	if err := f.start(StartOptions{Services: []string{"airflow"}}); err == nil {
		t.Fatal("start succeeded with a failing init")
	}
	f.eng.behave["airflow-init"] = behaviour{exit: exitCode(0)}
	f.eng.resetCalls()
	if err := f.start(StartOptions{Services: []string{"airflow"}}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(f.eng.Calls(), "start airflow-init") {
		t.Errorf("init not run again: %v", f.eng.Calls())
	}
}

func TestStopKeepsDataAndStartsAgain(t *testing.T) {
	f := newFixture(t, fakeToml)
	f.eng.behave["airflow-init"] = behaviour{exit: exitCode(0)}
	if err := f.start(StartOptions{}); err != nil {
		t.Fatal(err)
	}
	f.eng.resetCalls()
	if err := f.stack.Stop(context.Background(), StopOptions{}); err != nil {
		t.Fatal(err)
	}
	calls := f.eng.Calls()
	idx := func(c string) int { return slices.Index(calls, c) }
	if idx("stop airflow-scheduler") < 0 || idx("stop postgres-airflow") < idx("stop airflow-scheduler") || idx("stop postgres-mlflow") < idx("stop mlflow") {
		t.Errorf("stop order: %v", calls)
	}
	for _, c := range calls {
		if strings.HasPrefix(c, "remove") {
			t.Errorf("stop removed something: %s", c)
		}
	}
	v, err := f.stack.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range v.Services {
		if s.State != "stopped" {
			t.Errorf("%s is %s after stop", s.Name, s.State)
		}
	}
	f.eng.resetCalls()
	if err := f.start(StartOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range f.eng.Calls() {
		if strings.HasPrefix(c, "create") || strings.HasPrefix(c, "remove") {
			t.Errorf("start after stop recreated: %s", c)
		}
	}
	if slices.Contains(f.eng.Calls(), "start airflow-init") {
		t.Error("the completed init ran again")
	}
}

func TestStopWithVolumes(t *testing.T) {
	f := newFixture(t, fakeToml)
	if err := f.start(StartOptions{Services: []string{"minio"}}); err != nil {
		t.Fatal(err)
	}
	if err := f.stack.Stop(context.Background(), StopOptions{Services: []string{"minio"}, Volumes: true}); err != nil {
		t.Fatal(err)
	}
	calls := f.eng.Calls()
	if !slices.Contains(calls, "remove minio") || !slices.Contains(calls, "remove volume "+VolumeName(f.p.ID(), "minio-data")) {
		t.Errorf("calls = %v", calls)
	}
}

func (f *fixture) mustCreds() projectCreds {
	f.t.Helper()
	st, err := f.p.State()
	if err != nil {
		f.t.Fatal(err)
	}
	c, err := st.Credentials(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return *c
}

func TestStartRecreatesACrashLoop(t *testing.T) {
	f := newFixture(t, fakeToml)
	if err := f.start(StartOptions{Services: []string{"minio"}}); err != nil {
		t.Fatal(err)
	}
	f.eng.mu.Lock()
	for _, c := range f.eng.containers {
		c.status = "restarting"
	}
	f.eng.mu.Unlock()
	f.eng.resetCalls()
	if err := f.start(StartOptions{Services: []string{"minio"}}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"remove minio", "create minio", "start minio", "bucket mlflow"}; !slices.Equal(f.eng.Calls(), want) {
		t.Errorf("calls = %v, want %v", f.eng.Calls(), want)
	}
}

func TestStatusShowsAStartInProgress(t *testing.T) {
	f := newFixture(t, fakeToml)
	st, err := f.p.State()
	if err != nil {
		t.Fatal(err)
	}
	// Another process's start: it holds the lock and records its progress.
	unlock, err := st.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	prog := newProgress(st)
	prog.set("minio", "pulling")
	v, err := f.stack.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c := v.Services[2].Containers[0]; c.Component != "minio" || c.State != "pulling" || v.Services[2].State != "starting" {
		t.Errorf("minio during a start: %+v (service %s)", c, v.Services[2].State)
	}
	prog.clear()
	unlock()
	// Once the lock is free, a leftover file means nothing.
	prog.set("minio", "pulling")
	if v, _ := f.stack.Status(context.Background()); v.Services[2].Containers[0].State != "not created" {
		t.Errorf("stale progress shown: %+v", v.Services[2].Containers[0])
	}
}

// pip's cache is one volume every project's JupyterLab setup shares: it
// carries gaiaflow's kind label and no project's, so neither stopping with
// volumes nor cleanup removes it, and a volume of that name gaiaflow did not
// create is refused, not used.
func TestPipCacheVolumeIsSharedAndOutlivesProjects(t *testing.T) {
	f := newFixture(t, fakeToml)
	if err := f.start(StartOptions{Services: []string{"jupyter"}}); err != nil {
		t.Fatal(err)
	}
	v, err := f.eng.FindVolume(context.Background(), PipCacheVolume)
	if err != nil {
		t.Fatal(err)
	}
	if v.Labels[LabelKind] != "pip-cache" || v.Labels[LabelProject] != "" {
		t.Errorf("labels of %s = %v", PipCacheVolume, v.Labels)
	}
	deps := f.eng.spec(t, "jupyter-deps")
	if !slices.ContainsFunc(deps.Mounts, func(m docker.Mount) bool { return m.Source == PipCacheVolume && m.Target == jupyterPipCache }) ||
		!slices.Contains(deps.Env, "PIP_CACHE_DIR="+jupyterPipCache) {
		t.Errorf("jupyter-deps: mounts %v env %v", deps.Mounts, deps.Env)
	}
	if slices.ContainsFunc(f.eng.spec(t, "jupyter").Mounts, func(m docker.Mount) bool { return m.Source == PipCacheVolume }) {
		t.Error("JupyterLab itself mounts the shared cache")
	}
	// The environments: the setup writes them, JupyterLab only reads.
	envs, err := f.eng.FindVolume(context.Background(), JupyterEnvsVolume)
	if err != nil || envs.Labels[LabelKind] != "jupyter-envs" || envs.Labels[LabelProject] != "" {
		t.Errorf("%s: %v %v", JupyterEnvsVolume, envs.Labels, err)
	}
	mounts := func(component string, readOnly bool) bool {
		return slices.ContainsFunc(f.eng.spec(t, component).Mounts, func(m docker.Mount) bool {
			return m.Source == JupyterEnvsVolume && m.Target == jupyterEnvs && m.ReadOnly == readOnly
		})
	}
	if !mounts("jupyter-deps", false) || !mounts("jupyter", true) {
		t.Errorf("mounts of %s: setup %v, JupyterLab %v", JupyterEnvsVolume, f.eng.spec(t, "jupyter-deps").Mounts, f.eng.spec(t, "jupyter").Mounts)
	}

	ctx := context.Background()
	if err := f.stack.Stop(ctx, StopOptions{Services: []string{"jupyter"}, Volumes: true}); err != nil {
		t.Fatal(err)
	}
	cp, err := f.stack.PlanCleanup(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.stack.Cleanup(ctx, cp); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{PipCacheVolume, JupyterEnvsVolume} {
		if _, err := f.eng.FindVolume(ctx, v); err != nil {
			t.Errorf("after stop --delete-volume and cleanup --prune: %v", err)
		}
	}
	if _, err := f.eng.FindVolume(ctx, VolumeName(f.p.ID(), "jupyter-home")); err == nil {
		t.Error("the project's own jupyter-home volume is left")
	}

	// Someone else's volume of that name.
	g := newFixture(t, fakeToml)
	if err := g.eng.CreateVolume(ctx, PipCacheVolume, map[string]string{"owner": "someone"}); err != nil {
		t.Fatal(err)
	}
	err = g.start(StartOptions{Services: []string{"jupyter"}})
	if err == nil || !strings.Contains(err.Error(), "volume gaiaflow-pip-cache exists but was not created by gaiaflow") {
		t.Errorf("start with a foreign %s: %v", PipCacheVolume, err)
	}
	if slices.ContainsFunc(g.eng.Calls(), func(c string) bool {
		return strings.HasPrefix(c, "create ") && !strings.HasPrefix(c, "create network ") && !strings.HasPrefix(c, "create volume ")
	}) {
		t.Errorf("containers created despite the refusal: %v", g.eng.Calls())
	}
}
