package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
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
func (h *harness) checkDashboard(dag, run string, tasks []string) {
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

	// Drill into the DAG's runs, then into the newest run's task instances.
	keys := func(k ...string) {
		t.Helper()
		if out, err := tm(append([]string{"send-keys", "-t", "dash"}, k...)...); err != nil {
			t.Fatalf("tmux send-keys %v: %v\n%s", k, err, out)
		}
	}
	// selectRow moves the cursor down from the top to the row of name.
	selectRow := func(name string) {
		t.Helper()
		keys("g")
		for i := 0; i < 30; i++ {
			s, _ := tm("capture-pane", "-p", "-t", "dash")
			screen = s
			if selectedRow(s) == name {
				return
			}
			keys("j")
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("dashboard: the cursor never reached %s; last screen:\n%s", name, screen)
	}
	selectRow(dag)
	keys("Enter")
	waitScreen(fmt.Sprintf("run %s of %s, success", run, dag), time.Minute, func(s string) bool {
		return kit.ScreenRow(s, run, "success")
	})
	selectRow(run)
	keys("Enter")
	waitScreen(fmt.Sprintf("the tasks %v of run %s, each success", tasks, run), time.Minute, func(s string) bool {
		for _, task := range tasks {
			if !kit.ScreenRow(s, task, "success") {
				return false
			}
		}
		return len(tasks) > 0
	})
	t.Logf("dashboard, task instances:\n%s", screen)

	// A service's logs stream into the logs panel; a filter keeps only the
	// matching lines. The dag-processor names its bundle, dags-folder, every
	// few seconds; the other Airflow containers' lines do not, so the
	// filter must keep some lines and hide others.
	keys("1", "g", "l")
	waitScreen("airflow's log lines", time.Minute, func(s string) bool {
		return len(logLines(s)) >= 5
	})
	keys("&")
	keys("-l", "dags-folder")
	keys("Enter")
	var shown, total int
	waitScreen("the log filtered to /dags-folder/", time.Minute, func(s string) bool {
		m := filterCount.FindStringSubmatch(s)
		if m == nil {
			return false
		}
		shown, _ = strconv.Atoi(m[1])
		total, _ = strconv.Atoi(m[2])
		return true
	})
	if shown == 0 || shown >= total {
		t.Errorf("the filter shows %d of %d lines; want some, not all:\n%s", shown, total, screen)
	}
	lines := logLines(screen)
	if len(lines) == 0 {
		t.Fatalf("no log lines under the filter:\n%s", screen)
	}
	for _, l := range lines {
		// A line cut at the panel's edge may hold the match beyond it.
		if l = strings.TrimSpace(l); !strings.Contains(l, "dags-folder") && !strings.HasSuffix(l, "…") {
			t.Errorf("a line the filter /dags-folder/ should hide is shown: %q\n%s", l, screen)
		}
	}
	t.Logf("dashboard, logs panel filtered:\n%s", screen)
	keys("q")
}

// selectedRow is the name on the row the cursor marks ("▸ name ..."), or "".
func selectedRow(screen string) string {
	for _, line := range strings.Split(screen, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "▸" {
			return f[1]
		}
	}
	return ""
}

// filterCount reads the logs panel's title: "filter /dags-folder/ 40 of 213".
var filterCount = regexp.MustCompile(`filter /dags-folder/ (\d+) of (\d+)`)

// logLines are the log lines of a logs-panel screen: the non-blank rows
// below the panel's title ("airflow · tail 200 · filter ...") and above the
// footer, the screen's last row.
func logLines(screen string) []string {
	rows := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	start := -1
	for i, r := range rows {
		if strings.HasPrefix(strings.TrimSpace(r), "airflow · ") {
			start = i + 1
			break
		}
	}
	if start < 0 || start >= len(rows) {
		return nil
	}
	var out []string
	for _, r := range rows[start : len(rows)-1] {
		if strings.TrimSpace(r) != "" {
			out = append(out, r)
		}
	}
	return out
}
