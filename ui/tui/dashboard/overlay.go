package dashboard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/render"
)

// overlay is what sits in front of the panels and takes the keys: the help
// screen, a confirmation, a prompt, the task list, or a wizard.
type overlay interface {
	kind() string
}

type helpOverlay struct{ offset int }
type confirmOverlay struct {
	binding keys.Binding
	action  tui.Action
	input   textinput.Model // for ConfirmName
	wrong   bool
}
type promptKind int

const (
	promptSearch promptKind = iota
	promptFilter
	promptSave
)

type promptOverlay struct {
	what  promptKind
	input textinput.Model
	prev  string // restored on esc
	err   error
}
type tasksOverlay struct{ cursor int }
type wizardOverlay struct {
	which tui.Wizard
	model tea.Model
}

func (*helpOverlay) kind() string    { return "help" }
func (*confirmOverlay) kind() string { return "confirm" }
func (*promptOverlay) kind() string  { return "prompt" }
func (*tasksOverlay) kind() string   { return "tasks" }
func (*wizardOverlay) kind() string  { return "wizard" }

// request runs an action, asking first when its binding is destructive.
func (m *Model) request(b keys.Binding, a tui.Action) tea.Cmd {
	if b.Confirm == keys.NoConfirm {
		return m.startTask(a)
	}
	o := &confirmOverlay{binding: b, action: a}
	if b.Confirm == keys.ConfirmName {
		o.input = textinput.New()
		o.input.Prompt = "> "
		o.input.CharLimit = 64
		o.input.Focus()
	}
	m.overlay = o
	return nil
}

func (m *Model) openPrompt(k promptKind, label, value string) tea.Cmd {
	in := textinput.New()
	in.Prompt = label + " "
	in.SetValue(value)
	in.CursorEnd()
	in.Width = max(m.ctx.Width-len(label)-4, 10)
	o := &promptOverlay{what: k, input: in, prev: value}
	m.overlay = o
	return o.input.Focus()
}

func (m *Model) openWizard(w tui.Wizard) tea.Cmd {
	if m.opts.Wizards != nil {
		// A wizard gets the body's area; the header and footer stay.
		if wm := m.opts.Wizards(w, m.ctx.Width, m.bodyHeight()); wm != nil {
			m.overlay = &wizardOverlay{which: w, model: wm}
			return wm.Init()
		}
	}
	hint := map[tui.Wizard]string{
		tui.WizardInit:      "gaiaflow init",
		tui.WizardDockerize: "gaiaflow dev dockerize",
		tui.WizardSecret:    "gaiaflow prod-local create-secret",
	}[w]
	m.setStatus(render.Warn, fmt.Sprintf("the %s wizard is not in this build yet; run `%s` in a shell", w, hint))
	return nil
}

func (m *Model) wizardDone(msg tui.WizardDone) tea.Cmd {
	if _, ok := m.overlay.(*wizardOverlay); ok {
		m.overlay = nil
	}
	switch {
	case msg.Err != nil:
		m.setStatus(render.Bad, string(msg.Wizard)+": "+msg.Err.Error())
	case msg.Message != "":
		m.setStatus(render.Good, msg.Message)
	}
	return m.fetchSnapshot()
}

// overlayMsg hands a message to an open wizard.
func (m *Model) overlayMsg(msg tea.Msg) tea.Cmd {
	w, ok := m.overlay.(*wizardOverlay)
	if !ok {
		return nil
	}
	var cmd tea.Cmd
	w.model, cmd = w.model.Update(msg)
	return cmd
}

func (m *Model) overlayResize(msg tea.WindowSizeMsg) tea.Cmd {
	switch o := m.overlay.(type) {
	case *wizardOverlay:
		var cmd tea.Cmd
		o.model, cmd = o.model.Update(tea.WindowSizeMsg{Width: msg.Width, Height: m.bodyHeight()})
		return cmd
	case *promptOverlay:
		o.input.Width = max(msg.Width-len(o.input.Prompt)-4, 10)
	}
	return nil
}

