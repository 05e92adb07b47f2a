package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/scaffold"
	"github.com/gaiaflow/gaiaflow/services/project"
)

func TestInitHeadless(t *testing.T) {
	cwd := t.TempDir()
	r := run(t, cwd, "init", "demo", "--no-tui", "--env-manager", "conda", "--no-examples", "--python", "3.11",
		"--author", "Ada Lovelace", "--email", "ada@lovelace.org", "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.err)
	}
	var v initView
	if err := json.Unmarshal([]byte(r.out), &v); err != nil {
		t.Fatalf("%v\n%s", err, r.out)
	}
	want := scaffold.Answers{Name: "demo", Package: "demo", Description: scaffold.DescriptionFor("demo"), Author: "Ada Lovelace",
		Email: "ada@lovelace.org", EnvManager: "conda", Python: "3.11"}
	if v.Answers != want || v.Dir != filepath.Join(cwd, "demo") || len(v.Kept) != 0 {
		t.Errorf("view %+v", v)
	}
	files, _ := scaffold.Render(want, scaffold.Options{})
	if len(v.Created) != len(files) {
		t.Errorf("created %d files, the template has %d", len(v.Created), len(files))
	}
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(cwd, "demo", f.Path))
		if err != nil || !bytes.Equal(got, f.Data) {
			t.Errorf("%s: %v", f.Path, err)
		}
	}
	cfg, err := project.Load(filepath.Join(cwd, "demo"))
	if err != nil || cfg.EnvManager != "conda" || cfg.Python != "3.11" {
		t.Errorf("gaiaflow.toml: %v %+v", err, cfg)
	}
	// The project is a project: commands find it.
	if r := run(t, filepath.Join(cwd, "demo"), "mode"); r.code != 0 || !strings.Contains(r.out, "dev") {
		t.Errorf("mode in the new project: %d %s %s", r.code, r.out, r.err)
	}
}

func TestInitHeadlessDefaultsAndText(t *testing.T) {
	cwd := filepath.Join(t.TempDir(), "sales-forecast")
	if err := os.Mkdir(cwd, 0o755); err != nil {
		t.Fatal(err)
	}
	r := run(t, cwd, "init", "--no-tui")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.err)
	}
	for _, want := range []string{"Created the current folder:", "a uv project (Python 3.12, package sales_forecast), with the example pipeline", "uv sync --extra dev", "gaiaflow dev start"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("output lacks %q:\n%s", want, r.out)
		}
	}
	if strings.Contains(r.out, "cd .") {
		t.Errorf("output:\n%s", r.out)
	}
	if _, err := os.Stat(filepath.Join(cwd, "src", "sales_forecast", "example_pipeline.py")); err != nil {
		t.Error(err)
	}
}

func TestInitListsEveryProblemAtOnce(t *testing.T) {
	cwd := t.TempDir()
	if err := os.WriteFile(filepath.Join(cwd, "notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, cwd, "init", "--no-tui", "--name", "Bad Name", "--package", "json", "--email", "nope",
		"--env-manager", "poetry", "--python", "2.7", "--examples", "--no-examples")
	if r.code != 2 {
		t.Fatalf("exit %d\n%s", r.code, r.err)
	}
	lines := strings.Split(strings.TrimSpace(r.err), "\n")
	for i, want := range []string{"error: --examples:", "error: --name:", "error: --email:", "error: --package: \"json\" is a module of Python's standard library",
		"error: --env-manager:", "error: --python:", "error: DIR: ", "hint: "} {
		if i >= len(lines) || !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d: want %q\n%s", i, want, r.err)
		}
	}
	if !strings.Contains(r.err, "--force") {
		t.Errorf("no --force hint:\n%s", r.err)
	}
	if entries, _ := os.ReadDir(cwd); len(entries) != 1 {
		t.Errorf("wrote into the folder: %v", entries)
	}
}

func TestInitCannotDeriveAName(t *testing.T) {
	cwd := filepath.Join(t.TempDir(), "___")
	if err := os.Mkdir(cwd, 0o755); err != nil {
		t.Fatal(err)
	}
	r := run(t, cwd, "init", "--no-tui")
	if r.code != 2 || !strings.Contains(r.err, `error: --name: cannot make a project name from the folder name "___": pass --name`) ||
		!strings.Contains(r.err, "error: --package: the name \"\" gives no valid package name: pass --package") {
		t.Errorf("exit %d\n%s", r.code, r.err)
	}
}

func TestInitForceKeepsFiles(t *testing.T) {
	cwd := t.TempDir()
	if err := os.WriteFile(filepath.Join(cwd, "README.md"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, cwd, "init", "--no-tui", "--name", "demo", "--force")
	if r.code != 0 || !strings.Contains(r.out, "Kept 1 existing files as they were: README.md") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.out, r.err)
	}
	if b, _ := os.ReadFile(filepath.Join(cwd, "README.md")); string(b) != "mine" {
		t.Errorf("README replaced")
	}
}

func TestInitAdopt(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "my_package"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "my_package", "__init__.py"), []byte("#\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "environment.yml"), []byte("name: my_package\ndependencies:\n  - python=3.11\n"), 0o644))

	r := run(t, t.TempDir(), "init", "--adopt", dir, "--description", "x", "--force")
	if r.code != 2 || !strings.Contains(r.err, "--description, --force does not apply") {
		t.Fatalf("exit %d\n%s", r.code, r.err)
	}
	r = run(t, dir, "init", "--adopt", "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.err)
	}
	var v adoptView
	if err := json.Unmarshal([]byte(r.out), &v); err != nil || v.Name != "my-package" || v.Package != "my_package" ||
		v.EnvMgr != "conda" || v.Python != "3.11" || v.Sources["package"] != "my_package/__init__.py" {
		t.Fatalf("%v %+v", err, v)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("entries %v", entries)
	}
	r = run(t, dir, "init", "--adopt")
	if r.code != 2 || !strings.Contains(r.err, "already has gaiaflow.toml") {
		t.Errorf("second adopt: exit %d\n%s", r.code, r.err)
	}
}

// The wizard runs when stdout is a terminal; here its keys come from a pipe.
func TestInitWizardFromKeys(t *testing.T) {
	for _, tt := range []struct {
		name, keys string
		code       int
	}{
		{"confirm", strings.Repeat("\r", 10), 0},
		{"cancel", "\r\r\x1b", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cwd := t.TempDir()
			var out, errb bytes.Buffer
			a := NewApp(strings.NewReader(tt.keys), &out, &errb)
			a.Cwd = cwd
			home := t.TempDir()
			a.Getenv = func(k string) string {
				if k == "HOME" || k == "XDG_STATE_HOME" {
					return home
				}
				return os.Getenv(k)
			}
			a.IsTerminal = func(any) bool { return true }
			code := a.Run([]string{"init", "demo"})
			if code != tt.code {
				t.Fatalf("exit %d\nout %q\nerr %s", code, out.String(), errb.String())
			}
			_, err := os.Stat(filepath.Join(cwd, "demo", "gaiaflow.toml"))
			if (err == nil) != (tt.code == 0) {
				t.Errorf("gaiaflow.toml exists: %v", err == nil)
			}
			if tt.code != 0 {
				if entries, _ := os.ReadDir(cwd); len(entries) != 0 || !strings.Contains(errb.String(), "nothing was written") {
					t.Errorf("left %v; stderr %s", entries, errb.String())
				}
			}
		})
	}
}
