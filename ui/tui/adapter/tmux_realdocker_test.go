package adapter

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack"
	"github.com/gaiaflow/gaiaflow/services/stack/stacktest"
	"github.com/gaiaflow/gaiaflow/services/testenv"
)

// TestRealDockerTmuxDashboardShowsTheStandinStack runs the real gaiaflow
// binary in tmux on a project whose stand-in stack runs on the real engine:
// the services panel shows the services healthy, the logs panel streams the
// selected service's lines, and stopping a service from the dashboard is
// seen through Docker's events.
func TestRealDockerTmuxDashboardShowsTheStandinStack(t *testing.T) {
	testenv.RequireDocker(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is required in CI but is not on PATH")
		}
		t.Skip("skipping: tmux is not installed")
	}
	c, err := docker.New(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	home := t.TempDir()
	state := filepath.Join(home, "state")
	t.Setenv("XDG_STATE_HOME", state)
	dir := standinProject(t, "gftmux", stacktest.Image(t, c, nil))
	p, err := project.Open(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeProject(c, p.ID()) })
	sock, gid := stack.SocketOf(c.Host)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := stack.New(c, p, stack.Options{DockerSocket: sock, SocketGID: gid}).Start(ctx, stack.StartOptions{Wait: 2 * time.Minute}); err != nil {
		t.Fatal(err)
	}

	bin := filepath.Join(t.TempDir(), "gaiaflow")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join("..", "..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	socket := fmt.Sprintf("gaiaflow-adapter-%d", os.Getpid())
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-L", socket, "-f", "/dev/null"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", socket, "kill-server").Run() })
	shell := fmt.Sprintf("cd %q && env HOME=%q XDG_STATE_HOME=%q XDG_CONFIG_HOME=%q DOCKER_HOST=%q TERM=xterm-256color %q -p %q; echo EXITED=$?; sleep 30",
		home, home, state, filepath.Join(home, "config"), testenv.DockerHost(), bin, dir)
	tmux("new-session", "-d", "-s", "real", "-x", "120", "-y", "34", shell)
	tmux("set-option", "-g", "escape-time", "10")
	wait := func(within time.Duration, want ...string) string {
		t.Helper()
		deadline := time.Now().Add(within)
		var s string
		for time.Now().Before(deadline) {
			s = tmux("capture-pane", "-p", "-t", "real")
			ok := true
			for _, w := range want {
				ok = ok && strings.Contains(s, w)
			}
			if ok {
				return s
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("screen never showed %q:\n%s", want, s)
		return ""
	}
	keys := func(ks ...string) {
		for _, k := range ks {
			tmux("send-keys", "-t", "real", "-l", k)
			time.Sleep(50 * time.Millisecond)
		}
	}

	s := wait(20*time.Second, "[0 Overview]", "gftmux", "docker ●", "all 4 healthy")
	t.Logf("the overview on the stand-in stack:\n%s", s)
	keys("1")
	s = wait(20*time.Second, "[1 Services]", "airflow", "mlflow", "minio", "jupyter")
	t.Logf("the services panel on the stand-in stack:\n%s", s)
	if n := strings.Count(s, "● healthy"); n < 4 {
		t.Errorf("%d services shown healthy, want 4:\n%s", n, s)
	}
	keys("4")
	wait(20*time.Second, "[4 Logs]", "standin")
	keys("1")
	wait(10*time.Second, "[1 Services]")
	keys("q")
	wait(10*time.Second, "EXITED=0")
}
