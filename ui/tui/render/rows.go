package render

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// ServiceColumns are the columns of the services panel.
func ServiceColumns() []Column {
	return []Column{
		{Title: "SERVICE"},
		{Title: "STATE", Cut: 5, Min: 11},
		{Title: "URL / PORTS", Cut: 4, Min: 21},
		{Title: "IMAGE", Cut: 1, Min: 12, Drop: 3},
		{Title: "UP", Drop: 2},
	}
}

// ServiceCells is the row of a service: its summed-up state and its URL.
func ServiceCells(s tui.Service, now time.Time) []Cell {
	state, tone := ServiceState(s)
	where := s.URL
	if where == "" {
		where = strings.Join(s.Ports, ", ")
	}
	var oldest time.Time
	for _, c := range s.Containers {
		if !c.Started.IsZero() && (oldest.IsZero() || c.Started.Before(oldest)) && !c.OneShot {
			oldest = c.Started
		}
	}
	return []Cell{
		{Text: s.Name, Tone: Plain},
		{Text: state, Tone: tone},
		{Text: where, Tone: Plain},
		{Text: s.Image, Tone: Muted},
		{Text: Uptime(now, oldest), Tone: Muted},
	}
}

// ContainerCells is the row of one container, indented under its service.
func ContainerCells(c tui.Container, last bool, now time.Time) []Cell {
	branch := "├ "
	if last {
		branch = "└ "
	}
	return []Cell{
		{Text: branch + c.Name, Tone: Muted},
		{Text: ContainerSymbol(c) + " " + ContainerState(c), Tone: ContainerTone(c)},
		{Text: strings.Join(c.Ports, ", "), Tone: Muted},
		{Text: c.Image, Tone: Muted},
		{Text: Uptime(now, c.Started), Tone: Muted},
	}
}

// DAGColumns are the columns of the DAG list.
func DAGColumns() []Column {
	return []Column{
		{Title: "DAG"},
		{Title: "STATUS"},
		{Title: "LAST RUN", Cut: 4, Min: 8},
		{Title: "NEXT RUN", Drop: 2},
		{Title: "IMPORT ERROR", Cut: 1, Min: 12, Max: 80, Drop: 3},
	}
}

// DAGCells is the row of one DAG.
func DAGCells(d tui.DAG, now time.Time) []Cell {
	status, tone := "active", Good
	if d.Paused {
		status, tone = "paused", Muted
	}
	last := RunState(d.LastRunState)
	if !d.LastRunStart.IsZero() {
		last += " " + Age(now.Sub(d.LastRunStart))
	}
	errText, errTone := "", Plain
	if d.ImportError != "" {
		errText, errTone = "✗ "+firstLine(d.ImportError), Bad
	}
	id := d.ID
	if d.ImportError != "" {
		tone = Bad
	}
	return []Cell{
		{Text: id, Tone: Plain},
		{Text: status, Tone: tone},
		{Text: last, Tone: RunTone(d.LastRunState)},
		{Text: When(d.NextRun, now), Tone: Muted},
		{Text: errText, Tone: errTone},
	}
}

// RunColumns are the columns of a DAG's runs.
func RunColumns() []Column {
	return []Column{
		{Title: "RUN"},
		{Title: "STATE"},
		{Title: "TYPE", Drop: 2},
		{Title: "LOGICAL DATE", Drop: 1},
		{Title: "STARTED", Drop: 3},
		{Title: "DURATION"},
	}
}

// RunCells is the row of one run.
func RunCells(r tui.Run, now time.Time) []Cell {
	started := "-"
	if !r.Start.IsZero() {
		started = Age(now.Sub(r.Start)) + " ago"
	}
	date := "-"
	if !r.LogicalDate.IsZero() {
		date = r.LogicalDate.UTC().Format("2006-01-02 15:04")
	}
	return []Cell{
		{Text: r.RunID, Tone: Plain},
		{Text: RunState(r.State), Tone: RunTone(r.State)},
		{Text: r.Type, Tone: Muted},
		{Text: date, Tone: Muted},
		{Text: started, Tone: Muted},
		{Text: Duration(r.Start, r.End, now), Tone: Plain},
	}
}

