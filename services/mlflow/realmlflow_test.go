package mlflow

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/mlflow/mlflowtest"
)

// The TestRealMLflow... tests share one real `mlflow server` (mlflowtest),
// seeded once by MLflow's own Python client the way a pipeline logs.

var sharedMLflow = &mlflowtest.Shared{}

func TestMain(m *testing.M) {
	code := m.Run()
	sharedMLflow.Stop()
	os.Exit(code)
}

// seedScript logs what the tests read: two experiments; in the first, a
// training run tagged with the Airflow task that logged it (a metric with
// a history, params, artifacts in a directory), an untagged failed run,
// and enough small runs to need several pages.
const seedScript = `
import mlflow, os, sys, tempfile
from mlflow.tracking import MlflowClient
mlflow.set_experiment("gaiaflow-test-other")
with mlflow.start_run(run_name="elsewhere"):
    mlflow.log_metric("accuracy", 0.5)
exp = mlflow.set_experiment("gaiaflow-test")
client = MlflowClient()
for i in range(12):
    r = client.create_run(exp.experiment_id, run_name=f"small-{i:02d}", start_time=1000 + i)
    client.set_terminated(r.info.run_id, end_time=2000 + i)
with mlflow.start_run(run_name="failed-one") as r:
    mlflow.log_param("model", "broken")
failed = r.info.run_id
mlflow.end_run()
client.set_terminated(failed, status="FAILED")
tags = {"airflow.dag_id": "demo_example_pipeline", "airflow.run_id": "manual__2026-11-26T12:00:00+00:00",
        "airflow.task_id": "pipeline.train", "airflow.try_number": "1"}
with mlflow.start_run(run_name="train", tags=tags) as r:
    mlflow.log_params({"model": "logistic_regression", "C": 1.0})
    for step in range(5):
        mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
    mlflow.log_metric("accuracy", 0.97)
    d = tempfile.mkdtemp()
    os.makedirs(os.path.join(d, "model"))
    open(os.path.join(d, "model", "MLmodel"), "w").write("flavors: {}\n")
    open(os.path.join(d, "notes.txt"), "w").write("hello")
    mlflow.log_artifacts(d)
print("SEEDED", exp.experiment_id, r.info.run_id, failed)
`

type seeded struct {
	env                      *mlflowtest.Env
	experiment, train, faild string
}

var (
	seedOnce sync.Once
	seedData seeded
)

// realMLflow is the shared server, seeded on first use.
func realMLflow(t *testing.T) seeded {
	t.Helper()
	env := sharedMLflow.Get(t)
	seedOnce.Do(func() {
		out := env.Python(t, seedScript)
		// MLflow's client prints "View run ..." lines of its own.
		i := strings.LastIndex(out, "SEEDED ")
		f := strings.Fields(out[max(i, 0):])
		if i < 0 || len(f) != 4 {
			t.Fatalf("the seed printed %q", out)
		}
		seedData = seeded{env: env, experiment: f[1], train: f[2], faild: f[3]}
	})
	if seedData.env == nil {
		t.Fatal("seeding MLflow failed in an earlier test")
	}
	return seedData
}

