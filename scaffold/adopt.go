package scaffold

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
	"go.yaml.in/yaml/v3"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// Detected is what Detect read from an existing project's files.
type Detected struct {
	Answers
	// Sources says where each answer came from, by field (name, package,
	// env-manager, python): a file, "the folder's name" or "the default".
	Sources map[string]string
	// Notes are things a person should know, one line each.
	Notes []string
}

// notPackages are folders of a project that are never its package.
var notPackages = map[string]bool{
	"tests": true, "test": true, "dags": true, "notebooks": true, "docs": true, "doc": true,
	"data": true, "scripts": true, "build": true, "dist": true, "examples": true, "src": true,
	"venv": true, "env": true, "site-packages": true, "node_modules": true,
}

// pyproject is the part of pyproject.toml that Detect reads.
type pyproject struct {
	Project struct {
		Name           string `toml:"name"`
		RequiresPython string `toml:"requires-python"`
	} `toml:"project"`
	Tool struct {
		Pixi map[string]any `toml:"pixi"`
	} `toml:"tool"`
}

// Detect reads an existing project in dir, including one made by the original
// gaiaflow template (conda's environment.yml or pixi; the package at the top
// level or under src/), and returns the answers its files give. overrides
// wins over what the files say, field by field, where it is not empty.
// Problems lists every answer that is missing or invalid.
func Detect(dir string, overrides Answers) (Detected, []Problem) {
	d := Detected{Sources: map[string]string{}}
	var py pyproject
	hasPyproject := readTOML(filepath.Join(dir, "pyproject.toml"), &py) == nil
	var pixiToml map[string]any
	hasPixiToml := readTOML(filepath.Join(dir, "pixi.toml"), &pixiToml) == nil
	envFile, env := readEnvironment(dir)

	// The environment manager.
	switch {
	case hasPyproject && py.Tool.Pixi != nil:
		d.EnvManager, d.Sources["env-manager"] = "pixi", "pyproject.toml [tool.pixi]"
	case hasPixiToml:
		d.EnvManager, d.Sources["env-manager"] = "pixi", "pixi.toml"
	case envFile != "":
		d.EnvManager, d.Sources["env-manager"] = "conda", envFile
	case hasPyproject:
		d.EnvManager, d.Sources["env-manager"] = "uv", "pyproject.toml"
	}

	// The name.
	switch {
	case NameFrom(py.Project.Name) != "":
		d.Name, d.Sources["name"] = NameFrom(py.Project.Name), "pyproject.toml"
	case NameFrom(env.Name) != "":
		d.Name, d.Sources["name"] = NameFrom(env.Name), envFile
	case NameFrom(filepath.Base(dir)) != "":
		d.Name, d.Sources["name"] = NameFrom(filepath.Base(dir)), "the folder's name"
	}

	// The package.
	candidates := packageCandidates(dir)
	pick := func(p string) {
		d.Package, d.Sources["package"] = filepath.Base(p), p+"/__init__.py"
	}
	switch {
	case len(candidates) == 1:
		pick(candidates[0])
	case len(candidates) > 1:
		for _, want := range []string{PackageFrom(d.Name), strings.ReplaceAll(strings.ToLower(py.Project.Name), "-", "_")} {
			for _, c := range candidates {
				if want != "" && filepath.Base(c) == want && d.Package == "" {
					pick(c)
				}
			}
		}
	}

	// The Python version: a .python-version pin wins; otherwise the newest
	// supported version that every constraint allows (the conda or pixi
	// python dependency and requires-python).
	d.Python, d.Sources["python"] = detectPython(dir, d.EnvManager, envFile, env, py, hasPixiToml, pixiToml, &d.Notes)

	// What the person said wins.
	for field, pair := range map[string][2]*string{
		"name":        {&d.Name, &overrides.Name},
		"package":     {&d.Package, &overrides.Package},
		"env-manager": {&d.EnvManager, &overrides.EnvManager},
		"python":      {&d.Python, &overrides.Python},
	} {
		if *pair[1] != "" {
			*pair[0], d.Sources[field] = *pair[1], "--"+field
		}
	}

	var probs []Problem
	add := func(field string, err error) {
		if err != nil {
			probs = append(probs, Problem{field, err})
		}
	}
	if d.Name == "" {
		add("name", errors.New("cannot tell the project's name from pyproject.toml, environment.yml or the folder's name: pass --name"))
	} else {
		add("name", ValidateName(d.Name))
	}
	switch {
	case d.Package != "":
		add("package", ValidatePackage(d.Package))
	case len(candidates) == 0:
		add("package", errors.New("no Python package (a folder with __init__.py) at the top level or under src/: pass --package"))
	default:
		add("package", fmt.Errorf("several packages (%s): pass --package", strings.Join(candidates, ", ")))
	}
	if d.EnvManager == "" {
		add("env-manager", errors.New("no pyproject.toml, environment.yml or pixi.toml: pass --env-manager"))
	} else {
		add("env-manager", ValidateEnvManager(d.EnvManager))
	}
	add("python", ValidatePython(d.Python))
	return d, probs
}

