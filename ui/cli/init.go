package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gaiaflow/gaiaflow/scaffold"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/ui/tui/initwizard"
)

// initFlags are the answers given on the command line.
type initFlags struct {
	name, pkg, description, author, email, envManager, python string
	examples, noExamples, force, adopt                        bool
}

func newInit(a *App) *cobra.Command {
	var o initFlags
	c := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create a new gaiaflow project (a wizard on a terminal), or adopt an existing one",
		Long: `Create a new project in DIR (default: the current directory). On a terminal a
wizard asks for each answer; with --no-tui the flags give them, and what is
not given has a default (the name comes from DIR, the package from the name).
Nothing is ever overwritten: a non-empty DIR is refused unless --force, and
even then no existing file is replaced. --adopt writes only a gaiaflow.toml
for a project that already exists, reading its package, environment manager
and Python version from its files.`,
		Example: `  gaiaflow init demo --no-tui --env-manager conda --no-examples
  gaiaflow init --adopt .`,
		Args: maxArgs(1, "at most one directory"),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := ""
			if len(args) == 1 {
				dir = args[0]
			}
			if o.adopt {
				return runAdopt(a, cmd, dir, o)
			}
			if !a.Headless() {
				return runInitWizard(cmd.Context(), a, dir, o)
			}
			return runInit(a, cmd, dir, o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.name, "name", "", "project name: lower-case letters, digits and dashes (default: from DIR)")
	f.StringVar(&o.pkg, "package", "", "Python package name, a lower-case identifier (default: from the name)")
	f.StringVar(&o.description, "description", "", "one-line description")
	f.StringVar(&o.author, "author", "", "author name (default: git's user.name)")
	f.StringVar(&o.email, "email", "", "author email (default: git's user.email)")
	f.StringVar(&o.envManager, "env-manager", "", "environment manager: uv (pyproject.toml only), conda or pixi (default uv)")
	f.StringVar(&o.python, "python", "", "Python version: 3.10 to 3.13 (default 3.12)")
	f.BoolVar(&o.examples, "examples", false, "include the example ML pipeline (the default)")
	f.BoolVar(&o.noExamples, "no-examples", false, "leave the example pipeline out")
	f.BoolVar(&o.force, "force", false, "allow a non-empty directory (existing files are still never replaced)")
	f.BoolVar(&o.adopt, "adopt", false, "write only gaiaflow.toml for an existing project")
	return c
}

// initView is what init reports with -o json.
type initView struct {
	Dir     string           `json:"dir"`
	Answers scaffold.Answers `json:"answers"`
	Created []string         `json:"created"`
	Kept    []string         `json:"kept"`
}

// answersFrom builds the answers for a project in absDir: defaults, then
// git's identity, then the flags that were given.
func answersFrom(cmd *cobra.Command, a *App, absDir string, o initFlags) (scaffold.Answers, []scaffold.Problem) {
	ans := scaffold.Defaults(filepath.Base(absDir))
	ans.Author, ans.Email = gitIdentity(cmd.Context(), a)
	set := func(flag string, dst *string, v string) {
		if cmd.Flags().Changed(flag) {
			*dst = strings.TrimSpace(v)
		}
	}
	set("name", &ans.Name, o.name)
	if cmd.Flags().Changed("name") && !cmd.Flags().Changed("description") {
		ans.Description = scaffold.DescriptionFor(ans.Name)
	}
	if cmd.Flags().Changed("name") && !cmd.Flags().Changed("package") {
		ans.Package = scaffold.PackageFrom(ans.Name)
	}
	set("package", &ans.Package, o.pkg)
	set("description", &ans.Description, o.description)
	set("author", &ans.Author, o.author)
	set("email", &ans.Email, o.email)
	set("env-manager", &ans.EnvManager, o.envManager)
	set("python", &ans.Python, o.python)
	var probs []scaffold.Problem
	switch {
	case o.examples && o.noExamples:
		probs = append(probs, scaffold.Problem{Field: "examples", Err: fmt.Errorf("--examples and --no-examples contradict each other: give one")})
	case o.noExamples:
		ans.Examples = false
	}
	for _, p := range ans.Validate() {
		switch {
		case p.Field == "name" && !cmd.Flags().Changed("name"):
			p.Err = fmt.Errorf("cannot make a project name from the folder name %q: pass --name", filepath.Base(absDir))
		case p.Field == "package" && !cmd.Flags().Changed("package"):
			p.Err = fmt.Errorf("the name %q gives no valid package name: pass --package", ans.Name)
		}
		probs = append(probs, p)
	}
	return ans, probs
}

func abs(a *App, dir string) string {
	if dir == "" {
		dir = "."
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(a.Cwd, dir)
	}
	return filepath.Clean(dir)
}

// runInit is the headless init: every problem at once, exit 2.
func runInit(a *App, cmd *cobra.Command, dir string, o initFlags) error {
	abs := abs(a, dir)
	ans, probs := answersFrom(cmd, a, abs, o)
	hint := "give the answers as flags (see `gaiaflow init --help`)"
	if err := scaffold.CheckTarget(abs, o.force); err != nil {
		if errs.KindOf(err) != errs.Usage {
			return err
		}
		probs = append(probs, scaffold.Problem{Field: "DIR", Err: err})
		hint = errs.HintOf(err) + "; " + hint
	}
	if len(probs) > 0 {
		return scaffold.ProblemsError(probs, hint)
	}
	return generate(a, abs, ans, o.force)
}

