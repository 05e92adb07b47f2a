package cli

// The TestRealAirflow tests drive the dags commands against a real Airflow
// 3.3, shared by this test binary and started on first use, as a user meets
// it after `gaiaflow dev start`: the project's gaiaflow.toml names its port,
// and it runs with the admin credentials generated for that project in its
// state directory. TestMain prepares the project and stops Airflow at the end.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/airflow/airflowtest"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack/stacktest"
)

var (
	sharedAirflow  airflowtest.Shared
	realProjectDir string
	realPortOnce   sync.Once
	realPortErr    error
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	root, err := os.MkdirTemp("", "gaiaflow-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(root)
	if err := prepareRealProject(root); err != nil {
		fmt.Fprintf(os.Stderr, "prepare the project of the TestRealAirflow tests: %v\n", err)
		return 1
	}
	code := m.Run()
	sharedAirflow.Stop()
	sharedMLflow.Stop()
	stacktest.RemoveImages() // the stand-ins of the TestRealDocker tests
	return code
}

// prepareRealProject makes the project and its credentials, and gives the
// shared Airflow that project's admin. It also points XDG_STATE_HOME at a
// directory under root for the whole binary, so that no test of this package
// writes to the state directory of the person running it.
func prepareRealProject(root string) error {
	if err := os.Setenv("XDG_STATE_HOME", filepath.Join(root, "state")); err != nil {
		return err
	}
	realProjectDir = filepath.Join(root, "project")
	if err := os.MkdirAll(realProjectDir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(realProjectDir, project.FileName), []byte(goodToml), 0o644); err != nil {
		return err
	}
	p, err := project.Open(realProjectDir, true)
	if err != nil {
		return err
	}
	st, err := p.State()
	if err != nil {
		return err
	}
	creds, err := st.Credentials(context.Background())
	if err != nil {
		return err
	}
	files := airflowtest.TestDAGs()
	files[airflowtest.PinnedModeDAGFile] = []byte(airflowtest.PinnedModeDAG)
	sharedAirflow.Options = airflowtest.Options{
		User:     creds.AirflowAdminUser,
		Password: creds.AirflowAdminPassword,
		DAGFiles: files,
		// As a gaiaflow stack in mode dev runs Airflow.
		Env: airflowtest.GaiaflowStackEnv("dev"),
	}
	return nil
}

// realProject returns the project directory whose Airflow is the shared one,
// starting it on first use.
func realProject(t *testing.T) (string, *airflowtest.Env) {
	t.Helper()
	env := sharedAirflow.Get(t)
	realPortOnce.Do(func() {
		realPortErr = os.WriteFile(filepath.Join(realProjectDir, project.FileName), []byte(projectToml(env.Port)), 0o644)
	})
	if realPortErr != nil {
		t.Fatal(realPortErr)
	}
	return realProjectDir, env
}

// apiClient is a client of the shared Airflow for checking what the
// commands did, independently of them.
func apiClient(t *testing.T, env *airflowtest.Env) *airflow.Client {
	t.Helper()
	c, err := airflow.New(airflow.Config{BaseURL: env.BaseURL, Username: env.User, Password: env.Password})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The timeout of the followed runs: they take 10-30 s; CI machines are shared.
const realRunTimeout = "4m"

func TestRealAirflowDagsListAThousandDAGs(t *testing.T) {
	dir, _ := realProject(t)
	t.Parallel()
	r := runWith(t, dir, nil, "dags", "list", "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.err)
	}
	var v dagsView
	if err := json.Unmarshal([]byte(r.out), &v); err != nil {
		t.Fatalf("not JSON: %v\n%.500s", err, r.out)
	}
	ids := make([]string, 0, len(v.DAGs))
	for _, d := range v.DAGs {
		ids = append(ids, d.ID)
	}
	if v.Total != len(v.DAGs) || v.Total != airflowtest.GeneratedDAGs+2 {
		t.Errorf("total %d, %d DAGs listed; want %d", v.Total, len(v.DAGs), airflowtest.GeneratedDAGs+2)
	}
	for i := range airflowtest.GeneratedDAGs {
		if !slices.Contains(ids, fmt.Sprintf("gen_%04d", i)) {
			t.Fatalf("gen_%04d missing", i)
		}
	}
	for _, id := range []string{airflowtest.OKDAG, airflowtest.FailDAG} {
		if !slices.Contains(ids, id) {
			t.Errorf("%s missing", id)
		}
	}
	if !slices.IsSorted(ids) {
		t.Errorf("not ordered by id")
	}

	r = runWith(t, dir, nil, "dags", "list")
	lines := strings.Split(strings.TrimRight(r.out, "\n"), "\n")
	if r.code != 0 || len(lines) != v.Total+1 || !strings.HasPrefix(lines[0], "DAG ") ||
		!slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "gen_0999 ") }) {
		t.Errorf("dags list: exit %d, %d lines, first %q", r.code, len(lines), lines[0])
	}
}