// overlayKey handles a key while an overlay is open.
func (m *Model) overlayKey(msg tea.KeyMsg) tea.Cmd {
	k := msg.String()
	switch o := m.overlay.(type) {
	case *wizardOverlay:
		var cmd tea.Cmd
		o.model, cmd = o.model.Update(msg)
		return cmd
	case *helpOverlay:
		a, _ := m.ctx.Keys.Lookup(keys.Global, k)
		switch a {
		case keys.Up:
			o.offset = max(o.offset-1, 0)
		case keys.Down:
			o.offset++
		case keys.PageUp:
			o.offset = max(o.offset-m.bodyHeight(), 0)
		case keys.PageDown:
			o.offset += m.bodyHeight()
		case keys.Quit:
			if k == "ctrl+c" {
				return m.doQuit()
			}
			m.overlay = nil
		case keys.Help, keys.Back:
			m.overlay = nil
		}
		return nil
	case *confirmOverlay:
		return m.confirmKey(o, msg)
	case *metricsOverlay:
		return m.metricsKey(o, msg)
	case *promptOverlay:
		return m.promptKey(o, msg)
	case *tasksOverlay:
		a, _ := m.ctx.Keys.Lookup(keys.Global, k)
		switch a {
		case keys.Up:
			o.cursor = max(o.cursor-1, 0)
		case keys.Down:
			o.cursor = min(o.cursor+1, max(len(m.tasks.tasks)-1, 0))
		case keys.CancelTask:
			if i := len(m.tasks.tasks) - 1 - o.cursor; i >= 0 {
				if t := m.tasks.tasks[i]; t.state == taskRunning {
					t.cancel()
				}
			}
		case keys.Quit:
			if k == "ctrl+c" {
				return m.doQuit()
			}
			m.overlay = nil
		case keys.TaskList, keys.Back:
			m.overlay = nil
		}
	}
	return nil
}

func (m *Model) confirmKey(o *confirmOverlay, msg tea.KeyMsg) tea.Cmd {
	k := msg.String()
	if k == "esc" || k == "ctrl+c" {
		m.overlay = nil
		m.setStatus(render.Muted, o.action.String()+": not done")
		return nil
	}
	if o.binding.Confirm == keys.ConfirmYes {
		switch k {
		case "y", "Y":
			m.overlay = nil
			return m.startTask(o.action)
		case "n", "N", "q":
			m.overlay = nil
			m.setStatus(render.Muted, o.action.String()+": not done")
		}
		return nil
	}
	if k == "enter" {
		if strings.TrimSpace(o.input.Value()) == m.snap.Project.Name && m.snap.Project.Name != "" {
			m.overlay = nil
			return m.startTask(o.action)
		}
		o.wrong = true
		return nil
	}
	var cmd tea.Cmd
	o.input, cmd = o.input.Update(msg)
	o.wrong = false
	return cmd
}

func (m *Model) promptKey(o *promptOverlay, msg tea.KeyMsg) tea.Cmd {
	v := m.logs.view
	switch msg.String() {
	case "esc", "ctrl+c":
		m.overlay = nil
		switch o.what { // put back what was there before typing
		case promptSearch:
			_ = v.SetSearch(o.prev)
		case promptFilter:
			_ = v.SetFilter(o.prev)
		}
		return nil
	case "enter":
		if o.err != nil {
			return nil // keep the prompt open until the pattern compiles
		}
		m.overlay = nil
		if o.what == promptSave {
			return m.saveLog(strings.TrimSpace(o.input.Value()))
		}
		return nil
	}
	var cmd tea.Cmd
	o.input, cmd = o.input.Update(msg)
	// Search and filter apply as you type; a pattern that does not compile
	// leaves the last good one in place and says why.
	switch o.what {
	case promptSearch:
		o.err = v.SetSearch(o.input.Value())
	case promptFilter:
		o.err = v.SetFilter(o.input.Value())
	}
	return cmd
}

