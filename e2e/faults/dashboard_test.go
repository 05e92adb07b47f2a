package faults

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/e2e/kit"
	"github.com/gaiaflow/gaiaflow/services/stack"
	"github.com/gaiaflow/gaiaflow/services/stack/stacktest"
)

// dashboard is gaiaflow's dashboard running in a detached tmux session on
// a server of its own (in the private daemon's namespace when there is
// one), read with capture-pane and driven with send-keys.
type dashboard struct {
	t      *testing.T
	f      *fixture
	sock   string
	screen string
}

func (f *fixture) openDashboard() *dashboard {
	f.t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("GAIAFLOW_REQUIRE_DOCKER") == "1" {
			f.t.Fatal("the dashboard's faults need tmux")
		}
		f.t.Skip("skipping: tmux is not on PATH")
	}
	db := &dashboard{t: f.t, f: f, sock: "gaiaflow-fault-" + f.id}
	command := strings.Join([]string{"env", kit.ShellQuote("XDG_STATE_HOME=" + f.state), kit.ShellQuote("DOCKER_HOST=" + f.host),
		"NO_COLOR=1", "TERM=xterm-256color", kit.ShellQuote(bin), "-p", kit.ShellQuote(f.dir)}, " ")
	if out, err := db.tmux("new-session", "-d", "-s", "dash", "-x", "140", "-y", "40", command); err != nil {
		f.t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	f.t.Cleanup(func() { _, _ = db.tmux("kill-server") })
	return db
}

func (db *dashboard) tmux(args ...string) (string, error) {
	args = append([]string{"-L", db.sock}, args...)
	var cmd *exec.Cmd
	if db.f.d != nil {
		cmd = db.f.d.Cmd("tmux", args...)
	} else {
		cmd = exec.Command("tmux", args...)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// wait reads the screen until ok, failing after timeout or when the
// dashboard is gone.
func (db *dashboard) wait(what string, timeout time.Duration, ok func(string) bool) {
	db.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		db.requireAlive()
		if s, err := db.tmux("capture-pane", "-p", "-t", "dash"); err == nil {
			db.screen = s
			if ok(s) {
				return
			}
		}
		if time.Now().After(deadline) {
			db.t.Fatalf("dashboard: %s did not show within %v; last screen:\n%s", what, timeout, db.screen)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// requireAlive fails if the dashboard exited (crashed).
func (db *dashboard) requireAlive() {
	db.t.Helper()
	out, err := db.tmux("list-panes", "-t", "dash", "-F", "#{pane_dead} #{pane_dead_status}")
	if err != nil || strings.HasPrefix(strings.TrimSpace(out), "1") {
		db.t.Fatalf("the dashboard is gone (%v %s); last screen:\n%s", err, out, db.screen)
	}
}

func (db *dashboard) keys(k ...string) {
	db.t.Helper()
	if out, err := db.tmux(append([]string{"send-keys", "-t", "dash"}, k...)...); err != nil {
		db.t.Fatalf("tmux send-keys: %v\n%s", err, out)
	}
}

func allHealthy(s string) bool {
	for _, svc := range []string{"airflow", "mlflow", "minio", "jupyter"} {
		if !kit.ScreenRow(s, svc, "healthy") {
			return false
		}
	}
	return true
}

// TestRealDockerFaultDashboardConfigEdited edits gaiaflow.toml under a
// running dashboard: broken half-way (a save cut off), the dashboard says
// what is wrong and keeps running; mended with another JupyterLab port, it
// shows the new address, and its start-all key brings JupyterLab up there.
func TestRealDockerFaultDashboardConfigEdited(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, "gfdashedit", nil)
	before := f.prepare()
	db := f.openDashboard()
	db.wait("every service healthy", 2*time.Minute, allHealthy)
	good, err := os.ReadFile(f.toml)
	if err != nil {
		t.Fatal(err)
	}
	oldPort := f.port("jupyter")
	if err := os.WriteFile(f.toml, good[:len(good)*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	db.wait("the broken gaiaflow.toml named", 30*time.Second, func(s string) bool {
		return strings.Contains(s, "✗") && strings.Contains(s, "gaiaflow.toml")
	})
	t.Logf("dashboard with a broken gaiaflow.toml:\n%s", db.screen)
	port := stacktest.FreePorts(t, 1)[0]
	mended := strings.Replace(string(good), fmt.Sprintf("port = %d\n", oldPort), fmt.Sprintf("port = %d\n", port), 1)
	if err := os.WriteFile(f.toml, []byte(mended), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	db.wait("JupyterLab's new address", 30*time.Second, func(s string) bool { return strings.Contains(s, addr) })
	db.keys("U")
	db.wait("JupyterLab healthy on its new port", 2*time.Minute, func(s string) bool {
		return allHealthy(s) && strings.Contains(s, "start-all · done")
	})
	r := f.run("-o", "json", "dev", "status")
	var v stack.StatusView
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatal(err)
	}
	if j := v.Services[3]; j.State != stack.StateHealthy || !strings.Contains(j.Containers[len(j.Containers)-1].Ports[0], addr) {
		t.Errorf("JupyterLab after the edit: %+v", j)
	}
	f.checkAfter(before)
}

// TestRealDockerFaultDashboardDaemonRestart stops the Docker daemon (a
// private one) under a running dashboard: it says Docker is down and why,
// keeps running, and once the daemon is back (and has started the stack's
// containers again, as their restart policy says) shows every service
// healthy again.
func TestRealDockerFaultDashboardDaemonRestart(t *testing.T) {
	t.Parallel()
	d := startPrivateDaemon(t)
	f := newFixture(t, d, "gfdashdaemon", nil)
	before := f.prepare()
	db := f.openDashboard()
	db.wait("every service healthy", 2*time.Minute, allHealthy)
	d.Stop()
	db.wait("Docker down", time.Minute, func(s string) bool { return strings.Contains(s, "✗ Docker:") })
	t.Logf("dashboard with the daemon down:\n%s", db.screen)
	d.Start()
	db.wait("every service healthy again", 2*time.Minute, func(s string) bool {
		return allHealthy(s) && !strings.Contains(s, "✗ Docker:")
	})
	f.checkAfter(before)
}
