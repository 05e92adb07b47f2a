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

// TestRealDockerPipCacheSharedAcrossProjects proves the JupyterLab setup of
// a second project installs a dependency the first one downloaded from pip's
// shared cache (PipCacheVolume) instead of fetching it again: real pip in a
// Python image, a package index served by the test that counts downloads,
// two projects on the real engine. The package's name is new on every run,
// so no earlier run's cache can answer for it.
func TestRealDockerPipCacheSharedAcrossProjects(t *testing.T) {
	c := realDocker(t)
	py := buildtest.PythonBase(t, c)
	name := fmt.Sprintf("gfcache_probe_%d", time.Now().UnixNano())
	var whl bytes.Buffer
	file, err := buildtest.Wheel(&whl, name, "1.0", []buildtest.WheelFile{{Name: name + "/__init__.py", Body: "VALUE = 42\n"}})
	if err != nil {
		t.Fatal(err)
	}
	index := buildtest.ServeIndex(t, c, map[string][]byte{file: whl.Bytes()})
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
	project := func() *realFixture {
		f := newRealFixture(t, img)
		pyproject := fmt.Sprintf("[project]\nname = \"demo\"\nversion = \"0.1.0\"\ndependencies = [%q]\n", name+"==1.0")
		if err := os.WriteFile(filepath.Join(f.p.Dir, "pyproject.toml"), []byte(pyproject), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := f.start(StartOptions{Services: []string{"jupyter"}}); err != nil {
			t.Fatalf("start: %v\n%s", err, setupLog(f))
		}
		return f
	}

	first := project()
	if n := index.Downloads(file); n != 1 {
		t.Fatalf("the first project's setup downloaded %s %d times, want 1:\n%s", file, n, setupLog(first))
	}
	second := project()
	log := setupLog(second)
	if n := index.Downloads(file); n != 1 {
		t.Errorf("the second project's setup downloaded %s again (%d downloads in all):\n%s", file, n, log)
	}
	if !strings.Contains(log, "Successfully installed "+strings.ReplaceAll(name, "_", "-")+"-1.0") &&
		!strings.Contains(log, "Successfully installed "+name+"-1.0") {
		t.Errorf("the second project's setup did not install %s:\n%s", name, log)
	}

	// The cache outlives both projects' cleanup: it is no project's.
	first.cleanup()
	second.cleanup()
	v, err := c.FindVolume(context.Background(), PipCacheVolume)
	if err != nil || v.Labels[LabelKind] != kindPipCache || v.Labels[LabelProject] != "" {
		t.Errorf("after both cleanups: %s %+v %v", PipCacheVolume, v.Labels, err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
