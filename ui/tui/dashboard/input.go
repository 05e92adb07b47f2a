package dashboard

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/render"
)

// handleKey turns a key into an action through the keymap and runs it: the
// overlay first, then what applies everywhere, then the panel's own.
func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	if m.overlay != nil {
		return m.overlayKey(msg)
	}
	k := msg.String()
	scope := m.scope()
	a, ok := m.ctx.Keys.Lookup(scope, k)
	if !ok {
		if m.ctx.ReadOnly {
			// Say why a familiar key does nothing.
			if ra, found := keys.Default(false).Lookup(scope, k); found {
				if b, _ := keys.Default(false).Binding(ra); b.Mutates {
					m.setStatus(render.Warn, "read-only: "+b.Help+" is disabled")
				}
			}
		}
		return nil
	}
	b, _ := m.ctx.Keys.Binding(a)
	if cmd, handled := m.globalAction(a, b); handled {
		return cmd
	}
	return m.panelAction(a, b)
}

// globalAction runs the actions that mean the same in every panel.
func (m *Model) globalAction(a keys.Action, b keys.Binding) (tea.Cmd, bool) {
	switch a {
	case keys.Quit:
		return m.doQuit(), true
	case keys.Help:
		m.overlay = &helpOverlay{}
		return nil, true
	case keys.TaskList:
		m.overlay = &tasksOverlay{}
		return nil, true
	case keys.CancelTask:
		m.cancelTask()
		return nil, true
	case keys.NextPanel:
		return m.switchTo((m.panel + 1) % panelCount), true
	case keys.PrevPanel:
		return m.switchTo((m.panel + panelCount - 1) % panelCount), true
	case keys.GoOverview:
		return m.switchTo(PanelOverview), true
	case keys.GoServices:
		return m.switchTo(PanelServices), true
	case keys.GoMode:
		return m.switchTo(PanelMode), true
	case keys.GoDAGs:
		return m.switchTo(PanelDAGs), true
	case keys.GoLogs:
		return m.switchTo(PanelLogs), true
	case keys.GoMLflow:
		return m.switchTo(PanelMLflow), true
	case keys.Refresh:
		cmds := []tea.Cmd{m.fetchSnapshot()}
		switch {
		case m.panel == PanelMLflow:
			cmds = append(cmds, m.mlflow.refresh(m, true))
		case polled(m.panel):
			cmds = append(cmds, m.refreshPanel())
		}
		m.setStatus(render.Muted, "refreshing…")
		return tea.Batch(cmds...), true
	case keys.StartAll, keys.StopAll, keys.RestartAll, keys.DeleteVolumes, keys.Cleanup:
		if !m.snap.Project.Found {
			m.setStatus(render.Warn, "no project here: press "+m.ctx.Keys.KeyFor(keys.InitWizard)+" to create one")
			return nil, true
		}
		return m.request(b, tui.Action{Verb: b.Verb}), true
	case keys.InitWizard, keys.Dockerize, keys.SecretWizard:
		return m.openWizard(b.Wizard), true
	}
	return nil, false
}

// panelAction hands an action to the panel in front; cursor moves are
// common to the list panels.
func (m *Model) panelAction(a keys.Action, b keys.Binding) tea.Cmd {
	if m.panel == PanelLogs {
		return m.logsAction(a)
	}
	if m.moveCursor(a) {
		return nil
	}
	switch m.panel {
	case PanelOverview:
		return m.overviewAction(a, b)
	case PanelMLflow:
		return m.mlflowAction(a, b)
	case PanelServices:
		return m.servicesAction(a, b)
	case PanelMode:
		return m.modeAction(a, b)
	case PanelDAGs:
		return m.dagsAction(a, b)
	}
	return nil
}

// mover is what the cursor keys need of a list.
type mover interface {
	Move(int)
	Page(int)
	Top()
	Bottom()
}

func (m *Model) currentList() mover {
	switch m.panel {
	case PanelOverview:
		return &m.overview.items
	case PanelMLflow:
		return m.mlflow.currentList()
	case PanelServices:
		return &m.services.rows
	case PanelMode:
		return &m.mode.modes
	case PanelDAGs:
		switch m.dags.level {
		case levelRuns:
			return &m.dags.runs
		case levelTasks:
			return &m.dags.tis
		case levelGrid:
			return &m.dags.grid
		}
		return &m.dags.dags
	}
	return nil
}

func (m *Model) moveCursor(a keys.Action) bool {
	l := m.currentList()
	if l == nil {
		return false
	}
	if m.panel == PanelOverview {
		m.overview.touched = true
	}
	switch a {
	case keys.Up:
		l.Move(-1)
	case keys.Down:
		l.Move(1)
	case keys.PageUp:
		l.Page(-1)
	case keys.PageDown:
		l.Page(1)
	case keys.Top:
		l.Top()
	case keys.Bottom:
		l.Bottom()
	default:
		return false
	}
	return true
}

// handleMouse: the wheel scrolls, a click on a tab switches panels, a click
// on a row selects it. Mouse reporting is only on when the user allows it.
func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	if m.overlay != nil {
		if w, ok := m.overlay.(*wizardOverlay); ok {
			var cmd tea.Cmd
			w.model, cmd = w.model.Update(msg)
			return cmd
		}
		return nil
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		return m.panelAction(keys.Up, keys.Binding{})
	case tea.MouseButtonWheelDown:
		return m.panelAction(keys.Down, keys.Binding{})
	case tea.MouseButtonLeft:
		if msg.Action != tea.MouseActionPress {
			return nil
		}
	default:
		return nil
	}
	if msg.Y == 1 { // the tab bar
		for p, r := range m.tabRanges() {
			if msg.X >= r[0] && msg.X < r[1] {
				return m.switchTo(Panel(p))
			}
		}
		return nil
	}
	row := msg.Y - 2 - m.bannerHeight()
	switch m.panel {
	case PanelOverview:
		m.overview.click(row)
	case PanelMLflow:
		m.mlflow.click(row)
	case PanelServices:
		m.services.rows.Click(row - 1)
	case PanelMode:
		m.mode.modes.Click(row - 1)
	case PanelDAGs:
		switch m.dags.level {
		case levelDAGs:
			m.dags.dags.Click(row - 2)
		case levelRuns:
			m.dags.runs.Click(row - 2)
		case levelTasks:
			m.dags.tis.Click(row - 2)
		case levelGrid:
			m.dags.grid.click(row-2, msg.X)
		}
	}
	return nil
}
