package kit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The settings land in their tables, replacing init's values or added at the
// table's end; nothing else changes.
func TestConfigure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gaiaflow.toml")
	in := "# settings\nname = 'x'\n\n[services.airflow]\nport = 8080\nimage = 'a:1'\n\n[build]\nbase_image = 'p:1'\n"
	if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Configure(path, map[string]map[string]string{
		"services.airflow": {"port": "1234", "db_image": `"pg:15"`},
		"build":            {"base_image": `"kit/python:abc"`},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "# settings\nname = 'x'\n\n[services.airflow]\nport = 1234\nimage = 'a:1'\ndb_image = \"pg:15\"\n\n[build]\nbase_image = \"kit/python:abc\"\n"
	if string(got) != want {
		t.Errorf("Configure wrote\n%s\nwant\n%s", got, want)
	}
}

// A table the file lacks is an error naming it, and the file is left as it
// was.
func TestConfigureMissingTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gaiaflow.toml")
	in := "name = 'x'\n"
	if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Configure(path, map[string]map[string]string{"services.minio": {"port": "1"}})
	if err == nil || !strings.Contains(err.Error(), "[services.minio] port") {
		t.Fatalf("Configure = %v, want an error naming [services.minio] port", err)
	}
	if got, _ := os.ReadFile(path); string(got) != in {
		t.Errorf("file changed to %q", got)
	}
}

func TestSettingsUsesEveryPort(t *testing.T) {
	p := Ports{Airflow: 1, MLflow: 2, MinIO: 3, MinIOConsole: 4, Jupyter: 5}
	s := Settings(Images{"airflow": "a:1", "postgres": "pg:1", "mlflow": "m:1", "minio": "s3:1", "jupyter": "j:1", "python": "py:1"}, p)
	seen := map[string]bool{}
	for _, kv := range s {
		for k, v := range kv {
			if strings.HasSuffix(k, "port") {
				seen[v] = true
			}
		}
	}
	for _, want := range []string{"1", "2", "3", "4", "5"} {
		if !seen[want] {
			t.Errorf("Settings sets no port %s: %v", want, s)
		}
	}
	if s["build"]["base_image"] != `"py:1"` {
		t.Errorf("base_image = %s", s["build"]["base_image"])
	}
}
