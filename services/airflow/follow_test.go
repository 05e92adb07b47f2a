package airflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// scriptedRun is a RunReader that plays back one poll per step: the run's
// state and its tasks' states (task id → "state" or "state/try"), or an
// error. The last step repeats.
type scriptedRun struct {
	paused bool
	steps  []step
	polls  int
	dagErr error
}

type step struct {
	run   RunState
	tasks []string // "id=state" or "id=state/try" or "id[2]=state"
	err   error
}

func (s *scriptedRun) current() step {
	return s.steps[min(s.polls, len(s.steps)-1)]
}

func (s *scriptedRun) GetDAG(ctx context.Context, dagID string) (DAG, error) {
	if s.dagErr != nil {
		return DAG{}, s.dagErr
	}
	return DAG{ID: dagID, Paused: s.paused}, nil
}

func (s *scriptedRun) GetRun(ctx context.Context, dagID, runID string) (DAGRun, error) {
	st := s.current()
	if st.err != nil {
		s.polls++
		return DAGRun{}, st.err
	}
	return DAGRun{DAGID: dagID, RunID: runID, State: st.run}, nil
}

func (s *scriptedRun) ListTaskInstances(ctx context.Context, dagID, runID string) ([]TaskInstance, error) {
	st := s.current()
	s.polls++
	var out []TaskInstance
	for _, spec := range st.tasks {
		id, rest, _ := strings.Cut(spec, "=")
		state, tryText, _ := strings.Cut(rest, "/")
		try := 1
		if tryText != "" {
			fmt.Sscan(tryText, &try)
		}
		mapIndex := -1
		if name, idx, ok := strings.Cut(id, "["); ok {
			id = name
			fmt.Sscan(strings.TrimSuffix(idx, "]"), &mapIndex)
		}
		out = append(out, TaskInstance{TaskID: id, MapIndex: mapIndex, State: TaskState(state), TryNumber: try})
	}
	return out, nil
}

// describe renders updates as lines such as "run queued" and "task a running 1".
func describe(updates []RunUpdate) []string {
	var lines []string
	for _, u := range updates {
		if u.Task == nil {
			lines = append(lines, "run "+string(u.RunState))
			continue
		}
		id := u.Task.TaskID
		if u.Task.MapIndex >= 0 {
			id += fmt.Sprintf("[%d]", u.Task.MapIndex)
		}
		lines = append(lines, fmt.Sprintf("task %s %s %d", id, u.Task.State, u.Task.TryNumber))
	}
	return lines
}

func follow(t *testing.T, api RunReader) (FinalRun, []string, error) {
	t.Helper()
	var updates []RunUpdate
	final, err := Follow(t.Context(), api, "d", "r", time.Millisecond, func(u RunUpdate) {
		if u.DAGID != "d" || u.RunID != "r" {
			t.Errorf("update for %s/%s", u.DAGID, u.RunID)
		}
		updates = append(updates, u)
	})
	return final, describe(updates), err
}

func TestFollowReportsEachChangeOnceUntilSuccess(t *testing.T) {
	api := &scriptedRun{steps: []step{
		{run: RunQueued},
		{run: RunQueued},
		{run: RunRunning, tasks: []string{"a=", "b="}},
		{run: RunRunning, tasks: []string{"a=queued", "b="}},
		{run: RunRunning, tasks: []string{"a=running", "b="}},
		{run: RunRunning, tasks: []string{"a=running", "b="}},
		{run: RunRunning, tasks: []string{"a=up_for_retry", "b="}},
		{run: RunRunning, tasks: []string{"a=running/2", "b="}},
		{run: RunRunning, tasks: []string{"a=success/2", "b=running"}},
		{run: RunSuccess, tasks: []string{"a=success/2", "b=success"}},
	}}
	final, got, err := follow(t, api)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"run queued",
		"run running",
		"task a queued 1",
		"task a running 1",
		"task a up_for_retry 1",
		"task a running 2",
		"task a success 2",
		"task b running 1",
		"task b success 1",
		"run success",
	}
	if !slices.Equal(got, want) {
		t.Errorf("updates:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !final.Succeeded() || len(final.FailedTasks) != 0 || len(final.Tasks) != 2 {
		t.Errorf("final = %+v", final)
	}
	if api.polls != len(api.steps) {
		t.Errorf("polled %d times, want %d (stop at the end)", api.polls, len(api.steps))
	}
}

