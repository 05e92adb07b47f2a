package scaffold

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel != "." {
			if d.IsDir() {
				rel += "/"
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGenerateIntoANewDirectory(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "deep", "demo")
	a := answersFor(combo{"uv", true})
	res, err := Generate(dir, a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := Render(a, Options{})
	if !slices.Equal(res.Created, Paths(files)) || len(res.Kept) != 0 || res.Dir != dir {
		t.Errorf("result %+v", res)
	}
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(dir, f.Path))
		if err != nil || string(got) != string(f.Data) {
			t.Errorf("%s: %v", f.Path, err)
		}
	}
	st, _ := os.Stat(dir)
	if st.Mode().Perm() != 0o755 {
		t.Errorf("project folder mode %v", st.Mode().Perm())
	}
	// The temporary build folder is gone.
	if got := listDir(t, filepath.Join(parent, "deep")); !slices.Equal(got[:1], []string{"demo/"}) || strings.Contains(strings.Join(got, " "), ".gaiaflow-init") {
		t.Errorf("left in the parent: %v", got[:min(3, len(got))])
	}
}

func TestGenerateIntoAnEmptyDirectory(t *testing.T) {
	dir := t.TempDir()
	res, err := Generate(dir, answersFor(combo{"conda", false}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Created) == 0 || len(res.Kept) != 0 {
		t.Errorf("result %+v", res)
	}
	if _, err := os.Stat(filepath.Join(dir, "environment.yml")); err != nil {
		t.Error(err)
	}
}

func TestGenerateRefusesANonEmptyDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Generate(dir, answersFor(combo{"uv", true}), Options{})
	if err == nil || errs.KindOf(err) != errs.Usage || !strings.Contains(err.Error(), "is not empty") || !strings.Contains(errs.HintOf(err), "--force") {
		t.Fatalf("err %v (hint %q)", err, errs.HintOf(err))
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"notes.txt"}) {
		t.Errorf("directory now holds %v", got)
	}
	if got := listDir(t, filepath.Dir(dir)); len(got) != 1+1 { // the dir and its notes.txt
		t.Errorf("parent holds %v", got)
	}
}

func TestForceNeverReplacesAFile(t *testing.T) {
	dir := t.TempDir()
	mine := map[string]string{
		"README.md":           "my readme",
		"gaiaflow.toml":       "name = \"mine\"\npackage = \"mine\"\n",
		"src/demo/steps.py":   "# my steps",
		"notes.txt":           "keep me",
		"tests/test_mine.py":  "def test_mine(): pass\n",
		"data/big/input.csv":  "a,b\n",
		".github/dependabot":  "x",
		"dags/other_dag.py":   "# other",
		"notebooks/try.ipynb": "{}",
	}
	for p, text := range mine {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Generate(dir, answersFor(combo{"pixi", true}), Options{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Kept, []string{"README.md", "gaiaflow.toml", "src/demo/steps.py"}) {
		t.Errorf("kept %v", res.Kept)
	}
	for p, text := range mine {
		got, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil || string(got) != text {
			t.Errorf("%s changed: %q %v", p, got, err)
		}
		if st, _ := os.Stat(filepath.Join(dir, p)); st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode changed to %v", p, st.Mode().Perm())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "src/demo/store.py")); err != nil {
		t.Errorf("missing file not added: %v", err)
	}
}

// A failure half-way leaves the directory exactly as it was.
func TestFailedMergeLeavesNothingBehind(t *testing.T) {
	dir := t.TempDir()
	// A file where the generator needs a folder: dags/ comes early, tests/ late.
	if err := os.WriteFile(filepath.Join(dir, "tests"), []byte("a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := listDir(t, dir)
	_, err := Generate(dir, answersFor(combo{"uv", true}), Options{Force: true})
	if err == nil || !strings.Contains(err.Error(), "tests") {
		t.Fatalf("err %v", err)
	}
	if after := listDir(t, dir); !slices.Equal(before, after) {
		t.Errorf("left behind: %v", after)
	}
	if got := listDir(t, filepath.Dir(dir)); len(got) != 2 {
		t.Errorf("parent holds %v", got)
	}
}

func TestGenerateRejectsInvalidAnswers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x")
	a := answersFor(combo{"uv", true})
	a.Package = "json"
	if _, err := Generate(dir, a, Options{}); err == nil || errs.KindOf(err) != errs.Usage {
		t.Fatalf("err %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s exists: %v", dir, err)
	}
}

func TestCheckTargetOnAFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckTarget(f, true); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("err %v", err)
	}
}