// overlayView draws an overlay into the body area; ok false means none.
func (m *Model) overlayView(width, height int) ([]string, bool) {
	st := m.ctx.Styles
	switch o := m.overlay.(type) {
	case *helpOverlay:
		lines := m.helpLines(width)
		o.offset = min(o.offset, max(len(lines)-height, 0))
		return lines[o.offset:min(o.offset+height, len(lines))], true
	case *tasksOverlay:
		return m.tasksLines(o, width), true
	case *metricsOverlay:
		return m.metricsLines(o, width), true
	case *wizardOverlay:
		return strings.Split(o.model.View(), "\n"), true
	case *confirmOverlay:
		var body []string
		body = append(body, st.DialogTitle.Render(capitalize(o.binding.Help)+"?")+st.Muted.Render(" ("+o.action.String()+")"))
		if o.binding.Confirm == keys.ConfirmName {
			body = append(body, "This cannot be undone. Type the project's name, "+st.Key.Render(m.snap.Project.Name)+", and press enter:")
			body = append(body, o.input.View())
			if o.wrong {
				body = append(body, st.Bad.Render("that is not the project's name"))
			}
			body = append(body, st.Muted.Render("esc: do nothing"))
		} else {
			body = append(body, st.Key.Render("y")+" yes   "+st.Key.Render("n")+"/esc no")
		}
		box := st.Dialog.Width(min(width-4, 70)).Render(strings.Join(body, "\n"))
		return center(box, width, height), true
	}
	return nil, false
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func center(box string, width, height int) []string {
	lines := strings.Split(lipgloss.Place(width, height, lipgloss.Center, lipgloss.Center, box), "\n")
	return lines
}

// helpLines is the ? screen: the keys of where the person is, then the rest,
// from the same keymap that dispatches them.
func (m *Model) helpLines(width int) []string {
	st := m.ctx.Styles
	km := m.ctx.Keys
	scope := m.scope()
	var out []string
	out = append(out, st.Title.Render("Keys")+st.Muted.Render(" · ? or esc closes · docs/keys.md has them all"))
	if m.ctx.ReadOnly {
		out = append(out, st.Warn.Render("read-only: actions that change anything are hidden"))
	}
	if m.opts.ConfigFile != "" {
		out = append(out, st.Muted.Render("remap them in "+m.opts.ConfigFile+" [keys]"))
	}
	order := []keys.Scope{scope}
	for _, s := range keys.Scopes() {
		if s != scope {
			order = append(order, s)
		}
	}
	for _, s := range order {
		var rows []keys.Binding
		for _, b := range km.Bindings() {
			for _, x := range b.Scopes {
				if x == s && len(b.Keys) > 0 {
					rows = append(rows, b)
					break
				}
			}
		}
		if len(rows) == 0 {
			continue
		}
		title := s.Title()
		if s == scope {
			title += " (here)"
		}
		out = append(out, "", st.Header.Render(title))
		for _, b := range rows {
			ks := make([]string, len(b.Keys))
			for i, k := range b.Keys {
				ks[i] = keys.Display(k)
			}
			help := b.Help
			if b.Dangerous() {
				help += " (asks first)"
			}
			out = append(out, "  "+st.Key.Render(render.Fit(strings.Join(ks, " "), 14))+" "+render.Fit(help, max(width-18, 0)))
		}
	}
	return out
}

func (m *Model) tasksLines(o *tasksOverlay, width int) []string {
	st := m.ctx.Styles
	out := []string{st.Title.Render("Tasks") + st.Muted.Render(" · newest first · c cancels the selected one · T or esc closes")}
	if len(m.tasks.tasks) == 0 {
		return append(out, st.Muted.Render("  nothing has run yet"))
	}
	now := m.ctx.Now()
	for i := len(m.tasks.tasks) - 1; i >= 0; i-- {
		t := m.tasks.tasks[i]
		line, tone := taskLine(t, now)
		row := len(m.tasks.tasks) - 1 - i
		if row == o.cursor {
			out = append(out, selectedLine(st, line, width))
		} else {
			out = append(out, "  "+render.Style(st, tone).Render(render.Fit(line, width-2)))
		}
		if row == o.cursor {
			for _, e := range t.events[max(len(t.events)-5, 0):] {
				out = append(out, st.Muted.Render(render.Fit("      "+eventText(e), width)))
			}
		}
	}
	return out
}
