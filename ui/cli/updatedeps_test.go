package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/build/buildtest"
	"github.com/gaiaflow/gaiaflow/services/docker"
)

// TestRealDockerUpdateDepsRebuildsTheRuntimeImage runs `dev update-deps`
// with Airflow stopped: the runtime image is built from the (stand-in)
// Airflow image with the project's dependency in the task venv, and a
// second run rebuilds it although nothing changed.
func TestRealDockerUpdateDepsRebuildsTheRuntimeImage(t *testing.T) {
	c := buildtest.Client(t)
	base := buildtest.PythonBase(t, c)
	airflow := buildtest.AirflowStandIn(t, c, base)
	dir := t.TempDir()
	buildtest.WriteProject(t, dir, base)
	f, err := os.OpenFile(filepath.Join(dir, "gaiaflow.toml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("\n[services.airflow]\nimage = \"" + airflow + "\"\n"); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	state := t.TempDir()

	// Before the build, export-compose names the runtime image to be and
	// says it is not built yet.
	before := runIn(t, dir, state, "--no-tui", "dev", "export-compose")
	if before.code != 0 || !strings.Contains(before.err, "is not built yet") {
		t.Fatalf("export-compose before the build: exit %d\n%s", before.code, before.err)
	}

	r := runIn(t, dir, state, "--no-tui", "dev", "update-deps")
	if r.code != 0 || !strings.Contains(r.out, "Airflow is not running: `gaiaflow dev start` will use it") {
		t.Fatalf("update-deps: exit %d\n%s\n%s", r.code, r.out, r.err)
	}
	tag := strings.Fields(strings.TrimPrefix(r.out[strings.LastIndex(r.out, "rebuilt "):], "rebuilt "))[0]
	tag = strings.TrimSuffix(tag, ";")
	info, found, err := c.InspectImage(context.Background(), tag)
	if err != nil || !found || info.Labels[build.LabelKind] != build.KindAirflowRuntime {
		t.Fatalf("runtime image %q: found %v, labels %v, %v", tag, found, info.Labels, err)
	}
	// The dependency image is shared, so no project's cleanup removes it:
	// the test does, after the image built on it.
	t.Cleanup(func() {
		_ = c.RemoveImage(context.Background(), tag, docker.RemoveImageOptions{Force: true})
		_ = c.RemoveImage(context.Background(), info.Labels[build.LabelDepsImage], docker.RemoveImageOptions{})
	})
	// export-compose runs the same image dev start runs, and has nothing to warn about.
	for _, out := range []string{before.out, runIn(t, dir, state, "--no-tui", "dev", "export-compose").out} {
		if !strings.Contains(out, `image: "`+tag+`"`) || strings.Contains(out, `image: "`+airflow+`"`) {
			t.Errorf("export-compose does not name the runtime image %s alone:\n%s", tag, out)
		}
	}
	if after := runIn(t, dir, state, "--no-tui", "dev", "export-compose"); after.err != "" {
		t.Errorf("export-compose after the build warns: %s", after.err)
	}
	res, err := c.RunTask(context.Background(), docker.TaskRun{Image: tag,
		Cmd: []string{build.TaskPython, "-c", "import six; print(six.__version__)"}})
	if err != nil || res.ExitCode != 0 || strings.TrimSpace(res.Stdout) != "1.17.0" {
		t.Fatalf("task venv of %s: %+v %v", tag, res, err)
	}

	r = runIn(t, dir, state, "--no-tui", "dev", "update-deps")
	if r.code != 0 {
		t.Fatalf("second update-deps: exit %d\n%s", r.code, r.err)
	}
	again, _, _ := c.InspectImage(context.Background(), tag)
	if again.ID == info.ID {
		t.Error("update-deps did not rebuild an image whose inputs were unchanged")
	}
}

func TestUpdateDepsRefusesWithoutExtendImage(t *testing.T) {
	dir := newProjectDir(t, goodToml+"[services.airflow]\nextend_image = false\n")
	r := run(t, dir, "dev", "update-deps")
	if r.code != 2 || !strings.Contains(r.err, "extend_image is false") {
		t.Errorf("exit %d: %s", r.code, r.err)
	}
}

// Without an engine to ask, export-compose still writes the file, naming the
// configured Airflow image, and says why on stderr.
func TestExportComposeWithoutAnEngine(t *testing.T) {
	dir := newProjectDir(t, goodToml+"[services.airflow]\nimage = \"example/airflow:3\"\n")
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-daemon.sock"))
	r := run(t, dir, "dev", "export-compose")
	if r.code != 0 || !strings.Contains(r.out, `image: "example/airflow:3"`) {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.out, r.err)
	}
	if !strings.HasPrefix(r.err, "warning: the file names example/airflow:3") || strings.Count(r.err, "\n") != 1 {
		t.Errorf("stderr = %q, want one warning line", r.err)
	}
}

// The original tool's flags are accepted: -s all, and -e/-t with one line
// saying they are not needed. Without an engine the start then fails as
// any start does.
func TestOriginalStartFlagsAreAccepted(t *testing.T) {
	dir := newProjectDir(t, goodToml)
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-daemon.sock"))
	r := run(t, dir, "dev", "start", "-s", "all", "-e", "my_package", "-t", "mamba", "--wait", "1s")
	if r.code == 2 || strings.Contains(r.err, "unknown") {
		t.Fatalf("flags refused: exit %d\n%s", r.code, r.err)
	}
	if strings.Count(r.err, "-e/--env and -t/--env-tool are not needed") != 1 {
		t.Errorf("stderr lacks the one-line note:\n%s", r.err)
	}
	r = run(t, dir, "dev", "stop", "-s", "all")
	if r.code == 2 {
		t.Errorf("stop -s all refused: %s", r.err)
	}
}
