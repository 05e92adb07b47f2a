package dashboard

import (
	"fmt"
	"path"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/components/list"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/render"
)

// The MLflow panel: experiments → runs (status, start, duration and the
// metrics the user chose, as columns) → one run (params, metrics with a
// sparkline of their history, artifacts as a tree). A task of a DAG run
// opens the runs it logged (M, see taskMLflow).

type mlLevel int

const (
	mlExperiments mlLevel = iota
	mlRuns
	mlRun
)

// mlLine is one line of a run's view.
type mlLine struct {
	heading string // a section's title ("Params"); the rest is empty
	key     string
	value   string
	series  *tui.MetricSeries
	art     *tui.Artifact
	depth   int
}

type mlflowPanel struct {
	level mlLevel
	err   error

	exps       list.List[tui.Experiment]
	expCols    colWidths
	expsLoaded bool

	// query is what the runs level lists; title names it.
	query      tui.MLflowQuery
	title      string
	fromTask   bool // opened from a task: esc goes back to the DAG panel
	runs       list.List[tui.MLflowRun]
	runCols    colWidths
	runsLoaded bool
	widened    bool
	metricKeys []string        // every metric key among the runs, sorted
	hidden     map[string]bool // metric keys the user took out of the columns

	runID        string
	detail       tui.MLflowRunDetail
	detailLoaded bool
	lines        list.List[mlLine]
	expanded     map[string]bool
	children     map[string][]tui.Artifact
}

func (p *mlflowPanel) resize(h int) {
	p.exps.SetHeight(h - 2)
	p.runs.SetHeight(h - 2)
	p.lines.SetHeight(h - 1)
}

func (p *mlflowPanel) scope() keys.Scope {
	switch p.level {
	case mlRuns:
		return keys.MLRuns
	case mlRun:
		return keys.MLRun
	}
	return keys.Experiments
}

func (p *mlflowPanel) currentList() mover {
	switch p.level {
	case mlRuns:
		return &p.runs
	case mlRun:
		return &p.lines
	}
	return &p.exps
}

func (p *mlflowPanel) click(row int) {
	switch p.level {
	case mlRuns:
		p.runs.Click(row - 2)
	case mlRun:
		p.lines.Click(row - 1)
	default:
		p.exps.Click(row - 2)
	}
}

// refresh reads what the level shows; a run's view is read again only
// when asked (force: ctrl+r), since it costs a request per metric.
func (p *mlflowPanel) refresh(m *Model, force bool) tea.Cmd {
	be, ctx := m.be, m.root
	switch p.level {
	case mlRuns:
		q := p.query
		return func() tea.Msg {
			l, err := be.MLflowRuns(ctx, q)
			return mlRunsMsg{q: q, list: l, err: err}
		}
	case mlRun:
		if p.detailLoaded && !force {
			return nil
		}
		id := p.runID
		return func() tea.Msg {
			d, err := be.MLflowRun(ctx, id)
			return mlRunMsg{id: id, detail: d, err: err}
		}
	}
	return func() tea.Msg {
		exps, err := be.Experiments(ctx)
		return experimentsMsg{exps: exps, err: err}
	}
}

func (m *Model) updateMLflow(msg mlflowMsg) tea.Cmd {
	p := &m.mlflow
	switch msg := msg.(type) {
	case experimentsMsg:
		if p.level != mlExperiments {
			return nil
		}
		p.err = msg.err
		if msg.err == nil {
			p.exps.SetItems(msg.exps, func(a, b tui.Experiment) bool { return a.ID == b.ID })
			p.expsLoaded = true
		}
	case mlRunsMsg:
		if p.level != mlRuns || msg.q != p.query {
			return nil
		}
		p.err = msg.err
		if msg.err == nil {
			p.runs.SetItems(msg.list.Runs, func(a, b tui.MLflowRun) bool { return a.ID == b.ID })
			p.runsLoaded, p.widened = true, msg.list.Widened
			keys := msg.list.MetricKeys
			if strings.Join(keys, "\x00") != strings.Join(p.metricKeys, "\x00") {
				p.metricKeys, p.runCols = keys, colWidths{}
			}
		}
	case mlRunMsg:
		if p.level != mlRun || msg.id != p.runID {
			return nil
		}
		p.err = msg.err
		if msg.err == nil {
			p.detail, p.detailLoaded = msg.detail, true
			p.children = map[string][]tui.Artifact{"": msg.detail.Artifacts}
			p.buildLines()
		}
	case artifactsMsg:
		if p.level != mlRun || msg.run != p.runID {
			return nil
		}
		if msg.err != nil {
			m.setStatus(render.Bad, "artifacts under "+msg.path+": "+unavailableText(msg.err))
			delete(p.expanded, msg.path)
			return nil
		}
		p.children[msg.path] = msg.arts
		p.buildLines()
	}
	return nil
}

// shownMetrics are the metric columns: every key the runs have, less the
// ones the user hid.
func (p *mlflowPanel) shownMetrics() []string {
	var out []string
	for _, k := range p.metricKeys {
		if !p.hidden[k] {
			out = append(out, k)
		}
	}
	return out
}

