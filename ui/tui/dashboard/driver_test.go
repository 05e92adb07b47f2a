package dashboard

import (
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/fake"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/theme"
)

// t0 is the fixed clock of every model test and golden view.
var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return t0 }

// driver is a small program loop for model tests: it runs the model's
// commands in goroutines, feeds their messages back through Update, and
// settles when nothing has arrived for a moment. Commands that block (the
// change subscription, timers) simply wait, as they would in the program.
type driver struct {
	t      testing.TB
	m      *Model
	be     *fake.Backend
	msgs   chan tea.Msg
	quit   bool
	opened []string
	clip   strings.Builder
	saved  map[string]string
}

type driverOpt func(*Options, *fake.Options)

func readOnly(o *Options, _ *fake.Options)    { o.ReadOnly = true; o.Keymap = keys.Default(true) }
func noProject(_ *Options, f *fake.Options)   { f.NoProject = true }
func dockerDown(_ *Options, f *fake.Options)  { f.DockerDown = true }
func airflowDown(_ *Options, f *fake.Options) { f.AirflowDown = true }
func slowActions(_ *Options, f *fake.Options) { f.StepDelay = time.Hour }
func healthy(_ *Options, f *fake.Options)     { f.Healthy = true }

// asciiStyles are styles on a renderer fixed to no colour: goldens are text.
func asciiStyles(n theme.Name) *theme.Styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	st := theme.For(r, n)
	return &st
}

func newDriver(t testing.TB, width, height int, opts ...driverOpt) *driver {
	t.Helper()
	return newDriverWith(t, width, height, fake.Options{Now: clock}, opts...)
}

func newDriverWith(t testing.TB, width, height int, fo fake.Options, opts ...driverOpt) *driver {
	t.Helper()
	o := Options{Now: clock, Location: time.UTC, PollInterval: time.Hour, Styles: asciiStyles(theme.Dark), SaveDir: "/logs"}
	for _, f := range opts {
		f(&o, &fo)
	}
	d := &driver{t: t, msgs: make(chan tea.Msg, 256), saved: map[string]string{}}
	d.be = fake.New(fo)
	o.Backend = d.be
	o.Open = func(url string) error { d.opened = append(d.opened, url); return nil }
	o.Clipboard = &d.clip
	o.WriteFile = func(path string, data []byte) error { d.saved[path] = string(data); return nil }
	d.m = New(o)
	t.Cleanup(d.m.cancel)
	d.handle(tea.WindowSizeMsg{Width: width, Height: height})
	d.run(d.m.Init())
	d.settle()
	return d
}

func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() { d.msgs <- cmd() }()
}

func (d *driver) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
	case tea.QuitMsg:
		d.quit = true
	default:
		_, cmd := d.m.Update(msg)
		d.run(cmd)
	}
}

// settle processes messages until none has come for a while.
func (d *driver) settle() {
	for {
		select {
		case msg := <-d.msgs:
			d.handle(msg)
		case <-time.After(15 * time.Millisecond):
			return
		}
	}
}

// until processes messages until cond holds, failing after a while.
func (d *driver) until(what string, cond func() bool) {
	d.t.Helper()
	deadline := time.After(3 * time.Second)
	for !cond() {
		select {
		case msg := <-d.msgs:
			d.handle(msg)
		case <-deadline:
			d.t.Fatalf("timed out waiting for %s; screen:\n%s", what, d.m.View())
		}
	}
	d.settle()
}

// keyMsg spells a key the way bubbletea reports it.
func keyMsg(k string) tea.KeyMsg {
	named := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"up": tea.KeyUp, "down": tea.KeyDown, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown,
		"home": tea.KeyHome, "end": tea.KeyEnd, "ctrl+c": tea.KeyCtrlC, "ctrl+r": tea.KeyCtrlR,
		"backspace": tea.KeyBackspace, " ": tea.KeySpace, "left": tea.KeyLeft, "right": tea.KeyRight,
	}
	if t, ok := named[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// keys sends keys one by one, settling after each.
func (d *driver) keys(ks ...string) {
	for _, k := range ks {
		d.handle(keyMsg(k))
		d.settle()
	}
}

// typ types text into whatever has the focus.
func (d *driver) typ(s string) {
	for _, r := range s {
		d.keys(string(r))
	}
}

func (d *driver) screen() string { return d.m.View() }

// see waits (briefly) until the screen shows every string: a slow machine
// may take longer than settle's quiet moment to deliver a command's result.
func (d *driver) see(want ...string) {
	d.t.Helper()
	deadline := time.After(2 * time.Second)
	for {
		s := d.screen()
		missing := ""
		for _, w := range want {
			if !strings.Contains(s, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		select {
		case msg := <-d.msgs:
			d.handle(msg)
		case <-deadline:
			d.t.Errorf("screen lacks %q:\n%s", missing, s)
			return
		}
	}
}

func (d *driver) notSee(bad ...string) {
	d.t.Helper()
	s := d.screen()
	for _, b := range bad {
		if strings.Contains(s, b) {
			d.t.Errorf("screen shows %q:\n%s", b, s)
		}
	}
}

func (d *driver) actions() []tui.Action { return d.be.Actions() }
