package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/mlflow/mlflowtest"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// The TestRealMLflow... tests run `gaiaflow mlflow` and the dashboard's
// backend against one real MLflow (mlflowtest), seeded as the example
// pipeline logs: a train run tagged with the task that logged it.

var (
	sharedMLflow mlflowtest.Shared
	seedMLflow   sync.Once
	seededTrain  string
)

const mlflowSeed = `
import mlflow
mlflow.set_experiment("demo-example")
tags = {"airflow.dag_id": "demo_example_pipeline", "airflow.run_id": "manual__2026-11-26T12:00:00+00:00",
        "airflow.task_id": "pipeline.train", "airflow.try_number": "1"}
with mlflow.start_run(run_name="train", tags=tags) as r:
    mlflow.log_params({"model": "logistic_regression"})
    mlflow.log_metric("train_accuracy", 0.97)
    mlflow.log_metric("test_accuracy", 0.93)
mlflow.set_experiment("scratch")
with mlflow.start_run(run_name="notebook"):
    mlflow.log_metric("rmse", 0.3)
print("SEEDED", r.info.run_id)
`

// realMLflowProject is a project whose services.mlflow.port is the shared
// real MLflow's, seeded on first use.
func realMLflowProject(t *testing.T) string {
	t.Helper()
	env := sharedMLflow.Get(t)
	seedMLflow.Do(func() {
		out := env.Python(t, mlflowSeed)
		i := strings.LastIndex(out, "SEEDED ")
		if i < 0 {
			t.Fatalf("the seed printed %q", out)
		}
		seededTrain = strings.TrimSpace(out[i+len("SEEDED "):])
	})
	if seededTrain == "" {
		t.Fatal("seeding MLflow failed in an earlier test")
	}
	var port int
	if _, err := fmt.Sscanf(env.BaseURL, "http://127.0.0.1:%d", &port); err != nil {
		t.Fatal(err)
	}
	return newProjectDir(t, fmt.Sprintf("%s\n[services.mlflow]\nport = %d\n", goodToml, port))
}

