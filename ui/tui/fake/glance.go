package fake

import (
	"context"
	"fmt"
	"sort"

	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// Grid implements tui.Backend: the DAG's newest runs and their made-up
// task instances.
func (b *Backend) Grid(_ context.Context, dagID string, n int) (tui.Grid, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.airflowErr(); err != nil {
		return tui.Grid{}, err
	}
	runs := b.runs[dagID]
	if n > 0 && len(runs) > n {
		runs = runs[:n]
	}
	g := tui.Grid{DAGID: dagID}
	for r, run := range runs {
		g.Runs = append(g.Runs, run)
		for _, ti := range taskInstancesOf(run) {
			t := indexOf(g.Tasks, ti.TaskID)
			if t < 0 {
				g.Tasks = append(g.Tasks, ti.TaskID)
				g.Cells = append(g.Cells, make([]tui.TaskInstance, len(runs)))
				t = len(g.Tasks) - 1
			}
			g.Cells[t][r] = ti
		}
	}
	return g, nil
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// Failures implements tui.Backend: the failed train task of each failed
// run, newest first.
func (b *Backend) Failures(_ context.Context, limit int) ([]tui.Failure, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.airflowErr(); err != nil {
		return nil, err
	}
	var out []tui.Failure
	for _, d := range b.dags {
		for _, r := range b.runs[d.ID] {
			if r.State != "failed" {
				continue
			}
			for _, ti := range taskInstancesOf(r) {
				if ti.State == "failed" {
					out = append(out, tui.Failure{DAGID: d.ID, RunID: r.RunID, TaskID: ti.TaskID, MapIndex: -1, Try: ti.Try,
						End: ti.End, Error: "ValueError: bad shape (3, 4) for a model fitted on 13 features"})
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].End.After(out[j].End) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// SetLastRun changes the state of a DAG's newest run (a test's failed
// run), and signals subscribers.
func (b *Backend) SetLastRun(dagID, state string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	rs := b.runs[dagID]
	if len(rs) == 0 {
		return fmt.Errorf("the fake DAG %s has no runs", dagID)
	}
	rs[0].State = state
	if state == "success" || state == "failed" {
		rs[0].End = rs[0].Start.Add(75e9)
	}
	for i := range b.dags {
		if b.dags[i].ID == dagID {
			b.dags[i].LastRunState, b.dags[i].LastRunEnd = state, rs[0].End
		}
	}
	b.changes.Notify()
	return nil
}
