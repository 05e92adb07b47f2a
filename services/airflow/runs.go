package airflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// RunState is the state of a DAG run.
type RunState string

// The states of a DAG run in Airflow 3.
const (
	RunQueued  RunState = "queued"
	RunRunning RunState = "running"
	RunSuccess RunState = "success"
	RunFailed  RunState = "failed"
)

// Finished reports whether the run has ended, well or not.
func (s RunState) Finished() bool { return s == RunSuccess || s == RunFailed }

// AllDAGs, given as a DAG id to ListRuns, lists the runs of every DAG.
const AllDAGs = "~"

// DAGRun is one run of a DAG.
type DAGRun struct {
	DAGID string   `json:"dag_id"`
	RunID string   `json:"run_id"`
	State RunState `json:"state"`
	// RunType is "manual", "scheduled", "backfill" or "asset_triggered".
	RunType string `json:"run_type"`
	// LogicalDate is nil for runs triggered without one (the default for
	// manual runs in Airflow 3); RunAfter is always set.
	LogicalDate *time.Time     `json:"logical_date"`
	RunAfter    time.Time      `json:"run_after"`
	QueuedAt    *time.Time     `json:"queued_at,omitempty"`
	StartDate   *time.Time     `json:"start_date"`
	EndDate     *time.Time     `json:"end_date"`
	Conf        map[string]any `json:"conf"`
}

// dagRunJSON is Airflow's DAGRunResponse, reduced to what DAGRun needs.
type dagRunJSON struct {
	DagRunID    string         `json:"dag_run_id"`
	DagID       string         `json:"dag_id"`
	State       RunState       `json:"state"`
	RunType     string         `json:"run_type"`
	LogicalDate *time.Time     `json:"logical_date"`
	RunAfter    time.Time      `json:"run_after"`
	QueuedAt    *time.Time     `json:"queued_at"`
	StartDate   *time.Time     `json:"start_date"`
	EndDate     *time.Time     `json:"end_date"`
	Conf        map[string]any `json:"conf"`
}

func (r dagRunJSON) toRun() DAGRun {
	conf := r.Conf
	if conf == nil {
		conf = map[string]any{}
	}
	return DAGRun{
		DAGID:       r.DagID,
		RunID:       r.DagRunID,
		State:       r.State,
		RunType:     r.RunType,
		LogicalDate: r.LogicalDate,
		RunAfter:    r.RunAfter,
		QueuedAt:    r.QueuedAt,
		StartDate:   r.StartDate,
		EndDate:     r.EndDate,
		Conf:        conf,
	}
}

// ListRuns returns the newest runs of a DAG first (AllDAGs for every DAG),
// at most limit of them; limit <= 0 returns them all.
func (c *Client) ListRuns(ctx context.Context, dagID string, limit int) ([]DAGRun, error) {
	q := url.Values{"order_by": {"-run_after"}}
	raw, err := listPages[dagRunJSON](ctx, c, dagPath(dagID)+"/dagRuns", "dag_runs", q, limit)
	if err != nil {
		return nil, err
	}
	runs := make([]DAGRun, 0, len(raw))
	for _, r := range raw {
		runs = append(runs, r.toRun())
	}
	return runs, nil
}

// GetRun returns one run; ErrNotFound when it does not exist.
func (c *Client) GetRun(ctx context.Context, dagID, runID string) (DAGRun, error) {
	var r dagRunJSON
	if err := c.getJSON(ctx, runPath(dagID, runID), nil, &r); err != nil {
		return DAGRun{}, err
	}
	return r.toRun(), nil
}

// triggerBody is exactly what Trigger sends. Airflow rejects unknown fields,
// and Airflow 3.0 to 3.3 require logical_date to be present, so it is always
// sent, as null: the run gets no logical date and many runs of the same DAG
// may be triggered at once.
type triggerBody struct {
	LogicalDate *time.Time     `json:"logical_date"`
	Conf        map[string]any `json:"conf"`
}

// Trigger starts a manual run of a DAG with conf ({} when nil) and returns
// it, usually queued. A paused DAG accepts the run but will not start it
// until it is unpaused.
func (c *Client) Trigger(ctx context.Context, dagID string, conf map[string]any) (DAGRun, error) {
	if conf == nil {
		conf = map[string]any{}
	}
	var r dagRunJSON
	if err := c.sendJSON(ctx, http.MethodPost, dagPath(dagID)+"/dagRuns", nil, triggerBody{Conf: conf}, &r); err != nil {
		return DAGRun{}, err
	}
	return r.toRun(), nil
}

// ErrConfNotObject is returned by ParseConf for JSON that is not an object.
var ErrConfNotObject = errors.New("conf must be a JSON object")

// ParseConf reads a run's conf as typed by a person (`--conf '{"a": 1}'`, a
// form field). Empty text is no conf (nil). Numbers keep their exact digits.
func ParseConf(text string) (map[string]any, error) {
	if len(bytes.TrimSpace([]byte(text))) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("conf is not valid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("conf is not valid JSON: unexpected data after the object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, ErrConfNotObject
	}
	return obj, nil
}
