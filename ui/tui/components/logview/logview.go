// Package logview is the log pane's state: a bounded buffer of sanitized
// lines, a regex filter, a regex search with a current match, follow and
// pause, a line selection, line wrap or a horizontal offset, the window in
// view, and a short coloured tag per source (container or task). Drawing is
// a pure function of that state (Render).
package logview

import (
	"regexp"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/render"
)

// DefaultMax is how many lines a log keeps.
const DefaultMax = 10000

// Line is one kept line, already sanitized.
type Line struct {
	Time      time.Time
	Container string
	Stderr    bool
	Text      string
}

// Model is the log pane's state.
type Model struct {
	Max    int
	lines  []Line
	shown  []int // indices into lines that pass the filter
	filter *regexp.Regexp
	search *regexp.Regexp
	// match is the current search match, an index into shown; -1 for none.
	match int
	// matches counts shown lines matching search, kept up to date so that
	// drawing never scans the whole log.
	matches int
	offset  int // first shown line in view
	height  int
	follow  bool
	paused  bool
	pending []Line
	// selection, as indices into shown; anchor -1 when none.
	anchor, cursor int
	selecting      bool
	// wrap folds long lines; otherwise they are cut, and left is how many
	// cells of each line are scrolled out of view to the left.
	wrap bool
	left int
	// widest is the widest line kept, which bounds left.
	widest int
	// sources are the lines' sources in order of first appearance (a tag's
	// colour is its index); trim is the service whose name the tags drop.
	sources map[string]int
	trim    string
}

// hstep is how far one sideways scroll goes.
const hstep = 8

// New returns an empty, following log.
func New() *Model {
	return &Model{Max: DefaultMax, follow: true, match: -1, anchor: -1}
}

// Reset drops every line for a new source; trim is the service whose name
// the source tags leave out ("" for none).
func (m *Model) Reset(trim string) {
	m.lines, m.shown, m.pending, m.matches = nil, nil, nil, 0
	m.offset, m.match, m.anchor, m.cursor, m.selecting = 0, -1, -1, 0, false
	m.left, m.widest, m.sources, m.trim = 0, 0, nil, trim
}

// Append adds lines; while paused they wait and the view stays still.
func (m *Model) Append(ls []tui.LogLine) {
	add := make([]Line, len(ls))
	for i, l := range ls {
		add[i] = Line{Time: l.Time, Container: l.Container, Stderr: l.Stderr, Text: render.Sanitize(l.Text)}
	}
	if m.paused {
		m.pending = append(m.pending, add...)
		return
	}
	m.push(add)
}

func (m *Model) push(add []Line) {
	for _, l := range add {
		if m.sources == nil {
			m.sources = map[string]int{}
		}
		if _, ok := m.sources[l.Container]; !ok {
			m.sources[l.Container] = len(m.sources)
		}
		if w := len(l.Text); w > m.widest {
			m.widest = w
		}
		m.lines = append(m.lines, l)
		if m.filter == nil || m.filter.MatchString(l.Text) {
			m.shown = append(m.shown, len(m.lines)-1)
			if m.search != nil && m.search.MatchString(l.Text) {
				m.matches++
			}
		}
	}
	if limit := max(m.Max, 1); len(m.lines) > limit+limit/4 {
		// Trim in batches so appending stays cheap.
		drop := len(m.lines) - limit
		m.lines = append([]Line(nil), m.lines[drop:]...)
		m.reindex()
		m.offset = max(m.offset-drop, 0)
	}
	if m.follow {
		m.toBottom()
	}
}

func (m *Model) reindex() {
	m.shown = m.shown[:0]
	for i, l := range m.lines {
		if m.filter == nil || m.filter.MatchString(l.Text) {
			m.shown = append(m.shown, i)
		}
	}
	m.match, m.anchor, m.selecting = -1, -1, false
	m.count()
	m.clamp()
}

func (m *Model) count() {
	m.matches = 0
	if m.search == nil {
		return
	}
	for _, i := range m.shown {
		if m.search.MatchString(m.lines[i].Text) {
			m.matches++
		}
	}
}

