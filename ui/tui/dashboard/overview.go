package dashboard

import (
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/components/list"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/render"
)

// The overview: the stack, the mode, the DAGs and what went wrong, on one
// screen; every line is a shortcut into the panel that says more (enter).

// failuresShown bounds the failed tasks the overview reads and lists.
const failuresShown = 3

// ovSection is a section of the overview, in screen order.
type ovSection int

const (
	secServices ovSection = iota
	secMode
	secDAGs
	secProblems
	sectionCount
)

// ovItem is one selectable line of the overview.
type ovItem struct {
	section ovSection
	service tui.Service
	mode    tui.ModeStatus
	check   *tui.Check
	dag     *tui.DAG
	more    int // "… N more DAGs"
	problem *render.Problem
}

// key tells items apart across rebuilds, so the cursor stays on its line.
func (it ovItem) key() string {
	switch {
	case it.check != nil:
		return "check:" + it.check.ID
	case it.dag != nil:
		return "dag:" + it.dag.ID
	case it.problem != nil:
		return "problem:" + it.problem.Text
	case it.more > 0:
		return "more"
	case it.section == secMode:
		return "mode:" + it.mode.Mode
	}
	return "service:" + it.service.Name
}

// overviewPanel holds what the overview shows and the line selected.
type overviewPanel struct {
	items  list.List[ovItem]
	height int

	dags       []tui.DAG // ranked (render.RankDAGs)
	dagsLoaded bool
	dagsErr    error
	failures   []tui.Failure
	failErr    error
	// placeholders says which sections show a line that is not an item
	// ("nothing went wrong lately"), so the view can count its lines.
	placeholders [sectionCount]string
	// touched says the person moved the cursor: until then it stays on
	// the first line while the lines come in.
	touched bool
}

func (p *overviewPanel) resize(h int) { p.height = h; p.items.SetHeight(h) }

// refresh reads the failures; the DAGs are read with the DAG panel's read.
func (p *overviewPanel) refresh(m *Model) tea.Cmd {
	be, ctx := m.be, m.root
	return func() tea.Msg {
		fs, err := be.Failures(ctx, failuresShown)
		return failuresMsg{failures: fs, err: err}
	}
}

func (p *overviewPanel) dagsRead(dags []tui.DAG, err error) {
	p.dagsErr = err
	if err == nil {
		p.dags, p.dagsLoaded = render.RankDAGs(dags), true
	}
}

// rebuild lays out the overview's items for the snapshot and the body's
// height: every service, the mode and what it misses, then as many DAGs as
// the room left allows, and the latest problems.
func (p *overviewPanel) rebuild(s tui.Snapshot, now func() time.Time) {
	if !s.Project.Found {
		p.items.SetItems(nil, nil) // nothing to sum up, nothing to follow
		return
	}
	var items []ovItem
	for _, svc := range s.Services {
		items = append(items, ovItem{section: secServices, service: svc})
	}
	ms := currentMode(s)
	if ms.Mode != "" {
		missing := 0
		for i := range ms.Checks {
			if !ms.Checks[i].OK {
				missing++
				if missing <= 3 {
					items = append(items, ovItem{section: secMode, mode: ms, check: &ms.Checks[i]})
				}
			}
		}
		if missing == 0 {
			items = append(items, ovItem{section: secMode, mode: ms})
		}
	}
	var problems []ovItem
	for _, pr := range render.ContainerProblems(s.Services) {
		pr := pr
		problems = append(problems, ovItem{section: secProblems, problem: &pr})
	}
	for _, f := range p.failures {
		pr := render.FailureProblem(f, now())
		problems = append(problems, ovItem{section: secProblems, problem: &pr})
	}
	p.placeholders = [sectionCount]string{}
	if len(s.Services) == 0 {
		p.placeholders[secServices] = "no services (no project here)"
	}
	if ms.Mode == "" {
		p.placeholders[secMode] = "no mode (no project here)"
	}
	if len(problems) == 0 {
		p.placeholders[secProblems] = "nothing went wrong lately"
		if p.failErr != nil {
			p.placeholders[secProblems] = "no failed tasks known: Airflow is not reachable"
		}
	}
	switch {
	case !p.dagsLoaded && p.dagsErr != nil:
		p.placeholders[secDAGs] = "✗ " + unavailableText(p.dagsErr)
	case !p.dagsLoaded:
		p.placeholders[secDAGs] = "reading the DAGs from Airflow…"
	case len(p.dags) == 0:
		p.placeholders[secDAGs] = "no DAGs yet: put one in dags/"
	}
	// The room left for DAGs: the body, less four titles, the other
	// sections, their placeholders, and a problem list of at most four.
	maxProblems := min(len(problems), 4)
	used := int(sectionCount) + len(items) + maxProblems
	for _, ph := range p.placeholders {
		if ph != "" {
			used++
		}
	}
	room := max(p.height-used, 1)
	if p.dagsLoaded {
		n := len(p.dags)
		if n > room {
			n = room - 1
		}
		for i := 0; i < n; i++ {
			items = append(items, ovItem{section: secDAGs, dag: &p.dags[i]})
		}
		if n < len(p.dags) {
			items = append(items, ovItem{section: secDAGs, more: len(p.dags) - n})
		}
	}
	items = append(items, problems[:maxProblems]...)
	p.items.SetItems(items, func(a, b ovItem) bool { return a.key() == b.key() })
	if !p.touched {
		p.items.Top()
	}
}