func TestFollowNamesTheFailedTasks(t *testing.T) {
	api := &scriptedRun{steps: []step{
		{run: RunRunning, tasks: []string{"z=running", "fine=success", "m[0]=running", "m[1]=running", "after="}},
		{run: RunFailed, tasks: []string{"z=failed", "fine=success", "m[0]=failed", "m[1]=failed", "after=upstream_failed"}},
	}}
	final, got, err := follow(t, api)
	if err != nil {
		t.Fatal(err)
	}
	if final.Succeeded() || final.Run.State != RunFailed {
		t.Errorf("final state = %s", final.Run.State)
	}
	if !slices.Equal(final.FailedTasks, []string{"m", "z"}) {
		t.Errorf("FailedTasks = %v, want [m z]", final.FailedTasks)
	}
	if last := got[len(got)-1]; last != "run failed" {
		t.Errorf("last update = %q, want the run's end", last)
	}
	if !slices.Contains(got, "task after upstream_failed 1") || !slices.Contains(got, "task m[1] failed 1") {
		t.Errorf("updates = %v", got)
	}
}

func TestFollowStopsOnAPausedDAG(t *testing.T) {
	api := &scriptedRun{paused: true, steps: []step{{run: RunQueued}}}
	final, _, err := follow(t, api)
	if !errors.Is(err, ErrDAGPaused) {
		t.Fatalf("err = %v, want ErrDAGPaused", err)
	}
	if final.Run.State != RunQueued || api.polls != 1 {
		t.Errorf("final = %+v after %d polls", final, api.polls)
	}
}

func TestFollowKeepsWaitingWhenThePausedCheckFails(t *testing.T) {
	api := &scriptedRun{dagErr: &APIError{Status: 500}, steps: []step{{run: RunQueued}, {run: RunQueued}, {run: RunSuccess}}}
	final, _, err := follow(t, api)
	if err != nil || !final.Succeeded() {
		t.Fatalf("final %+v err %v", final, err)
	}
}

func TestFollowRidesOutTransientErrors(t *testing.T) {
	unreachable := fmt.Errorf("%w: connection reset", ErrUnreachable)
	locked := &APIError{Status: 500, Detail: "database is locked"}
	api := &scriptedRun{steps: []step{
		{run: RunRunning, tasks: []string{"a=running"}},
		{err: unreachable}, {err: locked}, {err: unreachable},
		{run: RunRunning, tasks: []string{"a=running"}},
		{err: locked}, {err: locked}, {err: locked}, {err: locked}, {err: locked},
		{run: RunSuccess, tasks: []string{"a=success"}},
	}}
	final, got, err := follow(t, api)
	if err != nil {
		t.Fatal(err)
	}
	if !final.Succeeded() || !slices.Equal(got, []string{"task a running 1", "run running", "task a success 1", "run success"}) {
		t.Errorf("final %s, updates %v", final.Run.State, got)
	}
}

func TestFollowGivesUpAfterTooManyErrors(t *testing.T) {
	locked := &APIError{Status: 500, Detail: "database is locked"}
	api := &scriptedRun{steps: []step{{run: RunRunning}, {err: locked}}}
	final, _, err := follow(t, api)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 500 {
		t.Fatalf("err = %v, want the 500", err)
	}
	if final.Run.State != RunRunning {
		t.Errorf("final = %+v, want the run as last seen", final)
	}
	if want := 1 + maxTransientFailures + 1; api.polls != want {
		t.Errorf("polls = %d, want %d", api.polls, want)
	}
}

func TestFollowStopsAtOnceOnOtherErrors(t *testing.T) {
	for _, e := range []error{&APIError{Status: 404}, fmt.Errorf("x: %w", ErrUnauthorized), fmt.Errorf("x: %w", ErrBadResponse)} {
		api := &scriptedRun{steps: []step{{err: e}}}
		_, _, err := follow(t, api)
		if !errors.Is(err, e) || api.polls != 1 {
			t.Errorf("err = %v after %d polls, want %v at once", err, api.polls, e)
		}
	}
}

func TestFollowEndsWithTheContext(t *testing.T) {
	api := &scriptedRun{steps: []step{{run: RunRunning, tasks: []string{"a=running"}}}}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	final, err := Follow(ctx, api, "d", "r", time.Hour, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's", err)
	}
	if time.Since(start) > waitForClient {
		t.Errorf("took %s", time.Since(start))
	}
	if final.Run.State != RunRunning || len(final.Tasks) != 1 {
		t.Errorf("final = %+v, want the run as last seen", final)
	}
}
