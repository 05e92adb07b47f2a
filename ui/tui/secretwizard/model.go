// Package secretwizard is the dashboard's wizard for a Kubernetes secret:
// name, namespace, key/value pairs typed with masked values or read from an
// env file, a preview of the keys (never the values), confirm. Checking and
// applying are the caller's functions, the ones `gaiaflow prod-local
// create-secret` runs, so the rules and the cluster calls are the same.
package secretwizard

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// Answers are what the wizard collects. Data holds the typed pairs; EnvFile
// names a file of KEY=VALUE lines read when the secret is applied.
type Answers struct {
	Name, Namespace string
	Data            map[string]string
	EnvFile         string
}

// Config sets the wizard up.
type Config struct {
	Namespace string
	// Check says what is wrong with the answers (nil: nothing), in the words
	// of the command; it sees the values but must never repeat them.
	Check func(a Answers) error
	// Apply creates or updates the secret and says what changed (keys only).
	Apply func(ctx context.Context, a Answers) (string, error)
}

const (
	fName = iota
	fNamespace
	fKey
	fValue
	fEnvFile
	numFields
	review = numFields
)

var labels = [numFields]string{"name", "namespace", "key", "value", "env file"}

// Model is the wizard's state.
type Model struct {
	cfg     Config
	inputs  [numFields]textinput.Model
	data    map[string]string
	current int
	problem string
	applied bool
}

type appliedMsg struct {
	summary string
	err     error
}

// New returns the wizard at its first field.
func New(cfg Config) Model {
	m := Model{cfg: cfg, data: map[string]string{}}
	for i := range m.inputs {
		in := textinput.New()
		in.Cursor.SetMode(cursor.CursorStatic) // no blink ticks while idle
		m.inputs[i] = in
	}
	m.inputs[fNamespace].SetValue(cfg.Namespace)
	m.inputs[fValue].EchoMode = textinput.EchoPassword
	m.inputs[fKey].Placeholder = "enter adds the pair; leave empty to go on"
	m.inputs[fEnvFile].Placeholder = "optional: a file of KEY=VALUE lines"
	m.inputs[fName].Focus()
	return m
}

// Init starts nothing.
func (m Model) Init() tea.Cmd { return nil }

// Answers returns the answers as they stand.
func (m Model) Answers() Answers {
	data := make(map[string]string, len(m.data))
	for k, v := range m.data {
		data[k] = v
	}
	return Answers{Name: strings.TrimSpace(m.inputs[fName].Value()), Namespace: strings.TrimSpace(m.inputs[fNamespace].Value()),
		Data: data, EnvFile: strings.TrimSpace(m.inputs[fEnvFile].Value())}
}

func finish(msg string, err error) tea.Cmd {
	return func() tea.Msg { return tui.WizardDone{Wizard: tui.WizardSecret, Message: msg, Err: err} }
}

// Update handles keys and the apply's end.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case appliedMsg:
		return m, finish(msg.summary, msg.err)
	case tea.KeyMsg:
		if m.applied {
			return m, nil
		}
		switch msg.String() {
		case "esc", "ctrl+c":
			return m, finish("secret not created: nothing was sent", nil)
		case "shift+tab", "up":
			if m.current > 0 {
				m.move(m.current - 1)
			}
			return m, nil
		case "enter", "tab", "down":
			return m.enter()
		}
		if m.current < numFields {
			var cmd tea.Cmd
			m.inputs[m.current], cmd = m.inputs[m.current].Update(msg)
			m.problem = ""
			return m, cmd
		}
	}
	return m, nil
}

// enter adds a typed pair, moves on, or at the review applies the secret
// after the same checks the command makes.
func (m Model) enter() (tea.Model, tea.Cmd) {
	switch m.current {
	case fKey:
		if strings.TrimSpace(m.inputs[fKey].Value()) == "" {
			m.move(fEnvFile)
			return m, nil
		}
	case fValue:
		key := strings.TrimSpace(m.inputs[fKey].Value())
		m.data[key] = m.inputs[fValue].Value()
		m.inputs[fKey].SetValue("")
		m.inputs[fValue].SetValue("")
		m.move(fKey)
		return m, nil
	case review:
		a := m.Answers()
		if m.cfg.Check != nil {
			if err := m.cfg.Check(a); err != nil {
				m.problem = err.Error()
				return m, nil
			}
		}
		m.applied = true
		apply := m.cfg.Apply
		return m, func() tea.Msg {
			summary, err := apply(context.Background(), a)
			return appliedMsg{summary: summary, err: err}
		}
	}
	m.move(m.current + 1)
	return m, nil
}

func (m *Model) move(to int) {
	for i := range m.inputs {
		m.inputs[i].Blur()
	}
	m.current = to
	if to < numFields {
		m.inputs[to].Focus()
	}
}

// Keys lists the typed keys, sorted: the preview shows keys, never values.
func (m Model) Keys() []string {
	keys := make([]string, 0, len(m.data))
	for k := range m.data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// View draws the fields, the keys so far and the review.
func (m Model) View() string {
	var b strings.Builder
	b.WriteString("Create a Kubernetes secret\n\n")
	for i := range m.inputs {
		mark := "  "
		if i == m.current {
			mark = "▸ "
		}
		fmt.Fprintf(&b, "%s%-10s %s\n", mark, labels[i], m.inputs[i].View())
	}
	keys := m.Keys()
	if len(keys) == 0 {
		b.WriteString("\nkeys: none typed yet\n")
	} else {
		fmt.Fprintf(&b, "\nkeys: %s (values hidden)\n", strings.Join(keys, ", "))
	}
	if m.current == review {
		a := m.Answers()
		fmt.Fprintf(&b, "\nCreate secret %q in namespace %q", a.Name, a.Namespace)
		if a.EnvFile != "" {
			fmt.Fprintf(&b, " with the keys of %s", a.EnvFile)
		}
		b.WriteString("? enter creates, esc cancels\n")
	} else {
		b.WriteString("\nenter next · shift+tab back · esc cancel\n")
	}
	if m.problem != "" {
		fmt.Fprintf(&b, "✗ %s\n", m.problem)
	}
	if m.applied {
		b.WriteString("creating…\n")
	}
	return b.String()
}
