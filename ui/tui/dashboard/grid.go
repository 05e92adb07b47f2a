package dashboard

import (
	"fmt"
	"strings"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/render"
)

// gridView is a DAG's recent runs × its tasks, each cell a task instance
// marked and coloured by its state: the shape of Airflow's grid view, with
// the newest run on the right. The cursor is a cell.
type gridView struct {
	g      tui.Grid
	loaded bool
	task   int // the cursor's row: an index into g.Tasks
	run    int // the cursor's column: an index into g.Runs (0 the newest)
	offset int // the first task row in view
	height int
}

func (v *gridView) reset() { *v = gridView{height: v.height} }

// set takes a new read, keeping the cursor on the same task and run.
func (v *gridView) set(g tui.Grid) {
	task, run := "", ""
	if v.loaded && v.task < len(v.g.Tasks) && v.run < len(v.g.Runs) {
		task, run = v.g.Tasks[v.task], v.g.Runs[v.run].RunID
	}
	v.g, v.loaded = g, true
	v.task, v.run = 0, 0
	for i, t := range g.Tasks {
		if t == task {
			v.task = i
		}
	}
	for i, r := range g.Runs {
		if r.RunID == run {
			v.run = i
		}
	}
	v.clamp()
}

// rows is how many task rows fit: the body less the title, the runs'
// row and the two lines about the selected cell.
func (v *gridView) rows() int { return max(v.height-4, 1) }

func (v *gridView) clamp() {
	v.task = min(max(v.task, 0), max(len(v.g.Tasks)-1, 0))
	v.run = min(max(v.run, 0), max(len(v.g.Runs)-1, 0))
	if v.task < v.offset {
		v.offset = v.task
	}
	if v.task >= v.offset+v.rows() {
		v.offset = v.task - v.rows() + 1
	}
	v.offset = max(min(v.offset, len(v.g.Tasks)-v.rows()), 0)
}

// Move, Page, Top and Bottom move between tasks (the cursor keys).
func (v *gridView) Move(d int) { v.task += d; v.clamp() }
func (v *gridView) Page(n int) { v.Move(n * max(v.rows()-1, 1)) }
func (v *gridView) Top()       { v.task = 0; v.clamp() }
func (v *gridView) Bottom()    { v.task = len(v.g.Tasks) - 1; v.clamp() }

// newer moves the cursor n runs to the right, to newer runs (n < 0: older).
func (v *gridView) newer(n int) { v.run -= n; v.clamp() }

// selected is the task instance under the cursor; false when the run has
// no such task.
func (v *gridView) selected() (tui.TaskInstance, bool) {
	if !v.loaded || v.task >= len(v.g.Cells) || v.run >= len(v.g.Runs) {
		return tui.TaskInstance{}, false
	}
	ti := v.g.Cells[v.task][v.run]
	return ti, ti.TaskID != ""
}

// cellW is a run's column: its mark between brackets for the cursor's
// cell (which shows without colour too), between spaces for the others.
const cellW = 3

// layout is how the grid's columns fall in width: the task names' width
// and how many runs (the newest) fit.
func (v *gridView) layout(width int) (nameW, runs int) {
	nameW = len("TASK")
	for _, t := range v.g.Tasks {
		nameW = max(nameW, len(t))
	}
	nameW = min(nameW, max(width/2, 10))
	runs = min(len(v.g.Runs), max((width-2-nameW-1)/cellW, 1))
	return nameW, runs
}

// click selects the cell at a body row and screen column.
func (v *gridView) click(row, x int) {
	nameW, runs := v.layout(1 << 16)
	t := v.offset + row // row 0 is the first task's (the caller counts the title and the runs' row)
	col := (x - 2 - nameW - 1) / cellW
	if t < v.offset || t >= len(v.g.Tasks) || col < 0 || col >= runs {
		return
	}
	v.task, v.run = t, runs-1-col
	v.clamp()
}

func (v *gridView) view(c *Context, width, height int) []string {
	st := c.Styles
	if !v.loaded {
		return []string{st.Muted.Render("  reading the runs and their tasks…")}
	}
	if len(v.g.Runs) == 0 {
		return []string{st.Muted.Render("  no runs yet")}
	}
	nameW, runs := v.layout(width)
	v.run = min(v.run, runs-1)
	cell := func(state string, on bool) string {
		sym := render.RunSymbol(state)
		if on {
			return st.Selected.Render("[" + sym + "]")
		}
		return " " + render.Style(st, render.RunTone(state)).Render(sym) + " "
	}
	// Columns: the newest run on the right.
	var b strings.Builder
	b.WriteString("  " + st.Muted.Bold(true).Render(render.Fit("RUNS →", nameW)) + " ")
	for col := 0; col < runs; col++ {
		r := runs - 1 - col
		b.WriteString(cell(v.g.Runs[r].State, false))
	}
	out := []string{b.String()}
	end := min(v.offset+v.rows(), len(v.g.Tasks))
	for t := v.offset; t < end; t++ {
		b.Reset()
		mark, name := "  ", render.Fit(v.g.Tasks[t], nameW)
		if t == v.task {
			mark, name = "▸ ", st.Header.Render(name)
		}
		b.WriteString(mark + name + " ")
		for col := 0; col < runs; col++ {
			r := runs - 1 - col
			ti := v.g.Cells[t][r]
			b.WriteString(cell(ti.State, t == v.task && r == v.run))
		}
		out = append(out, b.String())
	}
	for len(out) < height-2 {
		out = append(out, "")
	}
	run := v.g.Runs[v.run]
	ti, ok := v.selected()
	detail := "run " + run.RunID + " · " + render.RunState(run.State)
	hint := "no task " + v.g.Tasks[v.task] + " in this run"
	if ok {
		detail = fmt.Sprintf("%s › %s · %s", run.RunID, ti.TaskID, render.RunState(ti.State))
		if ti.Try > 0 {
			detail += fmt.Sprintf(" · try %d · took %s", ti.Try, render.Duration(ti.Start, ti.End, c.Now()))
		}
		hint = keyHint(c.Keys, keys.Open, "its log") + " · " + keyHint(c.Keys, keys.TaskMLflow, "its MLflow runs") +
			" · " + keyHint(c.Keys, keys.Left, "older") + " / " + keyHint(c.Keys, keys.Right, "newer")
	}
	out = append(out, render.Style(st, render.RunTone(ti.State)).Render(render.Fit("  "+detail, width)),
		st.Muted.Render(render.Fit("  "+hint, width)))
	return out
}

// keyHint is "KEY what", with the key as bound now; what alone when unbound.
func keyHint(km *keys.Keymap, a keys.Action, what string) string {
	if k := km.KeyFor(a); k != "" {
		return k + " " + what
	}
	return what
}
