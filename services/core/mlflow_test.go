package core

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/mlflow"
	"github.com/gaiaflow/gaiaflow/services/project"
)

func airflowTI(task, state string, try int) airflow.TaskInstance {
	return airflow.TaskInstance{TaskID: task, State: airflow.TaskState(state), TryNumber: try, MapIndex: 3}
}

// fakeMLflow answers the core's MLflow reads from memory and records the
// searches. What MLflow itself does with them is services/mlflow's real
// tests'.
type fakeMLflow struct {
	mu       sync.Mutex
	exps     []mlflow.Experiment
	runs     []mlflow.Run // every run, newest first
	searches []mlflow.RunSearch
	err      error
}

func (f *fakeMLflow) BaseURL() string { return "http://127.0.0.1:5000" }
func (f *fakeMLflow) SearchExperiments(context.Context, int) ([]mlflow.Experiment, error) {
	return f.exps, f.err
}

// SearchRuns understands the link filter only: a run matches when each
// airflow.* tag the filter names is the run's.
func (f *fakeMLflow) SearchRuns(_ context.Context, s mlflow.RunSearch) ([]mlflow.Run, error) {
	f.mu.Lock()
	f.searches = append(f.searches, s)
	f.mu.Unlock()
	var out []mlflow.Run
	for _, r := range f.runs {
		in := false
		for _, id := range s.ExperimentIDs {
			in = in || id == r.ExperimentID
		}
		for _, tag := range []string{mlflow.TagDAGID, mlflow.TagRunID, mlflow.TagTaskID} {
			if strings.Contains(s.Filter, "`"+tag+"`") && !strings.Contains(s.Filter, "`"+tag+"` = '"+r.Tags[tag]+"'") {
				in = false
			}
		}
		if in {
			out = append(out, r)
		}
	}
	return out, f.err
}
func (f *fakeMLflow) GetRun(_ context.Context, id string) (mlflow.Run, error) {
	for _, r := range f.runs {
		if r.ID == id {
			return r, nil
		}
	}
	return mlflow.Run{}, &mlflow.APIError{Status: 404, Code: "RESOURCE_DOES_NOT_EXIST"}
}
func (f *fakeMLflow) MetricHistory(_ context.Context, _, key string) ([]mlflow.Metric, error) {
	return []mlflow.Metric{{Key: key, Value: 1}, {Key: key, Value: 0.5, Step: 1}}, nil
}
func (f *fakeMLflow) ListArtifacts(_ context.Context, _, path string) ([]mlflow.FileInfo, error) {
	return []mlflow.FileInfo{{Path: strings.TrimPrefix(path+"/model", "/"), Dir: true}}, nil
}

func withMLflow(t *testing.T, f *fakeMLflow) *Core {
	t.Helper()
	c := nothing(t, demoDir(t, ""))
	c.d.NewMLflow = func(*project.Project) (MLflowAPI, error) { return f, nil }
	return c
}

func demoMLflow() *fakeMLflow {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	link := func(task string) map[string]string {
		return map[string]string{mlflow.TagDAGID: "demo", mlflow.TagRunID: "r1", mlflow.TagTaskID: task}
	}
	return &fakeMLflow{
		exps: []mlflow.Experiment{{ID: "1", Name: "demo-example"}, {ID: "2", Name: "other"}},
		runs: []mlflow.Run{
			{ID: "a", ExperimentID: "1", Start: t0, Metrics: map[string]float64{"accuracy": 0.9, "loss": 0.1}, Tags: link("pipeline.train")},
			{ID: "b", ExperimentID: "2", Start: t0.Add(-time.Hour), Metrics: map[string]float64{}, Tags: map[string]string{}},
		},
	}
}

