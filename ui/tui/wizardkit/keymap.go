// Package wizardkit is what the dashboard's wizards share on top of charm's
// huh forms: the form's keys taken from the one key table (so a key the user
// remapped in config.toml works inside a wizard too), one theme, and the
// frame every wizard form is built in. The wizards own their questions and
// their results; this package owns how a form is driven.
package wizardkit

import (
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/huh"

	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
)

// KeyMap derives huh's key map from the effective key table. The table's
// actions keep their meaning inside a form:
//
//   - back and quit cancel the wizard;
//   - open moves to the next question and, on the last one, submits;
//   - panel.next and panel.prev move between questions, as do cursor.down
//     and cursor.up;
//   - cursor.left/right (and up/down) change a choice.
//
// Keys that type a character ("q", "j", a remapped "o") are left out of
// everything a text field sees, or a person could not type them. A nil km is
// the default table.
func KeyMap(km *keys.Keymap) *huh.KeyMap {
	if km == nil {
		km = keys.Default(false)
	}
	all := func(as ...keys.Action) []string {
		var out []string
		for _, a := range as {
			if b, ok := km.Binding(a); ok {
				out = append(out, b.Keys...)
			}
		}
		return out
	}
	control := func(as ...keys.Action) []string {
		var out []string
		for _, k := range all(as...) {
			if utf8.RuneCountInString(k) > 1 {
				out = append(out, k)
			}
		}
		return out
	}
	bind := func(ks []string, help string) key.Binding {
		if len(ks) == 0 {
			// An unbound action: a binding that never matches, not one
			// that matches every key.
			return key.NewBinding(key.WithDisabled())
		}
		return key.NewBinding(key.WithKeys(ks...), key.WithHelp(keys.Display(ks[0]), help))
	}

	cancel := control(keys.Back, keys.Quit)
	if len(cancel) == 0 {
		// Both unbound or bound to letters only: a wizard must still be
		// possible to leave.
		cancel = []string{"ctrl+c"}
	}
	next := control(keys.Open, keys.NextPanel, keys.Down)
	prev := control(keys.PrevPanel, keys.Up)
	submit := control(keys.Open)
	// Moving through choices does not conflict with typing: a choice has
	// no text to type into.
	left := all(keys.Left, keys.Up)
	right := all(keys.Right, keys.Down)

	m := huh.NewDefaultKeyMap()
	m.Quit = bind(cancel, "cancel")
	m.Input = huh.InputKeyMap{
		AcceptSuggestion: key.NewBinding(key.WithDisabled()),
		Next:             bind(next, "next"),
		Prev:             bind(prev, "back"),
		Submit:           bind(submit, "submit"),
	}
	m.Select.Next = bind(control(keys.Open, keys.NextPanel), "next")
	m.Select.Prev = bind(control(keys.PrevPanel), "back")
	m.Select.Submit = bind(submit, "submit")
	m.Select.Left = bind(left, "previous choice")
	m.Select.Right = bind(right, "next choice")
	m.Select.Up = bind(all(keys.Up), "up")
	m.Select.Down = bind(all(keys.Down), "down")
	m.Select.GotoTop = bind(all(keys.Top), "first")
	m.Select.GotoBottom = bind(all(keys.Bottom), "last")
	m.Select.HalfPageUp = bind(all(keys.PageUp), "page up")
	m.Select.HalfPageDown = bind(all(keys.PageDown), "page down")
	// No filtering: the wizards' choices are short lists, and "/" would be
	// one more mode for esc to leave.
	m.Select.Filter = key.NewBinding(key.WithDisabled())
	m.Select.SetFilter = key.NewBinding(key.WithDisabled())
	m.Select.ClearFilter = key.NewBinding(key.WithDisabled())
	m.Note = huh.NoteKeyMap{
		Next:   bind(control(keys.Open, keys.NextPanel), "next"),
		Prev:   bind(control(keys.PrevPanel, keys.Up), "back"),
		Submit: bind(submit, "submit"),
	}
	// y and n answer the question; they are words, not bindings, as in the
	// dashboard's own y/n confirmation.
	m.Confirm.Next = bind(control(keys.Open, keys.NextPanel), "next")
	m.Confirm.Prev = bind(control(keys.PrevPanel, keys.Up), "back")
	m.Confirm.Submit = bind(submit, "submit")
	m.Confirm.Toggle = bind(append(all(keys.Left), all(keys.Right)...), "toggle")
	return m
}
