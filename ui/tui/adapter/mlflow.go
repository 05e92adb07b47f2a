package adapter

import (
	"context"
	"sort"

	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/mlflow"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// mlflowRunsLimit is how many of an experiment's runs the MLflow panel
// reads: its newest, and enough for a long-lived experiment.
const mlflowRunsLimit = 10000

// Experiments implements tui.Backend (core.Experiments).
func (b *Backend) Experiments(ctx context.Context) ([]tui.Experiment, error) {
	exps, err := b.Core.Experiments(ctx)
	if err != nil {
		return nil, faceErr("MLflow experiments", err)
	}
	base, _ := b.Core.MLflowURL() // known, or the read above failed
	out := make([]tui.Experiment, 0, len(exps))
	for _, e := range exps {
		out = append(out, tui.Experiment{ID: e.ID, Name: e.Name, LastUpdate: e.LastUpdate, URL: mlflow.ExperimentURL(base, e.ID)})
	}
	return out, nil
}

// MLflowRuns implements tui.Backend (core.MLflowRuns).
func (b *Backend) MLflowRuns(ctx context.Context, q tui.MLflowQuery) (tui.MLflowRunList, error) {
	limit := q.Limit
	if limit == 0 {
		limit = mlflowRunsLimit
	}
	rs, err := b.Core.MLflowRuns(ctx, core.MLflowRunsQuery{Experiment: q.ExperimentID, DAGID: q.DAGID, RunID: q.RunID, TaskID: q.TaskID, Limit: limit})
	if err != nil {
		return tui.MLflowRunList{}, faceErr("MLflow runs", err)
	}
	out := tui.MLflowRunList{Runs: make([]tui.MLflowRun, 0, len(rs.Runs)), Widened: rs.Widened, MetricKeys: rs.MetricKeys}
	for _, r := range rs.Runs {
		out.Runs = append(out.Runs, mlflowRunOf(r, rs.RunURL(r)))
	}
	return out, nil
}

func mlflowRunOf(r mlflow.Run, url string) tui.MLflowRun {
	out := tui.MLflowRun{ID: r.ID, Name: r.Name, ExperimentID: r.ExperimentID, Status: r.Status,
		Start: r.Start, End: r.End, Metrics: r.Metrics, URL: url}
	if dag := r.Tags[mlflow.TagDAGID]; dag != "" {
		out.Task = dag
		if task := r.Tags[mlflow.TagTaskID]; task != "" {
			out.Task += " › " + task
		}
	}
	return out
}

// MLflowRun implements tui.Backend (core.MLflowRun).
func (b *Backend) MLflowRun(ctx context.Context, runID string) (tui.MLflowRunDetail, error) {
	d, err := b.Core.MLflowRun(ctx, runID)
	if err != nil {
		return tui.MLflowRunDetail{}, faceErr("MLflow run "+runID, err)
	}
	out := tui.MLflowRunDetail{Run: mlflowRunOf(d.Run, d.URL), Params: sorted(d.Run.Params), Tags: sorted(d.Run.Tags),
		ArtifactURI: d.Run.ArtifactURI, Artifacts: artifactsOf(d.Artifacts)}
	keys := make([]string, 0, len(d.Run.Metrics))
	for k := range d.Run.Metrics {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ms := tui.MetricSeries{Key: k, Last: d.Run.Metrics[k]}
		for _, m := range d.History[k] {
			ms.History = append(ms.History, m.Value)
		}
		out.Metrics = append(out.Metrics, ms)
	}
	return out, nil
}

// MLflowArtifacts implements tui.Backend (core.MLflowArtifacts).
func (b *Backend) MLflowArtifacts(ctx context.Context, runID, path string) ([]tui.Artifact, error) {
	arts, err := b.Core.MLflowArtifacts(ctx, runID, path)
	if err != nil {
		return nil, faceErr("artifacts of "+runID, err)
	}
	return artifactsOf(arts), nil
}

func artifactsOf(fs []mlflow.FileInfo) []tui.Artifact {
	out := make([]tui.Artifact, 0, len(fs))
	for _, f := range fs {
		out = append(out, tui.Artifact{Path: f.Path, Dir: f.Dir, Size: f.Size})
	}
	return out
}

// sorted is a map's entries by key.
func sorted(m map[string]string) []tui.Param {
	out := make([]tui.Param, 0, len(m))
	for k, v := range m {
		out = append(out, tui.Param{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