// SetHeight sets the number of lines in view.
func (m *Model) SetHeight(h int) {
	m.height = max(h, 1)
	if m.follow {
		m.toBottom()
	}
	m.clamp()
}

// SetFilter keeps only lines matching pattern ("" clears it).
func (m *Model) SetFilter(pattern string) error {
	re, err := compile(pattern)
	if err != nil {
		return err
	}
	m.filter = re
	m.reindex()
	if m.follow {
		m.toBottom()
	}
	return nil
}

// SetSearch highlights matches of pattern and moves to the first one at or
// after the top of the view ("" clears it).
func (m *Model) SetSearch(pattern string) error {
	re, err := compile(pattern)
	if err != nil {
		return err
	}
	m.search = re
	m.match = -1
	m.count()
	if re != nil {
		m.NextMatch(1)
	}
	return nil
}

func compile(p string) (*regexp.Regexp, error) {
	if p == "" {
		return nil, nil
	}
	// Case-insensitive unless the pattern has upper case, like less -i.
	if strings.ToLower(p) == p {
		p = "(?i)" + p
	}
	return regexp.Compile(p)
}

// Filter and Search return the active patterns.
func (m *Model) Filter() string { return pattern(m.filter) }
func (m *Model) Search() string { return pattern(m.search) }

func pattern(re *regexp.Regexp) string {
	if re == nil {
		return ""
	}
	return strings.TrimPrefix(re.String(), "(?i)")
}

// NextMatch moves to the next (dir > 0) or previous search match, wrapping.
// It reports whether there is one.
func (m *Model) NextMatch(dir int) bool {
	if m.search == nil || len(m.shown) == 0 {
		return false
	}
	start := m.match
	if start < 0 {
		start = m.offset - dir
	}
	n := len(m.shown)
	for step := 1; step <= n; step++ {
		i := ((start+dir*step)%n + n) % n
		if m.search.MatchString(m.lines[m.shown[i]].Text) {
			m.match = i
			m.follow = false
			m.reveal(i)
			return true
		}
	}
	m.match = -1
	return false
}

// Matches counts the shown lines that match the search.
func (m *Model) Matches() int { return m.matches }

// Follow reports and ToggleFollow flips whether the view sticks to the end.
func (m *Model) Follow() bool { return m.follow }
func (m *Model) ToggleFollow() {
	m.follow = !m.follow
	if m.follow {
		m.toBottom()
	}
}

// Paused reports and TogglePause flips whether new lines wait.
func (m *Model) Paused() bool { return m.paused }
func (m *Model) TogglePause() {
	m.paused = !m.paused
	if !m.paused {
		p := m.pending
		m.pending = nil
		m.push(p)
	}
}

// Pending counts lines waiting while paused.
func (m *Model) Pending() int { return len(m.pending) }

// Wrap reports and ToggleWrap flips whether long lines are folded.
func (m *Model) Wrap() bool { return m.wrap }
func (m *Model) ToggleWrap() {
	m.wrap = !m.wrap
	m.left = 0
}

// Left is how many cells are scrolled out of view to the left.
func (m *Model) Left() int { return m.left }

// ScrollSideways moves the view by steps of 8 cells (right when n > 0);
// it reports false when lines are wrapped, which have nothing to the side.
func (m *Model) ScrollSideways(n int) bool {
	if m.wrap {
		return false
	}
	m.left = clampInt(m.left+n*hstep, 0, max(m.widest-hstep, 0))
	return true
}

// Len is the number of lines kept; Shown the number passing the filter.
func (m *Model) Len() int   { return len(m.lines) }
func (m *Model) Shown() int { return len(m.shown) }

// Scroll moves the view by delta lines; moving up stops following.
func (m *Model) Scroll(delta int) {
	if m.selecting {
		m.cursor = clampInt(m.cursor+delta, 0, len(m.shown)-1)
		m.reveal(m.cursor)
		return
	}
	m.offset += delta
	if delta < 0 {
		m.follow = false
	}
	m.clamp()
	if delta > 0 && m.offset == max(len(m.shown)-m.height, 0) {
		m.follow = true // scrolling down to the end follows again, like less +F
	}
}

