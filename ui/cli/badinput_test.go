package cli

import (
	"bytes"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
)

// recorder is an HTTP server that answers every request with 500 and
// remembers it: a Docker engine on a unix socket, or an Airflow on a port.
type recorder struct {
	mu   sync.Mutex
	seen []string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.seen = append(r.seen, req.Method+" "+req.URL.Path)
	r.mu.Unlock()
	http.Error(w, "recorded", http.StatusInternalServerError)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.seen
	r.seen = nil
	return out
}

// listing is every file under dir with its size and mode, to tell that
// nothing was written.
func listing(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		fi, err := d.Info()
		if err == nil {
			lines = append(lines, strings.TrimPrefix(p, dir)+" "+fi.Mode().String()+" "+fi.ModTime().String())
		}
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// Bad input, as a new user types it, is refused with exit 2, a line and a
// hint, before anything is reached: not the Docker engine (a recording
// server on a unix socket as DOCKER_HOST), not Airflow or MLflow (recording
// servers on the project's ports), not minikube or the Kubernetes API, and
// no file is written in the project or the state directory.
func TestBadInputReachesNothing(t *testing.T) {
	sockDir, err := os.MkdirTemp("", "gf-rec")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	sock := filepath.Join(sockDir, "docker.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	engine := &recorder{}
	dsrv := &http.Server{Handler: engine}
	go func() { _ = dsrv.Serve(l) }()
	t.Cleanup(func() { _ = dsrv.Close() })
	airflow := &recorder{}
	asrv := httptest.NewServer(airflow)
	t.Cleanup(asrv.Close)
	port := asrv.Listener.Addr().(*net.TCPAddr).Port
	mlflow := &recorder{}
	msrv := httptest.NewServer(mlflow)
	t.Cleanup(msrv.Close)
	mlflowPort := msrv.Listener.Addr().(*net.TCPAddr).Port

	dir := newProjectDir(t, goodToml+"[services.airflow]\nport = "+strconv.Itoa(port)+"\n"+
		"[services.mlflow]\nport = "+strconv.Itoa(mlflowPort)+"\n")
	if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[project]\nname = \"demo\"\nversion = \"0.1.0\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	state, home := t.TempDir(), t.TempDir()
	envFile := filepath.Join(t.TempDir(), "creds.env")
	if err := os.WriteFile(envFile, []byte("not a pair\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_STATE_HOME", state)

	broken := newProjectDir(t, goodToml+"[services.airflow]\nport = \"eighty\"\n")
	unknownKey := newProjectDir(t, goodToml+"[services.airflow]\nprot = 8080\n")
	newDir := filepath.Join(home, "new-project")
	cases := [][]string{
		{"-p", filepath.Join(home, "nowhere"), "dev", "start"},
		{"-p", broken, "dev", "start"},
		{"-p", unknownKey, "dev", "status"},
		{"-p", broken, "dev", "export-compose"},
		{"init", "--no-tui", "--name", "Bad Name", newDir},
		{"init", "--no-tui", "--python", "2.7", newDir},
		{"init", "--no-tui", "--env-manager", "poetry", newDir},
		{"dev", "start", "-s", "all,foo"},
		{"dev", "logs", "--tail", "many"},
		{"dev", "start", "-j", "0"},
		{"dev", "start", "-j", "70000"},
		{"dev", "start", "-j", "-1"},
		{"dev", "start", "--wait", "0"},
		{"dev", "start", "--wait", "-5m"},
		{"dev", "start", "--wait", "ten"},
		{"dev", "start", "-s", "airflo"},
		{"dev", "start", "-s", ""},
		{"dev", "start", "extra"},
		{"dev", "restart", "--wait", "0"},
		{"dev", "restart", "-s", "postgres"},
		{"dev", "stop", "-s", "db"},
		{"dev", "logs", "--tail", "-5"},
		{"dev", "logs", "--since", "yesterday"},
		{"dev", "logs", "nosuchservice"},
		{"dev", "cleanup"},
		{"dev", "update-deps", "--wait", "0"},
		{"dev", "dockerize", "-i", "demo:latest"},
		{"dev", "dockerize", "-i", "demo"},
		{"dev", "dockerize", "-i", "Bad Name:1"},
		{"prod-local", "dockerize", "-i", "demo:latest"},
		{"prod-local", "create-secret", "--name", "Bad_Name", "--data", "A=1"},
		{"prod-local", "create-secret", "--name", "ok", "--data", "1A=x"},
		{"prod-local", "create-secret", "--name", "ok", "--data", "novalue"},
		{"prod-local", "create-secret", "--name", "ok"},
		{"prod-local", "create-secret", "--name", "ok", "--from-env-file", envFile},
		{"prod-local", "create-secret", "--name", "ok", "--from-env-file", filepath.Join(home, "missing.env")},
		{"prod-local", "create-secret", "--data", "A=1"},
		{"prod-local", "cleanup"},
		{"prod", "dockerize", "-i", "registry.example.com/demo:latest"},
		{"prod", "dockerize", "-i", "Bad Name:1"},
		{"prod", "create-secret", "--name", "Bad_Name", "--data", "A=1"},
		{"prod", "create-secret", "--name", "ok", "--data", "novalue"},
		{"prod", "create-secret", "--name", "ok", "--from-env-file", envFile},
		{"prod", "create-secret", "--data", "A=1"},
		{"mlflow", "runs", "--limit", "-1"},
		{"mlflow", "runs", ""},
		{"mlflow", "runs", "--run", "r"},
		{"mlflow", "runs", "--task", "t"},
		{"dags", "trigger", ""},
		{"dags", "trigger", " "},
		{"dags", "trigger", "d", "--conf", "{bad"},
		{"dags", "trigger", "d", "--conf", "[1, 2]"},
		{"dags", "trigger", "d", "--wait", "--timeout", "0"},
		{"dags", "runs", "d", "--limit", "-1"},
		{"dags", "runs", ""},
		{"dags", "logs", "d", "r", "t", "--try", "-1"},
		{"dags", "tasks", "d"},
		{"dags", "pause", ""},
		{"mode", "set", "production"},
		{"mode", "check", "staging"},
		{"dev", "status", "-o", "yaml"},
		{"dev", "status", "-o", "xml"},
	}
	// Every command refuses a flag it does not have, and one that takes no
	// argument refuses one.
	root := newRoot(NewApp(nil, io.Discard, io.Discard))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			return
		}
		if c.Runnable() {
			path := strings.Fields(c.CommandPath())[1:]
			cases = append(cases, append(slices.Clone(path), "--no-such-flag"))
			if len(strings.Fields(c.Use)) == 1 {
				cases = append(cases, append(slices.Clone(path), "unexpected-argument"))
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	for _, args := range cases {
		name := strings.Join(args, " ")
		before := listing(t, dir) + "\n--\n" + listing(t, state)
		var out, errb bytes.Buffer
		a := NewApp(strings.NewReader(""), &out, &errb)
		a.Cwd = dir
		env := map[string]string{"XDG_STATE_HOME": state, "HOME": home, "DOCKER_HOST": "unix://" + sock}
		a.Getenv = func(k string) string {
			if v, ok := env[k]; ok {
				return v
			}
			return os.Getenv(k)
		}
		a.IsTerminal = func(any) bool { return false }
		reached := []string{}
		a.NewMinikube = func() (core.MinikubeRunner, error) {
			reached = append(reached, "minikube")
			return nil, minikube.ErrNotInstalled
		}
		a.NewKube = func(string, string) (kube.API, error) {
			reached = append(reached, "kubernetes")
			return nil, os.ErrNotExist
		}
		code := a.Run(args)
		reached = append(reached, engine.take()...)
		reached = append(reached, airflow.take()...)
		reached = append(reached, mlflow.take()...)
		if code != ExitUsage {
			t.Errorf("%s: exit %d, want %d\n%s%s", name, code, ExitUsage, out.String(), errb.String())
		}
		if len(reached) > 0 {
			t.Errorf("%s reached %v before refusing", name, reached)
		}
		lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
		if !strings.HasPrefix(lines[0], "error: ") {
			t.Errorf("%s: stderr %q", name, errb.String())
		}
		if _, err := os.Stat(newDir); err == nil {
			t.Errorf("%s created %s", name, newDir)
		}
		if after := listing(t, dir) + "\n--\n" + listing(t, state); after != before {
			t.Errorf("%s wrote files:\nbefore\n%s\nafter\n%s", name, before, after)
		}
	}
}
