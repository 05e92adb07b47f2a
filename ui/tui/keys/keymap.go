package keys

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// Keymap is the effective key table: defaults, then the user's remapping,
// then the --read-only filter. Everything that dispatches or shows a key asks
// it, so a remapped or hidden binding is remapped or hidden everywhere.
type Keymap struct {
	bindings []Binding
	byScope  map[Scope]map[string]Action
	byAction map[Action]int
	readOnly bool
}

// Problem is one thing wrong with a remapping, tied to the action whose
// entry in [keys] caused it.
type Problem struct {
	Action  Action
	Message string
}

// Error lists the problems of a remapping.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = fmt.Sprintf("%s: %s", p.Action, p.Message)
	}
	return strings.Join(msgs, "; ")
}

// New builds the keymap. overrides replaces the keys of the actions it names
// (an empty list unbinds the action). readOnly drops every binding that
// changes something.
func New(overrides map[Action][]string, readOnly bool) (*Keymap, error) {
	table := Table()
	index := map[Action]int{}
	for i, b := range table {
		index[b.Action] = i
	}
	var problems []Problem
	// Apply overrides in table order so errors come out in a stable order.
	names := make([]Action, 0, len(overrides))
	for a := range overrides {
		names = append(names, a)
	}
	slices.SortFunc(names, func(x, y Action) int { return orderOf(index, x) - orderOf(index, y) })
	for _, a := range names {
		i, ok := index[a]
		if !ok {
			problems = append(problems, Problem{a, "unknown action (docs/keys.md lists them)"})
			continue
		}
		var ks []string
		for _, k := range overrides[a] {
			nk, err := Normalize(k)
			if err != nil {
				problems = append(problems, Problem{a, err.Error()})
				continue
			}
			if table[i].Dangerous() && isBareCtrlLetter(nk) {
				problems = append(problems, Problem{a, fmt.Sprintf("%q is a bare ctrl+letter; destructive actions need a key that is hard to hit by accident", k)})
				continue
			}
			ks = append(ks, nk)
		}
		table[i].Keys = ks
	}
	km := &Keymap{byScope: map[Scope]map[string]Action{}, byAction: map[Action]int{}, readOnly: readOnly}
	for _, b := range table {
		if readOnly && b.Mutates {
			continue
		}
		km.byAction[b.Action] = len(km.bindings)
		km.bindings = append(km.bindings, b)
	}
	// A key may mean one thing per scope, counting the global bindings that
	// apply in every scope.
	for _, s := range Scopes() {
		m := map[string]Action{}
		for _, b := range km.bindings {
			if !b.AppliesIn(s) {
				continue
			}
			for _, k := range b.Keys {
				if other, dup := m[k]; dup && other != b.Action {
					blame := b.Action
					if _, remapped := overrides[other]; remapped {
						blame = other
					}
					problems = append(problems, Problem{blame, fmt.Sprintf("key %q is bound to both %s and %s in the %s scope", Display(k), other, b.Action, s)})
					continue
				}
				m[k] = b.Action
			}
		}
		km.byScope[s] = m
	}
	if len(problems) > 0 {
		return nil, &Error{Problems: dedupe(problems)}
	}
	return km, nil
}

// Default is the keymap with no remapping; it cannot fail.
func Default(readOnly bool) *Keymap {
	km, err := New(nil, readOnly)
	if err != nil {
		panic("keys: the default table is inconsistent: " + err.Error())
	}
	return km
}

func orderOf(index map[Action]int, a Action) int {
	if i, ok := index[a]; ok {
		return i
	}
	return len(index)
}