// needs reports whether a missing item of the current mode is fixed by
// the dashboard's action v: the overview shows those keys only.
func (p *overviewPanel) needs(v tui.Verb) bool {
	for _, it := range p.items.Items() {
		if it.check != nil && it.check.Remedy.Verb == v {
			return true
		}
	}
	return false
}

// currentMode is the snapshot's current mode with its checklist.
func currentMode(s tui.Snapshot) tui.ModeStatus {
	for _, ms := range s.Modes {
		if ms.Mode == s.Mode {
			return ms
		}
	}
	return tui.ModeStatus{Mode: s.Mode}
}

// rebuildOverview lays the overview out again after what it shows changed.
func (m *Model) rebuildOverview() { m.overview.rebuild(m.snap, m.ctx.Now) }

// overviewAction runs an overview key: enter follows the line into its
// panel; b and P fix the current mode's missing items, as in the mode panel.
func (m *Model) overviewAction(a keys.Action, b keys.Binding) tea.Cmd {
	switch a {
	case keys.Open:
		it, ok := m.overview.items.Selected()
		if !ok {
			return nil
		}
		return m.follow(it)
	case keys.BuildImage:
		return m.request(b, tui.Action{Verb: b.Verb, Target: m.snap.Mode})
	case keys.StartCluster:
		return m.request(b, tui.Action{Verb: b.Verb})
	}
	return nil
}

// follow opens the panel an overview line stands for.
func (m *Model) follow(it ovItem) tea.Cmd {
	switch it.section {
	case secServices:
		m.services.selectService(it.service.Name)
		return m.switchTo(PanelServices)
	case secMode:
		m.mode.selectMode(it.mode.Mode)
		return m.switchTo(PanelMode)
	case secDAGs:
		if it.dag == nil {
			m.dags.level = levelDAGs
			return m.switchTo(PanelDAGs)
		}
		cmd := m.drillInto(it.dag.ID)
		return tea.Batch(cmd, m.switchTo(PanelDAGs))
	case secProblems:
		if f := it.problem.Failure; f != nil {
			return m.openTaskLog(tui.TaskInstance{DAGID: f.DAGID, RunID: f.RunID, TaskID: f.TaskID, MapIndex: f.MapIndex,
				Try: f.Try, State: "failed", End: f.End})
		}
		cmd := m.openLogs(tui.LogSource{Service: it.problem.Service})
		return tea.Batch(cmd, m.switchTo(PanelLogs))
	}
	return nil
}