func (s seeded) client(t *testing.T, cfg Config) *Client {
	t.Helper()
	cfg.BaseURL = s.env.BaseURL
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRealMLflowSearchExperiments(t *testing.T) {
	s := realMLflow(t)
	exps, err := s.client(t, Config{PageSize: 1}).SearchExperiments(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]Experiment{}
	for _, e := range exps {
		names[e.Name] = e
	}
	got, ok := names["gaiaflow-test"]
	if !ok || got.ID != s.experiment || got.LastUpdate.IsZero() || !strings.HasPrefix(got.ArtifactLocation, "mlflow-artifacts:") {
		t.Errorf("experiments (paged one by one) = %+v", exps)
	}
	if _, ok := names["gaiaflow-test-other"]; !ok || len(exps) < 3 { // and MLflow's Default
		t.Errorf("experiments = %+v", exps)
	}
}

func TestRealMLflowSearchRunsPagesNewestFirst(t *testing.T) {
	s := realMLflow(t)
	runs, err := s.client(t, Config{PageSize: 5}).SearchRuns(context.Background(), RunSearch{ExperimentIDs: []string{s.experiment}})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 14 {
		t.Fatalf("%d runs, want 14 (12 small, failed-one, train) over pages of 5", len(runs))
	}
	if runs[0].ID != s.train || runs[0].Name != "train" || runs[0].Status != "FINISHED" {
		t.Errorf("newest first: %+v", runs[0])
	}
	for i := 1; i < len(runs); i++ {
		if runs[i].Start.After(runs[i-1].Start) {
			t.Errorf("run %d starts after run %d", i, i-1)
		}
	}
	tr := runs[0]
	if tr.Metrics["accuracy"] != 0.97 || tr.Metrics["loss"] != 0.2 || tr.Params["model"] != "logistic_regression" ||
		tr.Tags[TagTaskID] != "pipeline.train" || tr.End.Before(tr.Start) || tr.ExperimentID != s.experiment {
		t.Errorf("train = %+v", tr)
	}
	if runs[1].ID != s.faild || runs[1].Status != "FAILED" {
		t.Errorf("failed = %+v", runs[1])
	}
	few, err := s.client(t, Config{PageSize: 5}).SearchRuns(context.Background(), RunSearch{ExperimentIDs: []string{s.experiment}, Max: 7})
	if err != nil || len(few) != 7 {
		t.Errorf("Max 7: %d runs, %v", len(few), err)
	}
}

// The tags the example pipeline sets find the run its train task logged,
// across experiments; a task that logged nothing finds nothing.
func TestRealMLflowLinkFilterFindsTheTaskRun(t *testing.T) {
	s := realMLflow(t)
	c := s.client(t, Config{})
	ctx := context.Background()
	exps, err := c.SearchExperiments(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range exps {
		ids = append(ids, e.ID)
	}
	for _, tc := range []struct {
		task string
		want int
	}{{"", 1}, {"pipeline.train", 1}, {"pipeline.evaluate", 0}} {
		f, err := LinkFilter("demo_example_pipeline", "manual__2026-11-26T12:00:00+00:00", tc.task)
		if err != nil {
			t.Fatal(err)
		}
		runs, err := c.SearchRuns(ctx, RunSearch{ExperimentIDs: ids, Filter: f})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(runs) != tc.want || (tc.want == 1 && runs[0].ID != s.train) {
			t.Errorf("%s: %+v", f, runs)
		}
	}
}

func TestRealMLflowGetRunHistoryArtifacts(t *testing.T) {
	s := realMLflow(t)
	c := s.client(t, Config{})
	ctx := context.Background()
	r, err := c.GetRun(ctx, s.train)
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "train" || r.Params["C"] != "1.0" || !strings.Contains(r.ArtifactURI, s.train) {
		t.Errorf("GetRun = %+v", r)
	}
	hist, err := c.MetricHistory(ctx, s.train, "loss")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 5 || hist[0].Value != 1 || hist[4].Value != 0.2 || hist[4].Step != 4 {
		t.Errorf("history = %+v", hist)
	}
	root, err := c.ListArtifacts(ctx, s.train, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(root) != 2 || root[0] != (FileInfo{Path: "model", Dir: true}) || root[1] != (FileInfo{Path: "notes.txt", Size: 5}) {
		t.Errorf("artifacts at the root = %+v", root)
	}
	model, err := c.ListArtifacts(ctx, s.train, "model")
	if err != nil || len(model) != 1 || model[0].Path != "model/MLmodel" || model[0].Dir {
		t.Errorf("artifacts under model = %+v, %v", model, err)
	}
}

func TestRealMLflowErrors(t *testing.T) {
	s := realMLflow(t)
	c := s.client(t, Config{})
	ctx := context.Background()
	_, err := c.GetRun(ctx, "0123456789abcdef0123456789abcdef")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("a missing run: %v", err)
	}
	_, err = c.SearchRuns(ctx, RunSearch{ExperimentIDs: []string{s.experiment}, Filter: "bad filter ("})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "INVALID_PARAMETER_VALUE" || apiErr.Status != 400 {
		t.Errorf("a bad filter: %v", err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	down, _ := New(Config{BaseURL: closed})
	if _, err := down.SearchExperiments(ctx, 0); !errors.Is(err, ErrUnreachable) {
		t.Errorf("nothing listening: %v", err)
	}
}
