package stack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/build/buildtest"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack/stacktest"
)

// Integration tests against the real Docker daemon. They build their own
// stand-in images (internal/standin in a FROM scratch image), label
// everything they create, and remove it when they end.

func TestMain(m *testing.M) {
	code := m.Run()
	stacktest.RemoveImages()
	os.Exit(code)
}

func realDocker(t *testing.T) *docker.Client {
	t.Helper()
	return buildtest.Client(t)
}

func standin(t *testing.T, c *docker.Client, env map[string]string) string {
	return stacktest.Image(t, c, env)
}

func freePorts(t *testing.T, n int) []int { return stacktest.FreePorts(t, n) }

// realFixture is a project whose every image is a stand-in, on the real engine.
type realFixture struct {
	t     *testing.T
	c     *docker.Client
	p     *project.Project
	stack *Stack
	rec   *timedRecorder
	ports []int
}

type images struct{ airflow, postgres, mlflow, minio, jupyter string }

func realToml(name string, img images, ports []int) string {
	return fmt.Sprintf(`name = %q
package = "demo"

[services.airflow]
image = %q
db_image = %q
port = %d
[services.mlflow]
image = %q
db_image = %q
port = %d
[services.minio]
image = %q
port = %d
console_port = %d
[services.jupyter]
image = %q
port = %d
`, name, img.airflow, img.postgres, ports[0], img.mlflow, img.postgres, ports[1], img.minio, ports[2], ports[3], img.jupyter, ports[4])
}

func newRealFixture(t *testing.T, img images) *realFixture {
	t.Helper()
	c := realDocker(t)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir := t.TempDir()
	ports := freePorts(t, 5)
	files := map[string]string{
		project.FileName:       realToml("gftest", img, ports),
		"pyproject.toml":       "[project]\nname = \"demo\"\nversion = \"0.1.0\"\ndependencies = [\"pandas\"]\n",
		"dags/demo_dag.py":     "# a DAG\n",
		"demo/__init__.py":     "",
		"notebooks/README.txt": "notes\n",
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := project.Open(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	f := &realFixture{t: t, c: c, p: p, rec: &timedRecorder{}, ports: ports}
	f.stack = f.newStack()
	t.Cleanup(f.cleanup)
	return f
}

func (f *realFixture) newStack() *Stack {
	return New(f.c, f.p, Options{Reporter: f.rec, ProbeInterval: 200 * time.Millisecond, StopTimeout: 5 * time.Second})
}

func (f *realFixture) reload(toml string) {
	f.t.Helper()
	if err := os.WriteFile(filepath.Join(f.p.Dir, project.FileName), []byte(toml), 0o644); err != nil {
		f.t.Fatal(err)
	}
	p, err := project.Open(f.p.Dir, true)
	if err != nil {
		f.t.Fatal(err)
	}
	f.p, f.stack = p, nil
	f.stack = f.newStack()
}

// cleanup removes everything labelled with the test's project.
func (f *realFixture) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cp, err := f.stack.PlanCleanup(ctx, true)
	if err == nil {
		err = f.stack.Cleanup(ctx, cp)
	}
	if err != nil {
		f.t.Errorf("cleanup: %v", err)
	}
}

func (f *realFixture) start(o StartOptions) error {
	f.t.Helper()
	if o.Wait == 0 {
		o.Wait = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	return f.stack.Start(ctx, o)
}

// ids returns the project's container ids by component.
func (f *realFixture) ids() map[string]string {
	f.t.Helper()
	list, err := f.c.ListContainers(context.Background(), ProjectLabels(f.p.ID()))
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range list {
		out[c.Labels[LabelComponent]] = c.ID
	}
	return out
}

func uniform(img string) images { return images{img, img, img, img, img} }
