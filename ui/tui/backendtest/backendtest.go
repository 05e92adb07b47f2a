// Package backendtest checks that an implementation of tui.Backend keeps
// the promises the dashboard relies on: reads return, subscriptions and
// streams end with their context, and a cancelled action does not run. Run
// it from the tests of every adapter (and of the fake).
package backendtest

import (
	"context"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

const patience = 5 * time.Second

// Contract runs the checks against be.
func Contract(t *testing.T, be tui.Backend) {
	t.Helper()
	t.Run("SnapshotReturns", func(t *testing.T) {
		within(t, "Snapshot", func(ctx context.Context) { _, _ = be.Snapshot(ctx) })
	})
	t.Run("ChangesCloseWithContext", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		ch := be.Changes(ctx)
		cancel()
		deadline := time.After(patience)
		for {
			select {
			case _, ok := <-ch:
				if !ok {
					return
				}
			case <-deadline:
				t.Fatal("the Changes channel stayed open after its context ended")
			}
		}
	})
	t.Run("AirflowReadsReturn", func(t *testing.T) {
		within(t, "DAGs", func(ctx context.Context) { _, _ = be.DAGs(ctx) })
		within(t, "Runs", func(ctx context.Context) { _, _ = be.Runs(ctx, "no_such_dag", 25) })
		within(t, "TaskInstances", func(ctx context.Context) { _, _ = be.TaskInstances(ctx, "no_such_dag", "no_such_run") })
		within(t, "Grid", func(ctx context.Context) { _, _ = be.Grid(ctx, "no_such_dag", 25) })
		within(t, "Failures", func(ctx context.Context) { _, _ = be.Failures(ctx, 3) })
	})
	t.Run("MLflowReadsReturn", func(t *testing.T) {
		within(t, "Experiments", func(ctx context.Context) { _, _ = be.Experiments(ctx) })
		within(t, "MLflowRuns", func(ctx context.Context) {
			_, _ = be.MLflowRuns(ctx, tui.MLflowQuery{ExperimentID: "no-such-experiment"})
		})
		within(t, "MLflowRun", func(ctx context.Context) { _, _ = be.MLflowRun(ctx, "no-such-run") })
		within(t, "MLflowArtifacts", func(ctx context.Context) { _, _ = be.MLflowArtifacts(ctx, "no-such-run", "") })
	})
	t.Run("FollowedLogsEndWithContext", func(t *testing.T) {
		s, err := be.Snapshot(context.Background())
		if err != nil || len(s.Services) == 0 {
			t.Skip("no service to stream")
		}
		ctx, cancel := context.WithCancel(context.Background())
		ch, err := be.Logs(ctx, tui.LogSource{Service: s.Services[0].Name}, tui.LogQuery{Follow: true, Tail: 10})
		if err != nil {
			cancel()
			return // unavailable is a fine answer
		}
		cancel()
		deadline := time.After(patience)
		for {
			select {
			case _, ok := <-ch:
				if !ok {
					return
				}
			case <-deadline:
				t.Fatal("a followed log stream stayed open after its context ended")
			}
		}
	})
	t.Run("CancelledActionDoesNotSucceed", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := be.Do(ctx, tui.Action{Verb: tui.VerbStartAll}, event.Discard)
		if err == nil {
			t.Error("Do with a cancelled context reported success")
		}
	})
}

func within(t *testing.T, what string, f func(ctx context.Context)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	done := make(chan struct{})
	go func() { f(ctx); close(done) }()
	select {
	case <-done:
	case <-time.After(patience + time.Second):
		t.Fatalf("%s did not return within %s", what, patience)
	}
}
