package stack

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/project"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestContainerState(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	running := func(health string, started time.Duration) docker.ContainerInfo {
		return docker.ContainerInfo{Status: "running", Health: health, StartedAt: now.Add(-started)}
	}
	exited := func(code int, oom bool) docker.ContainerInfo {
		return docker.ContainerInfo{Status: "exited", ExitCode: code, OOMKilled: oom}
	}
	probeErr := errors.New("HTTP 503")
	for _, tc := range []struct {
		name    string
		oneShot bool
		info    docker.ContainerInfo
		probe   error
		want    string
	}{
		{"health check healthy", false, running("healthy", time.Hour), nil, "healthy"},
		{"health check starting, no probe", false, running("starting", time.Second), errNotProbed, "starting"},
		{"health check starting, probe fails", false, running("starting", time.Second), probeErr, "starting"},
		// dev start waited for the probe: status agrees with it.
		{"health check starting, probe passes", false, running("starting", time.Second), nil, "healthy"},
		{"health check unhealthy", false, running("unhealthy", time.Hour), nil, "unhealthy"},
		{"probe passes", false, running("", time.Hour), nil, "healthy"},
		{"no health check, no probe", false, running("", time.Second), errNotProbed, "healthy"},
		{"probe fails early", false, running("", 10*time.Second), probeErr, "starting"},
		{"probe fails late", false, running("", time.Hour), probeErr, "unhealthy"},
		{"stopped by signal", false, exited(143, false), nil, "stopped"},
		{"stopped cleanly", false, exited(0, false), nil, "stopped"},
		{"crashed", false, exited(3, false), nil, "exited"},
		{"killed for memory", false, exited(137, true), nil, "exited"},
		{"one-shot done", true, exited(0, false), nil, "completed"},
		{"one-shot failed", true, exited(1, false), nil, "exited"},
		{"restarting", false, docker.ContainerInfo{Status: "restarting"}, nil, "restarting"},
		{"created", false, docker.ContainerInfo{Status: "created"}, nil, "created"},
	} {
		if got, _ := containerState(tc.oneShot, tc.info, tc.probe, now); got != tc.want {
			t.Errorf("%s: state %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	type svc struct {
		enabled bool
		cs      []ContainerStatus
	}
	ss := func(enabled bool, states ...string) svc {
		var cs []ContainerStatus
		for i, st := range states {
			cs = append(cs, ContainerStatus{Component: fmt.Sprintf("c%d", i), State: st})
		}
		return svc{enabled, cs}
	}
	for _, tc := range []struct {
		svc
		state, culprit string
	}{
		{ss(true, "healthy", "completed", "healthy"), "healthy", ""},
		{ss(true, "healthy", "running"), "healthy", ""},
		{ss(true, "healthy", "starting"), "starting", "c1"},
		{ss(true, "healthy", "pulling"), "starting", "c1"},
		{ss(true, "created", "healthy"), "starting", "c0"},
		{ss(true, "healthy", "exited"), "unhealthy", "c1"},
		{ss(true, "restarting", "unhealthy", "exited"), "unhealthy", "c2"},
		{ss(true, "restarting", "unhealthy"), "unhealthy", "c1"},
		{ss(true, "stopped", "completed", "stopped"), "stopped", ""},
		{ss(true, "not created", "not created"), "not created", ""},
		{ss(false, "not created"), "disabled", ""},
		{ss(true, "healthy", "stopped"), "partial", "c1"},
		{ss(true, "healthy", "not created"), "partial", "c1"},
	} {
		state, culprit := Summarize(tc.enabled, tc.cs)
		if state != tc.state || culprit != tc.culprit {
			t.Errorf("%+v: %q %q, want %q %q", tc.cs, state, culprit, tc.state, tc.culprit)
		}
	}
}

func TestStatusAfterStart(t *testing.T) {
	f := newFixture(t, fakeToml)
	f.eng.behave["airflow-init"] = behaviour{exit: exitCode(0)}
	if err := f.start(StartOptions{Services: []string{"airflow", "minio"}}); err != nil {
		t.Fatal(err)
	}
	v, err := f.stack.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range v.Services {
		got[s.Name] = s.State
	}
	want := map[string]string{"airflow": "healthy", "minio": "healthy", "mlflow": "not created", "jupyter": "not created"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s is %q, want %q", k, got[k], w)
		}
	}
	if v.Healthy() {
		t.Error("Healthy() with enabled services not created")
	}
	api := v.Services[0].Containers[2]
	if api.Component != "airflow-api-server" || len(api.Ports) != 1 || api.Ports[0] != "127.0.0.1:8080->8080" || api.Uptime == "" {
		t.Errorf("api-server status = %+v", api)
	}
	if !strings.HasSuffix(v.Credentials, "credentials.json") {
		t.Errorf("credentials file = %q", v.Credentials)
	}
}

