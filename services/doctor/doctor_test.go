package doctor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/hostports"
	"github.com/gaiaflow/gaiaflow/services/project"
)

type fakeEngine struct {
	info  docker.EngineInfo
	err   error
	ports map[int]docker.PortUser
	// images the engine has; registry answers by ref (a digest, or an error)
	images   map[string]bool
	registry map[string]error
}

func (f fakeEngine) InspectImage(_ context.Context, ref string) (docker.ImageInfo, bool, error) {
	return docker.ImageInfo{ID: "sha256:0123456789abcdef0123"}, f.images[ref], nil
}

func (f fakeEngine) RegistryDigest(_ context.Context, ref string) (string, error) {
	if err, ok := f.registry[ref]; ok {
		return "", err
	}
	return "sha256:fedcba9876543210fedc", nil
}

func (f fakeEngine) Info(context.Context) (docker.EngineInfo, error) { return f.info, f.err }
func (f fakeEngine) PublishedPorts(context.Context) (map[int]docker.PortUser, error) {
	return f.ports, nil
}

func testProject(t *testing.T, toml string) *project.Project {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, project.FileName), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Open(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func find(t *testing.T, checks []Check, name string) Check {
	t.Helper()
	for _, c := range checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", name, checks)
	return Check{}
}

// freePort returns a port nothing listens on (the kernel's pick, released).
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestPortsNameTheirOwners(t *testing.T) {
	// A real listener in this process holds the Airflow port.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port
	mlflow, minio, console, jupyter := freePort(t), freePort(t), freePort(t), freePort(t)
	p := testProject(t, "name = \"demo\"\npackage = \"demo\"\n"+
		"[services.airflow]\nport = "+strconv.Itoa(taken)+"\n"+
		"[services.mlflow]\nport = "+strconv.Itoa(mlflow)+"\n"+
		"[services.minio]\nport = "+strconv.Itoa(minio)+"\nconsole_port = "+strconv.Itoa(console)+"\n"+
		"[services.jupyter]\nport = "+strconv.Itoa(jupyter)+"\n")
	engine := fakeEngine{info: docker.EngineInfo{Version: "27.0", APIVersion: "1.46", NCPU: 8, MemTotal: 16 << 30},
		ports: map[int]docker.PortUser{
			mlflow: {Container: "someone-elses-mlflow", Project: "other-1234abcd"},
			minio:  {Container: "demo-minio", Project: p.ID()},
		}}
	env := DefaultEnv(engine, nil, p, t.TempDir())
	checks := Run(context.Background(), env)

	c := find(t, checks, "port "+strconv.Itoa(taken))
	if c.Status != Fail || !strings.Contains(c.Detail, "airflow") || !strings.Contains(c.Detail, "pid "+strconv.Itoa(os.Getpid())) {
		t.Errorf("taken port check = %+v, want fail naming this process", c)
	}
	if !strings.Contains(c.Hint, "services.airflow.port = ") {
		t.Errorf("hint does not suggest a free port: %q", c.Hint)
	}
	c = find(t, checks, "port "+strconv.Itoa(mlflow))
	if c.Status != Fail || !strings.Contains(c.Detail, "container someone-elses-mlflow") {
		t.Errorf("container-held port = %+v", c)
	}
	c = find(t, checks, "port "+strconv.Itoa(minio))
	if c.Status != OK || !strings.Contains(c.Detail, "this project's minio") {
		t.Errorf("own container's port = %+v", c)
	}
	if c := find(t, checks, "port "+strconv.Itoa(jupyter)); c.Status != OK {
		t.Errorf("free port = %+v", c)
	}
	if Worst(checks) != Fail {
		t.Error("Worst is not fail")
	}
}

func TestEngineDownAndSmallMachine(t *testing.T) {
	env := DefaultEnv(fakeEngine{err: errors.New("dial unix /var/run/docker.sock: connect: no such file")}, nil, nil, t.TempDir())
	env.Memory = func() (int64, error) { return 2 << 30, nil }
	env.DiskFree = func(string) (int64, error) { return 5 << 30, nil }
	env.PortFree = func(int) bool { return true }
	env.LookPath = func(string) (string, error) { return "", errors.New("not found") }
	checks := Run(context.Background(), env)
	if c := find(t, checks, "docker"); c.Status != Fail || c.Hint == "" {
		t.Errorf("docker = %+v", c)
	}
	if c := find(t, checks, "memory"); c.Status != Warn {
		t.Errorf("memory = %+v", c)
	}
	if c := find(t, checks, "disk"); c.Status != Warn {
		t.Errorf("disk = %+v", c)
	}
	if c := find(t, checks, "minikube"); c.Status != Warn || !strings.Contains(c.Hint, "install minikube") {
		t.Errorf("minikube = %+v", c)
	}
}

func TestSuggestSkipsTakenPorts(t *testing.T) {
	base := freePort(t)
	got := hostports.Suggest(base, map[int]bool{base + 1: true})
	if got == 0 || got == base+1 || got <= base {
		t.Errorf("Suggest(%d) = %d", base, got)
	}
}

// Every image the stack starts from gets one check, named by every key that
// names it; what the engine and the registry answer decides its status, and
// an unreachable registry is "not checked", never ok.
func TestImagesByWhatTheRegistrySays(t *testing.T) {
	p := testProject(t, "name = \"demo\"\npackage = \"demo\"\n"+
		"[services.airflow]\nimage = \"local/airflow:1\"\ndb_image = \"reg.example/pg:17\"\n"+
		"[services.mlflow]\nimage = \"reg.example/mlflow:gone\"\ndb_image = \"reg.example/pg:17\"\n"+
		"[services.minio]\nimage = \"private.example/minio:1\"\n"+
		"[services.jupyter]\nenabled = false\nimage = \"reg.example/jupyter:1\"\n"+
		"[build]\nbase_image = \"offline.example/python:3.12-slim\"\n")
	engine := fakeEngine{info: docker.EngineInfo{Version: "27.0", NCPU: 8, MemTotal: 16 << 30},
		images: map[string]bool{"local/airflow:1": true},
		registry: map[string]error{
			"reg.example/mlflow:gone":          fmt.Errorf("x: %w", docker.ErrNotInRegistry),
			"private.example/minio:1":          fmt.Errorf("x: %w", docker.ErrRegistryDenied),
			"offline.example/python:3.12-slim": fmt.Errorf("ask the registry: %w", errors.New("dial tcp: lookup offline.example: no such host")),
		}}
	env := DefaultEnv(engine, nil, p, t.TempDir())
	env.PortFree = func(int) bool { return true }
	checks := Run(context.Background(), env)
	for _, c := range []struct {
		name   string
		status Status
		detail string
		hint   string
	}{
		{"image services.airflow.image", OK, "present on the engine", ""},
		{"image services.airflow.db_image, services.mlflow.db_image", OK, "in its registry (sha256:fedcba987654)", ""},
		{"image services.mlflow.image", Fail, "has no such image", "set services.mlflow.image in gaiaflow.toml"},
		{"image services.minio.image", NotChecked, "refused an anonymous request", "docker login"},
		{"image build.base_image", NotChecked, "not checked: no registry answered (dial tcp: lookup offline.example: no such host)", "point build.base_image at one"},
	} {
		got := find(t, checks, c.name)
		if got.Status != c.status || !strings.Contains(got.Detail, c.detail) || !strings.Contains(got.Hint, c.hint) {
			t.Errorf("%s: got %+v, want status %s, detail with %q, hint with %q", c.name, got, c.status, c.detail, c.hint)
		}
	}
	for _, c := range checks {
		if strings.Contains(c.Name, "jupyter") {
			t.Errorf("a disabled service's image was checked: %+v", c)
		}
	}
	if Worst(checks) != Fail {
		t.Errorf("Worst = %s, want fail (the missing MLflow image)", Worst(checks))
	}
}

// Without an engine nothing can be asked: every image is "not checked".
func TestImagesWithoutEngineAreNotChecked(t *testing.T) {
	env := DefaultEnv(nil, errors.New("no engine"), nil, t.TempDir())
	env.PortFree = func(int) bool { return true }
	for _, c := range Run(context.Background(), env) {
		if strings.HasPrefix(c.Name, "image ") && c.Status != NotChecked {
			t.Errorf("%s: %s, want not checked", c.Name, c.Status)
		}
	}
}

// The engine's rows: which engine and API, what gaiaflow negotiated, the
// image store and the builder; an engine older than the oldest one the
// tests run on is a warning with a hint, never a failure.
func TestEngineRows(t *testing.T) {
	for _, c := range []struct {
		name   string
		info   docker.EngineInfo
		status Status
		rows   map[string]string // row name -> text its detail contains
		hint   string
	}{
		{"engine 29, containerd store", docker.EngineInfo{Version: "29.8.1", APIVersion: "1.56", ClientAPIVersion: "1.51",
			OS: "linux", Arch: "amd64", ImageStore: docker.ImageStoreContainerd, StorageDriver: "overlayfs", DefaultBuilder: "buildkit"},
			OK, map[string]string{
				"docker":             "engine 29.8.1, API 1.56 (gaiaflow speaks 1.51), linux/amd64",
				"docker image store": "containerd (snapshotter overlayfs)",
				"docker builder":     "classic (gaiaflow asks for it; the engine's default is BuildKit)",
			}, ""},
		{"engine 20.10, overlay2", docker.EngineInfo{Version: "20.10.24", APIVersion: "1.41", ClientAPIVersion: "1.41",
			OS: "linux", Arch: "arm64", ImageStore: docker.ImageStoreGraphDriver, StorageDriver: "overlay2", DefaultBuilder: "classic"},
			OK, map[string]string{
				"docker":             "engine 20.10.24, API 1.41, linux/arm64",
				"docker image store": "overlay2 (graph driver)",
				"docker builder":     "classic (the engine's default)",
			}, ""},
		{"engine 19.03", docker.EngineInfo{Version: "19.03.15", APIVersion: "1.40", ClientAPIVersion: "1.40", OS: "linux", Arch: "amd64"},
			Warn, map[string]string{
				"docker":         "engine 19.03.15, API 1.40, linux/amd64; older than the oldest engine gaiaflow is tested on (Docker 20.10, API 1.41)",
				"docker builder": "classic (gaiaflow asks for it)",
			}, "upgrade Docker to 20.10 or later"},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := DefaultEnv(fakeEngine{info: c.info}, nil, nil, t.TempDir())
			env.PortFree = func(int) bool { return true }
			checks := Run(context.Background(), env)
			d := find(t, checks, "docker")
			if d.Status != c.status || d.Hint != c.hint {
				t.Errorf("docker = %+v, want %s with hint %q", d, c.status, c.hint)
			}
			for name, want := range c.rows {
				if got := find(t, checks, name); !strings.Contains(got.Detail, want) || (name != "docker" && got.Status != OK) {
					t.Errorf("%s = %+v, want ok with %q", name, got, want)
				}
			}
			if c.info.ImageStore == "" {
				for _, ch := range checks {
					if ch.Name == "docker image store" {
						t.Errorf("an image store row for an engine that did not say: %+v", ch)
					}
				}
			}
		})
	}
}

func TestOlder(t *testing.T) {
	for _, c := range []struct {
		v, min string
		want   bool
	}{
		{"1.40", "1.41", true}, {"1.41", "1.41", false}, {"1.9", "1.41", true}, {"1.100", "1.41", false},
		{"2.0", "1.41", false}, {"0.99", "1.41", true}, {"", "1.41", false}, {"x.y", "1.41", false},
	} {
		if got := older(c.v, c.min); got != c.want {
			t.Errorf("older(%q, %q) = %v, want %v", c.v, c.min, got, c.want)
		}
	}
}
