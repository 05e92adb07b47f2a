package scaffold

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"text/template"

	"github.com/gaiaflow/gaiaflow/pylib"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// The template tree mirrors the generated project. Every file ends in .tmpl
// (so neither git nor Python tools mistake one for a real .gitignore or a
// module); "dot-" at the start of a name stands for "."; a path segment
// PACKAGE becomes the package name. Actions use <% %>, because Python
// (Jinja in DAG arguments) and GitHub workflows use {{ }} themselves.
//
//go:embed all:template
var templateFS embed.FS

// AirflowVersion is the Airflow a generated project tests against: the
// version of gaiaflow's default Airflow image.
const AirflowVersion = project.AirflowVersion

// VendorDir is where a generated project keeps the wheel of gaiaflow's
// Python library that its environment installs: the library is not on
// PyPI (the gaiaflow project there is another tool), so the project
// carries the one bundled in the binary that made it, and its environment
// manager installs it from there, offline and in CI alike.
const VendorDir = "vendor"

// Checks are the commands a generated project's CI runs, in order, inside the
// project's environment; gaiaflow's own tests run the very same ones.
var Checks = []Check{
	{Name: "Lint", Args: []string{"python", "-m", "ruff", "check", "."}},
	{Name: "Test", Args: []string{"python", "-m", "pytest"}},
}

// Check is one command of a generated project's CI.
type Check struct {
	Name string
	Args []string
}

// Command is the check's command line.
func (c Check) Command() string { return strings.Join(c.Args, " ") }

// Options tune generation.
type Options struct {
	// Force allows a non-empty target directory. Existing files are still
	// never replaced or deleted.
	Force bool
}

// File is one generated file.
type File struct {
	Path string // slash-separated, relative to the project root
	Data []byte
}

// requirement is a dependency with its version constraint, written the way
// each tool wants it.
type requirement struct{ Name, Constraint string }

func (r requirement) PEP508() string { return r.Name + r.Constraint }
func (r requirement) Conda() string {
	if r.Constraint == "" {
		return r.Name
	}
	return r.Name + " " + r.Constraint
}

var (
	baseDeps = []requirement{
		{"boto3", ">=1.34"},
		{"mlflow-skinny", ">=3.5,<4"},
	}
	exampleDeps = []requirement{
		{"pandas", ">=2.1"},
		{"scikit-learn", ">=1.5"},
		{"skops", ">=0.10"},
	}
)

// data is what the templates see.
type data struct {
	Answers
	PyTag          string // py312
	AirflowVersion string
	Deps           []requirement
	DevDeps        []string
	Checks         []Check
	Wheel          string // the library's wheel, relative to the project: vendor/gaiaflow-<version>-py3-none-any.whl
	Library        string // the library's version
	VendorDir      string
	Tree           string // the generated files, drawn as a tree
}

// RunCheck is the command line that runs c with the project's environment
// manager, from the project's root.
func (d data) RunCheck(c Check) string {
	switch d.EnvManager {
	case "uv":
		return "uv run " + c.Command()
	case "pixi":
		return "pixi run " + strings.ToLower(c.Name)
	}
	return c.Command()
}

func newData(a Answers) data {
	d := data{
		Answers:        a,
		PyTag:          "py" + strings.ReplaceAll(a.Python, ".", ""),
		AirflowVersion: AirflowVersion,
		Deps:           slices.Clone(baseDeps),
		DevDeps: []string{
			"apache-airflow==" + AirflowVersion,
			"apache-airflow-providers-standard>=1.0",
			"pytest>=8",
			"ruff>=0.6",
		},
		Checks:    Checks,
		Wheel:     VendorDir + "/" + pylib.WheelFilename(),
		Library:   pylib.Version(),
		VendorDir: VendorDir,
	}
	if a.EnvManager == "uv" {
		// uv finds it through [tool.uv.sources]; conda and pixi name the
		// wheel's path themselves.
		d.DevDeps = append(d.DevDeps, "gaiaflow=="+pylib.Version())
		slices.Sort(d.DevDeps)
	}
	if a.Examples {
		d.Deps = append(d.Deps, exampleDeps...)
		slices.SortFunc(d.Deps, func(x, y requirement) int { return strings.Compare(x.Name, y.Name) })
	}
	return d
}

var funcs = template.FuncMap{
	"lower": strings.ToLower,
	"toml":  tomlString,
	"yaml":  yamlString,
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// yamlString quotes s as a YAML double-quoted scalar (JSON's quoting is a
// subset of it).
func yamlString(s string) string {
	out, _ := json.Marshal(s)
	return string(out)
}

// include says whether a template file belongs in the project. It sees the
// path before the package name is filled in, so a package whose name holds
// "example" changes nothing.
func include(rel string, a Answers) bool {
	switch {
	case strings.Contains(rel, "example"):
		return a.Examples
	case rel == "environment.yml":
		return a.EnvManager == "conda"
	case rel == ".python-version":
		return a.EnvManager == "uv"
	}
	return true
}

// outPath maps a template path to the generated file's path.
func outPath(tmplPath, pkg string) string {
	parts := strings.Split(strings.TrimSuffix(tmplPath, ".tmpl"), "/")
	for i, p := range parts {
		p = strings.ReplaceAll(p, "PACKAGE", pkg)
		parts[i] = p
		if rest, ok := strings.CutPrefix(p, "dot-"); ok {
			parts[i] = "." + rest
		}
	}
	return path.Join(parts...)
}

// Render returns every file of the project the answers describe, sorted by
// path. It touches no disk.
func Render(a Answers, o Options) ([]File, error) {
	if probs := a.Validate(); len(probs) > 0 {
		return nil, fmt.Errorf("invalid answers: %s", probs[0])
	}
	type entry struct{ tmpl, out string }
	var entries []entry
	err := fs.WalkDir(templateFS, "template", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		tmplPath := strings.TrimPrefix(p, "template/")
		if include(outPath(tmplPath, "PACKAGE"), a) {
			entries = append(entries, entry{p, outPath(tmplPath, a.Package)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	paths := []string{project.FileName}
	for _, e := range entries {
		paths = append(paths, e.out)
	}
	d := newData(a)
	d.Tree = Tree(a.Name, append(paths, d.Wheel))

	toml, err := project.Encode(a.Config())
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", project.FileName, err)
	}
	files := []File{{Path: project.FileName, Data: toml}}
	for _, e := range entries {
		src, err := templateFS.ReadFile(e.tmpl)
		if err != nil {
			return nil, err
		}
		t, err := template.New(e.tmpl).Delims("<%", "%>").Option("missingkey=error").Funcs(funcs).Parse(string(src))
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", e.tmpl, err)
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, d); err != nil {
			return nil, fmt.Errorf("template %s: %w", e.tmpl, err)
		}
		files = append(files, File{Path: e.out, Data: buf.Bytes()})
	}
	var wheel bytes.Buffer
	if _, err := pylib.WriteWheel(&wheel); err != nil {
		return nil, fmt.Errorf("write gaiaflow's library: %w", err)
	}
	files = append(files, File{Path: d.Wheel, Data: wheel.Bytes()})
	slices.SortFunc(files, func(x, y File) int { return strings.Compare(x.Path, y.Path) })
	return files, nil
}

// Paths returns the paths of files, in order.
func Paths(files []File) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.Path
	}
	return out
}
