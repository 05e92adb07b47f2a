package airflow

import (
	"context"
	"net/url"
	"time"
)

// ListTaskInstancesSince returns the task instances of every run of a DAG
// that runs after since (Airflow's run_after, inclusive): the instances of
// many runs in a few requests, through the "~" that stands for all runs.
// Each instance names its run (RunID).
func (c *Client) ListTaskInstancesSince(ctx context.Context, dagID string, since time.Time) ([]TaskInstance, error) {
	q := url.Values{}
	if !since.IsZero() {
		q.Set("run_after_gte", since.UTC().Format(time.RFC3339Nano))
	}
	raw, err := listPages[taskInstanceJSON](ctx, c, dagPath(dagID)+"/dagRuns/~/taskInstances", "task_instances", q, 0)
	if err != nil {
		return nil, err
	}
	out := make([]TaskInstance, 0, len(raw))
	for _, t := range raw {
		out = append(out, t.toTaskInstance())
	}
	return out, nil
}