func TestRealMLflowCommandsAndTheDashboardAgree(t *testing.T) {
	dir := realMLflowProject(t)
	state := t.TempDir()
	env := map[string]string{"XDG_STATE_HOME": state, "HOME": state}
	be, _ := dashboardOf(t, dir, env)
	ctx := context.Background()

	// Experiments.
	r := runWith(t, dir, env, "-o", "json", "mlflow", "experiments")
	var exps experimentsView
	if r.code != 0 || json.Unmarshal([]byte(r.out), &exps) != nil {
		t.Fatalf("mlflow experiments: exit %d\n%s%s", r.code, r.out, r.err)
	}
	dash, err := be.Experiments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var cliNames, dashNames []string
	for _, e := range exps.Experiments {
		cliNames = append(cliNames, e.Name)
	}
	for _, e := range dash {
		dashNames = append(dashNames, e.Name)
	}
	if !slices.Contains(cliNames, "demo-example") || !slices.Equal(cliNames, dashNames) {
		t.Errorf("experiments: CLI %v, dashboard %v", cliNames, dashNames)
	}
	exp := ""
	for _, e := range exps.Experiments {
		if e.Name == "demo-example" {
			exp = e.ID
		}
	}

	// An experiment's runs, by name; the dashboard asks by id.
	r = runWith(t, dir, env, "-o", "json", "mlflow", "runs", "demo-example")
	var runs mlflowRunsView
	if r.code != 0 || json.Unmarshal([]byte(r.out), &runs) != nil || runs.Total != 1 {
		t.Fatalf("mlflow runs demo-example: exit %d\n%s%s", r.code, r.out, r.err)
	}
	got := runs.Runs[0]
	if got.ID != seededTrain || got.Metrics["test_accuracy"] != 0.93 || got.Experiment != "demo-example" || !strings.HasSuffix(got.URL, "/#/experiments/"+exp+"/runs/"+seededTrain) {
		t.Errorf("run = %+v", got)
	}
	list, err := be.MLflowRuns(ctx, tui.MLflowQuery{ExperimentID: exp})
	if err != nil || len(list.Runs) != 1 || list.Runs[0].ID != got.ID || list.Runs[0].URL != got.URL || list.Runs[0].Task != "demo_example_pipeline › pipeline.train" {
		t.Errorf("the dashboard's runs: %+v, %v", list, err)
	}
	text := runWith(t, dir, env, "mlflow", "runs", "demo-example")
	if !strings.Contains(text.out, "TEST_ACCURACY") || !strings.Contains(text.out, "0.93") || !strings.Contains(text.out, seededTrain) {
		t.Errorf("mlflow runs (text):\n%s", text.out)
	}

	// A DAG run's task: train logged the run; evaluate logged none, so its
	// DAG run's are listed, and both faces say so.
	for _, c := range []struct {
		task    string
		widened bool
	}{{"pipeline.train", false}, {"pipeline.evaluate", true}} {
		r := runWith(t, dir, env, "-o", "json", "mlflow", "runs", "--dag", "demo_example_pipeline", "--run", "manual__2026-11-26T12:00:00+00:00", "--task", c.task)
		var v mlflowRunsView
		if r.code != 0 || json.Unmarshal([]byte(r.out), &v) != nil {
			t.Fatalf("%s: exit %d\n%s%s", c.task, r.code, r.out, r.err)
		}
		l, err := be.MLflowRuns(ctx, tui.MLflowQuery{DAGID: "demo_example_pipeline", RunID: "manual__2026-11-26T12:00:00+00:00", TaskID: c.task})
		if err != nil {
			t.Fatal(err)
		}
		if v.Total != 1 || v.Runs[0].ID != seededTrain || v.Widened != c.widened || len(l.Runs) != 1 || l.Runs[0].ID != seededTrain || l.Widened != c.widened {
			t.Errorf("%s: CLI %+v, dashboard %+v", c.task, v, l)
		}
	}

	// The run itself, as the dashboard reads it.
	d, err := be.MLflowRun(ctx, seededTrain)
	if err != nil || len(d.Metrics) != 2 || len(d.Params) != 1 || d.Run.Name != "train" {
		t.Errorf("the run: %+v, %v", d, err)
	}
}

// MLflow down, or an experiment that is not there: the CLI's error and
// hint are what the dashboard shows.
func TestParityMLflowErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir := newProjectDir(t, fmt.Sprintf("%s\n[services.mlflow]\nport = %d\n", goodToml, closed))
	state := t.TempDir()
	env := map[string]string{"XDG_STATE_HOME": state, "HOME": state}
	r := runWith(t, dir, env, "mlflow", "experiments")
	msg, hint := stderrLines(t, r)
	if r.code != 1 || !strings.HasPrefix(msg, "MLflow is not reachable at http://127.0.0.1:") || hint != "start it with `gaiaflow dev start`" {
		t.Fatalf("CLI: exit %d, stderr:\n%s", r.code, r.err)
	}
	be, _ := dashboardOf(t, dir, env)
	_, err = be.Experiments(context.Background())
	if err == nil {
		t.Fatal("the dashboard read without an error")
	}
	shown := err.Error() + "; " + errs.HintOf(err)
	if !strings.Contains(shown, msg) || !strings.Contains(shown, hint) || !errors.Is(err, tui.ErrUnavailable) {
		t.Errorf("the faces explain differently:\n CLI       %s / %s\n dashboard %s", msg, hint, shown)
	}
	bad := runWith(t, dir, env, "mlflow", "runs", "--task", "train")
	if m, h := stderrLines(t, bad); bad.code != 2 || m != "a task needs its DAG run: give --run too" || h == "" {
		t.Errorf("--task alone: exit %d, %s", bad.code, bad.err)
	}
}
