package dashboard

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tmux drives the real gaiaflow binary in a private tmux server.
type tmux struct {
	t      *testing.T
	socket string
}

// requireTmux skips without tmux, except in CI (CI=true), where it fails.
func requireTmux(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is required in CI (.ci/install-packages installs it) but is not on PATH")
		}
		t.Skip("skipping: tmux is not installed")
	}
	return path
}

func (x *tmux) run(args ...string) string {
	x.t.Helper()
	full := append([]string{"-L", x.socket, "-f", "/dev/null"}, args...)
	out, err := exec.Command("tmux", full...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (x *tmux) screen() string { return x.run("capture-pane", "-p", "-t", "smoke") }

// wait polls the screen until it shows every string.
func (x *tmux) wait(want ...string) string {
	x.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var s string
	for time.Now().Before(deadline) {
		s = x.screen()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(s, w)
		}
		if ok {
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
	x.t.Fatalf("screen never showed %q:\n%s", want, s)
	return ""
}

// keys sends keys one at a time, as a person types them.
func (x *tmux) keys(ks ...string) {
	x.t.Helper()
	named := map[string]bool{"Enter": true, "Escape": true, "Tab": true, "Up": true, "Down": true}
	for _, k := range ks {
		if named[k] {
			x.run("send-keys", "-t", "smoke", k)
		} else {
			x.run("send-keys", "-t", "smoke", "-l", k)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

func buildGaiaflow(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gaiaflow")
	cmd := exec.Command("go", "build", "-tags", "fakebackend", "-o", bin, ".")
	cmd.Dir = filepath.Join("..", "..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestTmuxDashboardSmoke starts the real binary on a real terminal (tmux),
// against the fake backend (GAIAFLOW_TUI_FAKE), moves between panels, opens
// help, filters logs with a remapped key, runs a noisy action and quits,
// asserting on captured screens.
func TestTmuxDashboardSmoke(t *testing.T) {
	t.Parallel()
	requireTmux(t)
	bin := buildGaiaflow(t)
	home := t.TempDir()
	state, cfg := filepath.Join(home, "state"), filepath.Join(home, "config")
	if err := os.MkdirAll(filepath.Join(cfg, "gaiaflow"), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := "theme = \"light\"\n[keys]\n\"log.filter\" = [\"&\", \"F\"]\n"
	if err := os.WriteFile(filepath.Join(cfg, "gaiaflow", "config.toml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	x := &tmux{t: t, socket: fmt.Sprintf("gaiaflow-test-%d", os.Getpid())}
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", x.socket, "kill-server").Run() })
	shell := fmt.Sprintf("cd %q && env HOME=%q XDG_STATE_HOME=%q XDG_CONFIG_HOME=%q TERM=xterm-256color GAIAFLOW_TUI_FAKE=1,noisy,fast %q; echo EXITED=$?; sleep 30",
		home, home, state, cfg, bin)
	x.run("new-session", "-d", "-s", "smoke", "-x", "100", "-y", "30", shell)
	x.run("set-option", "-g", "escape-time", "10")

	// It opens on the overview: the services, the DAGs, what went wrong.
	x.wait("[0 Overview]", "airflow-triggerer", "etl_daily", "ValueError: bad shape", "docker ●")
	x.keys("1")
	x.wait("[1 Services]", "triggerer", "✗ unhealthy", "u start")

	// A noisy action: the backend and a child process write to stdout and
	// stderr. None of it may reach the screen.
	x.keys("U")
	s := x.wait("✓ start-all")
	if strings.Contains(s, "FAKE-NOISE") {
		t.Errorf("a child process's output reached the screen:\n%s", s)
	}
	stray, err := os.ReadFile(filepath.Join(state, "gaiaflow", "dashboard-output.log"))
	if err != nil || !strings.Contains(string(stray), "FAKE-NOISE from a child process") {
		t.Errorf("stray output was not kept aside: %q, %v", stray, err)
	}

	x.keys("2")
	x.wait("[2 Mode]", "What dev needs")
	x.keys("3")
	x.wait("[3 DAGs]", "train_model", "1 import error(s)")
	x.keys("Enter")
	x.wait("DAGs › train_model › runs")
	x.keys("Escape")
	x.wait("6 DAGs")
	x.keys("4")
	x.wait("[4 Logs]", "airflow · tail 200", "INFO Heartbeat ok", "api-server")
	x.keys("F", "e", "r", "r", "o", "r", "Enter")
	s = x.wait("filter /error/ 2 of 10", "ModuleNotFoundError")
	if strings.Contains(s, "Heartbeat") {
		t.Errorf("filtered logs still show other lines:\n%s", s)
	}
	x.keys("?")
	x.wait("Logs (here)", "filter (regex)", "F")
	x.keys("Escape")
	x.wait("filter /error/")
	x.keys("5")
	x.wait("[5 MLflow]", "demo-example")
	x.keys("Enter")
	x.wait("TEST_ACCURACY", "brave-otter-10")
	x.keys("q")
	x.wait("EXITED=0")
}

// TestTmuxReadOnly checks --read-only on the real binary: no action shows.
func TestTmuxReadOnly(t *testing.T) {
	t.Parallel()
	requireTmux(t)
	bin := buildGaiaflow(t)
	home := t.TempDir()
	x := &tmux{t: t, socket: fmt.Sprintf("gaiaflow-test-ro-%d", os.Getpid())}
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", x.socket, "kill-server").Run() })
	shell := fmt.Sprintf("cd %q && env HOME=%q XDG_STATE_HOME=%q XDG_CONFIG_HOME=%q NO_COLOR=1 GAIAFLOW_TUI_FAKE=1 %q --read-only; echo EXITED=$?; sleep 30",
		home, home, home, home, bin)
	x.run("new-session", "-d", "-s", "smoke", "-x", "80", "-y", "24", shell)
	x.keys("1")
	s := x.wait("READ-ONLY", "o open in browser")
	if strings.Contains(s, "u start") {
		t.Errorf("read-only shows an action:\n%s", s)
	}
	x.keys("u")
	x.wait("read-only: start is disabled")
	x.keys("q")
	x.wait("EXITED=0")
}
