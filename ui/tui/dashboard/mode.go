package dashboard

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/components/list"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/render"
	"github.com/gaiaflow/gaiaflow/ui/tui/theme"
)

// modePanel lists the modes and the readiness checklist of the selected one.
type modePanel struct {
	current string
	modes   list.List[tui.ModeStatus]
}

func (p *modePanel) resize(h int) { p.modes.SetHeight(max(h, 1)) }

func (p *modePanel) set(s tui.Snapshot) {
	first := p.modes.Len() == 0
	p.current = s.Mode
	p.modes.SetItems(s.Modes, func(a, b tui.ModeStatus) bool { return a.Mode == b.Mode })
	if first {
		for i, ms := range s.Modes {
			if ms.Mode == s.Mode {
				p.modes.Select(i)
			}
		}
	}
}

// selectMode puts the cursor on a mode.
func (p *modePanel) selectMode(mode string) {
	for i, ms := range p.modes.Items() {
		if ms.Mode == mode {
			p.modes.Select(i)
		}
	}
}

func (m *Model) modeAction(a keys.Action, b keys.Binding) tea.Cmd {
	ms, ok := m.mode.modes.Selected()
	switch a {
	case keys.SetMode, keys.Open:
		if !ok || !m.ctx.Keys.Enabled(keys.SetMode) {
			return nil
		}
		if ms.Mode == m.mode.current {
			m.setStatus(render.Muted, "the mode is "+ms.Mode+" already")
			return nil
		}
		b, _ = m.ctx.Keys.Binding(keys.SetMode)
		return m.request(b, tui.Action{Verb: tui.VerbSetMode, Target: ms.Mode})
	case keys.BuildImage:
		// The image the selected mode's checklist asks for (see the
		// adapter's buildImage); the current mode's when none is selected.
		act := tui.Action{Verb: b.Verb}
		if ok {
			act.Target = ms.Mode
		}
		return m.request(b, act)
	case keys.StartCluster, keys.DeleteCluster:
		return m.request(b, tui.Action{Verb: b.Verb})
	}
	return nil
}

func (p *modePanel) view(c *Context, width, height int) []string {
	st := c.Styles
	if p.modes.Len() == 0 {
		return []string{st.Muted.Render("No mode information yet.")}
	}
	var out []string
	out = append(out, st.Muted.Bold(true).Render("  MODE        READY  WHERE TASKS RUN"))
	for i, ms := range p.modes.Items() {
		mark := "  "
		if ms.Mode == p.current {
			mark = "● "
		}
		ready, tone := "ready", render.Good
		switch {
		case ms.Checks == nil:
			ready, tone = "?", render.Muted // not checked: say nothing
		case !ms.Ready():
			ready, tone = "no", render.Bad
		}
		text := render.Fit(mark+ms.Mode, 12) + " " + render.Fit(ready, 6) + " " + ms.Description
		if i == p.modes.Cursor() {
			out = append(out, selectedLine(st, text, width))
			continue
		}
		out = append(out, "  "+render.Fit(mark+ms.Mode, 12)+" "+render.Style(st, tone).Render(render.Fit(ready, 6))+" "+st.Muted.Render(render.Fit(ms.Description, max(width-22, 0))))
	}
	ms, _ := p.modes.Selected()
	out = append(out, "", st.Title.Render("  What "+ms.Mode+" needs"))
	out = append(out, checklist(st, c.Keys, ms, width)...)
	if ms.Mode != p.current {
		if k := c.Keys.KeyFor(keys.SetMode); k != "" {
			out = append(out, "", st.Muted.Render("  press "+k+" to switch to "+ms.Mode))
		}
	}
	return out
}

func checklist(st theme.Styles, km *keys.Keymap, ms tui.ModeStatus, width int) []string {
	if len(ms.Checks) == 0 {
		return []string{st.Muted.Render("    nothing to check")}
	}
	out := make([]string, 0, len(ms.Checks))
	for _, ch := range ms.Checks {
		mark, tone, text := render.CheckLine(ch, km.KeyFixing(keys.Mode, ch.Remedy), max(width-6, 0))
		out = append(out, "    "+render.Style(st, tone).Render(mark)+" "+text)
	}
	return out
}
