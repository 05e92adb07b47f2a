package airflow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// RunReader is what Follow needs from Airflow. *Client implements it.
type RunReader interface {
	GetDAG(ctx context.Context, dagID string) (DAG, error)
	GetRun(ctx context.Context, dagID, runID string) (DAGRun, error)
	ListTaskInstances(ctx context.Context, dagID, runID string) ([]TaskInstance, error)
}

var _ RunReader = (*Client)(nil)

// RunUpdate is one change seen while following a run: a task instance that
// reached a new state or a new try (Task set), or the run itself (Task nil).
type RunUpdate struct {
	DAGID    string        `json:"dag_id"`
	RunID    string        `json:"run_id"`
	RunState RunState      `json:"run_state"`
	Task     *TaskInstance `json:"task,omitempty"`
}

// FinalRun is how a followed run ended (or stood when following stopped).
type FinalRun struct {
	Run   DAGRun         `json:"run"`
	Tasks []TaskInstance `json:"tasks"`
	// FailedTasks are the ids of the tasks in state failed, sorted, each
	// once (a mapped task counts once). Tasks that did not run because an
	// upstream failed are not in it.
	FailedTasks []string `json:"failed_tasks"`
}

// Succeeded reports whether the run ended in success.
func (f FinalRun) Succeeded() bool { return f.Run.State == RunSuccess }

// ErrDAGPaused is returned by Follow for a queued run of a paused DAG, which
// Airflow will not start until the DAG is unpaused.
var ErrDAGPaused = errors.New("the DAG is paused")

// DefaultFollowInterval is Follow's polling interval when given zero.
const DefaultFollowInterval = 2 * time.Second

// maxTransientFailures is how many polls in a row may fail with a network
// error or a 5xx before Follow gives up. A busy Airflow on SQLite answers
// 500 ("database is locked") now and then; a CI job should not fail for it.
const maxTransientFailures = 5

// Follow polls a run every interval until it ends, calling report (if not
// nil) once for each change: the run's first state and each later one, and
// each task instance's state or try number when it changes (tasks not yet
// scheduled are not reported until they are). Task updates of one poll
// come before the run's, so the run's end is the last update.
//
// It returns the final run with nil error when the run ends, whatever its
// state; FinalRun.Succeeded tells which. It returns early, with the run as
// last seen, when ctx ends (the context's error), when the run is queued
// on a paused DAG (ErrDAGPaused), or on an error that is not transient.
func Follow(ctx context.Context, api RunReader, dagID, runID string, interval time.Duration, report func(RunUpdate)) (FinalRun, error) {
	if interval <= 0 {
		interval = DefaultFollowInterval
	}
	if report == nil {
		report = func(RunUpdate) {}
	}
	type taskKey struct {
		id       string
		mapIndex int
	}
	type taskSeen struct {
		state TaskState
		try   int
	}
	var (
		last          FinalRun
		runState      RunState
		tasksSeen     = map[taskKey]taskSeen{}
		failures      int
		pausedChecked bool
	)
	for {
		run, tasks, err := pollRun(ctx, api, dagID, runID)
		switch {
		case err == nil:
			failures = 0
		case ctx.Err() != nil:
			return last, fmt.Errorf("follow run %s of %s: %w", runID, dagID, ctx.Err())
		case transient(err) && failures < maxTransientFailures:
			failures++
		default:
			return last, fmt.Errorf("follow run %s of %s: %w", runID, dagID, err)
		}

		if err == nil {
			for i := range tasks {
				t := tasks[i]
				key := taskKey{t.TaskID, t.MapIndex}
				seen, known := tasksSeen[key]
				now := taskSeen{t.State, t.TryNumber}
				if (!known && t.State == TaskNone) || (known && seen == now) {
					continue
				}
				tasksSeen[key] = now
				report(RunUpdate{DAGID: dagID, RunID: runID, RunState: run.State, Task: &t})
			}
			if run.State != runState {
				runState = run.State
				report(RunUpdate{DAGID: dagID, RunID: runID, RunState: run.State})
			}
			last = FinalRun{Run: run, Tasks: tasks, FailedTasks: failedTasks(tasks)}
			if run.State.Finished() {
				return last, nil
			}
			if run.State == RunQueued && !pausedChecked {
				// Only once: the DAG may be unpaused by someone
				// else later, and a failed look is not worth
				// failing the follow for.
				if dag, err := api.GetDAG(ctx, dagID); err == nil {
					pausedChecked = true
					if dag.Paused {
						return last, fmt.Errorf("follow run %s of %s: %w: the run cannot start", runID, dagID, ErrDAGPaused)
					}
				}
			}
		}

		timer := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			timer.Stop()
			return last, fmt.Errorf("follow run %s of %s: %w", runID, dagID, ctx.Err())
		case <-timer.C:
		}
	}
}

// pollRun reads the run, then its task instances, so that a run seen ended
// comes with its final task states.
func pollRun(ctx context.Context, api RunReader, dagID, runID string) (DAGRun, []TaskInstance, error) {
	run, err := api.GetRun(ctx, dagID, runID)
	if err != nil {
		return DAGRun{}, nil, err
	}
	tasks, err := api.ListTaskInstances(ctx, dagID, runID)
	if err != nil {
		return DAGRun{}, nil, err
	}
	return run, tasks, nil
}

// transient reports whether a failed poll is worth retrying.
func transient(err error) bool {
	if errors.Is(err, ErrUnreachable) {
		return true
	}
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Status >= http.StatusInternalServerError
}

// failedTasks lists the ids of failed task instances, sorted and unique.
func failedTasks(tasks []TaskInstance) []string {
	failed := []string{}
	for _, t := range tasks {
		if t.State == TaskFailed && !slices.Contains(failed, t.TaskID) {
			failed = append(failed, t.TaskID)
		}
	}
	slices.Sort(failed)
	return failed
}