func TestRealAirflowDagsPauseAndUnpause(t *testing.T) {
	dir, env := realProject(t)
	t.Parallel()
	c := apiClient(t, env)
	const id = "gen_0002"
	for _, verb := range []string{"unpause", "pause"} {
		r := runWith(t, dir, nil, "dags", verb, id)
		if r.code != 0 || r.out != verb+"d "+id+"\n" {
			t.Fatalf("dags %s: exit %d, stdout %q, stderr %q", verb, r.code, r.out, r.err)
		}
		d, err := c.GetDAG(t.Context(), id)
		if err != nil || d.Paused != (verb == "pause") {
			t.Errorf("after dags %s: paused=%v, err %v", verb, d.Paused, err)
		}
	}

	// Waiting for a run of a paused DAG fails at once, and triggers nothing.
	r := runWith(t, dir, nil, "dags", "trigger", id, "--wait")
	if r.code != 1 || !strings.Contains(r.err, id+" is paused") || !strings.Contains(r.err, "hint: add --unpause") {
		t.Errorf("trigger --wait of a paused DAG: exit %d, stderr:\n%s", r.code, r.err)
	}
	if runs, err := c.ListRuns(t.Context(), id, 0); err != nil || len(runs) != 0 {
		t.Errorf("runs of %s: %v, %v", id, runs, err)
	}

	for _, args := range [][]string{{"pause", "no_such_dag"}, {"runs", "no_such_dag"}, {"trigger", "no_such_dag"}} {
		r = runWith(t, dir, nil, append([]string{"dags"}, args...)...)
		if r.code != 1 || !strings.Contains(r.err, `error: no DAG "no_such_dag" in Airflow`) {
			t.Errorf("dags %v: exit %d, stderr:\n%s", args, r.code, r.err)
		}
	}
}

// The broken file and the DAG that pins dev_docker on a dev stack: both
// are import errors once the dag processor has parsed each file once
// (Start waits for that), the pinned one naming both modes and the fix.
func TestRealAirflowDagsErrors(t *testing.T) {
	dir, _ := realProject(t)
	t.Parallel()
	r := runWith(t, dir, nil, "dags", "errors")
	if r.code != 0 || !strings.HasPrefix(r.out, airflowtest.BrokenDAGFile+"  (") || !strings.Contains(r.out, "    SyntaxError: ") {
		t.Errorf("dags errors: exit %d, stdout:\n%s\nstderr:\n%s", r.code, r.out, r.err)
	}
	for _, want := range []string{airflowtest.PinnedModeDAGFile + "  (",
		"create_task('work'): the DAG pins mode='dev_docker', but the gaiaflow stack runs in mode 'dev'",
		"fix: run `gaiaflow mode set dev_docker` to move the project to dev_docker, or drop mode= from create_task"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("dags errors lacks %q:\n%s", want, r.out)
		}
	}
	r = runWith(t, dir, nil, "dags", "errors", "-o", "json")
	var v importErrorsView
	if err := json.Unmarshal([]byte(r.out), &v); err != nil || v.Total != 2 || v.ImportErrors[0].Filename != airflowtest.BrokenDAGFile ||
		v.ImportErrors[1].Filename != airflowtest.PinnedModeDAGFile {
		t.Errorf("dags errors -o json: %v\n%s", err, r.out)
	}
}

