package build

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pelletier/go-toml/v2"
	"go.yaml.in/yaml/v3"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// Dependencies are the project's dependencies as they go into every task
// environment gaiaflow builds: the Airflow image's task environment, task
// images and JupyterLab's kernel.
//
// What is read, when present:
//   - pyproject.toml: [project] dependencies;
//   - requirements.txt: every line, with -r and -c files inlined;
//   - environment.yml (conda): the conda packages, from its channels, and
//     the pip: list;
//   - pixi (pixi.toml, or [tool.pixi] in pyproject.toml): the conda
//     dependencies, from the workspace's channels, and the
//     pypi-dependencies with a version, extras, git or url.
//
// Conda packages are installed from their channels (Conda) or, with
// conda_source = "pypi", from PyPI as requirements (see conda.go). What the
// stack provides (StackProvided) is left out of every source and listed in
// Provided. References to the project itself (".", "-e .", a pixi path =
// ".") are dropped: the package is installed on its own, after its
// dependencies. Local paths other than the project are unsupported.
type Dependencies struct {
	Requirements []string // lines of a requirements file: specifiers and pip options
	Constraints  []string // lines of a constraints file
	Sources      []string // the files they came from
	Unsupported  []string // what is not installed and why, one sentence each
	// Provided are the packages left out because the stack provides them,
	// each as "name (file)".
	Provided []string
	// Conda are the conda packages to install from their channels; nil when
	// there are none, or when they come from PyPI.
	Conda *CondaPackages

	condaSource string
}

// Notes says, one line each, what is not installed and why: the
// unsupported entries, then one line for everything the stack provides.
func (d *Dependencies) Notes() []string {
	notes := slices.Clone(d.Unsupported)
	if len(d.Provided) > 0 {
		notes = append(notes, "left out of task environments, as the stack provides them: "+strings.Join(d.Provided, ", "))
	}
	return notes
}

// provided records a package the stack provides.
func (d *Dependencies) provided(name, source string) {
	entry := name + " (" + source + ")"
	if !slices.Contains(d.Provided, entry) {
		d.Provided = append(d.Provided, entry)
	}
}

// addConda adds the conda packages of one file: from its channels, or as
// PyPI requirements.
func (d *Dependencies) addConda(source string, channels, specs []string) {
	if len(specs) == 0 {
		return
	}
	if d.condaSource == project.CondaPyPI {
		var none []string
		for _, spec := range specs {
			line, why := condaToPip(spec)
			switch {
			case why == "has no PyPI counterpart":
				none = append(none, condaName(spec))
			case why != "":
				d.Unsupported = append(d.Unsupported, fmt.Sprintf("%s: conda package %s %s: not installed", source, condaName(spec), why))
			default:
				d.addRequirement(line)
			}
		}
		if len(none) > 0 {
			d.Unsupported = append(d.Unsupported, fmt.Sprintf("%s: no PyPI counterpart, so not installed (conda_source = \"pypi\"): %s", source, strings.Join(none, ", ")))
		}
		d.addSource(source)
		return
	}
	if len(channels) == 0 {
		d.Unsupported = append(d.Unsupported, fmt.Sprintf("%s names no channels, so its conda packages are not installed: %s (add channels, or set [build] conda_source = \"pypi\")", source, strings.Join(specs, ", ")))
		return
	}
	if d.Conda == nil {
		d.Conda = &CondaPackages{Source: source}
	} else {
		d.Conda.Source += ", " + source
	}
	for _, c := range channels {
		if !slices.Contains(d.Conda.Channels, c) {
			d.Conda.Channels = append(d.Conda.Channels, c)
		}
	}
	d.Conda.Specs = append(d.Conda.Specs, specs...)
	d.addSource(source)
}

// Empty reports whether there is nothing to install.
func (d *Dependencies) Empty() bool { return len(d.Requirements) == 0 }

// requirementsFile renders the requirements as a file.
func (d *Dependencies) requirementsFile() []byte {
	return renderLines("# The project's dependencies, collected by gaiaflow from: "+strings.Join(d.Sources, ", "), d.Requirements)
}

// constraintsFile renders the constraints as a file.
func (d *Dependencies) constraintsFile() []byte {
	return renderLines("# Constraints of the project's dependencies, collected by gaiaflow.", d.Constraints)
}

func renderLines(header string, lines []string) []byte {
	var b strings.Builder
	b.WriteString(header + "\n")
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	return []byte(b.String())
}