func TestCleanupTouchesOnlyThisProject(t *testing.T) {
	f := newFixture(t, fakeToml)
	if err := f.start(StartOptions{Services: []string{"minio"}}); err != nil {
		t.Fatal(err)
	}
	// Another project's container and volume, an unlabelled volume, and an
	// image built for this project.
	f.eng.containers["other"] = &fakeCtr{id: "other", name: "other-minio", status: "running",
		spec: docker.ContainerSpec{Labels: map[string]string{LabelProject: "other-1234", LabelComponent: "minio"}}}
	f.eng.volumes["other_data"] = docker.Resource{ID: "other_data", Name: "other_data", Labels: map[string]string{LabelProject: "other-1234"}}
	f.eng.volumes["precious"] = docker.Resource{ID: "precious", Name: "precious"}
	f.eng.imagesLbl = []docker.Resource{
		{ID: "sha256:task", Name: "demo:0.1.0", Labels: map[string]string{LabelProject: f.p.ID()}},
		{ID: "sha256:theirs", Name: "theirs:1", Labels: map[string]string{LabelProject: "other-1234"}},
	}
	// As engine 29's containerd store does: removing the task image shows
	// the builder's intermediate images, one after another, with its label.
	mine := map[string]string{LabelProject: f.p.ID()}
	f.eng.parentImg = map[string]docker.Resource{
		"sha256:task":   {ID: "sha256:step2", Name: "sha256:step2", Labels: mine},
		"sha256:step2":  {ID: "sha256:step1", Name: "sha256:step1", Labels: mine},
		"sha256:theirs": {ID: "sha256:theirs0", Name: "sha256:theirs0", Labels: map[string]string{LabelProject: "other-1234"}},
	}
	ctx := context.Background()
	cp, err := f.stack.PlanCleanup(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(cp.Containers) != 1 || len(cp.Networks) != 1 || len(cp.Volumes) != 0 || len(cp.Images) != 0 {
		t.Errorf("plan without prune = %+v", cp)
	}
	if cp, err = f.stack.PlanCleanup(ctx, true); err != nil {
		t.Fatal(err)
	}
	if len(cp.Volumes) != 1 || len(cp.Images) != 1 || cp.Images[0].Name != "demo:0.1.0" {
		t.Errorf("plan with prune = %+v", cp)
	}
	if err := f.stack.Cleanup(ctx, cp); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.eng.containers["other"]; !ok {
		t.Error("another project's container was removed")
	}
	for _, v := range []string{"other_data", "precious"} {
		if _, ok := f.eng.volumes[v]; !ok {
			t.Errorf("volume %s was removed", v)
		}
	}
	if len(f.eng.imagesLbl) != 1 || f.eng.imagesLbl[0].Name != "theirs:1" {
		t.Errorf("images left: %v", f.eng.imagesLbl)
	}
	if cp, _ := f.stack.PlanCleanup(ctx, true); !cp.Empty() {
		t.Errorf("left after cleanup: %+v", cp)
	}
}

func TestLogs(t *testing.T) {
	f := newFixture(t, fakeToml)
	f.eng.behave["airflow-init"] = behaviour{exit: exitCode(0), logs: []string{"migrated"}}
	f.eng.behave["airflow-scheduler"] = behaviour{logs: []string{"one", "two"}}
	if err := f.start(StartOptions{Services: []string{"airflow"}}); err != nil {
		t.Fatal(err)
	}
	var lines []string
	err := f.stack.Logs(context.Background(), LogOptions{Names: []string{"airflow-scheduler", "airflow-init"}, Tail: -1}, func(l LogLine) {
		lines = append(lines, l.Component+": "+l.Text)
	})
	if err != nil {
		t.Fatal(err)
	}
	// In plan order, whatever order they were asked in.
	if want := []string{"airflow-init: migrated", "airflow-scheduler: one", "airflow-scheduler: two"}; !slices.Equal(lines, want) {
		t.Errorf("lines = %v", lines)
	}
	if err := f.stack.Logs(context.Background(), LogOptions{Names: []string{"redis"}}, func(LogLine) {}); err == nil {
		t.Error("unknown name accepted")
	}
}

func TestLineWriter(t *testing.T) {
	var got []string
	w := &lineWriter{f: func(s string) { got = append(got, s) }}
	_, _ = w.Write([]byte("a\nb"))
	_, _ = w.Write([]byte("c\r\nd"))
	w.flush()
	if !slices.Equal(got, []string{"a", "bc", "d"}) {
		t.Errorf("lines = %q", got)
	}
}

func TestComposeGolden(t *testing.T) {
	cfg := project.Default("demo", "demo")
	p := &project.Project{Dir: "/home/me/demo", Config: cfg}
	got := Compose(ComposeInput{Project: p, Layout: testInput("dev").Layout, TaskImage: "demo:0.1.0",
		CredentialsFile: "~/.local/state/gaiaflow/projects/demo-x/credentials.json"})
	golden := filepath.Join("testdata", "compose.golden.yaml")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("compose output differs from %s (run with -update and review the diff)", golden)
	}
	for _, s := range []string{"minio123", "admin:admin@"} {
		if strings.Contains(string(got), s) {
			t.Errorf("compose contains %q", s)
		}
	}
}

