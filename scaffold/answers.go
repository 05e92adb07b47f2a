// Package scaffold owns new projects: the answers `gaiaflow init` asks for and
// their validation, the embedded project template and its generator (which
// never replaces a file), and adopting a project that already exists by
// writing only its gaiaflow.toml.
//
// The wizard (ui/tui/initwizard) and the headless command (ui/cli) both call
// the same validators, so a value is accepted or refused with the same reason
// wherever it is typed.
package scaffold

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/gaiaflow/gaiaflow/services/project"
)

// Answers are everything a new project is made from.
type Answers struct {
	Name        string // project name: lower-case letters, digits and dashes
	Description string // one line
	Author      string // may be empty
	Email       string // may be empty
	Package     string // the Python package (import name)
	EnvManager  string // uv, conda or pixi
	Python      string // "3.10" to "3.13"
	Examples    bool   // include the example ML pipeline
}

// Choices offered for the answers that have a fixed set of values, in the
// order a person sees them; the first is the default.
var (
	EnvManagers    = []string{"uv", "conda", "pixi"}
	PythonVersions = []string{"3.12", "3.13", "3.11", "3.10"}
)

// EnvManagerHelp says in a few words what each environment manager means for
// the generated project.
var EnvManagerHelp = map[string]string{
	"uv":    "uv or pip, pyproject.toml only",
	"conda": "conda or mamba, environment.yml plus pyproject.toml",
	"pixi":  "pixi, its tables inside pyproject.toml",
}

// Defaults returns the answers for a project in a directory named base: the
// name and package are derived from base when they can be.
func Defaults(base string) Answers {
	name := NameFrom(base)
	a := Answers{
		Name:       name,
		Package:    PackageFrom(name),
		EnvManager: EnvManagers[0],
		Python:     PythonVersions[0],
		Examples:   true,
	}
	a.Description = DescriptionFor(name)
	return a
}

// DescriptionFor is the default description of a project.
func DescriptionFor(name string) string {
	if name == "" {
		return "An ML workflow on Apache Airflow, made with gaiaflow"
	}
	return "The " + name + " ML workflow on Apache Airflow, made with gaiaflow"
}

// Compiled on first use: at start-up it would slow every command, --help included.
var nonNameRun = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^a-z0-9]+`) })

// NameFrom turns any text (a directory name, a Python distribution name) into
// a project name, or "" when nothing usable is left.
func NameFrom(s string) string {
	s = strings.Trim(nonNameRun().ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(s) > 40 {
		s = strings.TrimRight(s[:40], "-")
	}
	if ValidateName(s) != nil {
		return ""
	}
	return s
}

// PackageFrom turns a project name into the package name it suggests, or ""
// when that would not be valid (for instance "test", a standard-library
// module, or a name starting with a digit).
func PackageFrom(name string) string {
	p := strings.ReplaceAll(name, "-", "_")
	if ValidatePackage(p) != nil {
		return ""
	}
	return p
}

var nameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`) })

// ValidateName checks a project name. The rules are those of gaiaflow.toml's
// name: it names containers, volumes, a bucket and a Minikube profile.
func ValidateName(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("a project name is required")
	case len(s) > 40:
		return fmt.Errorf("%d characters is too long: use at most 40", len(s))
	case strings.ToLower(s) != s:
		return fmt.Errorf("use lower-case letters only")
	case !nameRE().MatchString(s):
		return fmt.Errorf("use letters, digits and dashes, starting and ending with a letter or digit")
	}
	return nil
}

// pythonKeywords are the lower-case hard keywords of Python 3.10 to 3.13.
var pythonKeywords = []string{
	"and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
	"elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
	"is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
	"with", "yield",
}

// reservedPackages would shadow what every generated project imports, or
// collide with its own folders.
var reservedPackages = map[string]string{
	"gaiaflow": "gaiaflow's own library", "airflow": "Apache Airflow", "mlflow": "MLflow",
	"sklearn": "scikit-learn", "boto3": "boto3", "botocore": "botocore", "numpy": "numpy",
	"pandas": "pandas", "pytest": "pytest", "skops": "skops", "tests": "the tests folder",
	"dags": "the dags folder", "notebooks": "the notebooks folder", "data": "the data folder",
	"src": "the src folder", "conftest": "pytest's conftest",
}

