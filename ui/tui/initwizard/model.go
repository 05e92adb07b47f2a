package initwizard

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/gaiaflow/gaiaflow/scaffold"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/wizardkit"
)

// Config sets the wizard up.
type Config struct {
	// Defaults are the first answers shown.
	Defaults scaffold.Answers
	// Dir is the first directory answer.
	Dir string
	// DirFollowsName makes the directory answer the project name until the
	// directory is edited (for `gaiaflow init` in a folder that is not empty).
	DirFollowsName bool
	// CheckDir says whether a project may be made in a directory (relative
	// paths are the caller's to resolve); nil accepts any.
	CheckDir func(dir string) error
	// Embedded makes the wizard end with a DoneMsg for its host instead of
	// quitting the program.
	Embedded bool
	// Keys is the effective key table (nil: the default one).
	Keys *keys.Keymap
}

// Result is what the wizard collected.
type Result struct {
	Answers   scaffold.Answers
	Dir       string
	Confirmed bool // false when the person cancelled
}

// DoneMsg ends an embedded wizard.
type DoneMsg struct{ Result Result }

// answers are what the form's fields write into. They live behind a pointer
// because huh's fields keep a pointer to their value.
type answers struct {
	v      [numFields]string // every answer as text; choices by value
	edited [numFields]bool   // typed into by the person
	create bool              // the review's answer
}

// Model is the wizard's state: the huh form and the answers it fills.
type Model struct {
	cfg     Config
	a       *answers
	keymap  *huh.KeyMap
	form    *huh.Form
	inputs  [numFields]*huh.Input          // text questions (nil for choices)
	selects [numFields]*huh.Select[string] // choice questions (nil for text)
	review  *huh.Note
	confirm *huh.Confirm
	seek    string // what was typed on a choice, to pick one by its start
	done    bool
	result  Result
	width   int
	height  int
}

// review is the step after the last question.
const review = numFields

// New returns the wizard at its first question.
func New(cfg Config) Model {
	m := Model{cfg: cfg, a: &answers{create: true}, keymap: wizardkit.KeyMap(cfg.Keys), width: 80, height: 24}
	d := cfg.Defaults
	m.a.v = [numFields]string{
		fName: d.Name, fDir: cfg.Dir, fDescription: d.Description, fAuthor: d.Author,
		fEmail: d.Email, fPackage: d.Package, fEnvManager: d.EnvManager, fPython: d.Python, fExamples: "yes",
	}
	if cfg.DirFollowsName {
		m.a.v[fDir] = d.Name
	}
	if !d.Examples {
		m.a.v[fExamples] = "no"
	}
	var questions []huh.Field
	for i := range numFields {
		f := fields[i]
		if f.choices != nil {
			if !slices.Contains(f.choices, m.a.v[i]) {
				m.a.v[i] = f.choices[0]
			}
			s := huh.NewSelect[string]().Key(f.key).Title(f.title).
				Options(huh.NewOptions(f.choices...)...).Inline(true).Value(&m.a.v[i])
			m.selects[i] = s
			questions = append(questions, s)
			continue
		}
		validate := f.validate
		in := huh.NewInput().Key(f.key).Title(f.title).Prompt("› ").CharLimit(200).Value(&m.a.v[i]).
			Validate(func(v string) error { return validate(cfg, strings.TrimSpace(v)) })
		m.inputs[i] = in
		questions = append(questions, in)
	}
	// The review asks first and previews below, so the buttons stay in
	// sight however long the tree is.
	m.confirm = huh.NewConfirm().Title("Review: create the project?").
		Description("nothing is written until you choose Create").
		Affirmative("Create").Negative("Cancel").Value(&m.a.create)
	m.review = huh.NewNote()
	m.form = wizardkit.NewForm(cfg.Keys, m.width,
		huh.NewGroup(questions...),
		huh.NewGroup(m.confirm, m.review))
	m.form.Init() // focuses the first question; its commands only start the cursor blinking
	m.resize()
	m.describe()
	return m
}

// Init starts nothing: the cursor stands still, so an idle wizard redraws nothing.
func (m Model) Init() tea.Cmd { return nil }

