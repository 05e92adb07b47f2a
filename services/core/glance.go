package core

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/errs"
)

// The reads behind the dashboard's overview and grid: what went wrong
// lately, and a DAG's recent runs × tasks.

// Failure is a task instance that failed, with the line of its log that
// says why.
type Failure struct {
	DAGID    string    `json:"dag_id"`
	RunID    string    `json:"run_id"`
	TaskID   string    `json:"task_id"`
	MapIndex int       `json:"map_index"`
	Try      int       `json:"try_number"`
	End      time.Time `json:"end_date"`
	// Error is the log's first error line (airflow.FirstError); empty when
	// the log says nothing of it or cannot be read.
	Error string `json:"error"`
}

// Failures lists the failed task instances of the newest failed runs
// (among the newest runs of all DAGs), newest first, at most limit. A
// failed try's first error line is read once and remembered: a finished
// log does not change.
func (c *Core) Failures(ctx context.Context, limit int) ([]Failure, error) {
	if limit <= 0 {
		return nil, errs.Usagef("", "a limit of %d failures: want 1 or more", limit)
	}
	ac, err := c.client(ctx)
	if err != nil {
		return nil, err
	}
	runs, err := ac.ListRuns(ctx, airflow.AllDAGs, lastRuns)
	if err != nil {
		return nil, AirflowError(err, ac.BaseURL(), "list the DAG runs", "")
	}
	var out []Failure
	for _, r := range runs {
		if len(out) >= limit {
			break
		}
		if r.State != airflow.RunFailed {
			continue
		}
		tis, err := ac.ListTaskInstances(ctx, r.DAGID, r.RunID)
		if err != nil {
			return nil, AirflowError(err, ac.BaseURL(), "list the tasks of run "+r.RunID, "")
		}
		var failed []Failure
		for _, ti := range tis {
			if ti.State != airflow.TaskFailed {
				continue
			}
			f := Failure{DAGID: r.DAGID, RunID: r.RunID, TaskID: ti.TaskID, MapIndex: ti.MapIndex, Try: max(ti.TryNumber, 1)}
			if ti.EndDate != nil {
				f.End = *ti.EndDate
			}
			f.Error = c.firstError(ctx, ac, f)
			failed = append(failed, f)
		}
		sort.SliceStable(failed, func(i, j int) bool { return failed[i].End.After(failed[j].End) })
		out = append(out, failed...)
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// firstError is the first error line of a failed try's log, read once.
func (c *Core) firstError(ctx context.Context, ac *airflow.Client, f Failure) string {
	key := fmt.Sprintf("%s\x00%s\x00%s\x00%d\x00%d", f.DAGID, f.RunID, f.TaskID, f.MapIndex, f.Try)
	c.mu.Lock()
	line, ok := c.errLines[key]
	c.mu.Unlock()
	if ok {
		return line
	}
	text, err := ac.TaskLog(ctx, f.DAGID, f.RunID, f.TaskID, f.Try)
	if err != nil {
		return "" // the overview shows the failure without its reason
	}
	line = airflow.FirstError(text)
	c.mu.Lock()
	c.errLines[key] = line
	c.mu.Unlock()
	return line
}

// DAGGrid is a DAG's newest runs and their task instances: the shape of
// Airflow's grid view.
type DAGGrid struct {
	DAGID string           `json:"dag_id"`
	Runs  []airflow.DAGRun `json:"runs"` // newest first
	// Tasks are the task ids, in the order the runs ran them.
	Tasks []string `json:"tasks"`
	// Instances are by run id, then task id. A mapped task is summed up
	// in one instance: its most telling state and its highest try.
	Instances map[string]map[string]airflow.TaskInstance `json:"instances"`
}

// Grid reads up to n of a DAG's newest runs and their task instances: the
// runs, then the instances of all of them at once.
func (c *Core) Grid(ctx context.Context, dagID string, n int) (DAGGrid, error) {
	if err := checkDAGID(dagID); err != nil {
		return DAGGrid{}, err
	}
	if n <= 0 {
		return DAGGrid{}, errs.Usagef("", "a grid of %d runs: want 1 or more", n)
	}
	ac, err := c.client(ctx)
	if err != nil {
		return DAGGrid{}, err
	}
	runs, err := ac.ListRuns(ctx, dagID, n)
	if err != nil {
		return DAGGrid{}, AirflowError(err, ac.BaseURL(), "list the runs of "+dagID, dagID)
	}
	g := DAGGrid{DAGID: dagID, Runs: runs, Instances: map[string]map[string]airflow.TaskInstance{}}
	if len(runs) == 0 {
		return g, nil
	}
	since := runs[len(runs)-1].RunAfter
	for _, r := range runs {
		if r.RunAfter.Before(since) {
			since = r.RunAfter
		}
		g.Instances[r.RunID] = map[string]airflow.TaskInstance{}
	}
	tis, err := ac.ListTaskInstancesSince(ctx, dagID, since)
	if err != nil {
		return DAGGrid{}, AirflowError(err, ac.BaseURL(), "list the task instances of "+dagID, dagID)
	}
	first := map[string]time.Time{}
	for _, ti := range tis {
		byTask, ok := g.Instances[ti.RunID]
		if !ok {
			continue // a run newer than those read
		}
		if prev, seen := byTask[ti.TaskID]; seen {
			ti = summed(prev, ti)
		} else if _, known := first[ti.TaskID]; !known {
			first[ti.TaskID] = time.Time{}
			g.Tasks = append(g.Tasks, ti.TaskID)
		}
		byTask[ti.TaskID] = ti
		if ti.StartDate != nil && (first[ti.TaskID].IsZero() || ti.StartDate.Before(first[ti.TaskID])) {
			first[ti.TaskID] = *ti.StartDate
		}
	}
	// Tasks in the order they ran: by when each first started in these
	// runs; those that never started after, by name.
	sort.SliceStable(g.Tasks, func(i, j int) bool {
		a, b := first[g.Tasks[i]], first[g.Tasks[j]]
		switch {
		case a.IsZero() && b.IsZero():
			return g.Tasks[i] < g.Tasks[j]
		case a.IsZero() != b.IsZero():
			return b.IsZero()
		}
		return a.Before(b)
	})
	return g, nil
}

// severity orders task states by how much they say about a mapped task:
// a failed element is the news.
var severity = []airflow.TaskState{
	airflow.TaskFailed, airflow.TaskUpstreamFailed, airflow.TaskUpForRetry, airflow.TaskUpForReschedule,
	airflow.TaskRunning, airflow.TaskRestarting, airflow.TaskDeferred, airflow.TaskQueued, airflow.TaskScheduled,
	airflow.TaskNone, airflow.TaskRemoved, airflow.TaskSkipped, airflow.TaskSuccess,
}

// summed is two elements of a mapped task as one cell.
func summed(a, b airflow.TaskInstance) airflow.TaskInstance {
	rank := func(s airflow.TaskState) int {
		if i := slices.Index(severity, s); i >= 0 {
			return i
		}
		return len(severity)
	}
	out := a
	if rank(b.State) < rank(a.State) {
		out = b
	}
	out.TryNumber = max(a.TryNumber, b.TryNumber)
	out.MapIndex = -1
	return out
}