// Page scrolls by a view's height.
func (m *Model) Page(n int) { m.Scroll(n * max(m.height-1, 1)) }

// Top and Bottom jump to the ends; Bottom follows again.
func (m *Model) Top() {
	m.follow = false
	if m.selecting {
		m.cursor = 0
	}
	m.offset = 0
	m.clamp()
}
func (m *Model) Bottom() {
	if m.selecting {
		m.cursor = max(len(m.shown)-1, 0)
	}
	m.follow = true
	m.toBottom()
}

// ToggleSelect starts a selection at the view's last line (the one a person
// reads last) or ends it, keeping it for Copy.
func (m *Model) ToggleSelect() {
	if len(m.shown) == 0 {
		return
	}
	if !m.selecting && m.anchor >= 0 {
		m.anchor = -1 // a finished selection: v again clears it
		return
	}
	if m.selecting {
		m.selecting = false
		return
	}
	m.follow = false
	m.selecting = true
	_, end := m.Window()
	m.anchor = max(end-1, 0)
	m.cursor = m.anchor
}

// Selecting reports whether a selection is being made; Selection returns it
// (as shown-line indices, inclusive) when there is one.
func (m *Model) Selecting() bool { return m.selecting }
func (m *Model) Selection() (from, to int, ok bool) {
	if m.anchor < 0 {
		return 0, 0, false
	}
	return min(m.anchor, m.cursor), max(m.anchor, m.cursor), true
}

// ClearSelection drops the selection; it reports whether there was one.
func (m *Model) ClearSelection() bool {
	had := m.anchor >= 0
	m.anchor, m.selecting = -1, false
	return had
}

// CopyText is what y copies: the selection, else the lines in view.
func (m *Model) CopyText() (text string, n int) {
	from, to, ok := m.Selection()
	if !ok {
		from, to = m.Window()
		to--
	}
	var b strings.Builder
	for i := from; i <= to && i < len(m.shown); i++ {
		b.WriteString(m.lines[m.shown[i]].Text)
		b.WriteByte('\n')
		n++
	}
	return b.String(), n
}