// One run that succeeds (followed as NDJSON) and one that fails (as text),
// at the same time: most of their time is Airflow starting task processes.
func TestRealAirflowDagsTriggerWait(t *testing.T) {
	dir, env := realProject(t)
	t.Parallel()
	var ok, fail result
	var wg sync.WaitGroup
	wg.Go(func() {
		ok = runWith(t, dir, nil, "-o", "json", "dags", "trigger", airflowtest.OKDAG,
			"--unpause", "--wait", "--timeout", realRunTimeout, "--conf", `{"greeting": "hi"}`)
	})
	wg.Go(func() {
		fail = runWith(t, dir, nil, "dags", "trigger", airflowtest.FailDAG, "--unpause", "--wait", "--timeout", realRunTimeout)
	})
	wg.Wait()

	t.Run("ok_dag exits 0", func(t *testing.T) {
		if ok.code != 0 {
			t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", ok.code, ok.out, ok.err)
		}
		lines := strings.Split(strings.TrimSpace(ok.out), "\n")
		var seen []string
		for _, l := range lines[:len(lines)-1] {
			var u airflow.RunUpdate
			if err := json.Unmarshal([]byte(l), &u); err != nil {
				t.Fatalf("not a JSON update: %q", l)
			}
			seen = append(seen, updateLine(u))
		}
		if !slices.Contains(seen, "task hello: success") || !slices.Contains(seen, "task world: success") || seen[len(seen)-1] != "run: success" {
			t.Errorf("updates: %v", seen)
		}
		var final airflow.FinalRun
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &final); err != nil || !final.Succeeded() || fmt.Sprint(final.Run.Conf) != "map[greeting:hi]" {
			t.Fatalf("final line %q (%v)", lines[len(lines)-1], err)
		}

		// The run is among the newest in `dags runs` (another test
		// triggers ok_dag at the same time).
		r := runWith(t, dir, nil, "dags", "runs", airflowtest.OKDAG, "--limit", "5", "-o", "json")
		var v runsView
		if err := json.Unmarshal([]byte(r.out), &v); err != nil || !slices.ContainsFunc(v.Runs, func(run airflow.DAGRun) bool {
			return run.RunID == final.Run.RunID && run.State == airflow.RunSuccess
		}) {
			t.Errorf("dags runs -o json: exit %d, %v\n%s", r.code, err, r.out)
		}
		r = runWith(t, dir, nil, "dags", "runs", airflowtest.OKDAG)
		if r.code != 0 || !strings.HasPrefix(r.out, "RUN ID ") || !strings.Contains(r.out, final.Run.RunID+"  success  manual ") {
			t.Errorf("dags runs: exit %d\n%s%s", r.code, r.out, r.err)
		}
	})
	t.Run("fail_dag exits 1 naming boom", func(t *testing.T) {
		t.Logf("gaiaflow dags trigger fail_dag --unpause --wait:\n%s%s", fail.out, fail.err)
		if fail.code != 1 {
			t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", fail.code, fail.out, fail.err)
		}
		for _, w := range []string{"triggered fail_dag run manual__", "task boom: failed\n", "run: failed\n",
			"--- boom, try 1: last lines of its log ---", "RuntimeError: boom on purpose"} {
			if !strings.Contains(fail.out, w) {
				t.Errorf("stdout lacks %q:\n%s", w, fail.out)
			}
		}
		checkStderr(t, fail, "failed: task boom failed", "hint: its log: `gaiaflow dags logs fail_dag manual__", ", or "+env.BaseURL+"/dags/fail_dag/runs/manual__")
	})
}

// The built binary's exit codes are what CI scripts see.
func TestRealAirflowBinaryTriggerWaitExitCodes(t *testing.T) {
	dir, _ := realProject(t)
	t.Parallel()
	bin := buildGaiaflow(t)
	want := map[string]int{airflowtest.OKDAG: 0, airflowtest.FailDAG: 1}
	var wg sync.WaitGroup
	for dag, code := range want {
		wg.Go(func() {
			cmd := exec.Command(bin, "dags", "trigger", dag, "--unpause", "--wait", "--timeout", realRunTimeout)
			cmd.Dir = dir
			out, _ := cmd.CombinedOutput() // XDG_STATE_HOME is the one TestMain set
			if got := cmd.ProcessState.ExitCode(); got != code {
				t.Errorf("gaiaflow dags trigger %s --unpause --wait: exit %d, want %d\n%s", dag, got, code, out)
			}
			if code == 1 && !strings.Contains(string(out), "task boom failed") {
				t.Errorf("fail_dag's output does not name boom:\n%s", out)
			}
		})
	}
	wg.Wait()
}
