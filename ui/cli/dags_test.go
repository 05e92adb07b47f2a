package cli

import (
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/airflow/airflowfake"
)

// closedPort returns a port on 127.0.0.1 that nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	return port
}

// checkStderr asserts the error and hint lines, and that there is nothing else.
func checkStderr(t *testing.T, r result, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.err, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.err)
		}
	}
	lines := strings.Split(strings.TrimSpace(r.err), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "error: ") || !strings.HasPrefix(lines[1], "hint: ") {
		t.Errorf("stderr is not one error line and one hint line:\n%s", r.err)
	}
}

func TestDagsWhenAirflowIsNotRunning(t *testing.T) {
	port := closedPort(t)
	dir := newProjectDir(t, projectToml(port))
	for _, args := range [][]string{
		{"dags", "list"},
		{"dags", "list", "-o", "json"},
		{"dags", "runs", "ok_dag"},
		{"dags", "errors"},
		{"dags", "pause", "ok_dag"},
		{"dags", "unpause", "ok_dag"},
		{"dags", "trigger", "ok_dag", "--wait"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			start := time.Now()
			r := run(t, dir, args...)
			if r.code != 1 {
				t.Fatalf("exit %d, want 1; stderr:\n%s", r.code, r.err)
			}
			checkStderr(t, r, "error: Airflow is not reachable at http://127.0.0.1:"+strconv.Itoa(port)+" (connection refused)",
				"hint: start it with `gaiaflow dev start`")
			if r.out != "" {
				t.Errorf("stdout: %q", r.out)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s to notice", d)
			}
		})
	}
}

func TestDagsTriggerBadInput(t *testing.T) {
	dir := newProjectDir(t, projectToml(closedPort(t)))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--conf", "not json"}, "error: --conf: conf is not valid JSON"},
		{[]string{"--conf", "[1, 2]"}, "error: --conf: conf must be a JSON object"},
		{[]string{"--conf", `{"a": 1} {}`}, "error: --conf: conf is not valid JSON"},
		{[]string{"--timeout", "5m"}, "error: --timeout only applies with --wait"},
		{[]string{"--wait", "--timeout", "0s"}, "error: --timeout 0s: want a positive duration"},
	} {
		r := run(t, dir, append([]string{"dags", "trigger", "ok_dag"}, tc.args...)...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2; stderr:\n%s", tc.args, r.code, r.err)
			continue
		}
		checkStderr(t, r, tc.want)
	}
	if r := run(t, dir, "dags", "runs", "ok_dag", "--limit", "-1"); r.code != 2 {
		t.Errorf("--limit -1: exit %d; stderr:\n%s", r.code, r.err)
	}
}

func TestDagsNoSuchDAG(t *testing.T) {
	f := airflowfake.New(t)
	dir := fakeProject(t, f)
	for _, args := range [][]string{
		{"dags", "trigger", "nope"},
		{"dags", "trigger", "nope", "--unpause", "--wait"},
		{"dags", "pause", "nope"},
		{"dags", "unpause", "nope"},
		{"dags", "runs", "nope"},
	} {
		r := run(t, dir, args...)
		if r.code != 1 {
			t.Errorf("%v: exit %d, want 1; stderr:\n%s", args, r.code, r.err)
			continue
		}
		checkStderr(t, r, `error: no DAG "nope" in Airflow`, "hint: `gaiaflow dags list` shows the DAGs")
	}
	if f.Triggers() != 0 {
		t.Errorf("%d runs triggered", f.Triggers())
	}
}

func TestDagsRejectedCredentials(t *testing.T) {
	f := airflowfake.New(t)
	f.Deny()
	r := run(t, fakeProject(t, f), "dags", "list")
	if r.code != 1 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.err)
	}
	checkStderr(t, r, "rejected this project's credentials", "gaiaflow dev start -f")
}

func TestDagsTriggerWaitSucceeds(t *testing.T) {
	f := airflowfake.New(t)
	f.SetPaused("ok_dag", true)
	f.SetRun("success", airflowfake.Task("hello", "success"), airflowfake.Task("world", "success"))
	r := run(t, fakeProject(t, f), "dags", "trigger", "ok_dag", "--unpause", "--wait", "--conf", `{"n": 3}`)
	if r.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.err)
	}
	want := "triggered ok_dag run " + fakeRunID + "\n" +
		"task hello: success\n" +
		"task world: success\n" +
		"run: success\n" +
		"ok_dag run " + fakeRunID + " succeeded in 14s\n"
	if r.out != want || r.err != "" {
		t.Errorf("stdout:\n%s\nwant:\n%s\nstderr:\n%s", r.out, want, r.err)
	}
	if f.Paused("ok_dag") {
		t.Errorf("--unpause left the DAG paused")
	}
}

// A task that failed with tries left: its try's log comes at once, not
// after the retries (here the run never ends within --timeout).
func TestDagsTriggerWaitShowsWhyATaskIsRetried(t *testing.T) {
	f := airflowfake.New(t)
	f.SetRun("running", airflowfake.Task("flaky", "up_for_retry"))
	f.SetLog("pod read-it failed to start: CreateContainerConfigError: secret \"x\" not found")
	r := run(t, fakeProject(t, f), "dags", "trigger", "fail_dag", "--wait", "--timeout", "2s")
	if r.code != 1 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.err)
	}
	want := "task flaky: up_for_retry\n--- flaky, try 1: last lines of its log ---\npod read-it failed to start: CreateContainerConfigError"
	if !strings.Contains(r.out, want) {
		t.Errorf("stdout lacks %q:\n%s", want, r.out)
	}
	checkStderr(t, r, "is still running after 2s")
}

