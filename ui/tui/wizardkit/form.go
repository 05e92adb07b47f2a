package wizardkit

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
)

// Theme is the wizards' look: huh's base16 theme, which uses the terminal's
// own ANSI palette like the dashboard does, so a wizard fits both a dark and
// a light terminal without a second set of colours.
func Theme() *huh.Theme { return huh.ThemeBase16() }

// NewForm builds a wizard's form from its groups with the keys of km (nil:
// the default table), the wizards' theme, its help line and its errors, at
// width (0: huh's default).
func NewForm(km *keys.Keymap, width int, groups ...*huh.Group) *huh.Form {
	f := huh.NewForm(groups...).
		WithKeyMap(KeyMap(km)).
		WithTheme(Theme()).
		WithShowHelp(true).
		WithShowErrors(true)
	if width > 0 {
		f = f.WithWidth(width)
	}
	return f
}

// Ended reports whether a form was submitted or cancelled.
func Ended(f *huh.Form) bool { return f.State != huh.StateNormal }

// Cancelled reports whether the person left a form with a cancel key.
func Cancelled(f *huh.Form) bool { return f.State == huh.StateAborted }

// Header is the title line over a wizard's form: the step it is at and the
// key that cancels, as km binds it (huh's own help line leaves it out).
func Header(km *huh.KeyMap, title, step string) string {
	head := lipgloss.NewStyle().Bold(true).Render(title)
	if k := km.Quit.Help().Key; k != "" {
		step = strings.TrimPrefix(step+" · "+k+" cancels", " · ")
	}
	if step != "" {
		head += "  " + lipgloss.NewStyle().Faint(true).Render(step)
	}
	return head
}

// Blink reports whether msg is the text cursor's blink. The wizards drop
// it: the cursor stands still, so an open, idle wizard redraws nothing
// (huh has no setting for its inputs' cursor mode).
func Blink(msg tea.Msg) bool {
	_, ok := msg.(cursor.BlinkMsg)
	return ok
}

// redraw is a message no field answers; handing it to a form makes it lay
// its page out again.
type redraw struct{}

// Redraw makes a form lay out its page again after a field's title or
// description was changed from outside: huh lays a page out when it
// handles a message, not when it is drawn.
func Redraw(f *huh.Form) { f.Update(redraw{}) }

// NoteText escapes text for a huh note, which reads _, * and ` as markup:
// file names like test_steps.py must show as they are.
func NoteText(s string) string {
	return strings.NewReplacer(`\`, `\\`, "_", `\_`, "*", `\*`, "`", "\\`").Replace(s)
}
