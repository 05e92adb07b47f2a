package stack

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/testenv"
)

// Integration tests against the real Docker daemon. They build their own
// stand-in images (internal/standin in a FROM scratch image), label
// everything they create, and remove it when they end.

const labelTest = "io.gaiaflow.test"

var standins struct {
	once sync.Once
	err  error
	base string
	mu   sync.Mutex
	tags map[string]string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if standins.base != "" {
		if c, err := docker.New(os.Getenv); err == nil {
			ctx := context.Background()
			imgs, _ := c.ListImages(ctx, map[string]string{labelTest: "stack-standin"})
			// Variants first: they are children of the base.
			sort.Slice(imgs, func(i, j int) bool { return imgs[i].Name != standins.base && imgs[j].Name == standins.base })
			for _, im := range imgs {
				_ = c.RemoveImage(ctx, im.ID)
			}
			_ = c.Close()
		}
	}
	os.Exit(code)
}

func realDocker(t *testing.T) *docker.Client {
	t.Helper()
	testenv.RequireDocker(t)
	c, err := docker.New(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func tarFiles(files map[string][]byte) *bytes.Buffer {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		_ = tw.WriteHeader(&tar.Header{Name: n, Mode: 0o755, Size: int64(len(files[n])), ModTime: time.Unix(0, 0)})
		_, _ = tw.Write(files[n])
	}
	_ = tw.Close()
	return &buf
}

// standin returns a stand-in image whose behaviour env sets (see
// internal/standin), building the base image once per test binary.
func standin(t *testing.T, c *docker.Client, env map[string]string) string {
	t.Helper()
	ctx := context.Background()
	standins.once.Do(func() {
		bin := filepath.Join(t.TempDir(), "standin")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./internal/standin")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
		if out, err := cmd.CombinedOutput(); err != nil {
			standins.err = fmt.Errorf("build standin: %v\n%s", err, out)
			return
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			standins.err = err
			return
		}
		sum := sha256.Sum256(data)
		tag := "gaiaflow-test/standin:" + hex.EncodeToString(sum[:6])
		dockerfile := "FROM scratch\nCOPY standin /standin\nCOPY standin /usr/bin/pg_isready\nENTRYPOINT [\"/standin\"]\nCMD [\"postgres\"]\n"
		_, err = c.BuildImage(ctx, tarFiles(map[string][]byte{"Dockerfile": []byte(dockerfile), "standin": data}),
			docker.BuildOptions{Tags: []string{tag}, Labels: map[string]string{labelTest: "stack-standin"}}, nil)
		standins.err, standins.base, standins.tags = err, tag, map[string]string{}
	})
	if standins.err != nil {
		t.Fatal(standins.err)
	}
	if len(env) == 0 {
		return standins.base
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var df strings.Builder
	df.WriteString("FROM " + standins.base + "\n")
	for _, k := range keys {
		fmt.Fprintf(&df, "ENV %s=%s\n", k, env[k])
	}
	sum := sha256.Sum256([]byte(df.String()))
	tag := standins.base + "-" + hex.EncodeToString(sum[:4])
	standins.mu.Lock()
	defer standins.mu.Unlock()
	if standins.tags[tag] != "" {
		return tag
	}
	if _, err := c.BuildImage(ctx, tarFiles(map[string][]byte{"Dockerfile": []byte(df.String())}),
		docker.BuildOptions{Tags: []string{tag}, Labels: map[string]string{labelTest: "stack-standin"}}, nil); err != nil {
		t.Fatal(err)
	}
	standins.tags[tag] = tag
	return tag
}

// freePorts returns n host ports free right now.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		_ = l.Close()
	}
	return ports
}

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
