package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/gaiaflow/gaiaflow/e2e/kit"
)

// goBuild builds gaiaflow from the repository root into out.
func goBuild(root, out string) ([]byte, error) {
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = root
	return cmd.CombinedOutput()
}

// checkDashboard runs the dashboard in a detached tmux session on its own
// server socket, and reads the screen until the services panel shows every
// service healthy and the DAGs panel shows the DAG's last run as success.
func (h *harness) checkDashboard(dag string) {
	t := h.t
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("the dashboard step needs tmux: %v", err)
	}
	sock := "gaiaflow-e2e-" + h.id
	tm := func(args ...string) (string, error) {
		out, err := exec.Command("tmux", append([]string{"-L", sock}, args...)...).CombinedOutput()
		return string(out), err
	}
	// The session's command gets the test's environment explicitly: a tmux
	// server's environment is its own.
	var envs []string
	for _, kv := range h.env {
		if strings.HasPrefix(kv, "XDG_") || strings.HasPrefix(kv, "PATH=") || strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "NO_COLOR=") {
			envs = append(envs, kit.ShellQuote(kv))
		}
	}
	command := "env " + strings.Join(envs, " ") + " TERM=xterm-256color " + kit.ShellQuote(h.bin) + " -p " + kit.ShellQuote(h.project)
	if out, err := tm("new-session", "-d", "-s", "dash", "-x", "120", "-y", "40", command); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	defer func() { _, _ = tm("kill-server") }()

	screen := ""
	waitScreen := func(what string, timeout time.Duration, ok func(string) bool) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			s, err := tm("capture-pane", "-p", "-t", "dash")
			if err == nil {
				screen = s
				if ok(s) {
					return
				}
			}
			select {
			case <-ctx.Done():
				t.Fatalf("dashboard: %s did not show within %s; last screen:\n%s", what, timeout, screen)
			case <-tick.C:
			}
		}
	}
	services := []string{"airflow", "mlflow", "minio", "jupyter"}
	waitScreen("every service healthy", 2*time.Minute, func(s string) bool {
		for _, svc := range services {
			if !kit.ScreenRow(s, svc, "healthy") {
				return false
			}
		}
		return true
	})
	t.Logf("dashboard, services panel:\n%s", screen)
	if _, err := tm("send-keys", "-t", "dash", "3"); err != nil {
		t.Fatalf("tmux send-keys: %v", err)
	}
	waitScreen(fmt.Sprintf("DAG %s with its last run success", dag), 2*time.Minute, func(s string) bool {
		return kit.ScreenRow(s, dag, "success")
	})
	t.Logf("dashboard, DAGs panel:\n%s", screen)
	_, _ = tm("send-keys", "-t", "dash", "q")
}
