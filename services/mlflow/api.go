package mlflow

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"time"
)

// Experiment is one MLflow experiment.
type Experiment struct {
	ID               string    `json:"experiment_id"`
	Name             string    `json:"name"`
	ArtifactLocation string    `json:"artifact_location,omitempty"`
	LifecycleStage   string    `json:"lifecycle_stage,omitempty"`
	Created          time.Time `json:"creation_time"`
	LastUpdate       time.Time `json:"last_update_time"`
}

// Run is one MLflow run: its facts, its latest metrics, params and tags.
type Run struct {
	ID           string    `json:"run_id"`
	Name         string    `json:"run_name"`
	ExperimentID string    `json:"experiment_id"`
	Status       string    `json:"status"` // RUNNING, SCHEDULED, FINISHED, FAILED, KILLED
	Start        time.Time `json:"start_time"`
	// End is zero while the run runs.
	End         time.Time `json:"end_time"`
	ArtifactURI string    `json:"artifact_uri,omitempty"`
	User        string    `json:"user_id,omitempty"`
	// Metrics are the latest value of each metric, by key.
	Metrics map[string]float64 `json:"metrics"`
	Params  map[string]string  `json:"params"`
	Tags    map[string]string  `json:"tags"`
}

// Metric is one logged value of a metric.
type Metric struct {
	Key       string    `json:"key"`
	Value     float64   `json:"value"`
	Timestamp time.Time `json:"timestamp"`
	Step      int64     `json:"step"`
}

// FileInfo is one artifact: a file or a directory.
type FileInfo struct {
	// Path is relative to the run's artifact root ("model/MLmodel").
	Path string `json:"path"`
	Dir  bool   `json:"is_dir"`
	Size int64  `json:"file_size"`
}

// What MLflow sends: times in milliseconds since the epoch and 64-bit
// integers as numbers (or, through some proxies, as strings).

type millis int64

func (m *millis) UnmarshalJSON(b []byte) error {
	n, err := int64Of(b)
	*m = millis(n)
	return err
}

func (m millis) time() time.Time {
	if m <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(m)).UTC()
}

type int64s int64

func (n *int64s) UnmarshalJSON(b []byte) error {
	v, err := int64Of(b)
	*n = int64s(v)
	return err
}

func int64Of(b []byte) (int64, error) {
	if string(b) == "null" {
		return 0, nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		if s == "" {
			return 0, nil
		}
		return strconv.ParseInt(s, 10, 64)
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return 0, err
	}
	if i, err := n.Int64(); err == nil {
		return i, nil
	}
	f, err := n.Float64()
	return int64(f), err
}

// floats accepts MLflow's special values, which it writes as strings
// ("NaN", "Infinity", "-Infinity").
type floats float64

func (f *floats) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		v, err := strconv.ParseFloat(s, 64)
		*f = floats(v)
		return err
	}
	var v float64
	err := json.Unmarshal(b, &v)
	*f = floats(v)
	return err
}

type experimentJSON struct {
	ID               string `json:"experiment_id"`
	Name             string `json:"name"`
	ArtifactLocation string `json:"artifact_location"`
	LifecycleStage   string `json:"lifecycle_stage"`
	Created          millis `json:"creation_time"`
	LastUpdate       millis `json:"last_update_time"`
}

type keyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type metricJSON struct {
	Key       string `json:"key"`
	Value     floats `json:"value"`
	Timestamp millis `json:"timestamp"`
	Step      int64s `json:"step"`
}

type runJSON struct {
	Info struct {
		RunID        string `json:"run_id"`
		RunUUID      string `json:"run_uuid"` // older servers only
		Name         string `json:"run_name"`
		ExperimentID string `json:"experiment_id"`
		Status       string `json:"status"`
		Start        millis `json:"start_time"`
		End          millis `json:"end_time"`
		ArtifactURI  string `json:"artifact_uri"`
		User         string `json:"user_id"`
	} `json:"info"`
	Data struct {
		Metrics []metricJSON `json:"metrics"`
		Params  []keyValue   `json:"params"`
		Tags    []keyValue   `json:"tags"`
	} `json:"data"`
}

func (r runJSON) toRun() Run {
	out := Run{ID: r.Info.RunID, Name: r.Info.Name, ExperimentID: r.Info.ExperimentID, Status: r.Info.Status,
		Start: r.Info.Start.time(), End: r.Info.End.time(), ArtifactURI: r.Info.ArtifactURI, User: r.Info.User,
		Metrics: map[string]float64{}, Params: map[string]string{}, Tags: map[string]string{}}
	if out.ID == "" {
		out.ID = r.Info.RunUUID
	}
	for _, m := range r.Data.Metrics {
		out.Metrics[m.Key] = float64(m.Value)
	}
	for _, p := range r.Data.Params {
		out.Params[p.Key] = p.Value
	}
	for _, t := range r.Data.Tags {
		out.Tags[t.Key] = t.Value
	}
	if out.Name == "" {
		out.Name = out.Tags["mlflow.runName"]
	}
	return out
}