func (m *Model) mlflowAction(a keys.Action, b keys.Binding) tea.Cmd {
	p := &m.mlflow
	switch a {
	case keys.Open:
		switch p.level {
		case mlExperiments:
			e, ok := p.exps.Selected()
			if !ok {
				return nil
			}
			p.openRuns(tui.MLflowQuery{ExperimentID: e.ID}, "MLflow › "+e.Name, false)
			return p.refresh(m, false)
		case mlRuns:
			r, ok := p.runs.Selected()
			if !ok {
				return nil
			}
			p.level, p.runID, p.detailLoaded, p.err = mlRun, r.ID, false, nil
			p.expanded, p.children = map[string]bool{}, map[string][]tui.Artifact{}
			p.lines.SetItems(nil, nil)
			p.lines.Top()
			return p.refresh(m, true)
		case mlRun:
			return m.toggleArtifact()
		}
	case keys.Back:
		p.err = nil
		switch p.level {
		case mlRun:
			p.level = mlRuns
			return p.refresh(m, false)
		case mlRuns:
			if p.fromTask {
				p.fromTask = false
				p.level = mlExperiments
				return m.switchTo(PanelDAGs)
			}
			p.level = mlExperiments
			return p.refresh(m, false)
		}
	case keys.MLflowColumns:
		if len(p.metricKeys) == 0 {
			m.setStatus(render.Muted, "these runs logged no metrics")
			return nil
		}
		m.overlay = &metricsOverlay{}
	case keys.MLflowBrowse:
		url := ""
		switch p.level {
		case mlExperiments:
			if e, ok := p.exps.Selected(); ok {
				url = e.URL
			}
		case mlRuns:
			if r, ok := p.runs.Selected(); ok {
				url = r.URL
			}
		case mlRun:
			url = p.detail.Run.URL
		}
		if url == "" {
			m.setStatus(render.Muted, "nothing to open here")
			return nil
		}
		return m.openURL(url)
	}
	return nil
}

// openRuns shows a list of runs.
func (p *mlflowPanel) openRuns(q tui.MLflowQuery, title string, fromTask bool) {
	if q != p.query {
		p.runs.SetItems(nil, nil)
		p.runs.Top()
		p.runsLoaded, p.widened = false, false
	}
	p.level, p.query, p.title, p.fromTask, p.err = mlRuns, q, title, fromTask, nil
}

// taskMLflow opens the MLflow runs the selected task instance logged.
func (m *Model) taskMLflow() tea.Cmd {
	var ti tui.TaskInstance
	ok := false
	switch m.dags.level {
	case levelTasks:
		ti, ok = m.dags.tis.Selected()
	case levelGrid:
		ti, ok = m.dags.grid.selected()
	}
	if !ok {
		return nil
	}
	m.mlflow.openRuns(tui.MLflowQuery{DAGID: ti.DAGID, RunID: ti.RunID, TaskID: ti.TaskID},
		"MLflow › "+ti.DAGID+" › "+ti.RunID+" › "+ti.TaskID, true)
	return m.switchTo(PanelMLflow)
}

// toggleArtifact opens or closes the directory under the cursor, reading
// its entries the first time.
func (m *Model) toggleArtifact() tea.Cmd {
	p := &m.mlflow
	l, ok := p.lines.Selected()
	if !ok || l.art == nil {
		return nil
	}
	if !l.art.Dir {
		if k := m.ctx.Keys.KeyFor(keys.MLflowBrowse); k != "" {
			m.setStatus(render.Muted, l.art.Path+" is a file: "+k+" opens the run in the browser, where it shows")
		}
		return nil
	}
	dir := l.art.Path
	if p.expanded[dir] {
		delete(p.expanded, dir)
		p.buildLines()
		return nil
	}
	p.expanded[dir] = true
	if _, ok := p.children[dir]; ok {
		p.buildLines()
		return nil
	}
	be, ctx, run := m.be, m.root, p.runID
	return func() tea.Msg {
		arts, err := be.MLflowArtifacts(ctx, run, dir)
		return artifactsMsg{run: run, path: dir, arts: arts, err: err}
	}
}

// buildLines lays out a run's view: params, metrics, then the artifacts
// tree with the open directories' entries under them.
func (p *mlflowPanel) buildLines() {
	d := p.detail
	var ls []mlLine
	ls = append(ls, mlLine{heading: fmt.Sprintf("Params (%d)", len(d.Params))})
	for _, kv := range d.Params {
		ls = append(ls, mlLine{key: kv.Key, value: kv.Value})
	}
	ls = append(ls, mlLine{heading: fmt.Sprintf("Metrics (%d)", len(d.Metrics))})
	for i := range d.Metrics {
		ls = append(ls, mlLine{key: d.Metrics[i].Key, series: &d.Metrics[i]})
	}
	ls = append(ls, mlLine{heading: "Artifacts · " + d.ArtifactURI})
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		for i := range p.children[dir] {
			a := p.children[dir][i]
			ls = append(ls, mlLine{art: &a, depth: depth})
			if a.Dir && p.expanded[a.Path] {
				walk(a.Path, depth+1)
			}
		}
	}
	walk("", 0)
	key := func(l mlLine) string {
		if l.art != nil {
			return "a:" + l.art.Path
		}
		return l.heading + "\x00" + l.key
	}
	p.lines.SetItems(ls, func(a, b mlLine) bool { return key(a) == key(b) })
}

