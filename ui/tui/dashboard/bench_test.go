package dashboard

import (
	"fmt"
	"testing"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/fake"
)

// The View benchmarks: an empty dashboard is the baseline; the others draw
// 12 services, the overview and the DAG list of 1,000 DAGs (× 25 runs each
// in the backend), a DAG's 25 runs and its grid of runs × tasks, 10,000
// MLflow runs with their metrics as columns, and a 10,000-line log with a
// search, at 120×40. The target is under 5 ms a frame; the ratio to the
// baseline is what to watch between machines.

func benchView(b *testing.B, fo fake.Options, keys ...string) {
	fo.Now = clock
	d := newDriverWith(b, 120, 40, fo)
	d.keys(keys...)
	// The frame must be of the loaded panel, not of one still reading (a
	// loaded machine takes longer than keys' quiet moment).
	switch {
	case d.m.panel == PanelOverview:
		d.until("the overview's DAGs", func() bool { return len(d.m.overview.dags) == fo.DAGs })
	case d.m.panel == PanelMLflow:
		d.until("the MLflow runs", func() bool { return d.m.mlflow.runs.Len() == fo.MLflowRuns })
	case d.m.panel == PanelDAGs && d.m.dags.level == levelGrid:
		d.until("the grid", func() bool { return len(d.m.dags.grid.g.Runs) == fo.RunsPerDAG })
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = d.m.View()
	}
}

func BenchmarkViewEmpty(b *testing.B) {
	benchView(b, fake.Options{NoProject: true})
}

func BenchmarkViewServices12(b *testing.B) {
	benchView(b, fake.Options{Services: 12, DAGs: 1000, RunsPerDAG: 25}, "1")
}

func BenchmarkViewOverview1000(b *testing.B) {
	benchView(b, fake.Options{Services: 12, DAGs: 1000, RunsPerDAG: 25})
}

func BenchmarkViewGrid25(b *testing.B) {
	benchView(b, fake.Options{Services: 12, DAGs: 1000, RunsPerDAG: 25}, "3", "v")
}

func BenchmarkViewMLflowRuns10k(b *testing.B) {
	benchView(b, fake.Options{Services: 12, DAGs: 1000, RunsPerDAG: 25, MLflowRuns: 10000}, "5", "enter", "pgdown")
}

func BenchmarkViewDAGs1000(b *testing.B) {
	benchView(b, fake.Options{Services: 12, DAGs: 1000, RunsPerDAG: 25}, "3", "pgdown")
}

func BenchmarkViewRuns25(b *testing.B) {
	benchView(b, fake.Options{Services: 12, DAGs: 1000, RunsPerDAG: 25}, "3", "enter")
}

func BenchmarkViewLogs10k(b *testing.B) {
	fo := fake.Options{Now: clock, Services: 12, DAGs: 1000, RunsPerDAG: 25}
	d := newDriverWith(b, 120, 40, fo)
	d.keys("4")
	lines := make([]tui.LogLine, 10000)
	sources := []string{"airflow-scheduler", "airflow-api-server", "airflow-dag-processor"}
	for i := range lines {
		lines[i] = tui.LogLine{Time: t0, Container: sources[i%3], Text: fmt.Sprintf("INFO line %d of a busy scheduler with some error text", i)}
	}
	d.m.logs.view.Append(lines)
	_ = d.m.logs.view.SetSearch("error")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = d.m.View()
	}
}

// BenchmarkUpdateDAGs1000 is the cost of taking in a fresh list of 1,000
// DAGs (every poll while the panel is open).
func BenchmarkUpdateDAGs1000(b *testing.B) {
	d := newDriverWith(b, 120, 40, fake.Options{Now: clock, DAGs: 1000, RunsPerDAG: 25})
	d.keys("3")
	list, _ := d.be.DAGs(d.m.root)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.m.Update(dagsMsg{list: list})
	}
}
