package initwizard

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/gaiaflow/gaiaflow/scaffold"
)

var (
	titleStyle   = lipgloss.NewStyle().Bold(true)
	currentStyle = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("6"))
	dimStyle     = lipgloss.NewStyle().Faint(true)
	errStyle     = lipgloss.NewStyle().Foreground(lipgloss.Color("1"))
	okStyle      = lipgloss.NewStyle().Foreground(lipgloss.Color("2"))
)

// View draws the form: every question with its answer, the current one open
// with its help and its validation, or the review with the file tree.
func (m Model) View() string {
	if m.done {
		return ""
	}
	var b strings.Builder
	step := fmt.Sprintf("step %d of %d", min(m.current+1, numFields+1), numFields+1)
	b.WriteString(titleStyle.Render("gaiaflow init: a new project") + "  " + dimStyle.Render(step) + "\n\n")
	for i := range numFields {
		f := fields[i]
		label := fmt.Sprintf("%-20s", f.title)
		if i != m.current {
			value := m.display(i)
			mark := "  "
			if m.Err(i) != nil && i < m.current {
				mark = errStyle.Render("✗ ")
			}
			b.WriteString("  " + mark + dimStyle.Render(label) + value + "\n")
			continue
		}
		b.WriteString(currentStyle.Render("▸ "+label) + "\n")
		if f.choices != nil {
			b.WriteString("    " + m.choicesLine(i) + "\n")
			if h := f.choiceHelp[f.choices[m.choice[i]]]; h != "" {
				b.WriteString("    " + dimStyle.Render(h) + "\n")
			}
		} else {
			b.WriteString("    " + m.inputs[i].View() + "\n")
			if err := m.Err(i); err != nil {
				style := dimStyle
				if m.tried || m.edited[i] {
					style = errStyle
				}
				b.WriteString("    " + style.Render("✗ "+err.Error()) + "\n")
			} else {
				b.WriteString("    " + okStyle.Render("✓") + "\n")
			}
		}
		b.WriteString(indent(dimStyle.Width(max(20, m.width-4)).Render(f.help), "    ") + "\n")
	}
	if m.current == review {
		b.WriteString("\n" + currentStyle.Render("▸ Review") + "\n")
		b.WriteString(m.preview())
		b.WriteString("\n" + dimStyle.Render("enter create · shift+tab back · esc cancel (nothing is written)") + "\n")
	} else {
		hint := "enter next · shift+tab back · esc cancel"
		if fields[m.current].choices != nil {
			hint = "←/→ choose · " + hint
		}
		b.WriteString("\n" + dimStyle.Render(hint) + "\n")
	}
	return b.String()
}

func (m Model) display(i int) string {
	if fields[i].choices != nil {
		return fields[i].choices[m.choice[i]]
	}
	v := strings.TrimSpace(m.inputs[i].Value())
	if v == "" {
		return dimStyle.Render("(none)")
	}
	return v
}

func (m Model) choicesLine(i int) string {
	var parts []string
	for j, c := range fields[i].choices {
		if j == m.choice[i] {
			parts = append(parts, currentStyle.Render("(•) "+c))
		} else {
			parts = append(parts, "( ) "+c)
		}
	}
	return strings.Join(parts, "  ")
}

// preview draws the files the answers make, as a tree.
func (m Model) preview() string {
	files, err := scaffold.Render(m.Answers(), scaffold.Options{})
	if err != nil {
		return "    " + errStyle.Render(err.Error()) + "\n"
	}
	root := filepath.Base(filepath.Clean(m.Dir()))
	if root == "." || root == string(filepath.Separator) {
		root = m.Answers().Name
	}
	var b strings.Builder
	where := m.Dir()
	if filepath.Clean(where) == "." {
		where = "the current folder"
	}
	fmt.Fprintf(&b, "    %d files in %s\n", len(files), where)
	for _, line := range strings.Split(strings.TrimRight(scaffold.Tree(root, scaffold.Paths(files)), "\n"), "\n") {
		b.WriteString("    " + line + "\n")
	}
	return b.String()
}

// indent puts prefix before every line of s.
func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}
