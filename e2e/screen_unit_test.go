package e2e

import (
	"slices"
	"testing"
)

func TestLogLinesAndSelectedRow(t *testing.T) {
	screen := "gaiaflow demo · mode dev\n" +
		" 1 Services │ 2 Mode │ 3 DAGs │[4 Logs]\n" +
		"airflow · tail 200 · filter /dags-folder/ 2 of 9\n" +
		" airflow-d… Refreshing bundle dags-folder\n" +
		" airflow-d… Searching for files in dags-folder at /opt/airflow/dags [airflow.da…\n" +
		"\n" +
		"f follow  space pause  q quit\n"
	want := []string{" airflow-d… Refreshing bundle dags-folder", " airflow-d… Searching for files in dags-folder at /opt/airflow/dags [airflow.da…"}
	if got := logLines(screen); !slices.Equal(got, want) {
		t.Errorf("logLines = %q, want %q", got, want)
	}
	if m := filterCount.FindStringSubmatch(screen); m == nil || m[1] != "2" || m[2] != "9" {
		t.Errorf("filterCount = %q", m)
	}
	if got := selectedRow("  a  x\n▸ e2e_demo_example_pipeline  active  success\n"); got != "e2e_demo_example_pipeline" {
		t.Errorf("selectedRow = %q", got)
	}
}

func TestGridRowAndScreenLine(t *testing.T) {
	grid := "DAGs › e2e_demo_example_pipeline › grid (runs × tasks, newest right)\n" +
		"  RUNS →                ✓  ✓ \n" +
		"▸ pipeline.preprocess   ✓ [✓]\n" +
		"  pipeline.train        ✗  ✓ \n" +
		"  pipeline.evaluate     ✓  ✗ \n"
	for task, want := range map[string]bool{"pipeline.preprocess": true, "pipeline.train": true, "pipeline.evaluate": false, "pipeline.other": false} {
		if got := gridRowSucceeded(grid, task); got != want {
			t.Errorf("gridRowSucceeded(%s) = %v, want %v", task, got, want)
		}
	}
	runs := "  RUN            STATUS   TEST_ACCURACY\n▸ popular-dove-63 finished 0.9333\n"
	if !screenLine(runs, "popular-dove-63", "0.9333") || screenLine(runs, "popular-dove-63", "0.9") && screenLine(runs, "other", "0.9333") {
		t.Error("screenLine")
	}
}
