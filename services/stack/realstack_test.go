package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
)

// TestRealDockerStackLifecycle is the whole journey on the real engine:
// every service up in dependency order and in parallel, healthy in status,
// logs streaming, data kept across stop and start, a second start that
// changes nothing, a changed setting that recreates one container, and a
// cleanup that leaves no labelled resource and nothing of anyone else.
func TestRealDockerStackLifecycle(t *testing.T) {
	f, img := slowFixture(t, "1500ms")
	c, base, slowDB, slowAirflow := f.c, img.mlflow, img.postgres, img.airflow
	ctx := context.Background()

	began := time.Now()
	if err := f.start(StartOptions{}); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Logf("first start: %v", time.Since(began))

	// Dependency order.
	before := func(a, aState, b, bState string) {
		t.Helper()
		ta, tb := f.rec.at(a, aState), f.rec.at(b, bState)
		if ta.IsZero() || tb.IsZero() || ta.After(tb) {
			t.Errorf("%s %s (%v) is not before %s %s (%v)", a, aState, ta.Format(time.StampMilli), b, bState, tb.Format(time.StampMilli))
		}
	}
	before("postgres-airflow", "healthy", "airflow-init", "starting")
	for _, comp := range []string{"airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"} {
		before("airflow-init", "completed", comp, "starting")
	}
	before("postgres-mlflow", "healthy", "mlflow", "starting")
	before("minio", "healthy", "mlflow", "starting")
	before("jupyter-deps", "completed", "jupyter", "starting")
	// Parallel start: the roots all started before the first database was ready.
	firstDB := f.rec.at("postgres-airflow", "healthy")
	for _, comp := range []string{"postgres-mlflow", "minio", "jupyter-deps"} {
		if s := f.rec.at(comp, "starting"); s.IsZero() || s.After(firstDB) {
			t.Errorf("%s started at %v, after postgres-airflow was ready at %v", comp, s.Format(time.StampMilli), firstDB.Format(time.StampMilli))
		}
	}
	// The readiness wait covered the api-server's slow start.
	if d := f.rec.at("airflow-api-server", "healthy").Sub(f.rec.at("airflow-api-server", "starting")); d < 2*time.Second {
		t.Errorf("api-server was ready %v after its start, before its 2s delay", d)
	}

	// Status says healthy, as JSON too.
	v, err := f.stack.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Healthy() {
		out, _ := json.MarshalIndent(v, "", "  ")
		t.Fatalf("status is not healthy:\n%s", out)
	}
	out, _ := json.Marshal(v)
	if strings.Count(string(out), `"state":"healthy"`) < 4 {
		t.Errorf("status JSON: %s", out)
	}

	// Logs stream with follow.
	lctx, stopLogs := context.WithCancel(ctx)
	lines := make(chan LogLine, 100)
	logsDone := make(chan error, 1)
	go func() {
		logsDone <- f.stack.Logs(lctx, LogOptions{Names: []string{"airflow-scheduler"}, Follow: true, Tail: 0}, func(l LogLine) {
			select {
			case lines <- l:
			default:
			}
		})
	}()
	select {
	case l := <-lines:
		if l.Component != "airflow-scheduler" || !strings.Contains(l.Text, "heartbeat") {
			t.Errorf("streamed line = %+v", l)
		}
	case <-time.After(10 * time.Second):
		t.Error("logs -f streamed nothing new in 10s")
	}
	stopLogs()
	if err := <-logsDone; err != nil {
		t.Errorf("logs: %v", err)
	}

	// Data in a volume survives stop and start.
	s3 := fmt.Sprintf("http://127.0.0.1:%d/mlflow/kept.txt", f.ports[2])
	req, _ := http.NewRequest(http.MethodPut, s3, strings.NewReader("precious"))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("put object: %v %v", resp, err)
	}
	idsBefore := f.ids()
	if err := f.stack.Stop(ctx, StopOptions{}); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.stack.Status(ctx); v.Services[0].State != "stopped" || v.Services[2].State != "stopped" {
		t.Errorf("after stop: airflow %s, minio %s", v.Services[0].State, v.Services[2].State)
	}
	if err := f.start(StartOptions{}); err != nil {
		t.Fatalf("start after stop: %v", err)
	}
	resp, err := http.Get(s3)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "precious" {
		t.Errorf("after stop/start the object reads %q", body)
	}
	if !maps.Equal(idsBefore, f.ids()) {
		t.Errorf("stop/start recreated containers")
	}

	// A second start is a quick no-op.
	began = time.Now()
	if err := f.start(StartOptions{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("a start of a healthy stack took %v", d)
	}
	t.Logf("start of a healthy stack: %v", time.Since(began))
	if !maps.Equal(idsBefore, f.ids()) {
		t.Errorf("a second start recreated containers")
	}

	// A changed setting recreates only the container it changes.
	newPort := freePorts(t, 1)[0]
	toml := strings.Replace(realToml("gftest", images{slowAirflow, slowDB, base, base, base}, f.ports),
		fmt.Sprintf("port = %d\n", f.ports[4]), fmt.Sprintf("port = %d\n", newPort), 1)
	f.reload(toml)
	if err := f.start(StartOptions{}); err != nil {
		t.Fatal(err)
	}
	after := f.ids()
	for comp, id := range idsBefore {
		if changed := after[comp] != id; changed != (comp == "jupyter") {
			t.Errorf("%s recreated = %v", comp, changed)
		}
	}
	if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/api", newPort)); err != nil || resp.StatusCode != 200 {
		t.Errorf("jupyter on its new port: %v %v", resp, err)
	}

	// Cleanup with prune leaves nothing labelled, and nothing of anyone else.
	otherLabels := map[string]string{LabelProject: "other-" + f.p.ID()}
	otherID, err := c.CreateContainer(ctx, docker.ContainerSpec{Name: "gftest-other-" + f.p.ID(), Image: base, Labels: otherLabels})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.RemoveContainer(ctx, otherID) }()
	unlabelled := "gftest-unlabelled-" + f.p.ID()
	if err := c.CreateVolume(ctx, unlabelled, nil); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.RemoveVolume(ctx, unlabelled) }()
	cp, err := f.stack.PlanCleanup(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.stack.Cleanup(ctx, cp); err != nil {
		t.Fatal(err)
	}
	labels := ProjectLabels(f.p.ID())
	cs, _ := c.ListContainers(ctx, labels)
	ns, _ := c.ListNetworks(ctx, labels)
	vs, _ := c.ListVolumes(ctx, labels)
	is, _ := c.ListImages(ctx, labels)
	if len(cs)+len(ns)+len(vs)+len(is) != 0 {
		t.Errorf("left after cleanup: %d containers, %d networks, %d volumes, %d images", len(cs), len(ns), len(vs), len(is))
	}
	if _, err := c.InspectContainer(ctx, otherID); err != nil {
		t.Errorf("another project's container: %v", err)
	}
	if _, err := c.FindVolume(ctx, unlabelled); err != nil {
		t.Errorf("the unlabelled volume: %v", err)
	}
}