// ValidatePackage checks a Python package name: a lower-case identifier that
// is not a keyword and shadows neither the standard library nor what the
// project depends on.
func ValidatePackage(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("a package name is required")
	case strings.ToLower(s) != s:
		return fmt.Errorf("use lower-case letters only")
	case strings.ContainsRune(s, '-'):
		return fmt.Errorf("a dash is not allowed in a Python identifier: use %q", strings.ReplaceAll(s, "-", "_"))
	case unicode.IsDigit(rune(s[0])):
		return fmt.Errorf("a Python identifier cannot start with a digit")
	case !packageRE().MatchString(s):
		return fmt.Errorf("use only a to z, digits and underscores")
	case slices.Contains(pythonKeywords, s):
		return fmt.Errorf("%q is a Python keyword", s)
	case stdlib[s]:
		return fmt.Errorf("%q is a module of Python's standard library", s)
	case reservedPackages[s] != "":
		return fmt.Errorf("%q would shadow %s", s, reservedPackages[s])
	}
	return nil
}

var packageRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z_][a-z0-9_]*$`) })

// ValidateEmail checks an optional email address.
func ValidateEmail(s string) error {
	if s == "" {
		return nil
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || !strings.Contains(s[strings.IndexByte(s, '@'):], ".") {
		return fmt.Errorf("%q is not an email address such as ada@example.org", s)
	}
	return nil
}

// ValidateOneLine checks free text that goes into one line of a file.
func ValidateOneLine(s string) error {
	if strings.ContainsAny(s, "\n\r") {
		return fmt.Errorf("use a single line")
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return fmt.Errorf("control characters (such as tabs) are not allowed")
	}
	if len(s) > 200 {
		return fmt.Errorf("%d characters is too long: use at most 200", len(s))
	}
	return nil
}

// ValidateEnvManager checks the environment manager.
func ValidateEnvManager(s string) error {
	if !slices.Contains(EnvManagers, s) {
		return fmt.Errorf("%q is not one of %s", s, strings.Join(EnvManagers, ", "))
	}
	return nil
}

// ValidatePython checks the Python version.
func ValidatePython(s string) error {
	if !slices.Contains(PythonVersions, s) {
		return fmt.Errorf("%q is not one of 3.10, 3.11, 3.12, 3.13", s)
	}
	return nil
}

// Problem is one invalid answer.
type Problem struct {
	Field string // the answer's flag name (name, package, email, ...), or DIR
	Err   error
}

// String names the answer as the command line does: "--package: ...".
func (p Problem) String() string {
	if p.Field == strings.ToUpper(p.Field) {
		return p.Field + ": " + p.Err.Error()
	}
	return "--" + p.Field + ": " + p.Err.Error()
}

// Validate checks every answer and returns one problem per invalid one, in
// the order the wizard asks for them.
func (a Answers) Validate() []Problem {
	var out []Problem
	check := func(field string, err error) {
		if err != nil {
			out = append(out, Problem{field, err})
		}
	}
	check("name", ValidateName(a.Name))
	check("description", ValidateOneLine(a.Description))
	check("author", ValidateOneLine(a.Author))
	check("email", ValidateEmail(a.Email))
	check("package", ValidatePackage(a.Package))
	check("env-manager", ValidateEnvManager(a.EnvManager))
	check("python", ValidatePython(a.Python))
	return out
}

// Config returns the gaiaflow.toml settings of the project.
func (a Answers) Config() *project.Config {
	// The Python comes first: the default Airflow and base images follow it.
	c := &project.Config{Name: a.Name, Package: a.Package, Mode: "dev", EnvManager: a.EnvManager, Python: a.Python}
	c.ApplyDefaults()
	return c
}
