// Package dockerizewizard is the dashboard's dockerize wizard: a huh form
// asking the target, the image name and tag, the base image and for a
// confirmation, then the build's live progress, which can be cancelled. Esc
// before the confirmation builds nothing. The build itself is the caller's
// function (the one `gaiaflow dockerize` runs), so the wizard only collects
// answers and shows events.
package dockerizewizard

import (
	"context"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/wizardkit"
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
	// Keys is the effective key table (nil: the default one).
	Keys *keys.Keymap
}

const (
	stepForm = iota
	stepRunning
	stepFinished
)

// answers are what the form's fields write into (huh keeps pointers).
type answers struct {
	Answers
	build bool
}

// Model is the wizard's state.
type Model struct {
	cfg     Config
	a       *answers
	keymap  *huh.KeyMap
	cancelK key.Binding // stops a running build
	closeK  key.Binding // closes the finished wizard
	form    *huh.Form
	confirm *huh.Confirm
	step    int
	lines   []string
	events  chan event.Event
	cancel  context.CancelFunc
	err     error
}

type eventMsg struct{ e event.Event }
type finishedMsg struct{ err error }

// New returns the wizard at its first question.
func New(cfg Config) Model {
	a := &answers{Answers: cfg.Defaults, build: true}
	if !slices.Contains(Targets, a.Target) {
		a.Target = Targets[0]
	}
	km := cfg.Keys
	if km == nil {
		km = keys.Default(false)
	}
	m := Model{cfg: cfg, a: a, keymap: wizardkit.KeyMap(km)}
	m.cancelK = key.NewBinding(key.WithKeys(append(m.keymap.Quit.Keys(), bound(km, keys.CancelTask)...)...))
	m.closeK = key.NewBinding(key.WithKeys(append(m.keymap.Quit.Keys(), bound(km, keys.Open)...)...))
	check := func(v string) error {
		if v = strings.TrimSpace(v); v == "" || cfg.CheckImage == nil {
			return nil
		}
		return cfg.CheckImage(v)
	}
	m.confirm = huh.NewConfirm().Affirmative("Build").Negative("Cancel").Value(&a.build)
	m.form = wizardkit.NewForm(cfg.Keys, 80, huh.NewGroup(
		huh.NewSelect[string]().Title("Target").Description("the engine the image is built into").
			Options(huh.NewOptions(Targets...)...).Inline(true).Value(&a.Target),
		huh.NewInput().Title("Image").Placeholder("<package>:<version> from pyproject.toml").
			Value(&a.Image).Validate(check),
		huh.NewInput().Title("Base image").Placeholder("build.base_image from gaiaflow.toml").Value(&a.BaseImage),
		m.confirm,
	))
	m.form.Init() // focuses the first question
	m.describe()
	return m
}

func bound(km *keys.Keymap, a keys.Action) []string {
	b, _ := km.Binding(a)
	return b.Keys
}

// Init starts nothing: the wizard waits for keys.
func (m Model) Init() tea.Cmd { return nil }

// Answers returns the answers as they stand.
func (m Model) Answers() Answers {
	return Answers{Target: m.a.Target, Image: strings.TrimSpace(m.a.Image), BaseImage: strings.TrimSpace(m.a.BaseImage)}
}

func done(msg string, err error) tea.Cmd {
	return func() tea.Msg { return tui.WizardDone{Wizard: tui.WizardDockerize, Message: msg, Err: err} }
}

// Update handles keys, the build's events and its end.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if wizardkit.Blink(msg) {
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.form.WithWidth(msg.Width).WithHeight(max(msg.Height-2, 8))
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
		switch m.step {
		case stepRunning:
			if key.Matches(msg, m.cancelK) {
				m.cancel()
				m.lines = append(m.lines, "cancelling…")
			}
			return m, nil
		case stepFinished:
			if !key.Matches(msg, m.closeK) {
				return m, nil
			}
			if m.err != nil {
				return m, done("", m.err)
			}
			return m, done("task image built for "+m.a.Target, nil)
		}
	}
	if m.step != stepForm {
		return m, nil
	}
	cmd := wizardkit.Step(m.form, m.keymap, m.confirm, msg)
	m.describe()
	if wizardkit.Ended(m.form) {
		if wizardkit.Cancelled(m.form) || !m.a.build {
			return m, done("dockerize cancelled: nothing was built", nil)
		}
		return m.start()
	}
	return m, cmd
}

// describe asks the confirmation with the target as it stands.
func (m *Model) describe() {
	m.confirm.Title("Build the task image for " + m.a.Target + "?")
	wizardkit.Redraw(m.form)
}

// start runs the build with the answers, its events coming back one by one.
func (m Model) start() (tea.Model, tea.Cmd) {
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

// View draws the form, or once confirmed the answers and the build's progress.
func (m Model) View() string {
	var b strings.Builder
	b.WriteString(wizardkit.Header(m.keymap, "Build a task image (dockerize)", "") + "\n\n")
	if m.step == stepForm {
		b.WriteString(m.form.View())
		return b.String()
	}
	a := m.Answers()
	image, base := a.Image, a.BaseImage
	if image == "" {
		image = "the default (<package>:<version>)"
	}
	if base == "" {
		base = "the project's"
	}
	b.WriteString("  target      " + a.Target + "\n  image       " + image + "\n  base image  " + base + "\n")
	switch m.step {
	case stepRunning:
		b.WriteString("\nbuilding… (" + keyHint(m.cancelK) + " cancels)\n")
	case stepFinished:
		if m.err != nil {
			b.WriteString("\nfailed: " + m.err.Error() + " (" + keyHint(m.closeK) + " closes)\n")
		} else {
			b.WriteString("\ndone (" + keyHint(m.closeK) + " closes)\n")
		}
	}
	if len(m.lines) > 0 {
		b.WriteString("\n")
		for _, l := range m.lines[max(0, len(m.lines)-12):] {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func keyHint(b key.Binding) string {
	ks := make([]string, len(b.Keys()))
	for i, k := range b.Keys() {
		ks[i] = keys.Display(k)
	}
	return strings.Join(ks, "/")
}