// TestRealDockerStackFailureReport starts Airflow with a scheduler that
// exits with code 3 and checks what the person is told.
func TestRealDockerStackFailureReport(t *testing.T) {
	c := realDocker(t)
	base := standin(t, c, nil)
	failing := standin(t, c, map[string]string{"STANDIN_SCHEDULER_EXIT": "3"})
	f := newRealFixture(t, images{airflow: failing, postgres: base, mlflow: base, minio: base, jupyter: base})
	err := f.start(StartOptions{Services: []string{"airflow"}, Wait: time.Minute})
	var se *StartError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a *StartError", err)
	}
	if len(se.Failures) != 1 {
		t.Fatalf("failures: %+v", se.Failures)
	}
	fl := se.Failures[0]
	if fl.Service != "airflow" || fl.Component != "airflow-scheduler" || fl.ExitCode != 3 || fl.OOMKilled {
		t.Errorf("failure = %+v", fl)
	}
	if fl.State == "" || fl.Container != ContainerName(f.p.ID(), "airflow-scheduler") {
		t.Errorf("state %q, container %q", fl.State, fl.Container)
	}
	if len(fl.Logs) != 20 || !strings.Contains(fl.Logs[len(fl.Logs)-1], "exiting with code 3") {
		t.Errorf("last log lines (%d): %q", len(fl.Logs), fl.Logs)
	}
	if !strings.Contains(err.Error(), "airflow: airflow-scheduler exited with code 3") {
		t.Errorf("error = %q", err)
	}
	t.Logf("report: %s; state %s, restarts %d", err, fl.State, fl.RestartCount)
}

