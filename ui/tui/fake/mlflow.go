package fake

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// The fake MLflow: an experiment whose runs were logged by train_model's
// train task (tagged as the example pipeline tags them), and a second one.
const (
	fakeExperiment = "demo-example"
	fakeMLflowURL  = "http://127.0.0.1:5000"
)

func makeMLflow(trainRuns []tui.Run, n int, now time.Time) ([]tui.Experiment, map[string][]tui.MLflowRun) {
	exps := []tui.Experiment{
		{ID: "1", Name: fakeExperiment, LastUpdate: now.Add(-time.Hour), URL: fakeMLflowURL + "/#/experiments/1"},
		{ID: "2", Name: "demo-tuning", LastUpdate: now.Add(-50 * time.Hour), URL: fakeMLflowURL + "/#/experiments/2"},
	}
	words := []string{"brave", "calm", "eager", "gentle", "jolly", "lucky", "proud", "quiet", "swift", "witty"}
	animals := []string{"otter", "heron", "lynx", "panda", "wren", "yak", "ibex", "koala"}
	runs := map[string][]tui.MLflowRun{}
	for i := 0; i < n; i++ {
		start := now.Add(-time.Duration(i*24+1) * time.Hour)
		r := tui.MLflowRun{
			ID:           fmt.Sprintf("%032x", uint64(i+1)*0x9e3779b97f4a7c15),
			Name:         fmt.Sprintf("%s-%s-%d", words[i%len(words)], animals[i%len(animals)], 10+i%90),
			ExperimentID: "1", Status: "FINISHED", Start: start, End: start.Add(time.Duration(40+i%50) * time.Second),
			Metrics: map[string]float64{
				"train_accuracy": 0.95 + float64(i%5)/100,
				"test_accuracy":  round(0.9 + 0.08*math.Sin(float64(i))),
				"test_f1_macro":  round(0.88 + 0.07*math.Cos(float64(i))),
			},
		}
		if i < len(trainRuns) && !trainRuns[i].Start.IsZero() {
			tr := trainRuns[i]
			r.Start, r.End = tr.Start.Add(12*time.Second), tr.Start.Add(31*time.Second)
			r.Task = tr.DAGID + " › train"
			if tr.State == "failed" {
				r.Status, r.Metrics = "FAILED", map[string]float64{}
			}
		}
		if i == 1 && r.Status != "FAILED" {
			r.Status, r.End = "RUNNING", time.Time{}
		}
		r.URL = fakeMLflowURL + "/#/experiments/1/runs/" + r.ID
		runs["1"] = append(runs["1"], r)
	}
	runs["2"] = []tui.MLflowRun{{ID: strings.Repeat("b", 32), Name: "grid-search", ExperimentID: "2", Status: "FINISHED",
		Start: now.Add(-50 * time.Hour), End: now.Add(-49 * time.Hour), Metrics: map[string]float64{"rmse": 0.31},
		URL: fakeMLflowURL + "/#/experiments/2/runs/" + strings.Repeat("b", 32)}}
	return exps, runs
}

func round(v float64) float64 { return math.Round(v*10000) / 10000 }

func (b *Backend) mlflowErr() error {
	if b.opts.DockerDown || !b.snap.Project.Found {
		return fmt.Errorf("MLflow is not reachable at %s: connection refused: %w", fakeMLflowURL, tui.ErrUnavailable)
	}
	return nil
}

// Experiments implements tui.Backend.
func (b *Backend) Experiments(context.Context) ([]tui.Experiment, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.mlflowErr(); err != nil {
		return nil, err
	}
	return append([]tui.Experiment(nil), b.experiments...), nil
}

// MLflowRuns implements tui.Backend: an experiment's runs, or those
// tagged with a DAG run (train_model's runs, by its train task).
func (b *Backend) MLflowRuns(_ context.Context, q tui.MLflowQuery) (tui.MLflowRunList, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.mlflowErr(); err != nil {
		return tui.MLflowRunList{}, err
	}
	if q.ExperimentID == "2" {
		return tui.MLflowRunList{Runs: append([]tui.MLflowRun(nil), b.mlRuns["2"]...), MetricKeys: []string{"rmse"}}, nil
	}
	keys := []string{"test_accuracy", "test_f1_macro", "train_accuracy"} // what every run of experiment 1 logs
	if q.ExperimentID != "" {
		return tui.MLflowRunList{Runs: append([]tui.MLflowRun(nil), b.mlRuns[q.ExperimentID]...), MetricKeys: keys}, nil
	}
	out := tui.MLflowRunList{MetricKeys: keys}
	for i, r := range b.mlRuns["1"] {
		rs := b.runs[q.DAGID]
		if q.DAGID == "train_model" && i < len(rs) && rs[i].RunID == q.RunID && r.Task != "" {
			out.Runs = append(out.Runs, r)
		}
	}
	// Only train logs a run: another task of the DAG run finds train's.
	out.Widened = q.TaskID != "" && q.TaskID != "train" && len(out.Runs) > 0
	return out, nil
}

// MLflowRun implements tui.Backend.
func (b *Backend) MLflowRun(_ context.Context, runID string) (tui.MLflowRunDetail, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.mlflowErr(); err != nil {
		return tui.MLflowRunDetail{}, err
	}
	for _, rs := range b.mlRuns {
		for _, r := range rs {
			if r.ID != runID {
				continue
			}
			d := tui.MLflowRunDetail{Run: r, ArtifactURI: "mlflow-artifacts:/" + r.ExperimentID + "/" + r.ID + "/artifacts",
				Params: []tui.Param{{Key: "C", Value: "1.0"}, {Key: "max_iter", Value: "500"}, {Key: "model", Value: "logistic_regression"},
					{Key: "train_uri", Value: "s3://demo-data/example-pipeline/train.csv"}},
				Tags:      []tui.Param{{Key: "airflow.dag_id", Value: "train_model"}, {Key: "airflow.task_id", Value: "train"}},
				Artifacts: []tui.Artifact{{Path: "model", Dir: true}, {Path: "confusion_matrix.png", Size: 18231}, {Path: "notes.txt", Size: 5}},
			}
			for _, k := range []string{"loss", "test_accuracy", "test_f1_macro", "train_accuracy"} {
				ms := tui.MetricSeries{Key: k}
				if k == "loss" {
					for step := 0; step < 30; step++ {
						ms.History = append(ms.History, round(1/float64(step+1)+0.02*math.Sin(float64(step))))
					}
				} else if v, ok := r.Metrics[k]; ok {
					ms.History = []float64{v}
				} else {
					continue
				}
				ms.Last = ms.History[len(ms.History)-1]
				d.Metrics = append(d.Metrics, ms)
			}
			return d, nil
		}
	}
	return tui.MLflowRunDetail{}, fmt.Errorf("no MLflow run %q", runID)
}

// MLflowArtifacts implements tui.Backend: a model directory.
func (b *Backend) MLflowArtifacts(_ context.Context, runID, path string) ([]tui.Artifact, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.mlflowErr(); err != nil {
		return nil, err
	}
	switch path {
	case "":
		return []tui.Artifact{{Path: "model", Dir: true}, {Path: "confusion_matrix.png", Size: 18231}, {Path: "notes.txt", Size: 5}}, nil
	case "model":
		return []tui.Artifact{{Path: "model/MLmodel", Size: 602}, {Path: "model/model.skops", Size: 4721}, {Path: "model/requirements.txt", Size: 88},
			{Path: "model/metadata", Dir: true}}, nil
	case "model/metadata":
		return []tui.Artifact{{Path: "model/metadata/conda.yaml", Size: 230}}, nil
	}
	return nil, nil
}
