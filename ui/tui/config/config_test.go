package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/theme"
)

func TestLoadMissingFileGivesDefaults(t *testing.T) {
	dir := t.TempDir()
	c, err := Load(func(k string) string { return map[string]string{"XDG_CONFIG_HOME": dir}[k] }, false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Theme != theme.Auto || !c.Mouse || c.Keymap.KeyFor(keys.Quit) != "q" {
		t.Errorf("defaults = %+v", c)
	}
}

func TestLoadReadsXDGConfigHome(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "gaiaflow", "config.toml")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	data := "theme = \"light\"\nmouse = false\n\n[keys]\n\"service.start\" = \"S\"\n\"log.filter\" = [\"&\", \"F\"]\n"
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(func(k string) string { return map[string]string{"XDG_CONFIG_HOME": dir}[k] }, true)
	if err != nil {
		t.Fatal(err)
	}
	if c.File != file || c.Theme != theme.Light || c.Mouse {
		t.Errorf("got %+v", c)
	}
	if a, _ := c.Keymap.Lookup(keys.Logs, "F"); a != keys.LogFilter {
		t.Errorf("F = %q", a)
	}
	if c.Keymap.Enabled(keys.ServiceStart) {
		t.Error("read-only keymap still starts services")
	}
}

func TestDecodeProblemsNameFileLineColumn(t *testing.T) {
	cases := []struct {
		name, data string
		want       []string
	}{
		{"unknown top-level key", "theme = \"dark\"\ncolour = \"red\"\n", []string{"c.toml:2:1: unknown key \"colour\""}},
		{"bad theme", "theme = \"purple\"\n", []string{"c.toml:1:1: unknown theme \"purple\""}},
		{"unknown action", "[keys]\n\"dag.explode\" = \"x\"\n", []string{"c.toml:2:1: keys.\"dag.explode\": unknown action"}},
		{"bad key", "[keys]\nquit = \"hyper+q\"\n", []string{"c.toml:2:1: keys.\"quit\": unknown key"}},
		{"wrong type", "[keys]\nquit = 3\n", []string{"c.toml:2:1: keys.\"quit\": use a key or a list of keys"}},
		{"dangerous ctrl", "[keys]\n\n\"all.stop\" = \"ctrl+s\"\n", []string{"c.toml:3:1:", "bare ctrl+letter"}},
		{"conflict", "[keys]\n\"service.start\" = \"q\"\n", []string{"c.toml:2:1:", "bound to both quit and service.start"}},
		{"syntax", "theme = \n", []string{"c.toml:1:"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode("c.toml", []byte(c.data), false)
			if err == nil {
				t.Fatal("accepted")
			}
			if errs.KindOf(err) != errs.Usage {
				t.Errorf("kind = %v, want usage", errs.KindOf(err))
			}
			var inv *project.InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("err %T is not an InvalidError", err)
			}
			got := inv.Error()
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
			if !strings.Contains(errs.HintOf(err), "c.toml") {
				t.Errorf("hint %q does not name the file", errs.HintOf(err))
			}
		})
	}
}
