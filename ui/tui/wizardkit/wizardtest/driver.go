// Package wizardtest drives a wizard's model in tests without a program:
// keys go in by name, the commands that answer at once are run and their
// messages fed back (huh moves between questions with such messages), and
// whatever a wizard sends to its host comes out. Timers (the cursor's blink)
// are dropped, so a screen is the same on every run.
package wizardtest

import (
	"reflect"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// Key is a key message by its bubbletea name ("enter", "shift+tab",
// "ctrl+g", "esc", "up") or, for anything else, the runes typed.
func Key(name string) tea.KeyMsg {
	named := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"backspace": tea.KeyBackspace, "ctrl+c": tea.KeyCtrlC, "ctrl+g": tea.KeyCtrlG,
		"ctrl+n": tea.KeyCtrlN, "ctrl+p": tea.KeyCtrlP, "ctrl+o": tea.KeyCtrlO, "f2": tea.KeyF2,
	}
	if t, ok := named[name]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(name)}
}

// Driver holds a wizard under test and what it has sent out.
type Driver struct {
	t *testing.T
	M tea.Model
	// Out are the messages the wizard produced that are for its host:
	// those of a type Host reports.
	Out []tea.Msg
	// Host reports whether a message is for the host, not the wizard.
	Host func(tea.Msg) bool
	// Quit is set when the wizard asked the program to quit.
	Quit bool
}

// New starts driving m; host says which messages leave the wizard.
func New(t *testing.T, m tea.Model, host func(tea.Msg) bool) *Driver {
	t.Helper()
	d := &Driver{t: t, M: m, Host: host}
	d.run(m.Init())
	return d
}

// Keys sends keys by name (see Key).
func (d *Driver) Keys(names ...string) *Driver {
	d.t.Helper()
	for _, n := range names {
		d.Send(Key(n))
	}
	return d
}

// Type types text, one rune a key.
func (d *Driver) Type(s string) *Driver {
	for _, r := range s {
		d.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return d
}

// Send hands the wizard a message and runs what it asks for.
func (d *Driver) Send(msg tea.Msg) {
	d.t.Helper()
	var cmd tea.Cmd
	d.M, cmd = d.M.Update(msg)
	d.run(cmd)
}

// View is the wizard's screen.
func (d *Driver) View() string { return d.M.View() }

// quick is how long a command may take to count as answering at once.
const quick = 50 * time.Millisecond

func (d *Driver) run(cmd tea.Cmd) {
	d.t.Helper()
	if cmd == nil {
		return
	}
	msg, ok := answer(cmd)
	if !ok || msg == nil {
		return
	}
	switch msg := msg.(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
		return
	case tea.QuitMsg:
		d.Quit = true
		return
	case tea.WindowSizeMsg:
		return
	}
	if cmds, ok := sequence(msg); ok {
		for _, c := range cmds {
			d.run(c)
		}
		return
	}
	if d.Host != nil && d.Host(msg) {
		d.Out = append(d.Out, msg)
		return
	}
	if reflect.TypeOf(msg).PkgPath() == "github.com/charmbracelet/bubbletea" {
		return // the program's own requests (window size, cursor), not the wizard's
	}
	d.Send(msg)
}

// answer runs cmd, giving up on timers.
func answer(cmd tea.Cmd) (tea.Msg, bool) {
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		return msg, true
	case <-time.After(quick):
		return nil, false
	}
}

// sequence unpacks tea.Sequence's message, whose type bubbletea keeps to
// itself: a slice of commands.
func sequence(msg tea.Msg) ([]tea.Cmd, bool) {
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeOf(tea.Cmd(nil)) {
		return nil, false
	}
	cmds := make([]tea.Cmd, v.Len())
	for i := range cmds {
		cmds[i] = v.Index(i).Interface().(tea.Cmd)
	}
	return cmds, true
}
