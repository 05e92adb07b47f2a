package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
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

// dashboardWant is what the dashboard must show of the journey so far: the
// DAG's newest run and its tasks, and the MLflow run it logged.
type dashboardWant struct {
	dag, run   string
	tasks      []string
	experiment string  // the MLflow experiment
	mlRun      string  // the MLflow run's name
	accuracy   float64 // its test_accuracy
}

// checkDashboard runs the dashboard in a detached tmux session on its own
// server socket, and reads the screen until the overview shows every
// service healthy, mode dev ready and the DAG's last run success; then the
// MLflow panel lists the pipeline's run with its accuracy, the DAG's grid
// shows the run's tasks as success, its runs and tasks panels the same, and
// a service's logs filter as asked.
func (h *harness) checkDashboard(want dashboardWant) {
	dag, run, tasks := want.dag, want.run, want.tasks
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
	// The overview, where it opens: the stack, the mode, the DAG.
	services := []string{"airflow", "mlflow", "minio", "jupyter"}
	waitScreen("the overview: every service healthy, mode dev ready, the DAG's last run success", 2*time.Minute, func(s string) bool {
		for _, svc := range services {
			if !kit.ScreenRow(s, svc, "healthy") {
				return false
			}
		}
		return strings.Contains(s, "[0 Overview]") && strings.Contains(s, "Mode · dev · ready") && kit.ScreenRow(s, dag, "success")
	})
	t.Logf("dashboard, overview:\n%s", screen)
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

	// The MLflow panel: the experiment's runs list the pipeline's run with
	// its accuracy as a column.
	keys("5")
	waitScreen("MLflow's experiments", time.Minute, func(s string) bool { return strings.Contains(s, want.experiment) })
	selectRow(want.experiment)
	keys("Enter")
	accuracy := strconv.FormatFloat(want.accuracy, 'g', 4, 64)
	waitScreen(fmt.Sprintf("MLflow run %s with test_accuracy %s", want.mlRun, accuracy), time.Minute, func(s string) bool {
		return strings.Contains(s, "TEST_ACCURACY") && screenLine(s, want.mlRun, accuracy)
	})
	t.Logf("dashboard, MLflow runs:\n%s", screen)

	// The DAG's grid: the newest run's tasks, each a success.
	keys("3")
	waitScreen(fmt.Sprintf("DAG %s in the DAG list", dag), time.Minute, func(s string) bool { return kit.ScreenRow(s, dag, "active") })
	selectRow(dag)
	keys("v")
	waitScreen(fmt.Sprintf("the grid of %s: the tasks %v of its newest run as success", dag, tasks), time.Minute, func(s string) bool {
		for _, task := range tasks {
			if !gridRowSucceeded(s, task) {
				return false
			}
		}
		return len(tasks) > 0
	})
	t.Logf("dashboard, grid:\n%s", screen)
	keys("Escape") // the grid's way back is the DAG's runs

	// The DAG's runs, then the newest run's task instances.
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

	// M on the train task lists the MLflow run it logged: the tags the
	// example pipeline sets tie the two together.
	if slices.Contains(tasks, "pipeline.train") {
		selectRow("pipeline.train")
		keys("M")
		waitScreen(fmt.Sprintf("the MLflow run %s that pipeline.train logged", want.mlRun), time.Minute, func(s string) bool {
			return strings.Contains(s, "MLflow › "+dag+" › "+run+" › pipeline.train") && screenLine(s, want.mlRun, "finished")
		})
		t.Logf("dashboard, the MLflow runs of pipeline.train:\n%s", screen)
	}

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

// screenLine reports whether a line of the screen holds every one of words.
func screenLine(screen string, words ...string) bool {
	for _, line := range strings.Split(screen, "\n") {
		ok := true
		for _, w := range words {
			ok = ok && strings.Contains(line, w)
		}
		if ok {
			return true
		}
	}
	return false
}

// gridRowSucceeded reports whether the grid's row of a task shows its
// newest run (the rightmost cell) as a success: "✓", or "[✓]" under the
// cursor.
func gridRowSucceeded(screen, task string) bool {
	for _, line := range strings.Split(screen, "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && f[0] == "▸" {
			f = f[1:]
		}
		if len(f) >= 2 && f[0] == task {
			last := f[len(f)-1]
			return last == "✓" || last == "[✓]"
		}
	}
	return false
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
