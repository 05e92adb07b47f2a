package build_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/build/buildtest"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/testenv"
)

// standInLibrary is a stand-in of the bundled gaiaflow library: its runner
// keeps the contract task images assume, nothing more.
func standInLibrary() build.Library {
	return build.Library{Version: buildtest.StandInVersion, Wheel: buildtest.StandInWheel}
}

// demoProject writes the test project and opens it, with its state in a
// temporary directory.
func demoProject(t *testing.T, base string) *project.Project {
	t.Helper()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir := t.TempDir()
	buildtest.WriteProject(t, dir, base)
	p, err := project.Open(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// unpickle decodes the runner's result file the way DockerOperator does.
func unpickle(t *testing.T, data []byte) string {
	t.Helper()
	py := testenv.Python(t)
	cmd := exec.Command(py, "-c", "import pickle, sys; sys.stdout.write(pickle.load(sys.stdin.buffer))")
	cmd.Stdin = strings.NewReader(string(data))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("unpickle the result: %v\n%s", err, out)
	}
	return string(out)
}

func stepOf(t *testing.T, res *build.Result, prefix string) build.Step {
	t.Helper()
	for _, s := range res.Steps {
		if strings.HasPrefix(s.Instruction, prefix) {
			return s
		}
	}
	t.Fatalf("no step starts with %q in %+v", prefix, res.Steps)
	return build.Step{}
}

// layerOf returns the layer an instruction made.
func layerOf(t *testing.T, c *docker.Client, image, fragment string) docker.HistoryEntry {
	t.Helper()
	hist, err := c.ImageHistory(context.Background(), image)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hist {
		if strings.Contains(h.CreatedBy, fragment) {
			return h
		}
	}
	t.Fatalf("no layer of %s was made by %q", image, fragment)
	return docker.HistoryEntry{}
}

// TestRealDockerDockerize builds a task image of a project on the real
// daemon, runs a task in it the way DockerOperator does, and rebuilds after a
// code-only change.
func TestRealDockerDockerize(t *testing.T) {
	c := buildtest.Client(t)
	start := time.Now()
	base := buildtest.PythonBase(t, c)
	t.Logf("Python base image %s ready after %s", base, time.Since(start).Round(time.Millisecond))
	p := demoProject(t, base)
	ctx := context.Background()
	image := "gaiaflow-test/dockerize-demo:0.1.0"
	b := &build.Builder{Engine: c, Library: standInLibrary()}

	before := buildtest.TreeState(t, p.Dir)
	start = time.Now()
	res, err := b.Dockerize(ctx, p, build.DockerizeOptions{Image: image}, event.Discard)
	if err != nil {
		var se *build.StepError
		if errors.As(err, &se) {
			t.Fatalf("%v\n%s", err, strings.Join(se.Output, "\n"))
		}
		t.Fatal(err)
	}
	t.Logf("first build: %s, %d of %d steps from cache, context %d bytes",
		time.Since(start).Round(time.Millisecond), res.CachedSteps(), len(res.Steps), res.Context.Bytes)
	if after := buildtest.TreeState(t, p.Dir); !reflect.DeepEqual(before, after) {
		t.Error("the project tree changed during dockerize")
	}

	// Recorded for the docker target, and ready.
	st, err := p.State()
	if err != nil {
		t.Fatal(err)
	}
	status, err := build.CheckTaskImage(ctx, c, st, build.TargetDocker)
	if err != nil || !status.Ready() || status.Image != image || status.ID != res.ID {
		t.Fatalf("CheckTaskImage = %+v, %v", status, err)
	}
	info, found, err := c.InspectImage(ctx, image)
	if err != nil || !found {
		t.Fatalf("InspectImage(%s) = %v, %v", image, found, err)
	}
	if info.Labels[docker.LabelProject] != p.ID() || info.Labels[build.LabelKind] != build.KindTaskImage {
		t.Errorf("labels %v", info.Labels)
	}
	// The base it started FROM bounds the step images its removal takes:
	// every step of the generated Dockerfile lies between the two.
	baseInfo, _, err := c.InspectImage(ctx, base)
	if err != nil || info.Labels[build.LabelBaseID] != baseInfo.ID {
		t.Errorf("base id label %q, want %s, the id of %s (%v)", info.Labels[build.LabelBaseID], baseInfo.ID, base, err)
	}
	if steps, err := c.BuildSteps(ctx, info.ID, baseInfo.ID); err != nil || len(steps) == 0 {
		t.Errorf("no step images found between the task image and its base: %v, %v", steps, err)
	}

	// A task, as DockerOperator runs it: the runner command, the call in the
	// environment, the result copied out of the stopped container.
	call := `{"func_path": "demo.tasks:describe", "args": ["x"], "kwargs": {}}`
	run, err := c.RunTask(ctx, docker.TaskRun{
		Image: image,
		Cmd:   []string{"python", "-m", "gaiaflow.runner"},
		Env: []string{"GAIAFLOW_MODE=dev_docker", "GAIAFLOW_RESULT_PICKLE=/tmp/gaiaflow-result.pickle",
			"GAIAFLOW_CALL=" + call},
		ResultPath: "/tmp/gaiaflow-result.pickle",
	})
	if err != nil {
		t.Fatal(err)
	}
	if run.ExitCode != 0 || run.Result == nil {
		t.Fatalf("task exited %d without a result\nstdout: %s\nstderr: %s", run.ExitCode, run.Stdout, run.Stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(unpickle(t, run.Result)), &got); err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"name": "x", "six": "1.17.0", "params": nil}; !reflect.DeepEqual(got, want) {
		t.Errorf("task result %v, want %v", got, want)
	}

	// Without a command the entry point runs the runner, which finds no call.
	run, err = c.RunTask(ctx, docker.TaskRun{Image: image})
	if err != nil {
		t.Fatal(err)
	}
	if run.ExitCode != 2 || !strings.Contains(run.Stderr, "GAIAFLOW_CALL") {
		t.Errorf("default command: exit %d, stderr %q; want the runner's exit 2", run.ExitCode, run.Stderr)
	}

	// What the context left out is not in the image.
	run, err = c.RunTask(ctx, docker.TaskRun{Image: image, Cmd: []string{"ls", "-A", "/opt/gaiaflow/project"}})
	if err != nil || run.ExitCode != 0 {
		t.Fatalf("ls: %v %+v", err, run)
	}
	listing := strings.Fields(run.Stdout)
	for _, want := range []string{"src", "dags", "pyproject.toml", "gaiaflow.toml", ".dockerignore"} {
		if !contains(listing, want) {
			t.Errorf("the image's project lacks %s: %q", want, listing)
		}
	}
	for _, gone := range []string{"data", "logs", "notebooks", ".venv", ".env", "README.md", ".git"} {
		if contains(listing, gone) {
			t.Errorf("the image's project holds %s: %q", gone, listing)
		}
	}

	// A code-only change: the dependency layer comes from the cache. The
	// change is unique to this run so the code step cannot be cached.
	tasks := filepath.Join(p.Dir, "src", "demo", "tasks.py")
	code, err := os.ReadFile(tasks)
	if err != nil {
		t.Fatal(err)
	}
	code = append(code, fmt.Sprintf("\n\ndef changed():\n    return %d\n", time.Now().UnixNano())...)
	if err := os.WriteFile(tasks, code, 0o644); err != nil {
		t.Fatal(err)
	}
	// History times have seconds: wait for the next one, so a layer made by
	// the rebuild cannot look older than it.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	start = time.Now()
	again, err := b.Dockerize(ctx, p, build.DockerizeOptions{Image: image}, event.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rebuild after a code-only change: %s, %d of %d steps from cache",
		time.Since(start).Round(time.Millisecond), again.CachedSteps(), len(again.Steps))
	if s := stepOf(t, again, "RUN pip install --upgrade -r /opt/gaiaflow/deps/"); !s.Cached {
		t.Errorf("the dependency step ran again after a code-only change: %+v", s)
	}
	if s := stepOf(t, again, "COPY . /opt/gaiaflow/project/"); s.Cached {
		t.Errorf("the code step came from the cache after a code change: %+v", s)
	}
	// The image's history agrees: its dependency layer predates the rebuild,
	// its code layer does not. (Layer ids are no proof: a parallel test
	// building the same steps may have made the cached twin.)
	if l := layerOf(t, c, again.ID, "pip install --upgrade -r /opt/gaiaflow/deps/"); !l.Created.Before(start.Truncate(time.Second)) {
		t.Errorf("the dependency layer was made at %s, during the rebuild (started %s)", l.Created, start)
	}
	if l := layerOf(t, c, again.ID, "COPY dir:"); l.Created.Before(start.Truncate(time.Second)) {
		t.Errorf("the code layer was made at %s, before the rebuild (started %s)", l.Created, start)
	}
	if again.ID == res.ID {
		t.Error("the code change did not make a new image")
	}
	// The first image lost its tag to the second; its own layers go, the
	// shared ones stay as the next run's cache.
	if err := c.RemoveImage(ctx, res.ID, docker.RemoveImageOptions{}); err != nil {
		t.Log(err)
	}
}

// TestRealDockerDockerizeBrokenStep builds a project whose own Dockerfile
// has a failing step: the error names the step and carries its output.
func TestRealDockerDockerizeBrokenStep(t *testing.T) {
	c := buildtest.Client(t)
	base := buildtest.PythonBase(t, c)
	p := demoProject(t, base)
	df := fmt.Sprintf("FROM %s\nRUN echo first-line-of-output && echo the-step-failed >&2 && exit 3\n", base)
	if err := os.WriteFile(filepath.Join(p.Dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := (&build.Builder{Engine: c}).Dockerize(context.Background(), p, build.DockerizeOptions{Image: "gaiaflow-test/broken:1"}, event.Discard)
	var se *build.StepError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a StepError", err)
	}
	if se.Step.Number != 2 || !strings.HasPrefix(se.Step.Instruction, "RUN echo first-line-of-output") {
		t.Errorf("failing step %+v", se.Step)
	}
	out := strings.Join(se.Output, "\n")
	if !strings.Contains(out, "first-line-of-output") || !strings.Contains(out, "the-step-failed") {
		t.Errorf("output %q lacks the step's lines", out)
	}
	if !strings.Contains(se.Message, "non-zero code: 3") {
		t.Errorf("message %q", se.Message)
	}
}

// removeRuntimeImage removes a runtime image and its dependency image when
// the test ends, keeping their layers as the next run's build cache.
func removeRuntimeImage(t *testing.T, c *docker.Client, tag string) {
	t.Helper()
	info, _, err := c.InspectImage(context.Background(), tag)
	if err != nil || info.Labels[build.LabelDepsImage] == "" {
		t.Fatalf("the runtime image %s names no dependency image: %v %v", tag, info.Labels, err)
	}
	t.Cleanup(func() {
		_ = c.RemoveImage(context.Background(), tag, docker.RemoveImageOptions{Force: true, KeepParents: true})
		_ = c.RemoveImage(context.Background(), info.Labels[build.LabelDepsImage], docker.RemoveImageOptions{KeepParents: true})
	})
}

// TestRealDockerAirflowImage derives the Airflow runtime image from a
// stand-in of the Airflow image, and checks its task environment against the
// mounted project.
func TestRealDockerAirflowImage(t *testing.T) {
	c := buildtest.Client(t)
	base := buildtest.PythonBase(t, c)
	p := demoProject(t, base)
	p.Config.Services.Airflow.Image = buildtest.AirflowStandIn(t, c, base)
	ctx := context.Background()
	b := &build.Builder{Engine: c, Library: standInLibrary()}
	start := time.Now()
	tag, err := b.AirflowImage(ctx, p, build.AirflowOptions{}, event.Discard)
	if err != nil {
		var se *build.StepError
		if errors.As(err, &se) {
			t.Fatalf("%v\n%s", err, strings.Join(se.Output, "\n"))
		}
		t.Fatal(err)
	}
	t.Logf("Airflow runtime image %s in %s", tag, time.Since(start).Round(time.Millisecond))
	// The tag names this run's project: remove it, keeping its layers as the
	// next run's build cache.
	removeRuntimeImage(t, c, tag)

	script := build.TaskPython + ` -c 'import demo, gaiaflow, six; print(demo.add(2, 3)["sum"], gaiaflow.__version__)'` +
		` && python3 -c 'import gaiaflow.runner; print(gaiaflow.runner.__file__)'` +
		` && id -un`
	run, err := c.RunTask(ctx, docker.TaskRun{
		Image: tag, Cmd: []string{"sh", "-c", script},
		Binds: []string{p.Dir + ":" + build.AirflowProjectDir + ":ro"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if run.ExitCode != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", run.ExitCode, run.Stdout, run.Stderr)
	}
	lines := strings.Split(strings.TrimSpace(run.Stdout), "\n")
	if len(lines) != 3 || lines[0] != "5 "+buildtest.StandInVersion ||
		!strings.HasPrefix(lines[1], "/home/airflow/env/") || lines[2] != "airflow" {
		t.Errorf("got %q: want the mounted package and the library in the task venv, the library in Airflow's env, and the airflow user", lines)
	}

	// Even a process that may write to the mounted project leaves no
	// caches in it.
	before := buildtest.TreeState(t, p.Dir)
	run, err = c.RunTask(ctx, docker.TaskRun{
		Image: tag, User: "0", Cmd: []string{build.TaskPython, "-c", "import demo.tasks"},
		Binds: []string{p.Dir + ":" + build.AirflowProjectDir},
	})
	if err != nil || run.ExitCode != 0 {
		t.Fatalf("import as root: %v, %+v", err, run)
	}
	if after := buildtest.TreeState(t, p.Dir); !reflect.DeepEqual(before, after) {
		t.Error("running the project's code in the Airflow image wrote into the project")
	}

	rec := &event.Recorder{}
	again, err := b.AirflowImage(ctx, p, build.AirflowOptions{}, rec)
	if err != nil || again != tag {
		t.Fatalf("second call = %q, %v; want %q", again, err, tag)
	}
	if ev := rec.Events(); len(ev) != 1 || ev[0].State != build.StateUpToDate {
		t.Errorf("second call reported %+v, want only up-to-date", ev)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestRealDockerCondaChannelsLocalChannel proves conda_source = "channels"
// against a conda channel this test builds and serves: a package that
// exists only in that channel ends up importable in the Airflow runtime
// image's task environment and in the task image, installed by the build
// (py-rattler from PyPI); python, pip and Airflow, which the stack
// provides, are left out and said to be.
func TestRealDockerCondaChannelsLocalChannel(t *testing.T) {
	c := buildtest.Client(t)
	base := buildtest.PythonBase(t, c)
	channel := buildtest.ServeChannel(t, c, buildtest.CondaChannel(t, testenv.Python(t), buildtest.CondaPackage{
		Name: "gaiaflow-channel-probe", Version: "1.0", Module: "gfchanprobe",
		Source: "VALUE = 'from the local channel'\n", Depends: []string{"python >=3.8"},
	}))
	p := demoProject(t, base)
	env := "name: demo\nchannels:\n  - " + channel + "\ndependencies:\n  - python >=3.10,<3.14\n  - pip\n  - apache-airflow\n  - gaiaflow-channel-probe\n"
	if err := os.WriteFile(filepath.Join(p.Dir, "environment.yml"), []byte(env), 0o644); err != nil {
		t.Fatal(err)
	}
	p.Config.Services.Airflow.Image = buildtest.AirflowStandIn(t, c, base)
	ctx := context.Background()
	b := &build.Builder{Engine: c, Library: standInLibrary()}
	fail := func(err error) {
		t.Helper()
		var se *build.StepError
		if errors.As(err, &se) {
			t.Fatalf("%v\n%s", err, strings.Join(se.Output, "\n"))
		}
		t.Fatal(err)
	}
	said := func(rec *event.Recorder) {
		t.Helper()
		for _, e := range rec.Events() {
			if e.Kind == event.Warn && strings.Contains(e.Message, "as the stack provides them: python (environment.yml), pip (environment.yml), apache-airflow (environment.yml)") {
				return
			}
		}
		t.Errorf("what the stack provides was not said: %+v", rec.Events())
	}
	probe := `import gfchanprobe, six, pathlib, sys; print(gfchanprobe.VALUE); ` +
		`print(sorted(p.name for p in pathlib.Path(sys.prefix, "conda-meta").glob("*.json")))`

	start := time.Now()
	rec := &event.Recorder{}
	tag, err := b.AirflowImage(ctx, p, build.AirflowOptions{}, rec)
	if err != nil {
		fail(err)
	}
	removeRuntimeImage(t, c, tag)
	t.Logf("Airflow runtime image with the channel's package in %s", time.Since(start).Round(time.Millisecond))
	said(rec)
	run, err := c.RunTask(ctx, docker.TaskRun{Image: tag, Cmd: []string{build.TaskPython, "-c", probe}})
	if err != nil || run.ExitCode != 0 {
		t.Fatalf("task environment: %v, %+v", err, run)
	}
	want := "from the local channel\n['gaiaflow-channel-probe-1.0-py_0.json', "
	if !strings.HasPrefix(run.Stdout, want) || strings.Contains(run.Stdout, "pip-") || strings.Contains(run.Stdout, "airflow") {
		t.Errorf("Airflow image's task environment:\n%s\nwant the channel's package and no conda python, pip or Airflow", run.Stdout)
	}

	start = time.Now()
	rec = &event.Recorder{}
	image := "gaiaflow-test/conda-channels:0.1.0"
	res, err := b.Dockerize(ctx, p, build.DockerizeOptions{Image: image}, rec)
	if err != nil {
		fail(err)
	}
	t.Cleanup(func() {
		_ = c.RemoveImage(context.Background(), image, docker.RemoveImageOptions{Force: true, KeepParents: true})
	})
	t.Logf("task image with the channel's package in %s", time.Since(start).Round(time.Millisecond))
	said(rec)
	run, err = c.RunTask(ctx, docker.TaskRun{Image: res.Image, Cmd: []string{"python", "-c", probe}})
	if err != nil || run.ExitCode != 0 {
		t.Fatalf("task image: %v, %+v", err, run)
	}
	if !strings.HasPrefix(run.Stdout, want) {
		t.Errorf("task image:\n%s", run.Stdout)
	}
}

// A project built with setuptools, as the original template's conda
// projects are (with the template's license file that does not exist), on
// a base whose venv comes with a setuptools too old to build wheels by
// itself: dockerize upgrades the build backend as build isolation would.
func TestRealDockerDockerizeSetuptoolsProject(t *testing.T) {
	c := buildtest.Client(t)
	base := buildtest.PythonBase(t, c)
	p := demoProject(t, base)
	pyproject := `[build-system]
requires = ["setuptools", "setuptools-scm"]
build-backend = "setuptools.build_meta"

[project]
name = "demo"
version = "0.0.1"
license = { file = "LICENSE", content-type = "text/plain" }
requires-python = ">=3.10"
dependencies = ["six==1.17.0"]

[tool.setuptools.packages.find]
where = ["src"]
`
	if err := os.WriteFile(filepath.Join(p.Dir, "pyproject.toml"), []byte(pyproject), 0o644); err != nil {
		t.Fatal(err)
	}
	image := "gaiaflow-test/dockerize-setuptools:0.0.1"
	b := &build.Builder{Engine: c, Library: standInLibrary()}
	if _, err := b.Dockerize(context.Background(), p, build.DockerizeOptions{Image: image}, event.Discard); err != nil {
		var se *build.StepError
		if errors.As(err, &se) {
			t.Fatalf("%v\n%s", err, strings.Join(se.Output, "\n"))
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.RemoveImage(context.Background(), image, docker.RemoveImageOptions{Force: true, KeepParents: true})
	})
	run, err := c.RunTask(context.Background(), docker.TaskRun{Image: image, Cmd: []string{"python", "-c", "import demo; print(demo.add(1, 2)['sum'])"}})
	if err != nil || run.ExitCode != 0 || strings.TrimSpace(run.Stdout) != "3" {
		t.Fatalf("%v %+v", err, run)
	}
}
