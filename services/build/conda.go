package build

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Conda and pixi dependencies go into every task environment gaiaflow
// builds (the Airflow runtime image's task venv, task images, JupyterLab's
// kernel), from one of two sources ([build] conda_source in gaiaflow.toml):
//
//   - channels: as conda packages, solved from the channels the project
//     declares and linked into the environment by py-rattler (a conda
//     solver and installer published on PyPI), run in the build;
//   - pypi: each package from PyPI by its name, or by the PyPI name listed
//     in pypiNames where the two differ; the ones in noPyPI have no PyPI
//     counterpart and are left out, by name.
//
// Either way the packages the stack provides itself (StackProvided) are
// never installed.

// RattlerVersion is the py-rattler release the channels source installs
// conda packages with, in the build only (it is not left in the image).
const RattlerVersion = "0.28.0"

// CondaEnvScript is the installer the channels source runs (see
// templates/conda-env.py for how to call it).
func CondaEnvScript() []byte { return templateFile("conda-env.py") }

// CondaPackages are the conda packages of a project, to install from its channels.
type CondaPackages struct {
	Channels []string `json:"channels"`
	Specs    []string `json:"specs"`
	Source   string   `json:"source"`
}

// SpecFile renders the packages as the installer reads them.
func (c *CondaPackages) SpecFile() []byte {
	data, _ := json.MarshalIndent(c, "", "  ")
	return append(data, '\n')
}

// condaFiles are the build context files of the channels source: the
// packages and the installer.
func (d *Dependencies) condaFiles() []genFile {
	if d.Conda == nil {
		return nil
	}
	return []genFile{{"conda.json", d.Conda.SpecFile(), 0o644}, {"conda-env.py", CondaEnvScript(), 0o644}}
}

// pypiNames maps conda package names to the PyPI names of the same
// software, where they differ. Every PyPI name here was looked up on PyPI.
var pypiNames = map[string]string{
	"pytorch":         "torch",
	"py-opencv":       "opencv-python",
	"opencv":          "opencv-python",
	"matplotlib-base": "matplotlib",
	"pytables":        "tables",
	"python-graphviz": "graphviz",
	"msgpack-python":  "msgpack",
	"py-xgboost":      "xgboost",
	"pyqt":            "PyQt5",
}

// noPyPI lists conda packages that have no counterpart on PyPI: programs
// and toolchains packaged for conda only. (PyPI's nodejs, make and
// compilers are other projects of the same name.)
var noPyPI = []string{"git", "nodejs", "make", "openjdk", "r-base", "cudatoolkit", "c-compiler", "cxx-compiler", "compilers"}

// normalName is a package name as PyPI and conda compare them.
func normalName(name string) string {
	return strings.ToLower(strings.NewReplacer("_", "-", ".", "-").Replace(strings.TrimSpace(name)))
}

// StackProvided reports whether a package (a conda or PyPI name) is one the
// stack provides to every task environment itself, and which is therefore
// never installed there: the Python interpreter and pip, gaiaflow's own
// library, and Airflow with its providers, which run in Airflow's own
// environment.
func StackProvided(name string) bool {
	n := normalName(name)
	switch {
	case n == "python" || n == "pip" || n == "gaiaflow" || n == "airflow" || n == "apache-airflow":
		return true
	case strings.HasPrefix(n, "apache-airflow-"):
		return true
	}
	return false
}

// jupyterProvided are the packages JupyterLab's image has for its kernel
// already; installing the project's versions of them beside it could break
// the kernel, and they are large.
var jupyterProvided = []string{"jupyter", "jupyterlab", "notebook", "ipykernel", "jupyter-server"}

// KernelDeps are the dependencies installed for JupyterLab's kernel.
type KernelDeps struct {
	Requirements []string
	Constraints  []string
	Conda        *CondaPackages
	// Left lists what JupyterLab's image provides and is not installed.
	Left []string
}