func (p *overviewPanel) view(c *Context, s tui.Snapshot, width, height int) []string {
	st := c.Styles
	if !s.Project.Found {
		// The banner says what to do; without a project there is no stack,
		// mode or DAG to sum up.
		return []string{st.Muted.Render(render.Fit("Nothing to sum up without a project: no services, no mode, no DAGs.", width))}
	}
	now := c.Now()
	tone := func(t render.Tone) lipgloss.Style { return render.Style(st, t) }
	items := p.items.Items()

	// Each table is laid out over its own rows, so names show whole.
	var svcRows, dagRows [][]render.Cell
	for _, it := range items {
		switch {
		case it.section == secServices:
			svcRows = append(svcRows, render.OverviewServiceCells(it.service))
		case it.dag != nil:
			dagRows = append(dagRows, render.OverviewDAGCells(*it.dag, now))
		}
	}
	svcCols, dagCols := render.OverviewServiceColumns(), render.OverviewDAGColumns()
	svcW := render.Widths(svcCols, render.Natural(svcCols, svcRows), width-4)
	dagW := render.Widths(dagCols, render.Natural(dagCols, dagRows), width-4)

	ms := currentMode(s)
	titles := [sectionCount]string{"Services", "Mode", "DAGs", "Problems"}
	summaries := [sectionCount]func() (string, render.Tone){
		func() (string, render.Tone) { return render.ServiceSummary(s.Services) },
		func() (string, render.Tone) { return render.ModeSummary(ms) },
		func() (string, render.Tone) {
			if !p.dagsLoaded {
				return "", render.Muted
			}
			text, t := render.DAGSummary(p.dags)
			if p.dagsErr != nil {
				text += " · stale: Airflow is not answering"
				t = render.Warn
			}
			return text, t
		},
		func() (string, render.Tone) { return "", render.Muted },
	}
	out := make([]string, 0, height)
	section := ovSection(-1)
	svcRow, dagRow := 0, 0
	header := func(sec ovSection) {
		text, t := summaries[sec]()
		line := st.Title.Render(titles[sec])
		if text != "" {
			line += st.Muted.Render(" · ") + tone(t).Render(text)
		}
		out = append(out, line)
		if ph := p.placeholders[sec]; ph != "" {
			out = append(out, st.Muted.Render(render.Fit("    "+ph, width)))
		}
	}
	for i, it := range items {
		for section < it.section {
			section++
			header(section)
		}
		var cells []render.Cell
		var widths []int
		text, t := "", render.Plain
		switch {
		case it.section == secServices:
			cells, widths = svcRows[svcRow], svcW
			svcRow++
		case it.dag != nil:
			cells, widths = dagRows[dagRow], dagW
			dagRow++
		case it.more > 0:
			text, t = fmt.Sprintf("… %d more: the DAGs panel (%s) lists them all", it.more, c.Keys.KeyFor(keys.GoDAGs)), render.Muted
		case it.check != nil:
			mark, ct, line := render.CheckLine(*it.check, c.Keys.KeyFixing(keys.Overview, it.check.Remedy), max(width-6, 0))
			text, t = mark+" "+line, ct
		case it.section == secMode:
			text, t = "● "+it.mode.Mode+": "+it.mode.Description, render.Plain
		case it.problem != nil:
			text, t = it.problem.Text, render.Bad
		}
		if i == p.items.Cursor() {
			if cells != nil {
				text = render.PlainRow(cells, widths)
			}
			out = append(out, selectedLine(st, "  "+text, width))
			continue
		}
		if cells != nil {
			out = append(out, "    "+render.Row(cells, widths, tone))
			continue
		}
		out = append(out, "    "+tone(t).Render(render.Fit(text, max(width-4, 0))))
	}
	for section < secProblems {
		section++
		header(section)
	}
	return out
}

// click selects the item drawn at body row (titles and placeholders take
// rows of their own).
func (p *overviewPanel) click(row int) {
	p.touched = true
	line, section := 0, ovSection(-1)
	for i, it := range p.items.Items() {
		for section < it.section {
			section++
			line++
			if p.placeholders[section] != "" {
				line++
			}
		}
		if line == row {
			p.items.Select(i)
			return
		}
		line++
	}
}
