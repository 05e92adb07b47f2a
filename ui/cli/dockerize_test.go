package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/pylib"
	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/build/buildtest"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/minikube/minikubetest"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// TestRealDockerStandInMinikubeProdLocalDockerize builds a task image on
// the real engine and loads it into the cluster through the stand-in
// minikube (no cluster can run here): refused while the cluster is not
// running, then `minikube image load IMAGE -p PROFILE` and the image recorded
// for the minikube target.
func TestRealDockerStandInMinikubeProdLocalDockerize(t *testing.T) {
	c := buildtest.Client(t)
	base := buildtest.PythonBase(t, c)
	h := newPL(t)
	buildtest.WriteProject(t, h.dir, base)
	image := "gaiaflow-test/pl-dockerize:0.1.0"
	t.Cleanup(func() { _ = c.RemoveImage(context.Background(), image, docker.RemoveImageOptions{Force: true}) })

	h.standIn.Absent()
	r := h.run("--no-tui", "prod-local", "dockerize", "-i", image)
	if r.code != 1 || !strings.Contains(r.err, "is not running") || !strings.Contains(r.err, "gaiaflow prod-local start") {
		t.Fatalf("with no cluster: exit %d\n%s", r.code, r.err)
	}
	if ok, _ := c.ImageExists(context.Background(), image); ok {
		t.Fatal("built an image although the cluster is not running")
	}

	h.standIn.Running()
	h.standIn.Answer("image_load", minikubetest.Answer{})
	r = h.run("--no-tui", "prod-local", "dockerize", "-i", image).ok(t, "prod-local dockerize")
	if !strings.Contains(r.out, "loading "+image+" into the cluster") || !strings.Contains(r.out, "gaiaflow mode set prod_local") {
		t.Errorf("output:\n%s", r.out)
	}
	loaded := false
	for _, call := range h.standIn.Calls() {
		if call.Key() == "image_load" && slices.Contains(call.Args, image) && slices.Contains(call.Args, "gaiaflow-demo") {
			loaded = true
		}
	}
	if !loaded {
		t.Errorf("no `minikube image load %s -p gaiaflow-demo` among %+v", image, h.standIn.Calls())
	}
	p, err := project.Open(h.dir, true)
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.State()
	if err != nil {
		t.Fatal(err)
	}
	ti, ok, err := st.TaskImage(build.TargetMinikube)
	if err != nil || !ok || ti.Image != image {
		t.Errorf("recorded for minikube: %+v %v %v", ti, ok, err)
	}
}

func TestDevDockerizeRefusesLatest(t *testing.T) {
	dir := newProjectDir(t, goodToml)
	for _, name := range []string{"demo:latest", "demo"} {
		r := run(t, dir, "dev", "dockerize", "-i", name)
		if r.code != 2 || !strings.Contains(r.err, "Kubernetes always tries to pull") {
			t.Errorf("-i %s: code %d, stderr %q", name, r.code, r.err)
		}
	}
}