// Empty reports whether there is nothing to install.
func (k KernelDeps) Empty() bool { return len(k.Requirements) == 0 && k.Conda == nil }

// ForJupyter returns the dependencies for JupyterLab's kernel: these, less
// what JupyterLab's image provides (jupyter, jupyterlab, ...).
func (d *Dependencies) ForJupyter() KernelDeps {
	k := KernelDeps{Constraints: slices.Clone(d.Constraints)}
	provided := func(name string) bool {
		if slices.Contains(jupyterProvided, normalName(name)) {
			if !slices.Contains(k.Left, name) {
				k.Left = append(k.Left, name)
			}
			return true
		}
		return false
	}
	for _, r := range d.Requirements {
		if !provided(requirementName(r)) {
			k.Requirements = append(k.Requirements, r)
		}
	}
	if d.Conda != nil {
		c := &CondaPackages{Channels: slices.Clone(d.Conda.Channels), Source: d.Conda.Source}
		for _, spec := range d.Conda.Specs {
			if !provided(condaName(spec)) {
				c.Specs = append(c.Specs, spec)
			}
		}
		if len(c.Specs) > 0 {
			k.Conda = c
		}
	}
	return k
}

// condaName strips channel, version and build from a conda match spec.
func condaName(spec string) string {
	if i := strings.LastIndex(spec, "::"); i >= 0 {
		spec = spec[i+2:]
	}
	if i := strings.IndexAny(spec, " =<>!~[;"); i >= 0 {
		spec = spec[:i]
	}
	return strings.TrimSpace(spec)
}

// condaToPip converts a conda match spec ("numpy =2.0.2", "conda-forge::mlflow>=3,<4",
// "tensorflow 2.19.*") into a pip requirement, or says why it cannot.
func condaToPip(spec string) (line, why string) {
	name := condaName(spec)
	if slices.Contains(noPyPI, normalName(name)) {
		return "", "has no PyPI counterpart"
	}
	rest := spec
	if i := strings.LastIndex(rest, "::"); i >= 0 {
		rest = rest[i+2:]
	}
	rest = strings.TrimSpace(rest[len(name):])
	if i := strings.Index(rest, "["); i >= 0 { // [build=..., channel=...]
		rest = strings.TrimSpace(rest[:i])
	}
	pypi := name
	if n, ok := pypiNames[normalName(name)]; ok {
		pypi = n
	}
	if rest == "" || rest == "*" {
		return pypi, ""
	}
	if strings.Contains(rest, "|") {
		return "", fmt.Sprintf("has a version with alternatives (%s), which pip cannot express", rest)
	}
	// "=1.2=py311_0" and "1.2 py311_0": version, then a build string.
	if strings.HasPrefix(rest, "=") && !strings.HasPrefix(rest, "==") {
		if i := strings.Index(rest[1:], "="); i >= 0 {
			rest = rest[:i+1]
		}
	}
	if f := strings.Fields(rest); len(f) == 2 && !strings.ContainsAny(f[0], ",") && !strings.ContainsAny(f[1][:1], "<>=!~") {
		rest = f[0]
	}
	var clauses []string
	for _, c := range strings.Split(strings.ReplaceAll(rest, " ", ""), ",") {
		switch {
		case c == "" || c == "*":
		case strings.HasPrefix(c, "=="), strings.HasPrefix(c, ">="), strings.HasPrefix(c, "<="),
			strings.HasPrefix(c, "!="), strings.HasPrefix(c, "~="), strings.HasPrefix(c, ">"), strings.HasPrefix(c, "<"):
			clauses = append(clauses, c)
		case strings.HasPrefix(c, "="):
			// conda's =1.2 is every release starting 1.2.
			v := strings.TrimSuffix(strings.TrimPrefix(c, "="), ".*")
			clauses = append(clauses, "=="+v+".*")
		default:
			clauses = append(clauses, "=="+c) // 1.2 (exact), 1.2.* (wildcard)
		}
	}
	return pypi + strings.Join(clauses, ","), ""
}
