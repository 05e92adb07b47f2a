package dashboard

import (
	"testing"

	"github.com/gaiaflow/gaiaflow/ui/tui/fake"
)

func TestMLflowDrillsIntoARunAndItsArtifacts(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 120, 40)
	d.keys("5")
	d.see("MLflow · 2 experiments", "demo-example", "demo-tuning")
	d.keys("enter")
	d.see("MLflow › demo-example · 8 runs", "TEST_ACCURACY", "0.9727", "failed")
	d.keys("enter")
	d.see("brave-otter-10 finished", "Params (4)", "train_uri", "loss", "(30 steps)", "▸ model/")
	// Open the model folder, then the one inside it, then close the model.
	d.keys("G", "k", "k", "enter")
	d.see("▾ model/", "MLmodel", "▸ metadata/")
	d.keys("j", "j", "j", "j", "enter")
	d.see("▾ metadata/", "conda.yaml")
	d.keys("k", "k", "k", "k", "enter")
	d.notSee("MLmodel", "conda.yaml")
	d.keys("o")
	if len(d.opened) != 1 || d.opened[0] != "http://127.0.0.1:5000/#/experiments/1/runs/00000000000000009e3779b97f4a7c15" {
		t.Errorf("opened %v", d.opened)
	}
	d.keys("esc")
	d.see("MLflow › demo-example · 8 runs")
	d.keys("esc")
	d.see("MLflow · 2 experiments")
}

func TestMLflowMetricColumnsAreChosen(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 120, 40)
	d.keys("5", "enter")
	d.see("TEST_ACCURACY", "TEST_F1_MACRO", "TRAIN_ACCURACY")
	d.keys("m", "enter", "esc") // hide the first, test_accuracy
	d.notSee("TEST_ACCURACY", "Metric columns")
	d.see("TEST_F1_MACRO", "TRAIN_ACCURACY")
	d.keys("m", "enter", "m")
	d.see("TEST_ACCURACY")
}

// From a task, M lists what its DAG run logged; a task that logged none
// gets its DAG run's runs, marked; esc goes back to the task.
func TestTaskMLflowRunsAndBack(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 120, 40)
	d.keys("3", "enter", "enter", "j", "M") // train_model's newest run, transform
	d.see("[5 MLflow]", "MLflow › train_model › scheduled__2026-11-26T11:00:00 › transform", "it logged none: its DAG run's", "brave-otter-10", "train_model › train")
	d.keys("esc")
	d.see("[3 DAGs]", "DAGs › train_model › scheduled__")
}

func TestMLflowDownSaysWhy(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30, dockerDown)
	d.keys("5")
	d.see("✗ MLflow is not reachable at http://127.0.0.1:5000", "read again every")
}

// The MLflow panel keeps up with 10,000 runs.
func TestTenThousandMLflowRunsScroll(t *testing.T) {
	t.Parallel()
	d := newDriverWith(t, 80, 24, fake.Options{Now: clock, MLflowRuns: 10000})
	d.keys("5", "enter")
	d.see("10000 runs")
	d.keys("G")
	if c := d.m.mlflow.runs.Cursor(); c != 9999 {
		t.Errorf("cursor %d", c)
	}
}
