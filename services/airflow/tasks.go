package airflow

import (
	"context"
	"time"
)

// TaskState is the state of a task instance. The empty state is Airflow's
// null: the task has not been scheduled yet.
type TaskState string

// The states of a task instance in Airflow 3.
const (
	TaskNone            TaskState = ""
	TaskScheduled       TaskState = "scheduled"
	TaskQueued          TaskState = "queued"
	TaskRunning         TaskState = "running"
	TaskSuccess         TaskState = "success"
	TaskFailed          TaskState = "failed"
	TaskUpForRetry      TaskState = "up_for_retry"
	TaskUpForReschedule TaskState = "up_for_reschedule"
	TaskUpstreamFailed  TaskState = "upstream_failed"
	TaskSkipped         TaskState = "skipped"
	TaskRemoved         TaskState = "removed"
	TaskRestarting      TaskState = "restarting"
	TaskDeferred        TaskState = "deferred"
)

// Finished reports whether the task instance will not change any more in
// this run (unless someone clears it).
func (s TaskState) Finished() bool {
	switch s {
	case TaskSuccess, TaskFailed, TaskUpstreamFailed, TaskSkipped, TaskRemoved:
		return true
	}
	return false
}

// TaskInstance is one task of one run (one element of a mapped task).
type TaskInstance struct {
	// ID is Airflow's id of this task instance (a UUID).
	ID     string `json:"id"`
	TaskID string `json:"task_id"`
	// RunID is the run the instance belongs to.
	RunID string `json:"dag_run_id"`
	// MapIndex is -1 for a task that is not mapped.
	MapIndex  int        `json:"map_index"`
	State     TaskState  `json:"state"`
	TryNumber int        `json:"try_number"`
	MaxTries  int        `json:"max_tries"`
	StartDate *time.Time `json:"start_date"`
	EndDate   *time.Time `json:"end_date"`
	// DurationSeconds is how long the try ran; 0 before it has ended.
	DurationSeconds float64 `json:"duration_seconds"`
	Operator        string  `json:"operator,omitempty"`
}

type taskInstanceJSON struct {
	ID           string     `json:"id"`
	TaskID       string     `json:"task_id"`
	RunID        string     `json:"dag_run_id"`
	MapIndex     int        `json:"map_index"`
	State        *TaskState `json:"state"`
	TryNumber    int        `json:"try_number"`
	MaxTries     int        `json:"max_tries"`
	StartDate    *time.Time `json:"start_date"`
	EndDate      *time.Time `json:"end_date"`
	Duration     *float64   `json:"duration"`
	OperatorName *string    `json:"operator_name"`
	Operator     *string    `json:"operator"`
}

func (t taskInstanceJSON) toTaskInstance() TaskInstance {
	ti := TaskInstance{
		ID:        t.ID,
		TaskID:    t.TaskID,
		RunID:     t.RunID,
		MapIndex:  t.MapIndex,
		TryNumber: t.TryNumber,
		MaxTries:  t.MaxTries,
		StartDate: t.StartDate,
		EndDate:   t.EndDate,
		Operator:  deref(t.OperatorName),
	}
	if ti.Operator == "" {
		ti.Operator = deref(t.Operator)
	}
	if t.State != nil {
		ti.State = *t.State
	}
	if t.Duration != nil {
		ti.DurationSeconds = *t.Duration
	}
	return ti
}

// ListTaskInstances returns every task instance of a run.
func (c *Client) ListTaskInstances(ctx context.Context, dagID, runID string) ([]TaskInstance, error) {
	raw, err := listPages[taskInstanceJSON](ctx, c, runPath(dagID, runID)+"/taskInstances", "task_instances", nil, 0)
	if err != nil {
		return nil, err
	}
	out := make([]TaskInstance, 0, len(raw))
	for _, t := range raw {
		out = append(out, t.toTaskInstance())
	}
	return out, nil
}
