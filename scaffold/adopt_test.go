package scaffold

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/scaffold/originaltest"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// copyFixture copies testdata/adopt/<name> into a new temporary folder.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("testdata", "adopt", name)
	dst := filepath.Join(t.TempDir(), name)
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// snapshot maps every path under dir to its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range listDir(t, dir) {
		b, _ := os.ReadFile(filepath.Join(dir, p))
		out[p] = string(b)
	}
	return out
}

func TestAdoptReadsTheProject(t *testing.T) {
	for _, tt := range []struct {
		fixture                    string
		name, pkg, manager, python string
	}{
		// python >3.10,<3.13: the bounds are exclusive, and the newest wins.
		{"original-conda", "my-package", "my_package", "conda", "3.12"},
		// pixi's python >3.10,<3.13 and requires-python >=3.11.
		{"original-pixi", "my-package", "my_package", "pixi", "3.12"},
		{"uv-src", "sales-forecast", "forecast", "uv", "3.13"},
	} {
		t.Run(tt.fixture, func(t *testing.T) {
			dir := copyFixture(t, tt.fixture)
			before := snapshot(t, dir)
			cfg, d, err := Adopt(dir, Answers{})
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Name != tt.name || cfg.Package != tt.pkg || cfg.EnvManager != tt.manager || cfg.Python != tt.python {
				t.Errorf("config %s %s %s %s, want %s %s %s %s (sources %v)", cfg.Name, cfg.Package, cfg.EnvManager, cfg.Python,
					tt.name, tt.pkg, tt.manager, tt.python, d.Sources)
			}
			loaded, err := project.Load(dir)
			if err != nil || loaded.Package != tt.pkg {
				t.Fatalf("load: %v %+v", err, loaded)
			}
			after := snapshot(t, dir)
			delete(after, project.FileName)
			if len(after) != len(before) {
				t.Errorf("files before %d, after %d: %v", len(before), len(after), slices.Sorted(maps.Keys(after)))
			}
			for p, text := range before {
				if after[p] != text {
					t.Errorf("%s changed", p)
				}
			}
		})
	}
}

func TestAdoptNotesAnUnsupportedPython(t *testing.T) {
	dir := copyFixture(t, "uv-src")
	if err := os.Remove(filepath.Join(dir, ".python-version")); err != nil {
		t.Fatal(err)
	}
	// requires-python >=3.9: the newest supported version in range.
	d, probs := Detect(dir, Answers{})
	if len(probs) != 0 || d.Python != "3.13" || len(d.Notes) != 0 {
		t.Errorf("python %s notes %v problems %v", d.Python, d.Notes, probs)
	}
	if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[project]\nname = \"x\"\nrequires-python = \"<3.10\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, probs = Detect(dir, Answers{})
	if len(probs) != 0 || d.Python != "3.12" || len(d.Notes) != 1 || !strings.Contains(d.Notes[0], "<3.10") {
		t.Errorf("python %s notes %v problems %v", d.Python, d.Notes, probs)
	}
}

func TestAdmittedPythons(t *testing.T) {
	for _, tt := range []struct {
		spec string
		want []string
	}{
		{">3.10,<3.13", []string{"3.10", "3.11", "3.12"}}, // 3.10.1 > 3.10
		{">=3.11", []string{"3.11", "3.12", "3.13"}},
		{">= 3.11", []string{"3.11", "3.12", "3.13"}},
		{">=3.10, <3.12", []string{"3.10", "3.11"}},
		{"<=3.12", []string{"3.10", "3.11", "3.12"}},
		{"~=3.11", []string{"3.11", "3.12", "3.13"}},
		{"~=3.11.2", []string{"3.11"}},
		{"==3.12.*", []string{"3.12"}},
		{"==3.12.4", []string{"3.12"}},
		{"=3.11", []string{"3.11"}},
		{"3.11.*", []string{"3.11"}},
		{"3.11", []string{"3.11"}},
		{"3.10|3.13", []string{"3.10", "3.13"}},
		{"*", []string{"3.10", "3.11", "3.12", "3.13"}},
		{">=3.11,!=3.12.1", []string{"3.11", "3.12", "3.13"}},
		{">3.13.99,<3.14", []string{"3.13"}},
		{"<3.10", nil},
		{">=3.14", nil},
	} {
		got, ok := admittedPythons(tt.spec, []string{"3.10", "3.11", "3.12", "3.13"})
		if !ok || !slices.Equal(got, tt.want) {
			t.Errorf("admittedPythons(%q) = %v %v, want %v", tt.spec, got, ok, tt.want)
		}
	}
	if _, ok := admittedPythons(">=three", PythonVersions); ok {
		t.Error("a constraint that cannot be read was read")
	}
}