// TestRealDockerDevDockerizeBundledLibrary is the "done when": the
// real binary's code path with the real bundled library builds a runnable
// task image, whose runner calls a package function and hands its value back
// where the pod operator reads it.
func TestRealDockerDevDockerizeBundledLibrary(t *testing.T) {
	c := buildtest.Client(t)
	base := buildtest.PythonBase(t, c)
	dir := t.TempDir()
	buildtest.WriteProject(t, dir, base)
	image := "gaiaflow-test/cli-bundled:0.1.0"
	r := run(t, dir, "--no-tui", "dev", "dockerize", "-i", image)
	if r.code != 0 {
		t.Fatalf("dockerize: exit %d\nstdout %s\nstderr %s", r.code, r.out, r.err)
	}
	res, err := c.RunTask(context.Background(), docker.TaskRun{
		Image: image,
		Env: []string{"GAIAFLOW_MODE=prod_local", "GAIAFLOW_RESULT_JSON=/tmp/return.json",
			`GAIAFLOW_CALL={"func_path": "demo.tasks:describe", "args": ["x\"y\n"], "kwargs": {}}`},
		ResultPath: "/tmp/return.json",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 0 {
		t.Fatalf("task exited %d\nstdout: %s\nstderr: %s", res.ExitCode, res.Stdout, res.Stderr)
	}
	var got map[string]any
	if err := json.Unmarshal(res.Result, &got); err != nil {
		t.Fatalf("result %q: %v", res.Result, err)
	}
	if got["name"] != "x\"y\n" {
		t.Errorf("result %v: the argument did not arrive intact", got)
	}
	version, err := c.RunTask(context.Background(), docker.TaskRun{Image: image,
		Cmd: []string{"python", "-c", "import gaiaflow; print(gaiaflow.__version__)"}})
	if err != nil || strings.TrimSpace(version.Stdout) != pylib.Version() {
		t.Errorf("library in the image is %q (%v), want the bundled %s", version.Stdout, err, pylib.Version())
	}
}

// TestRealDockerDevDockerizeBrokenStep runs `gaiaflow dev dockerize` on a
// project whose own Dockerfile fails: the step and its output are printed,
// the error names the step, the exit code is 1.
func TestRealDockerDevDockerizeBrokenStep(t *testing.T) {
	c := buildtest.Client(t)
	base := buildtest.PythonBase(t, c)
	dir := newProjectDir(t, goodToml)
	df := fmt.Sprintf("FROM %s\nRUN echo compiling && echo 'fatal: no such thing' >&2 && exit 7\n", base)
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "--no-tui", "dev", "dockerize", "-i", "gaiaflow-test/cli-broken:1")
	if r.code != 1 {
		t.Fatalf("code %d\nstdout %s\nstderr %s", r.code, r.out, r.err)
	}
	for _, want := range []string{"build context: ", ": RUN echo compiling", "  compiling", "  fatal: no such thing"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.out)
		}
	}
	if !strings.Contains(r.err, "error: dockerize: image build failed at step 2/") ||
		!strings.Contains(r.err, "non-zero code: 7") || !strings.Contains(r.err, "hint: the step's output is above") {
		t.Errorf("stderr %q", r.err)
	}
}

// TestRealDockerDevDockerizeJSON builds a task image through the command's
// code path with the stand-in library, with -o json: every line is a JSON
// object, the last one the result, and the image is recorded.
func TestRealDockerDevDockerizeJSON(t *testing.T) {
	c := buildtest.Client(t)
	base := buildtest.PythonBase(t, c)
	dir := t.TempDir()
	buildtest.WriteProject(t, dir, base)
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	var out, errb bytes.Buffer
	a := NewApp(strings.NewReader(""), &out, &errb)
	a.Opts = Options{Path: dir, Output: "json"}
	a.IsTerminal = func(any) bool { return false }
	defer a.close()
	a.Library = &build.Library{Version: buildtest.StandInVersion, Wheel: buildtest.StandInWheel}
	err := runDockerize(context.Background(), a, build.DockerizeOptions{Image: "gaiaflow-test/cli-demo:0.1.0", Target: build.TargetDocker})
	if err != nil {
		t.Fatalf("%v\nstderr %s\nstdout %s", err, errb.String(), out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var sawStep bool
	for i, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d is not JSON: %q", i+1, l)
		}
		if m["kind"] == "step" && m["scope"] == "build" && m["total"] != nil {
			sawStep = true
		}
	}
	if !sawStep {
		t.Error("no step event with a total")
	}
	var res struct {
		Kind  string `json:"kind"`
		Image string `json:"image"`
		ID    string `json:"id"`
		Steps []any  `json:"steps"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil || res.Kind != "result" ||
		res.Image != "gaiaflow-test/cli-demo:0.1.0" || res.ID == "" || len(res.Steps) == 0 {
		t.Errorf("last line %q (%v)", lines[len(lines)-1], err)
	}
	p, err := project.Open(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.State()
	if err != nil {
		t.Fatal(err)
	}
	status, err := build.CheckTaskImage(context.Background(), c, st, build.TargetDocker)
	if err != nil || !status.Ready() || status.ID != res.ID {
		t.Errorf("status %+v, %v", status, err)
	}
}
