package adapter

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/mlflow"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// The grid's cells line up by task and run; a run without a task leaves
// its cell empty.
func TestGridTranslatesRunsByTasks(t *testing.T) {
	b, fc := wired(t, &fakeStack{}, &fakeAirflow{})
	old, new := airflow.DAGRun{DAGID: "etl", RunID: "old", State: airflow.RunSuccess, RunAfter: t0},
		airflow.DAGRun{DAGID: "etl", RunID: "new", State: airflow.RunFailed, RunAfter: t0.Add(time.Hour)}
	fc.grid = core.DAGGrid{DAGID: "etl", Runs: []airflow.DAGRun{new, old}, Tasks: []string{"load", "train"},
		Instances: map[string]map[string]airflow.TaskInstance{
			"new": {"load": {TaskID: "load", State: airflow.TaskSuccess, TryNumber: 1}, "train": {TaskID: "train", State: airflow.TaskFailed, TryNumber: 2}},
			"old": {"load": {TaskID: "load", State: airflow.TaskSuccess, TryNumber: 1}},
		}}
	g, err := b.Grid(context.Background(), "etl", 25)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Runs) != 2 || g.Runs[0].RunID != "new" || len(g.Cells) != 2 {
		t.Fatalf("grid = %+v", g)
	}
	if c := g.Cells[1][0]; c.TaskID != "train" || c.State != "failed" || c.Try != 2 || c.RunID != "new" || c.DAGID != "etl" {
		t.Errorf("train in the new run = %+v", c)
	}
	if c := g.Cells[1][1]; c.TaskID != "" {
		t.Errorf("train in the old run = %+v, want none", c)
	}
	if calls := fc.Calls(); len(calls) != 1 || calls[0] != "grid etl 25" {
		t.Errorf("calls = %v", calls)
	}
}

func TestFailuresAndMLflowTranslate(t *testing.T) {
	b, fc := wired(t, &fakeStack{}, &fakeAirflow{})
	ctx := context.Background()
	fc.failures = []core.Failure{{DAGID: "etl", RunID: "r", TaskID: "train", MapIndex: -1, Try: 2, End: t0, Error: "ValueError: x"}}
	fs, err := b.Failures(ctx, 3)
	if err != nil || !reflect.DeepEqual(fs, []tui.Failure{{DAGID: "etl", RunID: "r", TaskID: "train", MapIndex: -1, Try: 2, End: t0, Error: "ValueError: x"}}) {
		t.Errorf("failures = %+v, %v", fs, err)
	}

	run := mlflow.Run{ID: "abc", Name: "brave-otter", ExperimentID: "1", Status: "FINISHED", Start: t0,
		Metrics: map[string]float64{"accuracy": 0.9}, Params: map[string]string{"C": "1.0", "model": "lr"},
		Tags: map[string]string{mlflow.TagDAGID: "etl", mlflow.TagTaskID: "pipeline.train"}, ArtifactURI: "mlflow-artifacts:/1/abc/artifacts"}
	fc.mlRuns = core.MLflowRuns{Runs: []mlflow.Run{run}, Widened: true, URL: "http://127.0.0.1:5000"}
	l, err := b.MLflowRuns(ctx, tui.MLflowQuery{DAGID: "etl", RunID: "r", TaskID: "pipeline.evaluate"})
	if err != nil || !l.Widened || len(l.Runs) != 1 {
		t.Fatalf("runs = %+v, %v", l, err)
	}
	if r := l.Runs[0]; r.Task != "etl › pipeline.train" || r.URL != "http://127.0.0.1:5000/#/experiments/1/runs/abc" || r.Metrics["accuracy"] != 0.9 {
		t.Errorf("run = %+v", r)
	}
	if q := fc.mlQuery; q.Limit != mlflowRunsLimit || q.TaskID != "pipeline.evaluate" {
		t.Errorf("the core was asked %+v", q)
	}

	fc.mlRun = core.MLflowRunDetail{Run: run, URL: "u", History: map[string][]mlflow.Metric{"accuracy": {{Value: 0.5}, {Value: 0.9}}},
		Artifacts: []mlflow.FileInfo{{Path: "model", Dir: true}}}
	d, err := b.MLflowRun(ctx, "abc")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.Params, []tui.Param{{Key: "C", Value: "1.0"}, {Key: "model", Value: "lr"}}) ||
		!reflect.DeepEqual(d.Metrics, []tui.MetricSeries{{Key: "accuracy", Last: 0.9, History: []float64{0.5, 0.9}}}) ||
		!reflect.DeepEqual(d.Artifacts, []tui.Artifact{{Path: "model", Dir: true}}) || d.ArtifactURI != run.ArtifactURI {
		t.Errorf("detail = %+v", d)
	}

	fc.mlErr = errors.Join(mlflow.ErrUnreachable, errors.New("connection refused"))
	if _, err := b.Experiments(ctx); !errors.Is(err, tui.ErrUnavailable) {
		t.Errorf("MLflow down: %v", err)
	}
}
