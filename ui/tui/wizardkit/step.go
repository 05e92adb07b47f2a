package wizardkit

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
)

// Step hands msg to the form. When it is a key that moves to another
// question, the move happens now instead of through the command huh's field
// returns for it: otherwise keys typed quickly after enter (pasted, piped,
// sent by a test) reach the question being left, because a command's
// message comes back after the keys already queued. last is the form's last
// field, where only submit keys go forward, as in huh.
func Step(f *huh.Form, km *huh.KeyMap, last huh.Field, msg tea.Msg) tea.Cmd {
	k, isKey := msg.(tea.KeyMsg)
	if !isKey || f.State != huh.StateNormal {
		_, cmd := f.Update(msg)
		return cmd
	}
	field := f.GetFocusedField()
	dir := direction(field, km, field == last, k)
	_, cmd := f.Update(msg)
	if dir == 0 || f.State != huh.StateNormal {
		return cmd
	}
	// The field answered with huh's NextField or PrevField (and nothing
	// else a navigation key starts): drop it and move here.
	if field.Error() != nil {
		return nil // invalid: the field stays, its error shows
	}
	moved := func() bool { g := f.GetFocusedField(); return g != field && !g.Skip() }
	if dir > 0 {
		f.NextField()
		if !moved() {
			f.NextGroup()
		}
	} else {
		f.PrevField()
		if !moved() {
			f.PrevGroup()
		}
	}
	if in, ok := f.GetFocusedField().(*huh.Input); ok && f.State == huh.StateNormal {
		// Put the cursor after the answer, as a person expects on arriving.
		end := tea.KeyMsg{Type: tea.KeyEnd}
		if !key.Matches(end, km.Input.Next, km.Input.Prev, km.Input.Submit, km.Quit) {
			in.Update(end)
			Redraw(f)
		}
	}
	return nil
}

// direction is where a key moves from field: 1 forward, -1 back, 0 not.
func direction(field huh.Field, km *huh.KeyMap, last bool, k tea.KeyMsg) int {
	var next, prev []key.Binding
	switch field.(type) {
	case *huh.Input:
		next, prev = []key.Binding{km.Input.Next}, []key.Binding{km.Input.Prev}
		if last {
			next = []key.Binding{km.Input.Submit}
		}
	case *huh.Select[string]:
		next, prev = []key.Binding{km.Select.Next}, []key.Binding{km.Select.Prev}
		if last {
			next = []key.Binding{km.Select.Submit}
		}
	case *huh.Confirm:
		next, prev = []key.Binding{km.Confirm.Next, km.Confirm.Accept, km.Confirm.Reject}, []key.Binding{km.Confirm.Prev}
		if last {
			next = []key.Binding{km.Confirm.Submit, km.Confirm.Accept, km.Confirm.Reject}
		}
	default:
		return 0
	}
	switch {
	case key.Matches(k, next...):
		return 1
	case key.Matches(k, prev...):
		return -1
	}
	return 0
}
