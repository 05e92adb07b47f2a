package dashboard

import (
	"context"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/components/list"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/render"
)

// runsLimit is how many runs of a DAG the panel reads.
const runsLimit = 25

// dagLevel is how deep the DAG panel is drilled.
type dagLevel int

const (
	levelDAGs dagLevel = iota
	levelRuns
	levelTasks
	levelGrid // a DAG's runs × tasks, beside levelRuns
)

// dagsPanel is the DAG list, a DAG's runs (as a list or a grid of runs ×
// tasks), and a run's task instances.
type dagsPanel struct {
	level    dagLevel
	dags     list.List[tui.DAG]
	imports  []tui.ImportError
	runs     list.List[tui.Run]
	tis      list.List[tui.TaskInstance]
	grid     gridView
	dag, run string // what is drilled into
	// Column widths of each level's table.
	dagCols, runCols, tiCols colWidths
	err                      error // the last read's failure (Airflow down)
	loaded                   bool
}

func (p *dagsPanel) resize(h int) {
	h -= 2 // column titles and the breadcrumb/summary line
	p.dags.SetHeight(h - 1)
	p.runs.SetHeight(h)
	p.tis.SetHeight(h)
	p.grid.height = h
}

func (p *dagsPanel) scope() keys.Scope {
	switch p.level {
	case levelRuns:
		return keys.Runs
	case levelTasks:
		return keys.Tasks
	case levelGrid:
		return keys.Grid
	}
	return keys.DAGs
}

// refresh reads what the panel shows now.
func (p *dagsPanel) refresh(m *Model) tea.Cmd {
	be, ctx := m.be, m.root
	switch p.level {
	case levelRuns:
		dag := p.dag
		return func() tea.Msg {
			rs, err := be.Runs(ctx, dag, runsLimit)
			return runsMsg{dag: dag, runs: rs, err: err}
		}
	case levelTasks:
		dag, run := p.dag, p.run
		return func() tea.Msg {
			tis, err := be.TaskInstances(ctx, dag, run)
			return tisMsg{dag: dag, run: run, tis: tis, err: err}
		}
	case levelGrid:
		dag := p.dag
		return func() tea.Msg {
			g, err := be.Grid(ctx, dag, runsLimit)
			return gridMsg{dag: dag, grid: g, err: err}
		}
	}
	return readDAGs(be, ctx)
}

func readDAGs(be tui.Backend, ctx context.Context) tea.Cmd {
	return func() tea.Msg {
		l, err := be.DAGs(ctx)
		return dagsMsg{list: l, err: err}
	}
}

func (m *Model) updateAirflow(msg airflowMsg) tea.Cmd {
	p := &m.dags
	switch msg := msg.(type) {
	case pollMsg:
		return m.poll(msg)
	case failuresMsg:
		m.overview.failErr = msg.err
		if msg.err == nil {
			m.overview.failures = msg.failures
		}
		m.rebuildOverview()
		return nil
	case gridMsg:
		if msg.dag != p.dag || p.level != levelGrid {
			return nil
		}
		p.err = msg.err
		if msg.err == nil {
			p.grid.set(msg.grid)
		}
	case dagsMsg:
		p.err = msg.err
		if msg.err == nil {
			p.loaded = true
			p.dags.SetItems(msg.list.DAGs, func(a, b tui.DAG) bool { return a.ID == b.ID })
			p.imports = msg.list.ImportErrors
		}
		m.overview.dagsRead(msg.list.DAGs, msg.err)
		m.rebuildOverview()
	case runsMsg:
		if msg.dag != p.dag {
			return nil
		}
		p.err = msg.err
		if msg.err == nil {
			p.runs.SetItems(msg.runs, func(a, b tui.Run) bool { return a.RunID == b.RunID })
		}
	case tisMsg:
		if msg.dag != p.dag || msg.run != p.run {
			return nil
		}
		p.err = msg.err
		if msg.err == nil {
			p.tis.SetItems(msg.tis, func(a, b tui.TaskInstance) bool {
				return a.TaskID == b.TaskID && a.MapIndex == b.MapIndex
			})
		}
	}
	return nil
}

func (m *Model) dagsAction(a keys.Action, b keys.Binding) tea.Cmd {
	p := &m.dags
	switch a {
	case keys.Open:
		return m.dagsOpen()
	case keys.Back:
		switch p.level {
		case levelDAGs:
			return nil
		case levelGrid:
			p.level = levelRuns
		default:
			p.level--
		}
		p.err = nil
		return p.refresh(m)
	case keys.DAGGrid:
		return m.toggleGrid()
	case keys.Left:
		p.grid.newer(-1)
	case keys.Right:
		p.grid.newer(1)
	case keys.TaskMLflow:
		return m.taskMLflow()
	case keys.Trigger:
		if dag, ok := m.currentDAG(); ok {
			return m.request(b, tui.Action{Verb: tui.VerbTrigger, Target: dag.ID})
		}
	case keys.PauseToggle:
		if dag, ok := m.currentDAG(); ok {
			v := tui.VerbPause
			if dag.Paused {
				v = tui.VerbUnpause
			}
			return m.request(b, tui.Action{Verb: v, Target: dag.ID})
		}
	case keys.TaskLog:
		return m.dagsOpen()
	}
	return nil
}

