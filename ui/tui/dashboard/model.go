package dashboard

import (
	"context"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/components/logview"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/render"
	"github.com/gaiaflow/gaiaflow/ui/tui/theme"
)

// Panel is one of the dashboard's panels.
type Panel int

// The panels, in tab order; each one's number is its key (0-5). The
// overview is first and where the dashboard opens.
const (
	PanelOverview Panel = iota
	PanelServices
	PanelMode
	PanelDAGs
	PanelLogs
	PanelMLflow
	panelCount
)

func (p Panel) title() string {
	return [...]string{"Overview", "Services", "Mode", "DAGs", "Logs", "MLflow"}[p]
}

// Model is the dashboard's root model.
type Model struct {
	ctx  *Context
	opts Options
	be   tui.Backend

	// root is cancelled when the dashboard quits: it ends the change
	// subscription, log streams and running tasks.
	root   context.Context
	cancel context.CancelFunc

	snap     tui.Snapshot
	haveSnap bool
	snapErr  error
	changes  <-chan struct{}
	retry    int // Docker retries so far while it is down

	panel    Panel
	overview overviewPanel
	services servicesPanel
	mode     modePanel
	dags     dagsPanel
	logs     logsPanel
	mlflow   mlflowPanel
	tasks    taskManager
	// pollGen numbers poll loops: a tick of an older loop is dropped, so
	// leaving a polled panel stops its poll. pollTicks counts the ticks.
	pollGen, pollTicks int

	overlay overlay
	status  status
	quit    bool
}

// status is the one-line message of the last thing done (copied, saved,
// opened, an error). It stays until something replaces it: no timers.
type status struct {
	text string
	tone render.Tone
}

// New builds the dashboard. It starts nothing: Init does.
func New(o Options) *Model {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Keymap == nil {
		o.Keymap = keys.Default(o.ReadOnly)
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 5 * time.Second
	}
	if o.Styles == nil {
		r := lipgloss.NewRenderer(os.Stdout)
		r.SetColorProfile(termenv.Ascii)
		st := theme.For(r, theme.Dark)
		o.Styles = &st
	}
	ctx := &Context{
		Width: 80, Height: 24, Styles: *o.Styles, Keys: o.Keymap, ReadOnly: o.ReadOnly,
		Now: o.Now, Loc: o.Location, PollInterval: o.PollInterval,
		Log: logview.Styles{Base: o.Styles.Base, Muted: o.Styles.Muted, Stderr: o.Styles.Warn,
			Match: o.Styles.Match, CurrentMatch: o.Styles.CurrentMatch, Selected: o.Styles.Selected, Tags: o.Styles.Tags},
	}
	root, cancel := context.WithCancel(context.Background())
	m := &Model{ctx: ctx, opts: o, be: o.Backend, root: root, cancel: cancel}
	m.logs.init()
	m.layout()
	return m
}

// Init subscribes to changes, reads the first snapshot and starts what the
// first panel (the overview) reads.
func (m *Model) Init() tea.Cmd {
	m.changes = m.be.Changes(m.root)
	return tea.Batch(m.fetchSnapshot(), m.waitChange(), m.pollNow())
}

// Update routes a message to the handler of its family.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.ctx.Width, m.ctx.Height = msg.Width, msg.Height
		m.layout()
		return m, m.overlayResize(msg)
	case tea.KeyMsg:
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
			// Keys typed faster than the input is read arrive as one message
			// ("1l"); each is a key of its own.
			cmds := make([]tea.Cmd, 0, len(msg.Runes))
			for _, r := range msg.Runes {
				cmds = append(cmds, m.handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
			}
			return m, tea.Batch(cmds...)
		}
		return m, m.handleKey(msg)
	case tea.MouseMsg:
		return m, m.handleMouse(msg)
	case backendMsg:
		return m, m.updateBackend(msg)
	case airflowMsg:
		return m, m.updateAirflow(msg)
	case logMsg:
		return m, m.updateLogs(msg)
	case mlflowMsg:
		return m, m.updateMLflow(msg)
	case taskMsg:
		return m, m.updateTasks(msg)
	case tui.WizardDone:
		return m, m.wizardDone(msg)
	}
	// Anything else belongs to an open wizard (its own commands' results).
	return m, m.overlayMsg(msg)
}

// Quitting reports whether the dashboard asked to quit.
func (m *Model) Quitting() bool { return m.quit }

func (m *Model) doQuit() tea.Cmd {
	m.quit = true
	m.cancel()
	return tea.Quit
}

// scope is the key scope of what is in front.
func (m *Model) scope() keys.Scope {
	switch m.panel {
	case PanelOverview:
		return keys.Overview
	case PanelServices:
		return keys.Services
	case PanelMode:
		return keys.Mode
	case PanelDAGs:
		return m.dags.scope()
	case PanelMLflow:
		return m.mlflow.scope()
	}
	return keys.Logs
}

// Layout heights: two header lines, an optional banner, two footer lines.
func (m *Model) bodyHeight() int {
	h := m.ctx.Height - 4 - m.bannerHeight()
	return max(h, 1)
}

func (m *Model) layout() {
	h := m.bodyHeight()
	m.overview.resize(h)
	m.services.resize(h)
	m.mode.resize(h)
	m.dags.resize(h)
	m.logs.resize(h)
	m.mlflow.resize(h)
	m.rebuildOverview()
}

func (m *Model) setStatus(tone render.Tone, text string) {
	m.status = status{text: text, tone: tone}
}

// switchTo shows another panel, starting or stopping what only runs while a
// panel is visible (the poll of Airflow and MLflow).
func (m *Model) switchTo(p Panel) tea.Cmd {
	if p == m.panel {
		return nil
	}
	m.panel = p
	m.pollGen++ // stops the previous poll loop
	var cmds []tea.Cmd
	switch p {
	case PanelOverview, PanelDAGs, PanelMLflow:
		cmds = append(cmds, m.pollNow())
	case PanelLogs:
		if m.logs.src == nil {
			if s, ok := m.services.selectedService(); ok {
				cmds = append(cmds, m.openLogs(tui.LogSource{Service: s.Name}))
			}
		}
	}
	m.layout()
	return tea.Batch(cmds...)
}
