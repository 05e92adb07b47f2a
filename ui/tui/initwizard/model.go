package initwizard

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/gaiaflow/gaiaflow/scaffold"
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
}

// Result is what the wizard collected.
type Result struct {
	Answers   scaffold.Answers
	Dir       string
	Confirmed bool // false when the person cancelled
}

// DoneMsg ends an embedded wizard.
type DoneMsg struct{ Result Result }

// Model is the wizard's state.
type Model struct {
	cfg     Config
	inputs  [numFields]textinput.Model // text answers (unused for choices)
	choice  [numFields]int             // index into the choices of choice answers
	edited  [numFields]bool            // typed into by the person
	current int                        // a field, or numFields for the review
	tried   bool                       // Enter was pressed on an invalid answer
	seek    string                     // what was typed on a choice, to pick one by its start
	done    bool
	result  Result
	width   int
}

const review = numFields

// New returns the wizard at its first question.
func New(cfg Config) Model {
	m := Model{cfg: cfg, width: 80}
	d := cfg.Defaults
	text := map[int]string{
		fName: d.Name, fDir: cfg.Dir, fDescription: d.Description, fAuthor: d.Author,
		fEmail: d.Email, fPackage: d.Package,
	}
	for i := range numFields {
		if fields[i].choices != nil {
			continue
		}
		in := textinput.New()
		in.Prompt = "› "
		in.CharLimit = 200
		in.SetValue(text[i])
		m.inputs[i] = in
	}
	if m.cfg.DirFollowsName {
		m.inputs[fDir].SetValue(d.Name)
	}
	m.choice[fEnvManager] = max(0, slices.Index(scaffold.EnvManagers, d.EnvManager))
	m.choice[fPython] = max(0, slices.Index(scaffold.PythonVersions, d.Python))
	if !d.Examples {
		m.choice[fExamples] = 1
	}
	m.focus(fName)
	return m
}

// Init starts the cursor blinking.
func (m Model) Init() tea.Cmd { return textinput.Blink }

// Done reports whether the wizard has ended.
func (m Model) Done() bool { return m.done }

// Result returns what the wizard collected; meaningful once Done.
func (m Model) Result() Result { return m.result }

// Answers returns the answers as they stand.
func (m Model) Answers() scaffold.Answers {
	v := func(i int) string { return strings.TrimSpace(m.inputs[i].Value()) }
	return scaffold.Answers{
		Name:        v(fName),
		Description: v(fDescription),
		Author:      v(fAuthor),
		Email:       v(fEmail),
		Package:     v(fPackage),
		EnvManager:  scaffold.EnvManagers[m.choice[fEnvManager]],
		Python:      scaffold.PythonVersions[m.choice[fPython]],
		Examples:    m.choice[fExamples] == 0,
	}
}

// Dir returns the directory answer.
func (m Model) Dir() string { return strings.TrimSpace(m.inputs[fDir].Value()) }

// Err returns why field i's answer is not acceptable, or nil.
func (m *Model) Err(i int) error {
	f := fields[i]
	if f.validate == nil {
		return nil
	}
	return f.validate(m, strings.TrimSpace(m.inputs[i].Value()))
}

func (m *Model) focus(i int) {
	for j := range numFields {
		if fields[j].choices == nil {
			m.inputs[j].Blur()
		}
	}
	m.current, m.tried, m.seek = i, false, ""
	if i < numFields && fields[i].choices == nil {
		m.inputs[i].Focus()
		m.inputs[i].CursorEnd()
	}
}

// follow keeps the answers derived from the name in step with it until the
// person edits them.
func (m *Model) follow() {
	name := strings.TrimSpace(m.inputs[fName].Value())
	if !m.edited[fPackage] {
		m.inputs[fPackage].SetValue(scaffold.PackageFrom(name))
	}
	if !m.edited[fDescription] {
		m.inputs[fDescription].SetValue(scaffold.DescriptionFor(name))
	}
	if m.cfg.DirFollowsName && !m.edited[fDir] {
		m.inputs[fDir].SetValue(name)
	}
}

// Update handles a key or a window size; everything else goes to the
// focused input (the cursor's blink).
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.done {
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width = msg.Width
		return m, nil
	case tea.KeyMsg:
		return m.key(msg)
	}
	if m.current < numFields && fields[m.current].choices == nil {
		var cmd tea.Cmd
		m.inputs[m.current], cmd = m.inputs[m.current].Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m Model) key(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch k.Type {
	case tea.KeyCtrlC, tea.KeyEsc:
		return m.finish(false)
	case tea.KeyShiftTab:
		if m.current > 0 {
			m.focus(m.current - 1)
		}
		return m, nil
	case tea.KeyEnter, tea.KeyTab:
		if m.current == review {
			if k.Type == tea.KeyEnter {
				return m.finish(true)
			}
			return m, nil
		}
		if m.Err(m.current) != nil {
			m.tried = true
			return m, nil
		}
		next := m.current + 1
		if next == review {
			// Every answer must hold before the review, not only this one.
			for i := range numFields {
				if m.Err(i) != nil {
					m.focus(i)
					m.tried = true
					return m, nil
				}
			}
		}
		m.focus(next)
		return m, nil
	}
	if m.current == review {
		switch k.String() {
		case "y":
			return m.finish(true)
		case "n", "q":
			return m.finish(false)
		}
		return m, nil
	}
	if f := fields[m.current]; f.choices != nil {
		switch k.String() {
		case "left", "up", "h", "k":
			m.choice[m.current] = (m.choice[m.current] + len(f.choices) - 1) % len(f.choices)
		case "right", "down", "l", "j", " ":
			m.choice[m.current] = (m.choice[m.current] + 1) % len(f.choices)
		default:
			// Typing a choice's first letters picks it: "c" for conda,
			// "3.11", "n" for no.
			if k.Type == tea.KeyRunes {
				m.seek = m.pick(f.choices, m.seek+string(k.Runes), string(k.Runes))
			}
		}
		return m, nil
	}
	before := m.inputs[m.current].Value()
	var cmd tea.Cmd
	m.inputs[m.current], cmd = m.inputs[m.current].Update(k)
	if m.inputs[m.current].Value() != before {
		m.edited[m.current] = true
		if m.current == fName {
			m.follow()
		}
	}
	return m, cmd
}

// pick selects the first choice starting with typed, else with restart, and
// returns what is typed so far.
func (m *Model) pick(choices []string, typed, restart string) string {
	for _, s := range []string{typed, restart} {
		for i, c := range choices {
			if strings.HasPrefix(c, s) {
				m.choice[m.current] = i
				return s
			}
		}
	}
	return ""
}

func (m Model) finish(confirmed bool) (tea.Model, tea.Cmd) {
	m.done = true
	m.result = Result{Answers: m.Answers(), Dir: m.Dir(), Confirmed: confirmed}
	for i := range numFields {
		if fields[i].choices == nil {
			m.inputs[i].Blur()
		}
	}
	if m.cfg.Embedded {
		res := m.result
		return m, func() tea.Msg { return DoneMsg{Result: res} }
	}
	return m, tea.Quit
}