func TestMLflowRunsOfAnExperimentByNameOrID(t *testing.T) {
	f := demoMLflow()
	c := withMLflow(t, f)
	ctx := context.Background()
	for _, exp := range []string{"demo-example", "1"} {
		got, err := c.MLflowRuns(ctx, MLflowRunsQuery{Experiment: exp})
		if err != nil || len(got.Runs) != 1 || got.Runs[0].ID != "a" || got.RunURL(got.Runs[0]) != "http://127.0.0.1:5000/#/experiments/1/runs/a" {
			t.Errorf("experiment %q: %+v, %v", exp, got, err)
		}
	}
	if last := f.searches[len(f.searches)-1]; last.Max != DefaultMLflowRuns || last.Filter != "" {
		t.Errorf("search = %+v", last)
	}
	all, err := c.MLflowRuns(ctx, MLflowRunsQuery{})
	if err != nil || len(all.Runs) != 2 {
		t.Errorf("every experiment: %+v, %v", all, err)
	}
	_, err = c.MLflowRuns(ctx, MLflowRunsQuery{Experiment: "nope"})
	if errs.KindOf(err) != errs.Usage || !strings.Contains(err.Error(), `no MLflow experiment "nope"`) {
		t.Errorf("an unknown experiment: %v", err)
	}
}

// A task's runs are those tagged with it; a task that logged none (the
// example's evaluate logs into train's run) gets its DAG run's, marked.
func TestMLflowRunsOfATaskWidenToItsDAGRun(t *testing.T) {
	c := withMLflow(t, demoMLflow())
	ctx := context.Background()
	got, err := c.MLflowRuns(ctx, MLflowRunsQuery{DAGID: "demo", RunID: "r1", TaskID: "pipeline.train"})
	if err != nil || len(got.Runs) != 1 || got.Widened {
		t.Errorf("train: %+v, %v", got, err)
	}
	got, err = c.MLflowRuns(ctx, MLflowRunsQuery{DAGID: "demo", RunID: "r1", TaskID: "pipeline.evaluate"})
	if err != nil || len(got.Runs) != 1 || !got.Widened {
		t.Errorf("evaluate: %+v, %v", got, err)
	}
}

func TestMLflowRunsRefusesHalfAQuery(t *testing.T) {
	c := nothing(t, demoDir(t, ""))
	c.d.NewMLflow = func(*project.Project) (MLflowAPI, error) {
		t.Error("MLflow was reached")
		return nil, errors.New("no")
	}
	for _, q := range []MLflowRunsQuery{
		{TaskID: "t"}, {RunID: "r"}, {DAGID: "d", Experiment: "e"}, {Limit: -1},
	} {
		if _, err := c.MLflowRuns(context.Background(), q); errs.KindOf(err) != errs.Usage {
			t.Errorf("%+v: %v", q, err)
		}
	}
	if _, err := c.MLflowRun(context.Background(), " "); errs.KindOf(err) != errs.Usage {
		t.Errorf("an empty run id: %v", err)
	}
}

func TestMLflowRunReadsHistoriesAndArtifacts(t *testing.T) {
	c := withMLflow(t, demoMLflow())
	d, err := c.MLflowRun(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.History) != 2 || len(d.History["loss"]) != 2 || len(d.Artifacts) != 1 || d.URL != "http://127.0.0.1:5000/#/experiments/1/runs/a" {
		t.Errorf("detail = %+v", d)
	}
	_, err = c.MLflowRun(context.Background(), "zzz")
	if err == nil || err.Error() != `no MLflow run "zzz"` || errs.HintOf(err) == "" {
		t.Errorf("a missing run: %v", err)
	}
}

func TestMLflowErrorSaysWhatToDo(t *testing.T) {
	down := MLflowError(fakeUnreachable(), "http://127.0.0.1:5000", "list MLflow's experiments")
	if !strings.HasPrefix(down.Error(), "MLflow is not reachable at http://127.0.0.1:5000") || errs.HintOf(down) != "start it with `gaiaflow dev start`" ||
		!errors.Is(down, mlflow.ErrUnreachable) {
		t.Errorf("unreachable: %v / %q", down, errs.HintOf(down))
	}
}

func fakeUnreachable() error {
	return errors.Join(mlflow.ErrUnreachable, errors.New("dial tcp 127.0.0.1:5000: connect: connection refused"))
}
