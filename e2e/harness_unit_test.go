package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// The settings the suite writes land in their tables, replacing init's
// values or added at the table's end; nothing else changes.
func TestConfigure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gaiaflow.toml")
	in := "# settings\nname = 'x'\n\n[services.airflow]\nport = 8080\nimage = 'a:1'\n\n[build]\nbase_image = 'p:1'\n"
	if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	configure(t, path, map[string]map[string]string{
		"services.airflow": {"port": "1234", "db_image": `"pg:15"`},
		"build":            {"base_image": `"kit/python:abc"`},
	})
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "# settings\nname = 'x'\n\n[services.airflow]\nport = 1234\nimage = 'a:1'\ndb_image = \"pg:15\"\n\n[build]\nbase_image = \"kit/python:abc\"\n"
	if string(got) != want {
		t.Errorf("configure wrote\n%s\nwant\n%s", got, want)
	}
}
