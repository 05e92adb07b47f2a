package dashboard

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// The grid's cells are task instances: enter opens that try's log, M its
// DAG run's MLflow runs; v goes back to the list of runs.
func TestGridCellsOpenTheirLogAndRuns(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 120, 40)
	d.keys("3", "j", "v") // etl_daily: its newest run failed at train
	d.see("DAGs › etl_daily › grid", "RUNS →", "extract", "publish")
	d.keys("j", "j")
	d.see("› train · failed · try 2")
	d.keys("enter")
	d.see("[4 Logs]", "etl_daily › train")
	if src := d.m.logs.src; src == nil || src.Task == nil || src.Task.Try != 2 || src.Task.State != "failed" {
		t.Errorf("log source %+v", src)
	}
	d.keys("3", "h") // an older run
	d.see("› train · success")
	d.keys("v")
	d.see("DAGs › etl_daily › runs")
	d.keys("v")
	d.see("DAGs › etl_daily › grid")
	d.keys("esc")
	d.see("DAGs › etl_daily › runs")
}

func TestGridMouseSelectsACell(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 120, 40)
	d.keys("3", "v")
	// Body row 2 is the first task (title, runs); the first run's column
	// starts after the names.
	nameW, runs := d.m.dags.grid.layout(120)
	d.handle(tea.MouseMsg{X: 2 + nameW + 2, Y: 2 + 2, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if d.m.dags.grid.task != 0 || d.m.dags.grid.run != runs-1 {
		t.Errorf("clicked cell: task %d run %d", d.m.dags.grid.task, d.m.dags.grid.run)
	}
}
