package initwizard

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/gaiaflow/gaiaflow/scaffold"
	"github.com/gaiaflow/gaiaflow/ui/tui/wizardkit"
)

var (
	errStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("1"))
	okStyle  = lipgloss.NewStyle().Foreground(lipgloss.Color("2"))
)

// View draws the title with the step, then the form: the questions, the one
// in focus with its help and its validation, or the review with the tree.
func (m Model) View() string {
	if m.done {
		return ""
	}
	step := fmt.Sprintf("step %d of %d", m.current()+1, numFields+1)
	return wizardkit.Header(m.keymap, "gaiaflow init: a new project", step) + "\n\n" + m.form.View()
}

// describe puts the help of the question in focus under its title, with
// the answer's validation as it is typed, and the preview on the review.
// Only the question in focus says more than its title, so the form stays
// short enough for the dashboard's body.
func (m *Model) describe() {
	at := m.current()
	for i := range numFields {
		var d string
		if i == at {
			d = m.help(i)
		}
		if m.inputs[i] != nil {
			m.inputs[i].Description(d)
		} else {
			m.selects[i].Description(d)
		}
	}
	if at == review {
		title, tree := m.preview()
		m.review.Title(title).Description(wizardkit.NoteText(tree))
	}
	wizardkit.Redraw(m.form)
}

func (m Model) help(i int) string {
	f := fields[i]
	if f.choices != nil {
		if h := f.choiceHelp[m.a.v[i]]; h != "" {
			return f.help + "\n" + m.a.v[i] + ": " + h
		}
		return f.help
	}
	if err := m.Err(i); err != nil {
		if m.a.edited[i] || m.form.GetFocusedField().Error() != nil {
			return f.help + "\n" + errStyle.Render("✗ "+err.Error())
		}
		return f.help + "\n✗ " + err.Error()
	}
	return f.help + "\n" + okStyle.Render("✓")
}

// preview says how many files the answers make and where, and draws them
// as a tree.
func (m Model) preview() (string, string) {
	files, err := scaffold.Render(m.Answers(), scaffold.Options{})
	if err != nil {
		return "✗ " + err.Error(), ""
	}
	root := filepath.Base(filepath.Clean(m.Dir()))
	if root == "." || root == string(filepath.Separator) {
		root = m.Answers().Name
	}
	where := m.Dir()
	if filepath.Clean(where) == "." {
		where = "the current folder"
	}
	return fmt.Sprintf("%d files in %s", len(files), where), strings.TrimRight(scaffold.Tree(root, scaffold.Paths(files)), "\n")
}
