// Package dockerizewizard is the dashboard's dockerize wizard: target, image
// name and tag, base image, confirm, then the build's live progress, which
// can be cancelled. Esc before the confirmation builds nothing. The build
// itself is the caller's function (the one `gaiaflow dockerize` runs), so the
// wizard only collects answers and shows events.
package dockerizewizard

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// Targets are the engines a task image is built for.
var Targets = []string{"docker", "minikube"}

// Answers are what the wizard collects.
type Answers struct {
	Target    string // docker or minikube
	Image     string // name:tag; empty for the default
	BaseImage string // empty for the project's setting
}

// Config sets the wizard up.
type Config struct {
	Defaults Answers
	// CheckImage says why an image name is not acceptable (nil accepts it).
	CheckImage func(name string) error
	// Build runs the build with the answers, reporting to r, until ctx ends.
	Build func(ctx context.Context, a Answers, r event.Reporter) error
}

const (
	stepTarget = iota
	stepImage
	stepBase
	stepConfirm
	stepRunning
	stepFinished
)

// Model is the wizard's state.
type Model struct {
	cfg     Config
	step    int
	target  int
	image   textinput.Model
	base    textinput.Model
	problem string
	lines   []string
	events  chan event.Event
	cancel  context.CancelFunc
	err     error
	width   int
}

type eventMsg struct{ e event.Event }
type finishedMsg struct{ err error }

// New returns the wizard at its first question.
func New(cfg Config) Model {
	m := Model{cfg: cfg, width: 80}
	for i, t := range Targets {
		if t == cfg.Defaults.Target {
			m.target = i
		}
	}
	m.image = textinput.New()
	m.image.Placeholder = "<package>:<version> from pyproject.toml"
	m.image.SetValue(cfg.Defaults.Image)
	m.base = textinput.New()
	m.base.Placeholder = "build.base_image from gaiaflow.toml"
	m.base.SetValue(cfg.Defaults.BaseImage)
	// A steady cursor: no blink ticks, so an idle wizard redraws nothing.
	m.image.Cursor.SetMode(cursor.CursorStatic)
	m.base.Cursor.SetMode(cursor.CursorStatic)
	return m
}

// Init starts nothing: the wizard waits for keys.
func (m Model) Init() tea.Cmd { return nil }

// Answers returns the answers as they stand.
func (m Model) Answers() Answers {
	return Answers{Target: Targets[m.target], Image: strings.TrimSpace(m.image.Value()), BaseImage: strings.TrimSpace(m.base.Value())}
}

func done(msg string, err error) tea.Cmd {
	return func() tea.Msg { return tui.WizardDone{Wizard: tui.WizardDockerize, Message: msg, Err: err} }
}

// Update handles keys, the build's events and its end.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width = msg.Width
		return m, nil
	case eventMsg:
		if line := describe(msg.e); line != "" {
			m.lines = append(m.lines, line)
			if len(m.lines) > 200 {
				m.lines = m.lines[len(m.lines)-200:]
			}
		}
		return m, m.next()
	case finishedMsg:
		m.step, m.err = stepFinished, msg.err
		return m, nil
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m Model) key(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch m.step {
	case stepRunning:
		if k.String() == "esc" || k.String() == "c" {
			m.cancel()
			m.lines = append(m.lines, "cancelling…")
		}
		return m, nil
	case stepFinished:
		if k.String() == "enter" || k.String() == "esc" {
			if m.err != nil {
				return m, done("", m.err)
			}
			return m, done("task image built for "+Targets[m.target], nil)
		}
		return m, nil
	}
	switch k.String() {
	case "esc", "ctrl+c":
		return m, done("dockerize cancelled: nothing was built", nil)
	case "shift+tab", "up":
		if m.step > stepTarget {
			m.step--
			m.focus()
		}
		return m, nil
	case "enter", "tab", "down":
		return m.advance()
	}
	switch m.step {
	case stepTarget:
		switch k.String() {
		case "left", "h":
			m.target = (m.target + len(Targets) - 1) % len(Targets)
		case "right", "l", " ":
			m.target = (m.target + 1) % len(Targets)
		}
		return m, nil
	case stepImage:
		var cmd tea.Cmd
		m.image, cmd = m.image.Update(k)
		m.problem = ""
		return m, cmd
	case stepBase:
		var cmd tea.Cmd
		m.base, cmd = m.base.Update(k)
		return m, cmd
	}
	return m, nil
}

// advance moves to the next step, checking the image name on the way; the
// confirmation starts the build.
func (m Model) advance() (tea.Model, tea.Cmd) {
	if m.step == stepImage && m.cfg.CheckImage != nil {
		if img := strings.TrimSpace(m.image.Value()); img != "" {
			if err := m.cfg.CheckImage(img); err != nil {
				m.problem = err.Error()
				return m, nil
			}
		}
	}
	if m.step < stepConfirm {
		m.step++
		m.focus()
		return m, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel, m.step = cancel, stepRunning
	m.events = make(chan event.Event, 64)
	answers, events, build := m.Answers(), m.events, m.cfg.Build
	run := func() tea.Msg {
		err := build(ctx, answers, event.Func(func(e event.Event) {
			if e.Kind != event.Timing { // phase timings are for -o json
				events <- e
			}
		}))
		close(events)
		cancel()
		return finishedMsg{err: err}
	}
	return m, tea.Batch(run, m.next())
}

// next waits for the build's next event.
func (m Model) next() tea.Cmd {
	events := m.events
	return func() tea.Msg {
		e, ok := <-events
		if !ok {
			return nil
		}
		return eventMsg{e}
	}
}

func (m *Model) focus() {
	m.image.Blur()
	m.base.Blur()
	switch m.step {
	case stepImage:
		m.image.Focus()
	case stepBase:
		m.base.Focus()
	}
}

func describe(e event.Event) string {
	msg := strings.TrimRight(e.Message, "\n")
	if msg == "" {
		msg = e.State
	}
	if e.Kind == event.Log {
		return "  " + msg
	}
	if e.Err != "" {
		return msg + ": " + e.Err
	}
	return msg
}

// View draws the current step.
func (m Model) View() string {
	var b strings.Builder
	b.WriteString("Build a task image (dockerize)\n\n")
	a := m.Answers()
	mark := func(step int) string {
		if m.step == step {
			return "▸ "
		}
		return "  "
	}
	var targets []string
	for i, t := range Targets {
		if i == m.target {
			t = "[" + t + "]"
		}
		targets = append(targets, t)
	}
	fmt.Fprintf(&b, "%starget      %s\n", mark(stepTarget), strings.Join(targets, " "))
	fmt.Fprintf(&b, "%simage       %s\n", mark(stepImage), m.image.View())
	if m.problem != "" {
		fmt.Fprintf(&b, "              ✗ %s\n", m.problem)
	}
	fmt.Fprintf(&b, "%sbase image  %s\n", mark(stepBase), m.base.View())
	switch m.step {
	case stepConfirm:
		fmt.Fprintf(&b, "\nBuild for %s? enter builds, esc cancels, shift+tab goes back\n", a.Target)
	case stepRunning:
		b.WriteString("\nbuilding… (esc cancels)\n")
	case stepFinished:
		if m.err != nil {
			fmt.Fprintf(&b, "\nfailed: %v (enter closes)\n", m.err)
		} else {
			b.WriteString("\ndone (enter closes)\n")
		}
	default:
		b.WriteString("\nenter next · shift+tab back · ←/→ choose the target · esc cancel\n")
	}
	if len(m.lines) > 0 {
		b.WriteString("\n")
		from := max(0, len(m.lines)-12)
		for _, l := range m.lines[from:] {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
