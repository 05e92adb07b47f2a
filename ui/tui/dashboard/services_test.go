package dashboard

import (
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/ui/tui"
)

func TestServicesPanelShowsStatesPortsImagesUptime(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 120, 40)
	d.keys("1")
	d.see("[1 Services]", "airflow", "✗ unhealthy", "http://127.0.0.1:8080", "apache/airflow:3.3.2",
		"● healthy", "✓ done (0)", "◌ starting", "exited (137, OOM killed)", "○ stopped", "3h",
		"triggerer fails its health check")
}

func TestServiceActionsTargetTheSelectedService(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30)
	d.keys("1")
	d.keys("u")
	d.until("start to finish", func() bool { return strings.Contains(d.screen(), "✓ start airflow · done") })
	// Move to mlflow (past airflow's six containers) and stop it, then restart.
	d.keys("j", "j", "j", "j", "j", "j", "j", "d")
	d.until("stop to finish", func() bool { return strings.Contains(d.screen(), "✓ stop mlflow") })
	d.keys("r")
	d.until("restart", func() bool { return strings.Contains(d.screen(), "✓ restart mlflow") })
	want := []tui.Action{{Verb: tui.VerbStart, Target: "airflow"}, {Verb: tui.VerbStop, Target: "mlflow"}, {Verb: tui.VerbRestart, Target: "mlflow"}}
	got := d.actions()
	if len(got) != len(want) {
		t.Fatalf("actions = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("action %d = %v, want %v", i, got[i], want[i])
		}
	}
	// What the backend changed shows at once: airflow is healthy now.
	d.see("● healthy")
}

func TestContainerRowActsOnItsService(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30)
	d.keys("1")
	d.keys("j", "j", "u") // the init container of airflow
	d.until("start", func() bool { return len(d.actions()) == 1 })
	if a := d.actions()[0]; a.Target != "airflow" {
		t.Errorf("action on %q", a.Target)
	}
}

func TestOpenServiceURL(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30)
	d.keys("1")
	d.keys("o")
	if len(d.opened) != 1 || d.opened[0] != "http://127.0.0.1:8080" {
		t.Errorf("opened %v", d.opened)
	}
	d.see("opened http://127.0.0.1:8080 in the browser")
}

func TestPullProgressShowsAndCancelKeepsOutcome(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30, slowActions)
	d.keys("1")
	d.keys("u")
	d.until("progress", func() bool { return strings.Contains(d.screen(), "↓ pulling 0%") })
	d.see("⟳ start airflow", "1 running", "c cancels")
	d.keys("c")
	d.until("cancelled", func() bool { return strings.Contains(d.screen(), "⊘ start airflow · cancelled") })
	d.notSee("pulling 0%", "1 running")
	// The outcome stays in the task list.
	d.keys("T")
	d.see("Tasks", "⊘ start airflow · cancelled", "airflow: pulling image 0%")
	d.keys("esc")
	d.notSee("Tasks ·")
}

func TestChangesRedrawWithoutAKey(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30)
	d.keys("1")
	d.notSee("restarting (4×)")
	d.be.Update(func(s *tui.Snapshot) {
		s.Services[3].Containers[0] = tui.Container{Name: "jupyter", State: tui.StateRestarting, RestartCount: 4}
	})
	d.until("the change", func() bool { return strings.Contains(d.screen(), "restarting (4×)") })
}

func TestStartAllAndStopAllConfirm(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30)
	d.keys("1")
	d.keys("U")
	d.until("start all", func() bool { return strings.Contains(d.screen(), "✓ start-all") })
	d.keys("X")
	d.see("Stop all services? (stop-all)", "y yes")
	d.keys("n")
	d.see("stop-all: not done")
	if len(d.actions()) != 1 {
		t.Fatalf("stop-all ran without confirmation: %v", d.actions())
	}
	d.keys("X", "y")
	d.until("stop all", func() bool { return strings.Contains(d.screen(), "✓ stop-all") })
	if a := d.actions(); a[len(a)-1].Verb != tui.VerbStopAll {
		t.Errorf("last action %v", a[len(a)-1])
	}
}

func TestDeleteVolumesAsksForTheProjectName(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30)
	d.keys("1")
	d.keys("V")
	d.see("Type the project's name, demo")
	d.typ("dem")
	d.keys("enter")
	d.see("that is not the project's name")
	if len(d.actions()) != 0 {
		t.Fatal("ran with a wrong name")
	}
	d.keys("o", "enter")
	d.until("delete volumes", func() bool { return len(d.actions()) == 1 })
	if a := d.actions()[0]; a.Verb != tui.VerbDeleteVolumes {
		t.Errorf("action %v", a)
	}
	// esc leaves a confirmation without doing anything.
	d.keys("C", "esc")
	d.see("cleanup: not done")
}