func TestAdoptListsEveryProblemAtOnce(t *testing.T) {
	dir := copyFixture(t, "two-packages")
	_, _, err := Adopt(dir, Answers{Python: "2.7"})
	if errs.KindOf(err) != errs.Usage {
		t.Fatalf("err %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"--package: several packages (alpha, beta): pass --package", "--python: \"2.7\" is not one of"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, project.FileName)); !os.IsNotExist(err) {
		t.Errorf("gaiaflow.toml written: %v", err)
	}
	// Flags settle it.
	cfg, d, err := Adopt(dir, Answers{Package: "beta"})
	if err != nil || cfg.Package != "beta" || cfg.Name != "two" || cfg.EnvManager != "conda" || cfg.Python != "3.11" || d.Sources["package"] != "--package" {
		t.Errorf("%v %+v %v", err, cfg, d.Sources)
	}
}

func TestAdoptNeverReplacesGaiaflowToml(t *testing.T) {
	dir := copyFixture(t, "uv-src")
	file := filepath.Join(dir, project.FileName)
	if err := os.WriteFile(file, []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := Adopt(dir, Answers{})
	if errs.KindOf(err) != errs.Usage || !strings.Contains(err.Error(), "already has gaiaflow.toml") {
		t.Fatalf("err %v", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "# mine\n" {
		t.Errorf("gaiaflow.toml replaced: %q", b)
	}
}

func TestAdoptAnEmptyFolder(t *testing.T) {
	_, _, err := Adopt(t.TempDir(), Answers{})
	for _, want := range []string{"--package: no Python package", "--env-manager: no pyproject.toml"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err %v, want %q", err, want)
		}
	}
}

// A project that gaiaflow init made can be adopted again, and reads back the same.
func TestAdoptAGeneratedProject(t *testing.T) {
	for _, c := range combos() {
		dir := generate(t, c)
		if err := os.Remove(filepath.Join(dir, project.FileName)); err != nil {
			t.Fatal(err)
		}
		cfg, _, err := Adopt(dir, Answers{})
		if err != nil || cfg.Name != "demo" || cfg.Package != "demo" || cfg.EnvManager != c.manager || cfg.Python != "3.12" {
			t.Errorf("%s: %v %+v", c, err, cfg)
		}
	}
}

// Projects as the original template renders them (both environment
// managers, with and without examples) are adopted as they are: only
// gaiaflow.toml is written.
func TestAdoptTheOriginalTemplatesProjects(t *testing.T) {
	for _, v := range originaltest.Variants {
		t.Run(v.String(), func(t *testing.T) {
			dir := originaltest.Render(t, filepath.Join(t.TempDir(), originaltest.Package), v)
			before := originaltest.Snapshot(t, dir)
			cfg, d, err := Adopt(dir, Answers{})
			if err != nil {
				t.Fatal(err)
			}
			// python >3.10,<3.13 (and pixi's requires-python >=3.11): 3.12.
			if cfg.Name != "my-package" || cfg.Package != originaltest.Package || cfg.EnvManager != v.Manager || cfg.Python != "3.12" {
				t.Errorf("config %+v (sources %v, notes %v)", cfg, d.Sources, d.Notes)
			}
			if diff := originaltest.Diff(before, originaltest.Snapshot(t, dir)); !slices.Equal(diff, []string{"added " + project.FileName}) {
				t.Errorf("adopt changed %v", diff)
			}
		})
	}
}