func (p *mlflowPanel) view(c *Context, width, height int) []string {
	st := c.Styles
	now := c.Now()
	tone := func(t render.Tone) lipgloss.Style { return render.Style(st, t) }
	errLine := func() []string {
		return []string{st.Bad.Render(render.Fit("✗ "+unavailableText(p.err), width)),
			st.Muted.Render(fmt.Sprintf("  read again every %s while this panel is open", c.PollInterval))}
	}
	switch p.level {
	case mlExperiments:
		if p.err != nil && !p.expsLoaded {
			return errLine()
		}
		if !p.expsLoaded {
			return []string{st.Muted.Render("Reading MLflow's experiments…")}
		}
		out := []string{st.Title.Render("MLflow") + st.Muted.Render(" · "+plural(p.exps.Len(), "experiment", "experiments"))}
		return append(out, tableView(c, render.ExperimentColumns(), &p.exps, &p.expCols, width,
			func(e tui.Experiment) []render.Cell { return render.ExperimentCells(e, now) }, tone)...)
	case mlRuns:
		head := st.Title.Render(p.title)
		if p.runsLoaded {
			head += st.Muted.Render(" · " + plural(p.runs.Len(), "run", "runs"))
		}
		out := []string{fit(head, width)}
		if p.err != nil {
			return append(out, errLine()...)
		}
		if !p.runsLoaded {
			return append(out, st.Muted.Render("  reading the runs…"))
		}
		if p.runs.Len() == 0 {
			msg := "  no runs in this experiment yet"
			if p.query.DAGID != "" {
				msg = "  no MLflow run is tagged with this DAG run: its tasks set no airflow.* tags (README: MLflow runs of a DAG run)"
			}
			return append(out, st.Muted.Render(render.Fit(msg, width)))
		}
		if p.widened {
			out[0] = fit(head+st.Warn.Render(" · it logged none: its DAG run's"), width)
		}
		metrics := p.shownMetrics()
		withTask := p.query.DAGID != ""
		return append(out, tableView(c, render.MLflowRunColumns(metrics, withTask), &p.runs, &p.runCols, width,
			func(r tui.MLflowRun) []render.Cell { return render.MLflowRunCells(r, metrics, withTask, now) }, tone)...)
	}
	// One run.
	d := p.detail
	if p.err != nil {
		return errLine()
	}
	if !p.detailLoaded {
		return []string{st.Muted.Render("Reading the run…")}
	}
	name := d.Run.Name
	if name == "" {
		name = d.Run.ID
	}
	head := st.Title.Render(name) + " " + tone(render.MLflowStatusTone(d.Run.Status)).Render(strings.ToLower(d.Run.Status)) +
		st.Muted.Render(" · started "+render.When(d.Run.Start, now)+" · took "+render.Duration(d.Run.Start, d.Run.End, now))
	if d.Run.Task != "" {
		head += st.Muted.Render(" · logged by " + d.Run.Task)
	}
	out := []string{fit(head, width)}
	keyW := 0
	for _, l := range p.lines.Items() {
		if l.heading == "" && l.art == nil {
			keyW = max(keyW, len(l.key))
		}
	}
	keyW = min(keyW, width/3)
	start, end := p.lines.Window()
	items := p.lines.Items()
	for i := start; i < end; i++ {
		l := items[i]
		var text string
		var t render.Tone
		switch {
		case l.heading != "":
			out = append(out, st.Header.Render(render.Fit(l.heading, width)))
			if i == p.lines.Cursor() {
				out[len(out)-1] = selectedLine(st, l.heading, width)
			}
			continue
		case l.series != nil:
			text = render.Fit(l.key, keyW) + "  " + render.Metric(l.series.Last)
			if n := len(l.series.History); n > 1 {
				// A history: its sparkline, in a column of its own.
				text = render.Fit(text, keyW+12) + render.Sparkline(l.series.History, max(min(width-keyW-28, 60), 0)) +
					fmt.Sprintf(" (%d steps)", n)
			}
		case l.art != nil:
			name := path.Base(l.art.Path)
			mark := "  "
			if l.art.Dir {
				mark = "▸ "
				if p.expanded[l.art.Path] {
					mark = "▾ "
				}
				name += "/"
			}
			text = strings.Repeat("  ", l.depth) + mark + name
			if !l.art.Dir {
				text += "  " + render.Size(l.art.Size)
			}
			t = render.Muted
			if l.art.Dir {
				t = render.Plain
			}
		default:
			text = render.Fit(l.key, keyW) + "  " + l.value
		}
		if i == p.lines.Cursor() {
			out = append(out, selectedLine(st, text, width))
			continue
		}
		out = append(out, "  "+tone(t).Render(render.Fit(text, max(width-2, 0))))
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
