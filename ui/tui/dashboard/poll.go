package dashboard

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// polled reports whether a panel reads Airflow or MLflow on a schedule
// while it is visible. These polls are the only timers of an idle
// dashboard; the other panels redraw on the backend's change signal.
func polled(p Panel) bool { return p == PanelOverview || p == PanelDAGs || p == PanelMLflow }

// pollNow reads what the visible panel shows at once and starts a poll
// loop that lives while it stays visible.
func (m *Model) pollNow() tea.Cmd {
	m.pollGen++
	return tea.Batch(m.refreshPanel(), m.nextPoll())
}

func (m *Model) nextPoll() tea.Cmd {
	gen := m.pollGen
	return tea.Tick(m.opts.PollInterval, func(time.Time) tea.Msg { return pollMsg{gen: gen} })
}

// mlflowEvery is how many ticks pass between two reads of MLflow: a list
// of runs can be thousands long, and runs are added by pipelines, not by the
// second.
const mlflowEvery = 3

// poll is one tick: read again, unless the loop is an old one.
func (m *Model) poll(msg pollMsg) tea.Cmd {
	if msg.gen != m.pollGen || !polled(m.panel) {
		return nil
	}
	m.pollTicks++
	if m.panel == PanelMLflow && m.pollTicks%mlflowEvery != 0 {
		return m.nextPoll()
	}
	return tea.Batch(m.refreshPanel(), m.nextPoll())
}

// refreshPanel reads what the visible panel shows.
func (m *Model) refreshPanel() tea.Cmd {
	switch m.panel {
	case PanelOverview:
		return tea.Batch(readDAGs(m.be, m.root), m.overview.refresh(m))
	case PanelDAGs:
		return m.dags.refresh(m)
	case PanelMLflow:
		return m.mlflow.refresh(m, false)
	}
	return nil
}
