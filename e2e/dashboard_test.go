package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
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
			envs = append(envs, shellQuote(kv))
		}
	}
	command := "env " + strings.Join(envs, " ") + " TERM=xterm-256color " + shellQuote(h.bin) + " -p " + shellQuote(h.project)
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
			if !rowWith(s, svc, "healthy") {
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
		return rowWith(s, dag, "success")
	})
	t.Logf("dashboard, DAGs panel:\n%s", screen)
	_, _ = tm("send-keys", "-t", "dash", "q")
}

// rowWith reports whether a row of the screen starts with name (after a
// cursor mark) and has word, as a whole word, among the next few columns:
// "▸ airflow  ● healthy  http://..." or "  my_dag  active  success 1h".
// Whole words keep "unhealthy" from passing for "healthy".
func rowWith(screen, name, word string) bool {
	for _, line := range strings.Split(screen, "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && (f[0] == "▸" || f[0] == ">") {
			f = f[1:]
		}
		if len(f) < 2 || f[0] != name {
			continue
		}
		for _, w := range f[1:min(len(f), 4)] {
			if w == word {
				return true
			}
		}
	}
	return false
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func TestRowWith(t *testing.T) {
	screen := "gaiaflow demo · mode dev        docker ●  airflow ●\n" +
		"▸ airflow         ✗ unhealthy      http://127.0.0.1:8080  apache/airflow:3.3.2\n" +
		"  ├ api-server    ● healthy        127.0.0.1:8080->8080   apache/airflow:3.3.2\n" +
		"  mlflow          ● healthy        http://127.0.0.1:5000\n" +
		"  e2e_demo_example_pipeline   active  success 1h   -\n" +
		"  other_dag   active  failed 2h   success\n"
	for _, c := range []struct {
		name, word string
		want       bool
	}{
		{"airflow", "healthy", false},
		{"mlflow", "healthy", true},
		{"e2e_demo_example_pipeline", "success", true},
		{"other_dag", "success", false},
		{"jupyter", "healthy", false},
	} {
		if got := rowWith(screen, c.name, c.word); got != c.want {
			t.Errorf("rowWith(%s, %s) = %v, want %v", c.name, c.word, got, c.want)
		}
	}
}
