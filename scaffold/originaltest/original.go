// Package originaltest renders projects in the layouts of the original
// gaiaflow tool's cookiecutter template, for tests of `gaiaflow init
// --adopt` and of running such projects. The files are in
// scaffold/testdata/adopt/original-template (see its README.md).
package originaltest

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// Variant is one way the original template renders a project.
type Variant struct {
	Manager  string // conda or pixi
	Examples bool
}

func (v Variant) String() string {
	if v.Examples {
		return v.Manager + "-examples"
	}
	return v.Manager + "-no-examples"
}

// Variants are the four projects the original template renders.
var Variants = []Variant{{"conda", true}, {"conda", false}, {"pixi", true}, {"pixi", false}}

// Package is the package name every rendered project has.
const Package = "my_package"

// exampleModules are the files the template's hook removes without
// examples (its list also names two DAG files that no longer exist, so the
// example DAG stays, as does predict/example_predict.py).
var exampleModules = []string{
	"dataloader/example_data.py", "model_pipeline/example_model_pipeline.py", "models/example_model.py",
	"postprocess/example_postprocess.py", "preprocess/example_preprocess.py", "train/example_train.py",
}

// TemplateDir is the folder of the template's files.
func TemplateDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "adopt", "original-template")
}

// Render writes the project of v into dir (which must not exist) and
// returns dir.
func Render(t testing.TB, dir string, v Variant) string {
	t.Helper()
	root := TemplateDir()
	pkgDir := Package
	if v.Manager == "pixi" {
		pkgDir = "src/" + Package // the hook moves the package under src/
	}
	for _, part := range []string{"common", v.Manager} {
		base := filepath.Join(root, part)
		err := filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(base, path)
			rel = filepath.ToSlash(rel)
			if after, ok := strings.CutPrefix(rel, "PKG/"); ok {
				if !v.Examples && contains(exampleModules, after) {
					return nil
				}
				rel = pkgDir + "/" + after
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			out := filepath.Join(dir, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return err
			}
			return os.WriteFile(out, []byte(render(string(data), v.Examples)), 0o644)
		})
		if err != nil {
			t.Fatalf("render the original template's %s project: %v", v, err)
		}
	}
	return dir
}

// render fills in the package name and keeps or drops the examples' lines.
func render(text string, examples bool) string {
	var out []string
	keep := true
	for _, line := range strings.SplitAfter(text, "\n") {
		switch strings.TrimSpace(line) {
		case "# examples:begin":
			keep = examples
			continue
		case "# examples:end":
			keep = true
			continue
		}
		if keep {
			out = append(out, line)
		}
	}
	return strings.ReplaceAll(strings.Join(out, ""), "{{package_name}}", Package)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Snapshot maps every file under dir to its content, for checking that
// nothing but what a test expects changed.
func Snapshot(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Diff lists how after differs from before: files added, removed or changed.
func Diff(before, after map[string]string) []string {
	var out []string
	for p, b := range before {
		a, ok := after[p]
		switch {
		case !ok:
			out = append(out, "removed "+p)
		case a != b:
			out = append(out, "changed "+p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			out = append(out, "added "+p)
		}
	}
	sort.Strings(out)
	return out
}
