package doctor

import (
	"context"
	"errors"
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