// SaveText is what w saves: every line the filter shows, with its time and
// container.
func (m *Model) SaveText() (string, int) {
	var b strings.Builder
	for _, i := range m.shown {
		l := m.lines[i]
		if !l.Time.IsZero() {
			b.WriteString(l.Time.Format(time.RFC3339) + " ")
		}
		if l.Container != "" {
			b.WriteString(l.Container + " ")
		}
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.String(), len(m.shown)
}

// Window is the half-open range of shown lines in view.
func (m *Model) Window() (start, end int) {
	return m.offset, min(m.offset+m.height, len(m.shown))
}

func (m *Model) toBottom() {
	m.offset = max(len(m.shown)-m.height, 0)
}

func (m *Model) reveal(i int) {
	if i < m.offset {
		m.offset = i
	}
	if i >= m.offset+m.height {
		m.offset = i - m.height + 1
	}
	m.clamp()
}

func (m *Model) clamp() {
	m.offset = clampInt(m.offset, 0, max(len(m.shown)-m.height, 0))
}

func clampInt(v, lo, hi int) int {
	if hi < lo {
		return lo
	}
	return min(max(v, lo), hi)
}

// Styles are what Render draws with.
type Styles struct {
	Base, Muted, Stderr, Match, CurrentMatch, Selected lipgloss.Style
	// Tags colour the sources' tags, by order of appearance (cycling).
	Tags []lipgloss.Style
}

// Tag is a source's short tag: its name without the service's, which every
// line of the service shares ("airflow-scheduler" of airflow is
// "scheduler", "postgres-airflow" is "postgres").
func Tag(trim, source string) string {
	if trim == "" || source == trim {
		return source
	}
	if t, ok := strings.CutPrefix(source, trim+"-"); ok && t != "" {
		return t
	}
	if t, ok := strings.CutSuffix(source, "-"+trim); ok && t != "" {
		return t
	}
	return source
}

// maxTag bounds a tag's width: a longer one is cut.
const maxTag = 16

// tagWidth is the tags' column: the widest tag, none with a single source.
func (m *Model) tagWidth() int {
	if len(m.sources) < 2 {
		return 0
	}
	w := 0
	for src := range m.sources {
		w = max(w, len(Tag(m.trim, src)))
	}
	return min(w, maxTag)
}

// row is one screen row of a line: its prefix (time, tag) on its first
// row only, and a piece of its text.
type row struct {
	line  int // index into shown
	first bool
	text  string
}

// rows lays out the lines in view as screen rows of room cells: one row
// per line cut at the edge (from left), or as many as a wrapped line takes.
// Following, the last line ends at the bottom.
func (m *Model) rows(room int) []row {
	start, end := m.Window()
	if !m.wrap {
		out := make([]row, 0, end-start)
		for i := start; i < end; i++ {
			t := m.lines[m.shown[i]].Text
			if m.left > 0 {
				t = ansi.Cut(t, m.left, m.left+room+1)
			}
			out = append(out, row{line: i, first: true, text: t})
		}
		return out
	}
	pieces := func(i int) []row {
		t := m.lines[m.shown[i]].Text
		if room <= 0 || ansi.StringWidth(t) <= room {
			return []row{{line: i, first: true, text: t}}
		}
		parts := strings.Split(ansi.Hardwrap(t, room, true), "\n")
		out := make([]row, len(parts))
		for j, p := range parts {
			out[j] = row{line: i, first: j == 0, text: p}
		}
		return out
	}
	var out []row
	if m.follow && !m.selecting {
		// From the end backwards, so the newest line shows whole.
		for i := len(m.shown) - 1; i >= 0 && len(out) < m.height; i-- {
			out = append(pieces(i), out...)
		}
		if len(out) > m.height {
			out = out[len(out)-m.height:]
		}
		return out
	}
	for i := start; i < len(m.shown) && len(out) < m.height; i++ {
		out = append(out, pieces(i)...)
	}
	if len(out) > m.height {
		out = out[:m.height]
	}
	return out
}

// Render draws the lines in view, each fitted to width: time, the
// source's tag, text with search matches highlighted; the selection and
// the current match marked in the gutter.
func (m *Model) Render(width int, loc *time.Location, st Styles) []string {
	sel0, sel1, hasSel := m.Selection()
	tagW := m.tagWidth()
	timeW := 0
	for _, i := range m.shown[m.offset:min(m.offset+m.height, len(m.shown))] {
		if !m.lines[i].Time.IsZero() {
			timeW = 9
			break
		}
	}
	prefixW := timeW
	if tagW > 0 {
		prefixW += tagW + 1
	}
	room := max(width-1-prefixW, 0)
	rows := m.rows(room)
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		l := m.lines[m.shown[r.line]]
		gutter := " "
		switch {
		case hasSel && r.line >= sel0 && r.line <= sel1:
			gutter = "▌"
		case r.line == m.match:
			gutter = "›"
		}
		prefix := strings.Repeat(" ", prefixW)
		if r.first {
			prefix = ""
			if timeW > 0 {
				stamp := "         "
				if !l.Time.IsZero() {
					stamp = l.Time.In(loc).Format("15:04:05") + " "
				}
				prefix = st.Muted.Render(stamp)
			}
			if tagW > 0 {
				tag := render.Fit(Tag(m.trim, l.Container), tagW) + " "
				style := st.Muted
				if n := len(st.Tags); n > 0 {
					style = st.Tags[m.sources[l.Container]%n]
				}
				prefix += style.Render(tag)
			}
		}
		text := render.Fit(r.text, room)
		base := st.Base
		if l.Stderr {
			base = st.Stderr
		}
		match := st.Match
		if r.line == m.match {
			match = st.CurrentMatch
		}
		g := st.Muted.Render(gutter)
		if hasSel && r.line >= sel0 && r.line <= sel1 {
			g = st.Selected.Render(gutter)
		}
		out = append(out, g+prefix+render.Highlight(text, m.search, base, match))
	}
	return out
}