func TestDagsTriggerWaitFails(t *testing.T) {
	f := airflowfake.New(t)
	f.SetRun("failed", airflowfake.Task("fine", "success"), airflowfake.Task("boom", "failed"), airflowfake.Task("after", "upstream_failed"))
	f.SetLog("line 1", "RuntimeError: boom on purpose")
	dir := fakeProject(t, f)

	r := run(t, dir, "dags", "trigger", "fail_dag", "--wait")
	if r.code != 1 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.err)
	}
	for _, w := range []string{"task boom: failed\n", "task after: upstream_failed\n", "run: failed\n",
		"fail_dag run " + fakeRunID + " failed after 14s\n",
		"--- boom, try 1: last lines of its log ---\nline 1\nRuntimeError: boom on purpose\n"} {
		if !strings.Contains(r.out, w) {
			t.Errorf("stdout lacks %q:\n%s", w, r.out)
		}
	}
	checkStderr(t, r, "error: fail_dag run "+fakeRunID+" failed: task boom failed",
		"hint: its log: `gaiaflow dags logs fail_dag "+fakeRunID+" boom`, or "+f.URL()+"/dags/fail_dag/runs/"+fakeRunID+"/tasks/boom")

	// -o json: one object per line, the last one the final run.
	r = run(t, dir, "-o", "json", "dags", "trigger", "fail_dag", "--wait")
	if r.code != 1 {
		t.Fatalf("-o json: exit %d; stderr:\n%s", r.code, r.err)
	}
	lines := strings.Split(strings.TrimSpace(r.out), "\n")
	for _, l := range lines[:len(lines)-1] {
		var u airflow.RunUpdate
		if err := json.Unmarshal([]byte(l), &u); err != nil || u.DAGID != "fail_dag" || u.RunID != fakeRunID {
			t.Errorf("update line %q (%v)", l, err)
		}
	}
	var final airflow.FinalRun
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &final); err != nil ||
		final.Run.State != airflow.RunFailed || len(final.FailedTasks) != 1 || final.FailedTasks[0] != "boom" {
		t.Errorf("last line %q (%v)", lines[len(lines)-1], err)
	}
	checkStderr(t, r, "task boom failed")
}

func TestDagsTriggerWaitOnAPausedDAG(t *testing.T) {
	f := airflowfake.New(t)
	f.SetPaused("ok_dag", true)
	dir := fakeProject(t, f)
	r := run(t, dir, "dags", "trigger", "ok_dag", "--wait")
	if r.code != 1 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.err)
	}
	checkStderr(t, r, "error: ok_dag is paused: its run would never start", "hint: add --unpause")
	if f.Triggers() != 0 {
		t.Errorf("a run was triggered that could not start")
	}

	// Without --wait the run is queued until someone unpauses the DAG.
	r = run(t, dir, "dags", "trigger", "ok_dag")
	if r.code != 0 || r.out != fakeRunID+"\n" || !strings.Contains(r.err, "warning: ok_dag is paused") {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.out, r.err)
	}
}

func TestDagsTriggerWaitTimesOut(t *testing.T) {
	f := airflowfake.New(t)
	f.SetRun("running", airflowfake.Task("hello", "running"))
	start := time.Now()
	r := run(t, fakeProject(t, f), "dags", "trigger", "ok_dag", "--wait", "--timeout", "300ms")
	if r.code != 1 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.err)
	}
	checkStderr(t, r, "error: run "+fakeRunID+" of ok_dag is still running after 300ms",
		"hint: it goes on in Airflow: `gaiaflow dags runs ok_dag`")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestDagsPauseAndList(t *testing.T) {
	f := airflowfake.New(t)
	dir := fakeProject(t, f)
	if r := run(t, dir, "dags", "pause", "ok_dag"); r.code != 0 || r.out != "paused ok_dag\n" {
		t.Errorf("pause: exit %d, stdout %q, stderr %q", r.code, r.out, r.err)
	}
	if !f.Paused("ok_dag") {
		t.Errorf("not paused")
	}
	r := run(t, dir, "-o", "json", "dags", "unpause", "ok_dag")
	var d airflow.DAG
	if err := json.Unmarshal([]byte(r.out), &d); err != nil || r.code != 0 || d.ID != "ok_dag" || d.Paused {
		t.Errorf("unpause -o json: exit %d, %q (%v)", r.code, r.out, err)
	}
	r = run(t, dir, "-o", "json", "dags", "runs", "ok_dag", "--limit", "5")
	var v runsView
	if err := json.Unmarshal([]byte(r.out), &v); err != nil || v.DAGID != "ok_dag" || v.Limit != 5 || len(v.Runs) != 1 || v.Runs[0].RunID != fakeRunID {
		t.Errorf("runs -o json: exit %d, %q (%v)", r.code, r.out, err)
	}
}
