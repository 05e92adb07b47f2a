package adapter

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/airflow/airflowtest"
	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// TestRealAirflowAdapterDAGsRunsAndTasks points the adapter at a real
// Airflow 3 (airflowtest) reached as the CLI reaches a project's, through
// airflow.ForProject with the project's credentials: the DAG panel's reads
// show the test DAGs and the broken file, unpause and trigger act, and the
// run's task instances and a task's log come back.
func TestRealAirflowAdapterDAGsRunsAndTasks(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir := t.TempDir()
	write := func(port int) {
		toml := fmt.Sprintf("name = \"gfdags\"\npackage = \"demo\"\n[services.airflow]\nport = %d\n", port)
		if err := os.WriteFile(filepath.Join(dir, "gaiaflow.toml"), []byte(toml), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(8080)
	p, err := project.Open(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.State()
	if err != nil {
		t.Fatal(err)
	}
	creds, err := st.Credentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	files := airflowtest.TestDAGs()
	delete(files, airflowtest.ManyDAGsFile)
	files[airflowtest.PinnedModeDAGFile] = []byte(airflowtest.PinnedModeDAG)
	began := time.Now()
	env := airflowtest.Start(t, airflowtest.Options{User: creds.AirflowAdminUser, Password: creds.AirflowAdminPassword, DAGFiles: files,
		Env: airflowtest.GaiaflowStackEnv("dev")})
	t.Cleanup(env.Stop)
	t.Logf("Airflow started in %s", time.Since(began).Round(time.Second))
	write(env.Port)

	c := core.New(core.Deps{Start: dir, Explicit: true})
	defer c.Close()
	b := New(c)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	s, err := b.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Airflow.OK || !strings.Contains(s.Airflow.Detail, fmt.Sprint(env.Port)) {
		t.Errorf("airflow conn = %+v", s.Airflow)
	}

	l, err := b.DAGs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]tui.DAG{}
	for _, d := range l.DAGs {
		ids[d.ID] = d
	}
	if d, ok := ids[airflowtest.OKDAG]; !ok || !d.Paused || d.LastRunState != "" || d.File == "" {
		t.Errorf("%s = %+v (of %d DAGs)", airflowtest.OKDAG, d, len(l.DAGs))
	}
	// The DAG panel shows the broken file and, after the dag processor's
	// first parse, the DAG that pins dev_docker on a dev stack, with the fix.
	if len(l.ImportErrors) != 2 || l.ImportErrors[0].File != airflowtest.BrokenDAGFile || !strings.Contains(l.ImportErrors[0].Message, "SyntaxError") ||
		l.ImportErrors[1].File != airflowtest.PinnedModeDAGFile || !strings.Contains(l.ImportErrors[1].Message, "fix: run `gaiaflow mode set dev_docker`") {
		t.Errorf("import errors = %+v", l.ImportErrors)
	}

	var rec event.Recorder
	for _, a := range []tui.Action{{Verb: tui.VerbUnpause, Target: airflowtest.OKDAG}, {Verb: tui.VerbTrigger, Target: airflowtest.OKDAG}} {
		if err := b.Do(ctx, a, &rec); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	var run tui.Run
	for {
		runs, err := b.Runs(ctx, airflowtest.OKDAG, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 1 && (runs[0].State == "success" || runs[0].State == "failed") {
			run = runs[0]
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the run did not finish: %+v\n%s", runs, env.LogTails(20))
		}
		time.Sleep(time.Second)
	}
	t.Logf("the run ended %s after the start", time.Since(began).Round(time.Second))
	if run.State != "success" || run.Type != "manual" || run.Start.IsZero() || run.End.IsZero() {
		t.Errorf("run = %+v", run)
	}
	tis, err := b.TaskInstances(ctx, airflowtest.OKDAG, run.RunID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, ti := range tis {
		got[ti.TaskID] = ti.State
	}
	if got["hello"] != "success" || got["world"] != "success" {
		t.Errorf("task instances = %+v", tis)
	}
	l, err = b.DAGs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range l.DAGs {
		if d.ID == airflowtest.OKDAG && (d.Paused || d.LastRunState != "success" || d.LastRunID != run.RunID || d.LastRunEnd.IsZero()) {
			t.Errorf("%s after its run = %+v", d.ID, d)
		}
	}
	// The grid: the one run, its two tasks in the order they ran.
	g, err := b.Grid(ctx, airflowtest.OKDAG, 25)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Runs) != 1 || g.Runs[0].RunID != run.RunID || strings.Join(g.Tasks, ",") != "hello,world" ||
		g.Cells[0][0].State != "success" || g.Cells[1][0].State != "success" || g.Cells[1][0].Try != 1 {
		t.Errorf("grid = %+v", g)
	}
	// Nothing failed: the overview has no failed task to show.
	if fs, err := b.Failures(ctx, 3); err != nil || len(fs) != 0 {
		t.Errorf("failures = %+v, %v", fs, err)
	}
	for _, ti := range tis {
		if ti.TaskID != "hello" {
			continue
		}
		ch, err := b.Logs(ctx, tui.LogSource{Task: &ti}, tui.LogQuery{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for range ch {
			n++
		}
		if n == 0 {
			t.Error("the task's log is empty")
		}
	}
	if _, err := b.Runs(ctx, "no_such_dag", 5); err == nil {
		t.Error("runs of a DAG that does not exist: no error")
	}
}