func TestChangesFollowEvents(t *testing.T) {
	f := newFixture(t, fakeToml)
	ctx, cancel := context.WithCancel(context.Background())
	changes := f.stack.Changes(ctx)
	// Subscribed once the fake has a subscriber.
	for {
		f.eng.mu.Lock()
		n := len(f.eng.subs)
		f.eng.mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case <-changes:
		t.Fatal("a change before anything changed")
	default:
	}
	if err := f.start(StartOptions{Services: []string{"minio"}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changes:
	case <-time.After(time.Second):
		t.Fatal("no change signalled by a start")
	}
	cancel()
	for range changes {
	}
}

// The exported file runs the Airflow runtime image `dev start` runs, not
// the configured image it extends.
func TestComposeNamesTheAirflowRuntimeImage(t *testing.T) {
	cfg := project.Default("demo", "demo")
	p := &project.Project{Dir: "/home/me/demo", Config: cfg}
	const runtime = "gaiaflow/demo-12345678-airflow:0123456789ab"
	got := string(Compose(ComposeInput{Project: p, Layout: testInput("dev").Layout, AirflowImage: runtime}))
	for _, c := range []string{"airflow-init", "airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"} {
		i := strings.Index(got, "\n  "+c+":\n")
		if i < 0 {
			t.Fatalf("no service %s in:\n%s", c, got)
		}
		if !strings.HasPrefix(got[i+len("\n  "+c+":\n"):], `    image: "`+runtime+`"`) {
			t.Errorf("service %s does not run %s", c, runtime)
		}
	}
	if strings.Contains(got, `image: "`+cfg.Services.Airflow.Image+`"`) {
		t.Errorf("the configured Airflow image %s is still named", cfg.Services.Airflow.Image)
	}
}
