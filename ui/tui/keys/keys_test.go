package keys

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/ui/tui"
)

var update = flag.Bool("update", false, "rewrite docs/keys.md from the key table")

func TestDefaultTableIsConsistent(t *testing.T) {
	km := Default(false)
	seen := map[Action]bool{}
	for _, b := range km.Bindings() {
		if seen[b.Action] {
			t.Errorf("%s appears twice", b.Action)
		}
		seen[b.Action] = true
		if b.Help == "" || len(b.Scopes) == 0 || len(b.Keys) == 0 {
			t.Errorf("%s lacks help, scopes or keys", b.Action)
		}
		for _, k := range b.Keys {
			if b.Dangerous() && isBareCtrlLetter(k) {
				t.Errorf("destructive %s is bound to bare %s", b.Action, k)
			}
			if n, err := Normalize(Display(k)); err != nil || n != k {
				t.Errorf("%s: key %q does not survive Normalize: %q %v", b.Action, k, n, err)
			}
		}
		if b.Dangerous() && !b.Mutates {
			t.Errorf("%s asks for confirmation but is not marked as changing anything", b.Action)
		}
		if b.Verb != "" && b.Wizard != "" {
			t.Errorf("%s both runs %s and opens the %s wizard", b.Action, b.Verb, b.Wizard)
		}
		if (b.Verb != "" || b.Wizard != "") && !b.Mutates {
			t.Errorf("%s runs an action or a wizard but is not hidden by --read-only", b.Action)
		}
	}
}

// TestKeyFixing: the key shown for a check's remedy is the one bound now,
// in the mode panel, and none under --read-only.
func TestKeyFixing(t *testing.T) {
	build := tui.Remedy{Verb: tui.VerbBuildImage}
	start := tui.Remedy{Verb: tui.VerbStartCluster}
	secret := tui.Remedy{Wizard: tui.WizardSecret}
	km := Default(false)
	for r, want := range map[tui.Remedy]string{build: "b", start: "P", secret: "E", {}: "", {Verb: tui.VerbStart}: ""} {
		if got := km.KeyFixing(Mode, r); got != want {
			t.Errorf("KeyFixing(Mode, %+v) = %q, want %q", r, got, want)
		}
	}
	km, err := New(map[Action][]string{BuildImage: {"B"}, SecretWizard: {}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := km.KeyFixing(Mode, build); got != "B" {
		t.Errorf("remapped: %q", got)
	}
	if got := km.KeyFixing(Mode, secret); got != "" {
		t.Errorf("unbound: %q", got)
	}
	for _, r := range []tui.Remedy{build, start, secret} {
		if got := Default(true).KeyFixing(Mode, r); got != "" {
			t.Errorf("read-only: KeyFixing(%+v) = %q", r, got)
		}
	}
}

func TestLookupByScope(t *testing.T) {
	km := Default(false)
	cases := []struct {
		scope Scope
		key   string
		want  Action
		ok    bool
	}{
		{Services, "u", ServiceStart, true},
		{Services, "q", Quit, true},
		{DAGs, "t", Trigger, true},
		{Runs, "t", Trigger, true},
		{Logs, "t", LogRange, true},
		{Logs, " ", LogPause, true},
		{Mode, "u", "", false},
		{Tasks, "l", TaskLog, true},
	}
	for _, c := range cases {
		got, ok := km.Lookup(c.scope, c.key)
		if got != c.want || ok != c.ok {
			t.Errorf("Lookup(%s, %q) = %q, %v; want %q, %v", c.scope, c.key, got, ok, c.want, c.ok)
		}
	}
}

func TestReadOnlyHidesEveryMutatingBinding(t *testing.T) {
	km := Default(true)
	for _, b := range km.Bindings() {
		if b.Mutates {
			t.Errorf("%s is visible in read-only mode", b.Action)
		}
	}
	if _, ok := km.Lookup(Services, "u"); ok {
		t.Error("u still starts a service in read-only mode")
	}
	if _, ok := km.Lookup(Global, "X"); ok {
		t.Error("X still stops everything in read-only mode")
	}
	for _, s := range Scopes() {
		for _, b := range km.In(s) {
			if b.Mutates {
				t.Errorf("%s listed in %s", b.Action, s)
			}
		}
	}
	if _, ok := km.Lookup(Logs, "/"); !ok {
		t.Error("read-only mode lost a reading key")
	}
}

func TestRemap(t *testing.T) {
	km, err := New(map[Action][]string{ServiceStart: {"S", "F5"}, LogPause: {"space", "P"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := km.Lookup(Services, "S"); a != ServiceStart {
		t.Errorf("S = %q", a)
	}
	if a, _ := km.Lookup(Services, "f5"); a != ServiceStart {
		t.Errorf("f5 = %q", a)
	}
	if _, ok := km.Lookup(Services, "u"); ok {
		t.Error("the default key stays bound after a remap")
	}
	if km.KeyFor(ServiceStart) != "S" || km.KeyFor(LogPause) != "space" {
		t.Errorf("KeyFor = %q, %q", km.KeyFor(ServiceStart), km.KeyFor(LogPause))
	}
	// An empty list unbinds.
	km, err = New(map[Action][]string{Trigger: {}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if km.Enabled(Trigger) {
		t.Error("unbound action still enabled")
	}
}

func TestRemapProblems(t *testing.T) {
	cases := []struct {
		name string
		over map[Action][]string
		want []string
	}{
		{"unknown action", map[Action][]string{"dag.explode": {"x"}}, []string{"dag.explode: unknown action"}},
		{"unknown key", map[Action][]string{Quit: {"hyper+q"}}, []string{`quit: unknown key "hyper+q"`}},
		{"dangerous on ctrl letter", map[Action][]string{StopAll: {"ctrl+x"}}, []string{"all.stop:", "bare ctrl+letter"}},
		{"conflict with global", map[Action][]string{ServiceStart: {"q"}}, []string{`service.start: key "q" is bound to both quit and service.start`}},
		{"conflict in scope", map[Action][]string{LogSave: {"y"}}, []string{`log.save: key "y" is bound to both`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(c.over, false)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *keys.Error", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"space": " ", "Ctrl+R": "ctrl+r", "G": "G", "F12": "f12", "alt+x": "alt+x", "PgDown": "pgdown", "shift+tab": "shift+tab"} {
		got, err := Normalize(in)
		if err != nil || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ctrl+", "f0", "f21", "super+a", "ctrl+1"} {
		if _, err := Normalize(bad); err == nil {
			t.Errorf("Normalize(%q) accepted", bad)
		}
	}
}

// TestDocsKeysMD keeps docs/keys.md generated from the table; run with
// -update after changing the table.
func TestDocsKeysMD(t *testing.T) {
	path := filepath.Join("..", "..", "..", "docs", "keys.md")
	want := Markdown()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ui/tui/keys -update)", err)
	}
	if string(got) != want {
		t.Errorf("docs/keys.md is out of date: run go test ./ui/tui/keys -update")
	}
}
