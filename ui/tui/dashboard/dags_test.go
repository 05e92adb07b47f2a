package dashboard

import (
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/fake"
)

func TestDAGListDrillDownAndBack(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 120, 40)
	d.keys("3")
	d.see("[3 DAGs]", "6 DAGs · 1 import error(s)", "train_model", "active", "success 1h", "in 1h",
		"broken_dag", "paused", "✗ ModuleNotFoundError")
	d.keys("enter")
	d.see("DAGs › train_model › runs", "scheduled__2026-11-26T11:00:00", "success", "37s", "failed")
	d.keys("enter")
	d.see("DAGs › train_model › scheduled__2026-11-26T11:00:00", "extract", "PythonOperator", "KubernetesPodOperator", "3s")
	d.keys("j", "j", "l")
	d.see("[4 Logs]", "train_model › train", "step 3/3 raised ValueError")
	d.keys("3", "esc")
	d.see("DAGs › train_model › runs")
	d.keys("esc")
	d.see("6 DAGs")
}

func TestFailedRunShowsFailedAndUpstreamFailedTasks(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 120, 40)
	d.keys("3", "j", "enter") // etl_daily: its newest run failed
	d.see("DAGs › etl_daily › runs", "failed")
	d.keys("enter")
	d.see("failed", "upstream failed", "9s")
}

func TestTriggerPauseUnpause(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 120, 40)
	d.keys("3", "t")
	d.until("trigger", func() bool { return strings.Contains(d.screen(), "✓ trigger train_model") })
	d.keys("p")
	d.until("pause", func() bool { return strings.Contains(d.screen(), "✓ pause train_model") })
	d.keys("j", "j", "j", "p") // evaluate is paused
	d.until("unpause", func() bool { return strings.Contains(d.screen(), "✓ unpause evaluate") })
	want := []tui.Action{{Verb: tui.VerbTrigger, Target: "train_model"}, {Verb: tui.VerbPause, Target: "train_model"}, {Verb: tui.VerbUnpause, Target: "evaluate"}}
	got := d.actions()
	for i := range want {
		if i >= len(got) || got[i] != want[i] {
			t.Fatalf("actions %v, want %v", got, want)
		}
	}
	// The list was read again after the action: train_model is paused now.
	d.keys("home")
	d.see("queued")
	// Triggering from inside a DAG's runs targets that DAG.
	d.keys("enter", "t")
	d.until("trigger from runs", func() bool { return len(d.actions()) == 4 })
	d.see("manual__2026-11-26T12:00:00")
}

// Airflow is read on a schedule only while a panel that shows it (the
// overview, the DAG panel) is in front.
func TestAirflowPolledOnlyWhileAPanelShowsIt(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30)
	if n := d.be.DAGReads(); n != 1 {
		t.Fatalf("the overview read the DAGs %d times on open, want once", n)
	}
	d.keys("1")
	d.m.opts.PollInterval = 10 * time.Millisecond
	time.Sleep(50 * time.Millisecond)
	d.settle()
	if n := d.be.DAGReads(); n != 1 {
		t.Fatalf("read DAGs %d times with the services panel in front", n)
	}
	d.keys("3")
	d.until("polls", func() bool { return d.be.DAGReads() >= 4 })
	d.keys("1")
	time.Sleep(30 * time.Millisecond)
	d.settle()
	n := d.be.DAGReads()
	time.Sleep(80 * time.Millisecond)
	d.settle()
	if m := d.be.DAGReads(); m != n {
		t.Errorf("still polling after leaving the panel: %d -> %d reads", n, m)
	}
}

func TestAirflowDownThenBack(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30, airflowDown)
	d.m.opts.PollInterval = 10 * time.Millisecond
	d.see("airflow ✗")
	d.keys("3")
	d.see("✗ airflow at http://127.0.0.1:8080: connection refused", "read again every")
	d.be.SetAirflowDown(false)
	d.until("DAGs after recovery", func() bool { return strings.Contains(d.screen(), "train_model") })
	d.see("airflow ●")
}

func TestThousandDAGsScroll(t *testing.T) {
	t.Parallel()
	d := newDriverWith(t, 80, 24, fake.Options{Now: clock, DAGs: 1000, RunsPerDAG: 25})
	d.keys("3", "end")
	d.see("1000 DAGs", "dag_0999")
	d.notSee("train_model")
	d.keys("pgup", "home")
	d.see("train_model")
}