func (d *Dependencies) addRequirement(line string) {
	if !slices.Contains(d.Requirements, line) {
		d.Requirements = append(d.Requirements, line)
	}
}

func (d *Dependencies) addSource(name string) {
	if !slices.Contains(d.Sources, name) {
		d.Sources = append(d.Sources, name)
	}
}

// CollectDependencies reads the project's dependency declarations (see
// Dependencies); condaSource is [build] conda_source (empty: channels).
func CollectDependencies(dir, condaSource string) (*Dependencies, error) {
	py, err := readPyproject(dir)
	if err != nil {
		return nil, err
	}
	return collectDependencies(dir, condaSource, py)
}

func collectDependencies(dir, condaSource string, py *pyproject) (*Dependencies, error) {
	d := &Dependencies{Sources: []string{}, condaSource: condaSource}
	if py.exists && len(py.Project.Dependencies) > 0 {
		for _, r := range py.Project.Dependencies {
			r = strings.TrimSpace(r)
			if name := requirementName(r); StackProvided(name) {
				d.provided(name, "pyproject.toml")
				continue
			}
			d.addRequirement(r)
		}
		if len(d.Requirements) > 0 {
			d.addSource("pyproject.toml")
		}
	}
	rp := &reqParser{root: dir, deps: d}
	if ok, err := rp.file(filepath.Join(dir, "requirements.txt"), false); err != nil {
		return nil, err
	} else if ok {
		d.addSource("requirements.txt")
	}
	for _, name := range []string{"environment.yml", "environment.yaml"} {
		ok, err := readCondaEnv(dir, name, rp)
		if err != nil {
			return nil, err
		}
		if ok {
			d.addSource(name)
			break
		}
	}
	pixi, source, err := readPixi(dir, py)
	if err != nil {
		return nil, err
	}
	if pixi != nil {
		pixiDeps(dir, source, pixi, d)
	}
	return d, nil
}

// reqParser reads requirements files the way pip does, as far as task images
// need: comments, continuation lines, -r and -c includes.
type reqParser struct {
	root    string
	deps    *Dependencies
	reading []string // files being read, to refuse include cycles
}

// file reads a requirements (or, with constraints, a constraints) file. A
// missing top-level file is not an error.
func (p *reqParser) file(path string, constraints bool) (bool, error) {
	data, err := os.ReadFile(path)
	rel := p.rel(path)
	if errors.Is(err, fs.ErrNotExist) && len(p.reading) == 0 {
		return false, nil
	}
	if err != nil {
		return false, errs.Wrap(errs.Usage, err, "fix the -r/-c line that names it", "read %s", rel)
	}
	if slices.Contains(p.reading, path) {
		return false, errs.Usagef("remove the -r/-c line that includes it again", "%s includes itself", rel)
	}
	p.reading = append(p.reading, path)
	defer func() { p.reading = p.reading[:len(p.reading)-1] }()
	for _, line := range logicalLines(string(data)) {
		if err := p.line(line, filepath.Dir(path), rel, constraints); err != nil {
			return false, err
		}
	}
	return true, nil
}

// Compiled on first use: at start-up it would slow every command, --help included.
var commentRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(^|\s+)#.*$`) })