// pyConstraint is one place that constrains the project's Python.
type pyConstraint struct{ spec, from string }

func detectPython(dir, manager, envFile string, env environment, py pyproject, hasPixiToml bool, pixiToml map[string]any, notes *[]string) (string, string) {
	if b, err := os.ReadFile(filepath.Join(dir, ".python-version")); err == nil {
		pin := strings.TrimSpace(string(b))
		if v, n, ok := parseVersion(pin); ok && n >= 2 {
			minor := fmt.Sprintf("%d.%d", v[0], v[1])
			if ValidatePython(minor) == nil {
				return minor, ".python-version"
			}
			*notes = append(*notes, fmt.Sprintf(".python-version names Python %s, which gaiaflow does not support", pin))
		}
	}
	var cons []pyConstraint
	if manager == "conda" {
		if s := env.python(); s != "" {
			cons = append(cons, pyConstraint{s, envFile})
		}
	}
	if manager == "pixi" {
		deps, _ := py.Tool.Pixi["dependencies"].(map[string]any)
		from := "pyproject.toml [tool.pixi.dependencies]"
		if hasPixiToml {
			deps, _ = pixiToml["dependencies"].(map[string]any)
			from = "pixi.toml [dependencies]"
		}
		if s, ok := deps["python"].(string); ok {
			cons = append(cons, pyConstraint{s, from})
		} else if m, ok := deps["python"].(map[string]any); ok {
			if s, ok := m["version"].(string); ok {
				cons = append(cons, pyConstraint{s, from})
			}
		}
	}
	if s := py.Project.RequiresPython; s != "" {
		cons = append(cons, pyConstraint{s, "pyproject.toml requires-python"})
	}
	allowed := slices.Clone(PythonVersions)
	var used []string
	for _, c := range cons {
		ok, read := admittedPythons(c.spec, PythonVersions)
		switch {
		case !read:
			*notes = append(*notes, fmt.Sprintf("%s: cannot read the Python constraint %q; it is left out", c.from, c.spec))
			continue
		case len(ok) == 0:
			*notes = append(*notes, fmt.Sprintf("%s allows Python %s, which gaiaflow does not support (it supports %s)", c.from, c.spec, supportedList()))
			continue
		}
		narrowed := slices.DeleteFunc(slices.Clone(allowed), func(v string) bool { return !slices.Contains(ok, v) })
		if len(narrowed) == 0 {
			*notes = append(*notes, fmt.Sprintf("%s (%s) and %s disagree on Python; %s decides", c.from, c.spec, strings.Join(used, " and "), strings.Join(used, " and ")))
			continue
		}
		allowed = narrowed
		used = append(used, c.from)
	}
	if len(used) == 0 {
		return PythonVersions[0], "the default"
	}
	return newestPython(allowed), strings.Join(used, " and ") + " (the newest Python allowed)"
}