// currentDAG is the DAG under the cursor, or the one drilled into.
func (m *Model) currentDAG() (tui.DAG, bool) {
	p := &m.dags
	if p.level == levelDAGs {
		return p.dags.Selected()
	}
	for _, d := range p.dags.Items() {
		if d.ID == p.dag {
			return d, true
		}
	}
	return tui.DAG{ID: p.dag}, p.dag != ""
}

func (m *Model) dagsOpen() tea.Cmd {
	p := &m.dags
	switch p.level {
	case levelDAGs:
		d, ok := p.dags.Selected()
		if !ok {
			return nil
		}
		if d.ImportError != "" {
			m.setStatus(render.Bad, d.ID+": "+oneLine(d.ImportError))
		}
		return m.drillInto(d.ID)
	case levelRuns:
		r, ok := p.runs.Selected()
		if !ok {
			return nil
		}
		p.level, p.run = levelTasks, r.RunID
		p.tis.SetItems(nil, nil)
		p.tis.Top()
		return p.refresh(m)
	case levelTasks:
		ti, ok := p.tis.Selected()
		if !ok {
			return nil
		}
		return m.openTaskLog(ti)
	case levelGrid:
		ti, ok := p.grid.selected()
		if !ok {
			return nil
		}
		return m.openTaskLog(ti)
	}
	return nil
}

// openTaskLog shows the log of a task instance's try in the logs panel.
func (m *Model) openTaskLog(ti tui.TaskInstance) tea.Cmd {
	if ti.TaskID == "" || ti.Try == 0 {
		m.setStatus(render.Muted, ti.TaskID+" has not run yet: no log")
		return nil
	}
	t := ti
	return tea.Batch(m.openLogs(tui.LogSource{Task: &t}), m.switchTo(PanelLogs))
}

// drillInto shows a DAG's runs, as enter on it does.
func (m *Model) drillInto(dagID string) tea.Cmd {
	p := &m.dags
	for i, d := range p.dags.Items() {
		if d.ID == dagID {
			p.dags.Select(i)
		}
	}
	p.level, p.dag = levelRuns, dagID
	p.err = nil
	p.runs.SetItems(nil, nil)
	p.runs.Top()
	return p.refresh(m)
}

// toggleGrid switches between a DAG's runs and its runs × tasks grid; from
// the DAG list it opens the selected DAG's grid.
func (m *Model) toggleGrid() tea.Cmd {
	p := &m.dags
	switch p.level {
	case levelGrid:
		p.level = levelRuns
	case levelDAGs:
		d, ok := p.dags.Selected()
		if !ok {
			return nil
		}
		p.dag = d.ID
		p.level = levelGrid
		p.grid.reset()
	default:
		p.level = levelGrid
		p.grid.reset()
	}
	p.err = nil
	return p.refresh(m)
}

func oneLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}

func (p *dagsPanel) view(c *Context, width, height int) []string {
	st := c.Styles
	now := c.Now()
	var out []string
	if p.err != nil && (!p.loaded || p.level != levelDAGs) {
		msg := unavailableText(p.err)
		return []string{st.Bad.Render(render.Fit("✗ "+msg, width)),
			st.Muted.Render(fmt.Sprintf("  read again every %s while this panel is open", c.PollInterval))}
	}
	if !p.loaded {
		return []string{st.Muted.Render("Reading DAGs from Airflow…")}
	}
	tone := func(t render.Tone) lipgloss.Style { return render.Style(st, t) }
	switch p.level {
	case levelDAGs:
		summary := fmt.Sprintf("%d DAGs", p.dags.Len())
		if n := len(p.imports); n > 0 {
			summary += " · " + st.Bad.Render(fmt.Sprintf("%d import error(s)", n))
		}
		if p.err != nil {
			summary += " · " + st.Bad.Render("stale: "+p.err.Error())
		}
		out = append(out, render.Fit(summary, width))
		out = append(out, tableView(c, render.DAGColumns(), &p.dags, &p.dagCols, width, func(d tui.DAG) []render.Cell { return render.DAGCells(d, now) }, tone)...)
		if d, ok := p.dags.Selected(); ok && d.ImportError != "" && len(out) < height {
			out = append(out, st.Bad.Render(render.Fit("  "+d.File+": "+oneLine(d.ImportError), width)))
		}
	case levelRuns:
		out = append(out, st.Title.Render(render.Fit("DAGs › "+p.dag+" › runs", width)))
		if p.runs.Len() == 0 {
			return append(out, st.Muted.Render("  no runs yet"))
		}
		out = append(out, tableView(c, render.RunColumns(), &p.runs, &p.runCols, width, func(r tui.Run) []render.Cell { return render.RunCells(r, now) }, tone)...)
	case levelTasks:
		out = append(out, st.Title.Render(render.Fit("DAGs › "+p.dag+" › "+p.run, width)))
		out = append(out, tableView(c, render.TaskColumns(), &p.tis, &p.tiCols, width, func(t tui.TaskInstance) []render.Cell { return render.TaskCells(t, now) }, tone)...)
	case levelGrid:
		out = append(out, st.Title.Render(render.Fit("DAGs › "+p.dag+" › grid (runs × tasks, newest right)", width)))
		out = append(out, p.grid.view(c, width, height-1)...)
	}
	return out
}
