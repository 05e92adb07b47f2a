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
	t.Cleanup(func() { _ = c.RemoveImage(context.Background(), tag, docker.RemoveImageOptions{Force: true}) })
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