// Done reports whether the wizard has ended.
func (m Model) Done() bool { return m.done }

// Result returns what the wizard collected; meaningful once Done.
func (m Model) Result() Result { return m.result }

// Answers returns the answers as they stand.
func (m Model) Answers() scaffold.Answers {
	v := func(i int) string { return strings.TrimSpace(m.a.v[i]) }
	return scaffold.Answers{
		Name:        v(fName),
		Description: v(fDescription),
		Author:      v(fAuthor),
		Email:       v(fEmail),
		Package:     v(fPackage),
		EnvManager:  v(fEnvManager),
		Python:      v(fPython),
		Examples:    v(fExamples) == "yes",
	}
}

// Dir returns the directory answer.
func (m Model) Dir() string { return strings.TrimSpace(m.a.v[fDir]) }

// Err returns why question i's answer is not acceptable, or nil.
func (m Model) Err(i int) error {
	if v := fields[i].validate; v != nil {
		return v(m.cfg, strings.TrimSpace(m.a.v[i]))
	}
	return nil
}

// current is the question in focus, or review.
func (m Model) current() int {
	focused := m.form.GetFocusedField()
	for i := range numFields {
		if (m.inputs[i] != nil && focused == huh.Field(m.inputs[i])) || (m.selects[i] != nil && focused == huh.Field(m.selects[i])) {
			return i
		}
	}
	return review
}

// Update handles a key or a window size; everything else goes to the form.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.done || wizardkit.Blink(msg) {
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.KeyMsg:
		if at := m.current(); at < review && m.selects[at] != nil && m.pick(at, msg) {
			return m, nil
		}
	}
	at, before := m.current(), m.a.v
	cmd := wizardkit.Step(m.form, m.keymap, m.confirm, msg)
	if at < review && m.a.v[at] != before[at] {
		m.a.edited[at] = true
		if at == fName {
			m.follow()
		}
	}
	if m.current() != at {
		m.seek = ""
	}
	m.describe()
	if wizardkit.Ended(m.form) {
		return m.finish(!wizardkit.Cancelled(m.form) && m.a.create)
	}
	return m, cmd
}

// resize gives the form the area under the title line.
func (m *Model) resize() {
	m.form.WithWidth(m.width)
	m.form.WithHeight(max(m.height-2, 8))
}

// follow keeps the answers derived from the name in step with it until the
// person edits them.
func (m *Model) follow() {
	name := strings.TrimSpace(m.a.v[fName])
	set := func(i int, v string) {
		if !m.a.edited[i] {
			m.a.v[i] = v
			m.inputs[i].Value(&m.a.v[i]) // huh's input keeps its own copy of the text
		}
	}
	set(fPackage, scaffold.PackageFrom(name))
	set(fDescription, scaffold.DescriptionFor(name))
	if m.cfg.DirFollowsName {
		set(fDir, name)
	}
}

// pick selects the first choice starting with what was typed ("c" for
// conda, "3.11", "n" for no). Keys the choice itself is bound to (the
// table's left/right/up/down) are not typing.
func (m *Model) pick(i int, k tea.KeyMsg) bool {
	s := m.keymap.Select
	if k.Type != tea.KeyRunes || key.Matches(k, s.Left, s.Right, s.Up, s.Down, s.GotoTop, s.GotoBottom, s.Next, s.Prev, s.Submit, m.keymap.Quit) {
		return false
	}
	typed := string(k.Runes)
	for _, prefix := range []string{m.seek + typed, typed} {
		for _, c := range fields[i].choices {
			if strings.HasPrefix(c, prefix) {
				m.a.v[i], m.seek = c, prefix
				m.selects[i].Value(&m.a.v[i])
				m.describe()
				return true
			}
		}
	}
	m.seek = ""
	return true
}

func (m Model) finish(confirmed bool) (tea.Model, tea.Cmd) {
	m.done = true
	m.result = Result{Answers: m.Answers(), Dir: m.Dir(), Confirmed: confirmed}
	if m.cfg.Embedded {
		res := m.result
		return m, func() tea.Msg { return DoneMsg{Result: res} }
	}
	return m, tea.Quit
}
