// Package secretwizard is the dashboard's wizard for a Kubernetes secret: a
// huh form asking the name, the namespace, key/value pairs typed with masked
// values (as many as wanted) or an env file, then a confirmation that lists
// the keys, never the values. Checking and applying are the caller's
// functions, the ones `gaiaflow prod-local create-secret` runs, so the rules
// and the cluster calls are the same.
package secretwizard

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/wizardkit"
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
	// Keys is the effective key table (nil: the default one).
	Keys *keys.Keymap
}

// answers are what the form's fields write into (huh keeps pointers).
type answers struct {
	name, namespace, key, value, envFile string
	data                                 map[string]string
	create                               bool
}

// Model is the wizard's state.
type Model struct {
	cfg     Config
	a       *answers
	keymap  *huh.KeyMap
	form    *huh.Form
	key     *huh.Input
	value   *huh.Input
	envFile *huh.Input
	confirm *huh.Confirm
	applied bool
}

type appliedMsg struct {
	summary string
	err     error
}

// New returns the wizard at its first question.
func New(cfg Config) Model {
	a := &answers{namespace: cfg.Namespace, data: map[string]string{}, create: true}
	m := Model{cfg: cfg, a: a, keymap: wizardkit.KeyMap(cfg.Keys)}
	m.key = huh.NewInput().Title("Key").Description("the next pair's key; leave it empty to go on").Value(&a.key)
	// The value is masked as it is typed and is never drawn anywhere else.
	m.value = huh.NewInput().Title("Value").EchoMode(huh.EchoModePassword).Value(&a.value)
	m.envFile = huh.NewInput().Title("Env file").Placeholder("optional: a file of KEY=VALUE lines").Value(&a.envFile)
	m.confirm = huh.NewConfirm().Affirmative("Create").Negative("Cancel").Value(&a.create).
		Validate(func(create bool) error {
			if !create || cfg.Check == nil {
				return nil
			}
			return cfg.Check(m.Answers())
		})
	m.form = wizardkit.NewForm(cfg.Keys, 80,
		huh.NewGroup(
			huh.NewInput().Title("Name").Value(&a.name),
			huh.NewInput().Title("Namespace").Value(&a.namespace)),
		huh.NewGroup(m.key),
		huh.NewGroup(m.value).WithHideFunc(func() bool { return strings.TrimSpace(a.key) == "" }),
		huh.NewGroup(m.envFile),
		huh.NewGroup(m.confirm),
	)
	m.form.Init() // focuses the first question
	m.describe()
	return m
}

// Init starts nothing.
func (m Model) Init() tea.Cmd { return nil }

// Answers returns the answers as they stand.
func (m Model) Answers() Answers {
	return Answers{Name: strings.TrimSpace(m.a.name), Namespace: strings.TrimSpace(m.a.namespace),
		Data: maps.Clone(m.a.data), EnvFile: strings.TrimSpace(m.a.envFile)}
}

// Keys lists the typed keys, sorted: the screen shows keys, never values.
func (m Model) Keys() []string { return slices.Sorted(maps.Keys(m.a.data)) }

func finish(msg string, err error) tea.Cmd {
	return func() tea.Msg { return tui.WizardDone{Wizard: tui.WizardSecret, Message: msg, Err: err} }
}

// Update handles keys and the apply's end.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if wizardkit.Blink(msg) {
		return m, nil
	}
	switch msg := msg.(type) {
	case appliedMsg:
		return m, finish(msg.summary, msg.err)
	case tea.WindowSizeMsg:
		m.form.WithWidth(msg.Width).WithHeight(max(msg.Height-4, 8))
		return m, nil
	}
	if m.applied {
		return m, nil
	}
	from := m.form.GetFocusedField()
	cmd := wizardkit.Step(m.form, m.keymap, m.confirm, msg)
	if from == m.value && m.form.GetFocusedField() == m.envFile {
		m.addPair()
	}
	m.describe()
	if !wizardkit.Ended(m.form) {
		return m, cmd
	}
	if wizardkit.Cancelled(m.form) || !m.a.create {
		return m, finish("secret not created: nothing was sent", nil)
	}
	m.applied = true
	a, apply := m.Answers(), m.cfg.Apply
	return m, func() tea.Msg {
		summary, err := apply(context.Background(), a)
		return appliedMsg{summary: summary, err: err}
	}
}

// addPair keeps the pair just typed and asks for the next key.
func (m *Model) addPair() {
	m.a.data[strings.TrimSpace(m.a.key)] = m.a.value
	m.a.key, m.a.value = "", ""
	m.key.Value(&m.a.key) // huh's inputs keep their own copy of the text
	m.value.Value(&m.a.value)
	m.form.PrevGroup() // back over the value, hidden while the key is empty
}

// describe words the confirmation with the answers as they stand.
func (m *Model) describe() {
	a := m.Answers()
	title := fmt.Sprintf("Create secret %q in namespace %q", a.Name, a.Namespace)
	if a.EnvFile != "" {
		title += " with the keys of " + a.EnvFile
	}
	m.confirm.Title(title + "?")
	wizardkit.Redraw(m.form)
}

// View draws the keys typed so far (never their values) over the form.
func (m Model) View() string {
	var b strings.Builder
	b.WriteString(wizardkit.Header(m.keymap, "Create a Kubernetes secret", "") + "\n\n")
	if ks := m.Keys(); len(ks) == 0 {
		b.WriteString("keys: none typed yet\n\n")
	} else {
		fmt.Fprintf(&b, "keys: %s (values hidden)\n\n", strings.Join(ks, ", "))
	}
	if m.applied {
		return b.String() + "creating…\n"
	}
	return b.String() + m.form.View()
}