func generate(a *App, abs string, ans scaffold.Answers, force bool) error {
	res, err := scaffold.Generate(abs, ans, scaffold.Options{Force: force})
	if err != nil {
		return err
	}
	v := initView{Dir: res.Dir, Answers: ans, Created: res.Created, Kept: res.Kept}
	if v.Kept == nil {
		v.Kept = []string{}
	}
	return a.Emit(v, func(w io.Writer) { printCreated(w, a.Cwd, v) })
}

func printCreated(w io.Writer, cwd string, v initView) {
	rel := v.Dir
	if r, err := filepath.Rel(cwd, v.Dir); err == nil && !strings.HasPrefix(r, "..") {
		rel = r
	}
	examples := "with the example pipeline"
	if !v.Answers.Examples {
		examples = "without examples"
	}
	where := rel
	if rel == "." {
		where = "the current folder"
	}
	fmt.Fprintf(w, "Created %s: %d files, a %s project (Python %s, package %s), %s.\n",
		where, len(v.Created), v.Answers.EnvManager, v.Answers.Python, v.Answers.Package, examples)
	if len(v.Kept) > 0 {
		fmt.Fprintf(w, "Kept %d existing files as they were: %s\n", len(v.Kept), strings.Join(v.Kept, ", "))
	}
	setup := map[string]string{
		"uv":    "uv sync --extra dev",
		"conda": "conda env create -f environment.yml && conda activate " + v.Answers.Name,
		"pixi":  "pixi install",
	}[v.Answers.EnvManager]
	fmt.Fprintf(w, "\nNext:\n")
	if rel != "." {
		fmt.Fprintf(w, "  cd %s\n", rel)
	}
	fmt.Fprintf(w, "  %s\n  gaiaflow dev start\n\nREADME.md walks the rest of the way, from dev to prod.\n", setup)
}

// runInitWizard asks the answers in the terminal wizard, then generates.
func runInitWizard(ctx context.Context, a *App, dir string, o initFlags) error {
	cfg := initwizard.Config{
		CheckDir: func(d string) error { return scaffold.CheckTarget(abs(a, d), o.force) },
	}
	switch {
	case dir != "":
		cfg.Dir = dir
		cfg.Defaults = scaffold.Defaults(filepath.Base(abs(a, dir)))
	case scaffold.CheckTarget(a.Cwd, o.force) == nil:
		cfg.Dir = "."
		cfg.Defaults = scaffold.Defaults(filepath.Base(a.Cwd))
	default:
		cfg.Defaults = scaffold.Defaults("")
		cfg.DirFollowsName = true
	}
	cfg.Defaults.Author, cfg.Defaults.Email = gitIdentity(ctx, a)
	res, err := initwizard.Run(ctxOf(ctx), a.In, a.Out, cfg)
	if err != nil {
		return err
	}
	if !res.Confirmed {
		return errs.Failf("", "init cancelled: nothing was written")
	}
	return generate(a, abs(a, res.Dir), res.Answers, o.force)
}

// adoptView is what init --adopt reports with -o json.
type adoptView struct {
	Dir     string            `json:"dir"`
	Name    string            `json:"name"`
	Package string            `json:"package"`
	EnvMgr  string            `json:"env_manager"`
	Python  string            `json:"python"`
	Sources map[string]string `json:"sources"`
	Notes   []string          `json:"notes"`
}

func runAdopt(a *App, cmd *cobra.Command, dir string, o initFlags) error {
	var wrong []string
	for _, f := range []string{"description", "author", "email", "examples", "no-examples", "force"} {
		if cmd.Flags().Changed(f) {
			wrong = append(wrong, "--"+f)
		}
	}
	if len(wrong) > 0 {
		return errs.Usagef("--adopt takes only --name, --package, --env-manager and --python",
			"--adopt writes only gaiaflow.toml; %s does not apply", strings.Join(wrong, ", "))
	}
	abs := abs(a, dir)
	cfg, d, err := scaffold.Adopt(abs, scaffold.Answers{Name: o.name, Package: o.pkg, EnvManager: o.envManager, Python: o.python})
	if err != nil {
		return err
	}
	v := adoptView{Dir: abs, Name: cfg.Name, Package: cfg.Package, EnvMgr: cfg.EnvManager, Python: cfg.Python,
		Sources: d.Sources, Notes: d.Notes}
	if v.Notes == nil {
		v.Notes = []string{}
	}
	return a.Emit(v, func(w io.Writer) {
		fmt.Fprintf(w, "Wrote %s in %s; nothing else was changed.\n", project.FileName, abs)
		for _, row := range [][2]string{{"name", cfg.Name}, {"package", cfg.Package}, {"env-manager", cfg.EnvManager}, {"python", cfg.Python}} {
			fmt.Fprintf(w, "  %-12s %-20s from %s\n", row[0], row[1], d.Sources[row[0]])
		}
		for _, n := range d.Notes {
			fmt.Fprintf(w, "note: %s\n", n)
		}
	})
}

// gitIdentity returns git's user.name and user.email, or empty strings. An
// email that would not pass validation is left out rather than refused.
func gitIdentity(ctx context.Context, a *App) (name, email string) {
	get := func(key string) string {
		ctx, cancel := context.WithTimeout(ctxOf(ctx), 2*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "git", "config", "--get", key)
		cmd.Dir = a.Cwd
		// git finds the user's settings through these; the App's view of
		// the environment wins (tests give it a home of its own).
		cmd.Env = append(os.Environ(), "HOME="+a.Getenv("HOME"), "XDG_CONFIG_HOME="+a.Getenv("XDG_CONFIG_HOME"))
		out, err := cmd.Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	name, email = get("user.name"), get("user.email")
	if scaffold.ValidateOneLine(name) != nil {
		name = ""
	}
	if scaffold.ValidateEmail(email) != nil {
		email = ""
	}
	return name, email
}