func dedupe(ps []Problem) []Problem {
	var out []Problem
	for _, p := range ps {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// ReadOnly reports whether mutating bindings were dropped.
func (k *Keymap) ReadOnly() bool { return k.readOnly }

// Lookup returns the action bound to key in scope.
func (k *Keymap) Lookup(s Scope, key string) (Action, bool) {
	a, ok := k.byScope[s][key]
	return a, ok
}

// Binding returns the effective binding of an action; false when it is
// unknown or hidden (read-only).
func (k *Keymap) Binding(a Action) (Binding, bool) {
	i, ok := k.byAction[a]
	if !ok {
		return Binding{}, false
	}
	return k.bindings[i], true
}

// Enabled reports whether an action is available (known, bound, not hidden).
func (k *Keymap) Enabled(a Action) bool {
	b, ok := k.Binding(a)
	return ok && len(b.Keys) > 0
}

// KeyFor returns how the first key of an action is shown, or "" when unbound.
func (k *Keymap) KeyFor(a Action) string {
	b, ok := k.Binding(a)
	if !ok || len(b.Keys) == 0 {
		return ""
	}
	return Display(b.Keys[0])
}

// KeyFixing returns how the first key of the binding that does r in scope s
// is shown: the binding that runs r.Verb or opens r.Wizard. It is "" when
// none does: no remedy, the action unbound, or hidden by --read-only.
func (k *Keymap) KeyFixing(s Scope, r tui.Remedy) string {
	if r == (tui.Remedy{}) {
		return ""
	}
	for _, b := range k.bindings {
		if len(b.Keys) == 0 || !b.AppliesIn(s) {
			continue
		}
		if (r.Verb != "" && b.Verb == r.Verb) || (r.Wizard != "" && b.Wizard == r.Wizard) {
			return Display(b.Keys[0])
		}
	}
	return ""
}

// Bindings returns every effective binding in table order.
func (k *Keymap) Bindings() []Binding { return k.bindings }

// In returns the bindings that apply in scope, scope's own first, then the
// global ones; unbound actions are left out.
func (k *Keymap) In(s Scope) []Binding {
	var own, global []Binding
	for _, b := range k.bindings {
		if len(b.Keys) == 0 || !b.AppliesIn(s) {
			continue
		}
		if slices.Contains(b.Scopes, s) && s != Global {
			own = append(own, b)
		} else {
			global = append(global, b)
		}
	}
	return append(own, global...)
}

// Display spells a key for people: " " is "space".
func Display(k string) string {
	if k == " " {
		return "space"
	}
	return k
}

var named = map[string]bool{
	"enter": true, "esc": true, "tab": true, "shift+tab": true, "backspace": true,
	"delete": true, "insert": true, "up": true, "down": true, "left": true, "right": true,
	"home": true, "end": true, "pgup": true, "pgdown": true,
	"shift+up": true, "shift+down": true, "shift+left": true, "shift+right": true,
	"ctrl+up": true, "ctrl+down": true, "ctrl+left": true, "ctrl+right": true,
	"ctrl+home": true, "ctrl+end": true, "ctrl+pgup": true, "ctrl+pgdown": true,
}

// Normalize checks a key as written in config.toml and returns bubbletea's
// spelling of it: "space" becomes " ", "Ctrl+R" becomes "ctrl+r".
func Normalize(k string) (string, error) {
	if k == "" {
		return "", fmt.Errorf("empty key")
	}
	if utf8.RuneCountInString(k) == 1 {
		return k, nil // a printable character, case kept: "G" is not "g"
	}
	l := strings.ToLower(k)
	switch {
	case l == "space":
		return " ", nil
	case named[l]:
		return l, nil
	case strings.HasPrefix(l, "f") && isFKey(l[1:]):
		return l, nil
	case strings.HasPrefix(l, "ctrl+") && len(l) == 6 && l[5] >= 'a' && l[5] <= 'z':
		return l, nil
	case strings.HasPrefix(k, "alt+") || strings.HasPrefix(l, "alt+"):
		rest := k[4:]
		if utf8.RuneCountInString(rest) == 1 {
			return "alt+" + rest, nil
		}
		if n, err := Normalize(rest); err == nil && n != " " {
			return "alt+" + n, nil
		}
	}
	return "", fmt.Errorf("unknown key %q (use a character, ctrl+a..ctrl+z, alt+KEY, f1..f20, or one of enter, esc, tab, space, up, down, left, right, home, end, pgup, pgdown)", k)
}

func isFKey(n string) bool {
	var i int
	if _, err := fmt.Sscanf(n, "%d", &i); err != nil || fmt.Sprint(i) != n {
		return false
	}
	return i >= 1 && i <= 20
}

func isBareCtrlLetter(k string) bool {
	return strings.HasPrefix(k, "ctrl+") && len(k) == 6 && k[5] >= 'a' && k[5] <= 'z'
}