// logicalLines joins continuation lines and strips comments and blanks.
func logicalLines(text string) []string {
	var out []string
	var cont strings.Builder
	for _, raw := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.HasSuffix(raw, `\`) {
			cont.WriteString(strings.TrimSuffix(raw, `\`))
			continue
		}
		cont.WriteString(raw)
		line := strings.TrimSpace(commentRE().ReplaceAllString(cont.String(), ""))
		cont.Reset()
		if line != "" {
			out = append(out, line)
		}
	}
	if line := strings.TrimSpace(commentRE().ReplaceAllString(cont.String(), "")); line != "" {
		out = append(out, line)
	}
	return out
}

// option splits "-r x", "-rx", "--requirement x" and "--requirement=x".
func option(line string, short, long string) (string, bool) {
	for _, prefix := range []string{long + "=", long + " ", long + "\t", short + " ", short + "\t", short} {
		if prefix != "" && strings.HasPrefix(line, prefix) {
			return strings.TrimSpace(line[len(prefix):]), true
		}
	}
	return "", false
}

func (p *reqParser) line(line, base, rel string, constraints bool) error {
	if arg, ok := option(line, "-r", "--requirement"); ok {
		_, err := p.file(p.resolve(base, arg), constraints)
		return err
	}
	if arg, ok := option(line, "-c", "--constraint"); ok {
		_, err := p.file(p.resolve(base, arg), true)
		return err
	}
	target, editable := option(line, "-e", "--editable")
	if !editable {
		target = line
	}
	if isLocalPath(target) {
		if p.isProject(base, target) {
			return nil
		}
		p.deps.Unsupported = append(p.deps.Unsupported,
			fmt.Sprintf("%s: %q is a local path; only the project itself can be installed from the project", rel, line))
		return nil
	}
	if constraints {
		p.deps.Constraints = append(p.deps.Constraints, line)
		return nil
	}
	if name := requirementName(line); StackProvided(name) {
		p.deps.provided(name, rel)
		return nil
	}
	p.deps.addRequirement(line)
	return nil
}

// requirementName is the project name a requirement line installs ("numpy"
// of "numpy>=2", "lib" of "lib @ git+..."); empty for options and URLs.
func requirementName(line string) string {
	if strings.HasPrefix(line, "-") || strings.Contains(line, "://") && !strings.Contains(line, " @ ") {
		return ""
	}
	end := strings.IndexFunc(line, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	})
	if end < 0 {
		return line
	}
	return line[:end]
}

func (p *reqParser) resolve(base, arg string) string {
	if filepath.IsAbs(arg) {
		return arg
	}
	return filepath.Join(base, filepath.FromSlash(arg))
}

func (p *reqParser) rel(path string) string {
	if r, err := filepath.Rel(p.root, path); err == nil {
		return filepath.ToSlash(r)
	}
	return path
}

// isProject reports whether a local path names the project's root.
func (p *reqParser) isProject(base, target string) bool {
	target, _, _ = strings.Cut(target, "[") // ".[extra]"
	target, _, _ = strings.Cut(target, "#")
	return filepath.Clean(p.resolve(base, target)) == filepath.Clean(p.root)
}

// isLocalPath tells a path from a requirement specifier, a URL or an option,
// the way pip's own heuristics do for the common cases.
func isLocalPath(s string) bool {
	if strings.Contains(s, "://") || strings.HasPrefix(s, "-") || strings.Contains(s, " @ ") {
		return false
	}
	return s == "." || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") ||
		strings.HasPrefix(s, "/") || strings.HasPrefix(s, ".[") ||
		strings.HasSuffix(s, ".whl") || strings.HasSuffix(s, ".tar.gz") || strings.HasSuffix(s, ".zip")
}

// readCondaEnv reads a conda environment file: its conda packages (from its
// channels) and its pip: list.
func readCondaEnv(dir, name string, rp *reqParser) (bool, error) {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", name, err)
	}
	var env struct {
		Channels     []string    `yaml:"channels"`
		Dependencies []yaml.Node `yaml:"dependencies"`
	}
	if err := yaml.Unmarshal(data, &env); err != nil {
		return false, errs.Wrap(errs.Usage, err, "fix "+name, "read %s", name)
	}
	var specs []string
	for _, n := range env.Dependencies {
		switch n.Kind {
		case yaml.ScalarNode:
			spec := strings.TrimSpace(n.Value)
			if pkg := condaName(spec); StackProvided(pkg) {
				rp.deps.provided(pkg, name)
			} else if pkg != "" {
				specs = append(specs, spec)
			}
		case yaml.MappingNode:
			var m map[string][]string
			if err := n.Decode(&m); err != nil {
				return false, errs.Usagef("write pip requirements as a list under `- pip:`", "%s:%d: %v", name, n.Line, err)
			}
			for _, line := range m["pip"] {
				if err := rp.line(strings.TrimSpace(line), dir, name, false); err != nil {
					return false, err
				}
			}
		}
	}
	rp.deps.addConda(name, env.Channels, specs)
	return true, nil
}

// readPixi returns the pixi manifest: pixi.toml, else [tool.pixi] in pyproject.toml.
func readPixi(dir string, py *pyproject) (*pixiManifest, string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "pixi.toml"))
	switch {
	case err == nil:
		var m pixiManifest
		if err := toml.Unmarshal(data, &m); err != nil {
			return nil, "", errs.Wrap(errs.Usage, err, "fix pixi.toml", "read pixi.toml")
		}
		return &m, "pixi.toml", nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, "", fmt.Errorf("read pixi.toml: %w", err)
	}
	if m := py.Tool.Pixi; m.Dependencies != nil || m.PypiDependencies != nil {
		return &m, "pyproject.toml [tool.pixi]", nil
	}
	return nil, "", nil
}

// pixiDeps adds pixi's conda dependencies and its pypi-dependencies.
func pixiDeps(dir, source string, m *pixiManifest, d *Dependencies) {
	names := make([]string, 0, len(m.PypiDependencies))
	for n := range m.PypiDependencies {
		names = append(names, n)
	}
	sort.Strings(names)
	added := false
	for _, name := range names {
		if StackProvided(name) {
			d.provided(name, source)
			continue
		}
		line, why := pixiRequirement(dir, name, m.PypiDependencies[name])
		switch {
		case why != "":
			d.Unsupported = append(d.Unsupported, fmt.Sprintf("%s: pypi-dependency %s %s", source, name, why))
		case line != "":
			d.addRequirement(line)
			added = true
		}
	}
	if added {
		d.addSource(source)
	}
	conda := make([]string, 0, len(m.Dependencies))
	for n := range m.Dependencies {
		conda = append(conda, n)
	}
	sort.Strings(conda)
	var specs []string
	for _, name := range conda {
		if StackProvided(name) {
			d.provided(name, source)
			continue
		}
		spec, why := pixiCondaSpec(name, m.Dependencies[name])
		if why != "" {
			d.Unsupported = append(d.Unsupported, fmt.Sprintf("%s: dependency %s %s", source, name, why))
			continue
		}
		specs = append(specs, spec)
	}
	d.addConda(source, m.channels(), specs)
}

// pixiCondaSpec turns a pixi conda dependency ("*", ">=1.2", or a table
// with version, build and channel) into a match spec.
func pixiCondaSpec(name string, v any) (string, string) {
	switch v := v.(type) {
	case string:
		if s := strings.TrimSpace(v); s != "" && s != "*" {
			return name + " " + s, ""
		}
		return name, ""
	case map[string]any:
		str := func(k string) string { s, _ := v[k].(string); return strings.TrimSpace(s) }
		if str("path") != "" || str("git") != "" || str("url") != "" {
			return "", "is a source or local package, which gaiaflow does not build"
		}
		spec := name
		if ch := str("channel"); ch != "" {
			spec = ch + "::" + spec
		}
		if ver := str("version"); ver != "" && ver != "*" {
			spec += " " + ver
			if b := str("build"); b != "" {
				spec += " " + b
			}
		}
		return spec, ""
	}
	return "", fmt.Sprintf("has a value gaiaflow does not understand (%v)", v)
}

// pixiRequirement converts one pypi-dependency; line is empty for the
// project itself, why says what is not supported.
func pixiRequirement(dir, name string, v any) (line, why string) {
	spec := func(s string) string {
		s = strings.TrimSpace(s)
		switch {
		case s == "" || s == "*":
			return ""
		case s[0] >= '0' && s[0] <= '9':
			return "==" + s
		}
		return s
	}
	switch v := v.(type) {
	case string:
		return name + spec(v), ""
	case map[string]any:
		str := func(k string) string { s, _ := v[k].(string); return s }
		extras := ""
		if xs, ok := v["extras"].([]any); ok && len(xs) > 0 {
			parts := make([]string, 0, len(xs))
			for _, x := range xs {
				if s, ok := x.(string); ok {
					parts = append(parts, s)
				}
			}
			extras = "[" + strings.Join(parts, ",") + "]"
		}
		switch {
		case str("path") != "":
			if filepath.Clean(filepath.Join(dir, str("path"))) == filepath.Clean(dir) {
				return "", ""
			}
			return "", "is a local path; only the project itself can be installed from the project"
		case str("git") != "":
			ref := str("rev")
			if ref == "" {
				ref = str("tag")
			}
			if ref == "" {
				ref = str("branch")
			}
			u := "git+" + strings.TrimPrefix(str("git"), "git+")
			if ref != "" {
				u += "@" + ref
			}
			if sub := str("subdirectory"); sub != "" {
				u += "#subdirectory=" + sub
			}
			return name + extras + " @ " + u, ""
		case str("url") != "":
			return name + extras + " @ " + str("url"), ""
		default:
			return name + extras + spec(str("version")), ""
		}
	}
	return "", fmt.Sprintf("has a value gaiaflow does not understand (%v)", v)
}