// TestRealDockerStackPortClash holds a port and checks the start names its
// holder and suggests another, before creating anything.
func TestRealDockerStackPortClash(t *testing.T) {
	c := realDocker(t)
	f := newRealFixture(t, uniform(standin(t, c, nil)))
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", f.ports[2]))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	err = f.start(StartOptions{Services: []string{"minio"}})
	if err == nil {
		t.Fatal("start succeeded on a taken port")
	}
	want := fmt.Sprintf("port %d (minio) is taken by ", f.ports[2])
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "pid") {
		t.Errorf("error %q lacks %q and the holder", err, want)
	}
	if h := errs.HintOf(err); !strings.Contains(h, "services.minio.port = ") {
		t.Errorf("hint = %q", h)
	}
	if len(f.ids()) != 0 {
		t.Errorf("containers created despite the clash: %v", f.ids())
	}
}

// TestRealDockerStackCtrlC cancels a start while a database is starting
// and checks it returns at once, leaving only labelled resources.
func TestRealDockerStackCtrlC(t *testing.T) {
	c := realDocker(t)
	base := standin(t, c, nil)
	f := newRealFixture(t, images{airflow: base, postgres: standin(t, c, map[string]string{"STANDIN_POSTGRES_DELAY": "1m"}),
		mlflow: base, minio: base, jupyter: base})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.stack.Start(ctx, StartOptions{Wait: 2 * time.Minute}) }()
	deadline := time.Now().Add(time.Minute)
	for f.rec.at("postgres-airflow", "starting").IsZero() || f.rec.at("minio", "healthy").IsZero() {
		if time.Now().After(deadline) {
			t.Fatal("the start never got going")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the start did not return 10s after its cancellation")
	}
	// Everything named for the project carries its label.
	bg := context.Background()
	all, err := c.ListContainers(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ctr := range all {
		if strings.HasPrefix(ctr.Name, f.p.ID()) {
			n++
			if ctr.Labels[LabelProject] != f.p.ID() {
				t.Errorf("container %s is not labelled", ctr.Name)
			}
		}
	}
	if n == 0 {
		t.Error("no container was created before the cancellation")
	}
	vols, _ := c.ListVolumes(bg, nil)
	for _, v := range vols {
		if strings.HasPrefix(v.Name, f.p.ID()) && v.Labels[LabelProject] != f.p.ID() {
			t.Errorf("volume %s is not labelled", v.Name)
		}
	}
	if net, err := c.FindNetwork(bg, NetworkName(f.p.ID())); err != nil || net.Labels[LabelProject] != f.p.ID() {
		t.Errorf("network: %+v %v", net, err)
	}
	var buf bytes.Buffer
	for _, e := range f.rec.Events() {
		if e.State == "interrupted" {
			buf.WriteString(e.Message)
		}
	}
	if !strings.Contains(buf.String(), "gaiaflow dev stop") {
		t.Errorf("no word on the interruption: %q", buf.String())
	}
}
