package stack

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/build/buildtest"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/stack/stacktest"
)

// TestRealDockerJupyterSharedEnvsAndPipCache proves what projects share for
// JupyterLab's kernel, with real pip in a Python image, a package index
// served by the test that counts downloads, and three projects on the real
// engine: a second project with the same dependencies reuses the first's
// environment (JupyterEnvsVolume) and its kernel imports from it; a third
// whose dependencies differ builds its own, taking the package it shares
// with the others from pip's cache (PipCacheVolume), not the index. The
// packages' names are new on every run, so no earlier run's cache answers.
func TestRealDockerJupyterSharedEnvsAndPipCache(t *testing.T) {
	c := realDocker(t)
	py := buildtest.PythonBase(t, c)
	stamp := time.Now().UnixNano()
	wheels := map[string][]byte{}
	wheel := func(name string) (module, file string) {
		var whl bytes.Buffer
		file, err := buildtest.Wheel(&whl, name, "1.0", []buildtest.WheelFile{{Name: name + "/__init__.py", Body: "VALUE = 42\n"}})
		if err != nil {
			t.Fatal(err)
		}
		wheels[file] = whl.Bytes()
		return name, file
	}
	shared, sharedFile := wheel(fmt.Sprintf("gfcache_probe_%d", stamp))
	extra, extraFile := wheel(fmt.Sprintf("gfcache_extra_%d", stamp))
	index := buildtest.ServeIndex(t, c, wheels)
	host := must(url.Parse(index.URL)).Hostname()

	// The JupyterLab stand-in: real sh, Python and pip for the setup, the
	// stand-in program for `jupyter lab`, pip pointed at the test's index.
	entry := "#!/bin/sh\ncase \"$1\" in jupyter) exec /standin \"$@\";; *) exec \"$@\";; esac\n"
	pipConf := fmt.Sprintf("[global]\nindex-url = %s\ntrusted-host = %s\n", index.URL, host)
	jupyter := stacktest.Build(t, c, "jupyter-pip", map[string][]byte{
		"Dockerfile": []byte(fmt.Sprintf("FROM %s\nCOPY --from=%s /standin /standin\nCOPY entry /entry\nCOPY pip.conf /etc/pip.conf\nENTRYPOINT [\"/entry\"]\n",
			py, stacktest.Image(t, c, nil))),
		"entry":    []byte(entry),
		"pip.conf": []byte(pipConf),
	})
	base := standin(t, c, nil)
	img := images{airflow: base, postgres: base, mlflow: base, minio: base, jupyter: jupyter}

	setupLog := func(f *realFixture) string {
		t.Helper()
		var out bytes.Buffer
		if err := c.Logs(context.Background(), f.ids()["jupyter-deps"], docker.LogOptions{Tail: "all"}, &out, &out); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	project := func(deps ...string) *realFixture {
		f := newRealFixture(t, img)
		quoted := make([]string, len(deps))
		for i, d := range deps {
			quoted[i] = fmt.Sprintf("%q", d+"==1.0")
		}
		pyproject := fmt.Sprintf("[project]\nname = \"demo\"\nversion = \"0.1.0\"\ndependencies = [%s]\n", strings.Join(quoted, ", "))
		if err := os.WriteFile(filepath.Join(f.p.Dir, "pyproject.toml"), []byte(pyproject), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := f.start(StartOptions{Services: []string{"jupyter"}}); err != nil {
			t.Fatalf("start: %v\n%s", err, setupLog(f))
		}
		return f
	}
	// kernelImports runs the image's Python on the project's home the way
	// the kernel does (kernel.json's PYTHONPATH, the environments read-only)
	// and imports module.
	kernelImports := func(f *realFixture, module string) string {
		t.Helper()
		script := "import json, sys\n" +
			"k = json.load(open('/home/jovyan/.local/share/jupyter/kernels/python3/kernel.json'))\n" +
			"sys.path[:0] = k['env']['PYTHONPATH'].split(':')\n" +
			"import " + module + " as m\nprint(m.VALUE, m.__file__)\n"
		res, err := c.RunTask(context.Background(), docker.TaskRun{Image: jupyter, Cmd: []string{"python3", "-c", script},
			Binds: []string{VolumeName(f.p.ID(), "jupyter-home") + ":/home/jovyan:ro", JupyterEnvsVolume + ":" + jupyterEnvs + ":ro"}})
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("the kernel's import of %s: %v %+v", module, err, res)
		}
		return res.Stdout
	}

	first := project(shared)
	if n := index.Downloads(sharedFile); n != 1 {
		t.Fatalf("the first project's setup downloaded %s %d times, want 1:\n%s", sharedFile, n, setupLog(first))
	}
	firstAt := kernelImports(first, shared)
	if !strings.HasPrefix(firstAt, "42 "+jupyterEnvs+"/") {
		t.Errorf("the first project's kernel imported %s from %q, not from the shared environments", shared, firstAt)
	}

	second := project(shared)
	if log := setupLog(second); !strings.Contains(log, "reusing the environment") || strings.Contains(log, "Collecting") {
		t.Errorf("the second project's setup did not reuse the first's environment:\n%s", log)
	}
	if at := kernelImports(second, shared); at != firstAt {
		t.Errorf("the second project's kernel imported %s from %q, the first's from %q", shared, at, firstAt)
	}

	third := project(shared, extra)
	log := setupLog(third)
	if !strings.Contains(log, "installing the project's dependencies") {
		t.Errorf("the third project, whose dependencies differ, reused an environment:\n%s", log)
	}
	if n, m := index.Downloads(sharedFile), index.Downloads(extraFile); n != 1 || m != 1 {
		t.Errorf("downloads: %s %d (want 1: pip's cache has it), %s %d (want 1):\n%s", sharedFile, n, extraFile, m, log)
	}
	kernelImports(third, extra)

	// What is shared outlives every project's cleanup: it is no project's.
	for _, f := range []*realFixture{first, second, third} {
		f.cleanup()
	}
	for name, kind := range map[string]string{PipCacheVolume: kindPipCache, JupyterEnvsVolume: kindJupyterEnvs} {
		v, err := c.FindVolume(context.Background(), name)
		if err != nil || v.Labels[LabelKind] != kind || v.Labels[LabelProject] != "" {
			t.Errorf("after the cleanups: %s %+v %v", name, v.Labels, err)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