// TaskColumns are the columns of a run's task instances.
func TaskColumns() []Column {
	return []Column{
		{Title: "TASK"},
		{Title: "STATE"},
		{Title: "TRY"},
		{Title: "STARTED", Drop: 2},
		{Title: "DURATION"},
		{Title: "OPERATOR", Cut: 1, Min: 10, Drop: 3},
	}
}

// TaskCells is the row of one task instance.
func TaskCells(ti tui.TaskInstance, now time.Time) []Cell {
	id := ti.TaskID
	if ti.MapIndex >= 0 {
		id = fmt.Sprintf("%s[%d]", ti.TaskID, ti.MapIndex)
	}
	started := "-"
	if !ti.Start.IsZero() {
		started = Age(now.Sub(ti.Start)) + " ago"
	}
	return []Cell{
		{Text: id, Tone: Plain},
		{Text: RunState(ti.State), Tone: RunTone(ti.State)},
		{Text: fmt.Sprint(ti.Try), Tone: Muted},
		{Text: started, Tone: Muted},
		{Text: Duration(ti.Start, ti.End, now), Tone: Plain},
		{Text: ti.Operator, Tone: Muted},
	}
}

// CheckLine is one readiness check in width columns: a mark, its name, and
// what is missing with the key that fixes it, or, when no key does (fixKey
// ""), the fix to run outside the dashboard. A long detail is cut short
// before the key, never the key.
func CheckLine(c tui.Check, fixKey string, width int) (mark string, tone Tone, text string) {
	if c.OK {
		mark, tone = "✓", Good
	} else {
		mark, tone = "✗", Bad
	}
	text = c.Name
	if c.Detail != "" {
		text += ": " + c.Detail
	}
	switch {
	case c.OK:
	case fixKey != "":
		press := " — press " + fixKey
		if room := width - ansi.StringWidth(press); room >= ansi.StringWidth(c.Name)+2 {
			return mark, tone, Fit(ansi.Truncate(text, room, "…")+press, width)
		}
		text += press
	case c.Fix != "":
		text += "; fix: " + c.Fix
	}
	return mark, tone, Fit(text, width)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Sanitize makes a line of someone else's output safe to draw: escape
// sequences and control characters are dropped and tabs expanded, so a log
// line can never move the cursor or change the terminal's state.
func Sanitize(s string) string {
	if isPlain(s) {
		return s
	}
	s = ansi.Strip(s)
	var b strings.Builder
	col := 0
	for _, r := range s {
		switch {
		case r == '\t':
			n := 4 - col%4
			b.WriteString(strings.Repeat(" ", n))
			col += n
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			// dropped
		default:
			b.WriteRune(r)
			col++
		}
	}
	return b.String()
}

func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c >= 0x80 {
			return false
		}
	}
	return true
}

// Highlight draws the matches of re in line with match, and the rest with
// base. line must be sanitized; re may be nil.
func Highlight(line string, re *regexp.Regexp, base, match lipgloss.Style) string {
	if re == nil {
		return base.Render(line)
	}
	locs := re.FindAllStringIndex(line, -1)
	if len(locs) == 0 {
		return base.Render(line)
	}
	var b strings.Builder
	at := 0
	for _, l := range locs {
		if l[1] == l[0] {
			continue // an empty match highlights nothing
		}
		if l[0] > at {
			b.WriteString(base.Render(line[at:l[0]]))
		}
		b.WriteString(match.Render(line[l[0]:l[1]]))
		at = l[1]
	}
	if at < len(line) {
		b.WriteString(base.Render(line[at:]))
	}
	return b.String()
}
