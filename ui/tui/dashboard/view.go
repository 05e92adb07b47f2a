package dashboard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/render"
)

// View draws the whole screen: exactly Height lines, none wider than Width.
func (m *Model) View() string {
	w, h := m.ctx.Width, m.ctx.Height
	if m.quit {
		return ""
	}
	if w < 40 || h < 10 {
		return fmt.Sprintf("gaiaflow needs a bigger terminal\n(%d×%d; 80×24 or more)", w, h)
	}
	lines := make([]string, 0, h)
	lines = append(lines, m.headerLine(w), m.tabsLine(w))
	if b := m.banner(w); b != "" {
		lines = append(lines, b)
	}
	body, ok := m.overlayView(w, m.bodyHeight())
	if !ok {
		body = m.panelView(w, m.bodyHeight())
	}
	bh := m.bodyHeight()
	for i := 0; i < bh; i++ {
		if i < len(body) {
			lines = append(lines, fit(body[i], w))
		} else {
			lines = append(lines, "")
		}
	}
	lines = append(lines, m.statusLine(w), m.footerKeys(w))
	return strings.Join(lines, "\n")
}

// fit cuts a styled line to width cells.
func fit(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

func (m *Model) panelView(w, h int) []string {
	switch m.panel {
	case PanelOverview:
		if !m.haveSnap {
			return []string{m.ctx.Styles.Muted.Render("Reading the stack's state…")}
		}
		return m.overview.view(m.ctx, m.snap, w, h)
	case PanelMLflow:
		return m.mlflow.view(m.ctx, w, h)
	case PanelServices:
		if !m.haveSnap {
			return []string{m.ctx.Styles.Muted.Render("Reading the stack's state…")}
		}
		return m.services.view(m.ctx, w, h)
	case PanelMode:
		return m.mode.view(m.ctx, w, h)
	case PanelDAGs:
		return m.dags.view(m.ctx, w, h)
	}
	return m.logs.viewLines(m.ctx, w)
}

func connMark(c tui.Conn) (string, render.Tone) {
	switch {
	case c.Unknown:
		return "–", render.Muted
	case c.OK:
		return "●", render.Good
	}
	return "✗", render.Bad
}

func (m *Model) headerLine(w int) string {
	st := m.ctx.Styles
	s := m.snap
	left := st.Title.Render("gaiaflow")
	switch {
	case !m.haveSnap:
	case s.Project.Found:
		left += " " + st.Header.Render(s.Project.Name) + st.Muted.Render(" · mode ") + st.Accent.Render(s.Mode)
	default:
		left += st.Muted.Render(" · no project")
	}
	var right []string
	for _, c := range []struct {
		name string
		conn tui.Conn
	}{{"docker", s.Docker}, {"minikube", s.Minikube}, {"airflow", s.Airflow}} {
		mark, tone := connMark(c.conn)
		if !m.haveSnap {
			mark, tone = "…", render.Muted
		}
		right = append(right, st.Muted.Render(c.name+" ")+render.Style(st, tone).Render(mark))
	}
	r := strings.Join(right, "  ")
	gap := w - lipgloss.Width(left) - lipgloss.Width(r)
	if gap < 1 {
		return fit(left, w)
	}
	return left + strings.Repeat(" ", gap) + r
}

// tabRanges are the columns each tab takes on the tab line, for the mouse.
func (m *Model) tabRanges() [][2]int {
	out := make([][2]int, panelCount)
	x := 0
	for p := Panel(0); p < panelCount; p++ {
		label := fmt.Sprintf(" %d %s ", p, p.title())
		out[p] = [2]int{x, x + len(label)}
		x += len(label) + 1
	}
	return out
}

func (m *Model) tabsLine(w int) string {
	st := m.ctx.Styles
	var parts []string
	for p := Panel(0); p < panelCount; p++ {
		label := fmt.Sprintf(" %d %s ", p, p.title())
		if p == m.panel {
			// Brackets mark the tab without colour too (NO_COLOR, screen readers).
			label = fmt.Sprintf("[%d %s]", p, p.title())
			parts = append(parts, st.TabActive.Render(label))
		} else {
			parts = append(parts, st.TabInactive.Render(label))
		}
	}
	left := strings.Join(parts, st.Border.Render("│"))
	var badges []string
	if n := m.tasks.running(); n > 0 {
		badges = append(badges, st.Busy.Render(fmt.Sprintf("%d running", n)))
	}
	if m.ctx.ReadOnly {
		badges = append(badges, st.Warn.Render("READ-ONLY"))
	}
	r := strings.Join(badges, "  ")
	gap := w - lipgloss.Width(left) - lipgloss.Width(r)
	if gap < 1 {
		return fit(left, w)
	}
	return left + strings.Repeat(" ", gap) + r
}

// banner is the one line that says why the dashboard cannot show everything.
func (m *Model) banner(w int) string {
	st := m.ctx.Styles
	s := m.snap
	var text string
	switch {
	case m.snapErr != nil:
		text = "✗ cannot read the stack's state: " + m.snapErr.Error() + " · retrying"
	case !m.haveSnap:
		return ""
	case !s.Project.Found && s.Project.Problem != "":
		text = "✗ " + s.Project.Problem
	case !s.Project.Found:
		text = "No gaiaflow project here."
		if k := m.ctx.Keys.KeyFor(keys.InitWizard); k != "" {
			text += " Press " + k + " to create one (init wizard)."
		} else {
			text += " Run `gaiaflow init` to create one."
		}
		return st.Warn.Render(fit(text, w))
	case !s.Docker.OK && !s.Docker.Unknown:
		text = "✗ Docker: " + s.Docker.Detail + fmt.Sprintf(" · retrying (%d)", m.retry)
	default:
		return ""
	}
	return st.Bad.Render(fit(text, w))
}

func (m *Model) bannerHeight() int {
	if m.banner(m.ctx.Width) == "" {
		return 0
	}
	return 1
}

func (m *Model) statusLine(w int) string {
	st := m.ctx.Styles
	if o, ok := m.overlay.(*promptOverlay); ok {
		// A prompt takes the footer (see footerKeys); the log stays in view
		// and changes as the pattern is typed.
		if o.err != nil {
			return fit(st.Bad.Render(o.err.Error()), w)
		}
		return fit(st.Muted.Render("enter accept · esc cancel"), w)
	}
	var left string
	if t := m.tasks.latest(); t != nil {
		line, tone := taskLine(t, m.ctx.Now())
		if t.state == taskRunning {
			if k := m.ctx.Keys.KeyFor(keys.CancelTask); k != "" {
				line += " (" + k + " cancels)"
			}
		}
		left = render.Style(st, tone).Render(line)
	}
	right := ""
	if m.status.text != "" {
		right = render.Style(st, m.status.tone).Render(m.status.text)
	}
	switch {
	case left == "":
		return fit(right, w)
	case right == "":
		return fit(left, w)
	}
	lw := min(lipgloss.Width(left), w/2)
	rw := w - lw - 3
	return fit(left, lw) + st.Muted.Render(" · ") + fit(right, rw)
}

// nested reports whether a scope is a level drilled into, which esc leaves.
func nested(s keys.Scope) bool {
	switch s {
	case keys.Runs, keys.Tasks, keys.Grid, keys.MLRuns, keys.MLRun:
		return true
	}
	return false
}

// footerKeys lists the keys that apply here, from the key table.
func (m *Model) footerKeys(w int) string {
	st := m.ctx.Styles
	scope := m.scope()
	if m.overlay != nil {
		switch m.overlay.(type) {
		case *promptOverlay:
			return fit(m.overlay.(*promptOverlay).input.View(), w)
		case *wizardOverlay:
			return ""
		}
		return fit(st.Muted.Render("esc closes"), w)
	}
	var parts []string
	for _, b := range m.ctx.Keys.In(scope) {
		if !b.Footer {
			continue
		}
		if scope == keys.Overview && b.Verb != "" && !m.overview.needs(b.Verb) {
			continue // a fix the current mode does not need
		}
		parts = append(parts, st.Key.Render(keys.Display(b.Keys[0]))+" "+st.Muted.Render(b.Help))
	}
	if k := m.ctx.Keys.KeyFor(keys.Back); nested(scope) && k != "" {
		parts = append([]string{st.Key.Render(k) + " " + st.Muted.Render("back")}, parts...)
	}
	if k := m.ctx.Keys.KeyFor(keys.Open); scope == keys.Overview && k != "" {
		parts = append([]string{st.Key.Render(k) + " " + st.Muted.Render("open the line's panel")}, parts...)
	}
	line := strings.Join(parts, "  ")
	if lipgloss.Width(line) > w {
		// Keep the end (? and q) visible: drop panel keys from the right.
		for len(parts) > 2 && lipgloss.Width(line) > w {
			parts = append(parts[:len(parts)-3], parts[len(parts)-2:]...)
			line = strings.Join(parts, "  ")
		}
	}
	return fit(line, w)
}