// SearchExperiments lists up to max active experiments (0: all), most
// recently changed first.
func (c *Client) SearchExperiments(ctx context.Context, max int) ([]Experiment, error) {
	var out []Experiment
	token := ""
	for {
		n := c.page
		if max > 0 && max-len(out) < n {
			n = max - len(out)
		}
		body := map[string]any{"max_results": n, "order_by": []string{"last_update_time DESC"}, "view_type": "ACTIVE_ONLY"}
		if token != "" {
			body["page_token"] = token
		}
		var page struct {
			Experiments []experimentJSON `json:"experiments"`
			Next        string           `json:"next_page_token"`
		}
		if err := c.post(ctx, "/experiments/search", body, &page); err != nil {
			return nil, err
		}
		for _, e := range page.Experiments {
			out = append(out, Experiment{ID: e.ID, Name: e.Name, ArtifactLocation: e.ArtifactLocation,
				LifecycleStage: e.LifecycleStage, Created: e.Created.time(), LastUpdate: e.LastUpdate.time()})
		}
		token = page.Next
		if token == "" || len(page.Experiments) == 0 || (max > 0 && len(out) >= max) {
			return out, nil
		}
	}
}

// RunSearch is what SearchRuns asks for.
type RunSearch struct {
	ExperimentIDs []string
	// Filter is MLflow's search expression ("metrics.rmse < 1 and
	// tags.`airflow.dag_id` = 'x'"); see LinkFilter.
	Filter string
	// Max bounds how many runs are read (0: all).
	Max int
}

// SearchRuns lists the active runs of the experiments that match the
// filter, newest first.
func (c *Client) SearchRuns(ctx context.Context, s RunSearch) ([]Run, error) {
	if len(s.ExperimentIDs) == 0 {
		return nil, nil // MLflow searches no experiment at all then
	}
	var out []Run
	token := ""
	for {
		n := c.page
		if s.Max > 0 && s.Max-len(out) < n {
			n = s.Max - len(out)
		}
		body := map[string]any{"experiment_ids": s.ExperimentIDs, "max_results": n, "run_view_type": "ACTIVE_ONLY",
			"order_by": []string{"attributes.start_time DESC"}}
		if s.Filter != "" {
			body["filter"] = s.Filter
		}
		if token != "" {
			body["page_token"] = token
		}
		var page struct {
			Runs []runJSON `json:"runs"`
			Next string    `json:"next_page_token"`
		}
		if err := c.post(ctx, "/runs/search", body, &page); err != nil {
			return nil, err
		}
		for _, r := range page.Runs {
			out = append(out, r.toRun())
		}
		token = page.Next
		if token == "" || len(page.Runs) == 0 || (s.Max > 0 && len(out) >= s.Max) {
			return out, nil
		}
	}
}

// GetRun reads one run.
func (c *Client) GetRun(ctx context.Context, runID string) (Run, error) {
	var out struct {
		Run *runJSON `json:"run"`
	}
	if err := c.get(ctx, "/runs/get", url.Values{"run_id": {runID}}, &out); err != nil {
		return Run{}, err
	}
	if out.Run == nil {
		return Run{}, fmt.Errorf("%w: GET %s/runs/get: no run in the answer", ErrBadResponse, apiRoot)
	}
	return out.Run.toRun(), nil
}

// historyPage is how many points one metric-history request asks for.
const historyPage = 25000

// MetricHistory lists every value logged for a run's metric, in step
// order (then time).
func (c *Client) MetricHistory(ctx context.Context, runID, key string) ([]Metric, error) {
	var out []Metric
	token := ""
	for {
		q := url.Values{"run_id": {runID}, "metric_key": {key}, "max_results": {strconv.Itoa(historyPage)}}
		if token != "" {
			q.Set("page_token", token)
		}
		var page struct {
			Metrics []metricJSON `json:"metrics"`
			Next    string       `json:"next_page_token"`
		}
		if err := c.get(ctx, "/metrics/get-history", q, &page); err != nil {
			return nil, err
		}
		for _, m := range page.Metrics {
			out = append(out, Metric{Key: m.Key, Value: float64(m.Value), Timestamp: m.Timestamp.time(), Step: int64(m.Step)})
		}
		token = page.Next
		if token == "" || len(page.Metrics) == 0 {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Step != out[j].Step {
			return out[i].Step < out[j].Step
		}
		return out[i].Timestamp.Before(out[j].Timestamp)
	})
	return out, nil
}

// ListArtifacts lists a run's artifacts directly under path ("" the root).
func (c *Client) ListArtifacts(ctx context.Context, runID, path string) ([]FileInfo, error) {
	var out []FileInfo
	token := ""
	for {
		q := url.Values{"run_id": {runID}}
		if path != "" {
			q.Set("path", path)
		}
		if token != "" {
			q.Set("page_token", token)
		}
		var page struct {
			Files []struct {
				Path string `json:"path"`
				Dir  bool   `json:"is_dir"`
				Size int64s `json:"file_size"`
			} `json:"files"`
			Next string `json:"next_page_token"`
		}
		if err := c.get(ctx, "/artifacts/list", q, &page); err != nil {
			return nil, err
		}
		for _, f := range page.Files {
			out = append(out, FileInfo{Path: f.Path, Dir: f.Dir, Size: int64(f.Size)})
		}
		token = page.Next
		if token == "" || len(page.Files) == 0 {
			return out, nil
		}
	}
}