// supportedList is the supported Python versions, oldest first.
func supportedList() string {
	vs := slices.Clone(PythonVersions)
	slices.SortFunc(vs, func(a, b string) int {
		va, _, _ := parseVersion(a)
		vb, _, _ := parseVersion(b)
		switch {
		case va.less(vb):
			return -1
		case vb.less(va):
			return 1
		}
		return 0
	})
	return strings.Join(vs, ", ")
}

// packageCandidates lists the folders (src/x or x) that hold an __init__.py.
func packageCandidates(dir string) []string {
	var out []string
	for _, base := range []string{"src", "."} {
		entries, err := os.ReadDir(filepath.Join(dir, base))
		if err != nil {
			continue
		}
		for _, e := range entries {
			name := e.Name()
			if !e.IsDir() || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || notPackages[name] {
				continue
			}
			if _, err := os.Stat(filepath.Join(dir, base, name, "__init__.py")); err == nil {
				out = append(out, filepath.ToSlash(filepath.Join(base, name)))
			}
		}
	}
	slices.Sort(out)
	return out
}

func readTOML(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return toml.Unmarshal(b, v)
}

// environment is the part of a conda environment file that Detect reads.
type environment struct {
	Name         string `yaml:"name"`
	Dependencies []any  `yaml:"dependencies"`
}

// python returns the environment's python dependency, as written.
func (e environment) python() string {
	for _, d := range e.Dependencies {
		if s, ok := d.(string); ok && strings.HasPrefix(strings.TrimSpace(s), "python") {
			rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "python"))
			if rest == "" || strings.ContainsAny(rest[:1], "=<>~! ") {
				return rest
			}
		}
	}
	return ""
}

func readEnvironment(dir string) (string, environment) {
	for _, name := range []string{"environment.yml", "environment.yaml"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		var env environment
		_ = yaml.Unmarshal(b, &env) // a file we cannot read still says "conda"
		return name, env
	}
	return "", environment{}
}

// Adopt writes a gaiaflow.toml for the existing project in dir, from what
// Detect finds and overrides, and touches nothing else. It refuses when the
// project already has one.
func Adopt(dir string, overrides Answers) (*project.Config, Detected, error) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, Detected{}, errs.Usagef("pass the folder of an existing project", "%s is not a folder", dir)
	}
	file := filepath.Join(dir, project.FileName)
	if _, err := os.Lstat(file); err == nil {
		return nil, Detected{}, errs.Usagef("it is a gaiaflow project already; edit "+project.FileName+" to change its settings",
			"%s already has %s", dir, project.FileName)
	}
	d, probs := Detect(dir, overrides)
	if len(probs) > 0 {
		return nil, d, ProblemsError(probs, "pass the answers gaiaflow could not read as flags (see `gaiaflow init --help`)")
	}
	cfg := d.Answers.Config()
	data, err := project.Encode(cfg)
	if err != nil {
		return nil, d, fmt.Errorf("encode %s: %w", project.FileName, err)
	}
	if err := writeNew(file, data); err != nil {
		return nil, d, errs.Wrap(errs.Failure, err, "check that the folder is writable", "write %s", file)
	}
	return cfg, d, nil
}

// writeNew writes a file that must not exist yet, atomically: readers see no
// file or the whole file, and an existing one is never replaced.
func writeNew(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	created, err := placeNew(tmp.Name(), path)
	if err != nil {
		return err
	}
	if !created {
		return fmt.Errorf("%s: %w", path, fs.ErrExist)
	}
	return nil
}

// ProblemsError is a usage error listing every problem, one per line.
func ProblemsError(probs []Problem, hint string) error {
	return errs.Wrap(errs.Usage, &InvalidAnswers{Problems: probs}, hint, "")
}

// InvalidAnswers lists every invalid or missing answer.
type InvalidAnswers struct {
	Problems []Problem
}

func (e *InvalidAnswers) Error() string { return strings.Join(e.Lines(), "\n") }

// Lines returns one line per problem, so that each is printed on its own.
func (e *InvalidAnswers) Lines() []string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return lines
}
