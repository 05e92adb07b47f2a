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
