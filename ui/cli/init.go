package cli

import (
	"github.com/spf13/cobra"
)

func newInit(a *App) *cobra.Command {
	var o struct {
		name, pkg, description, author, email, envManager, python string
		examples, noExamples, force, adopt                        bool
	}
	c := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create a new gaiaflow project (a wizard on a terminal), or adopt an existing one",
		Long: `Create a new project in DIR (default: the current directory). On a terminal a
wizard asks for each answer; with --no-tui the flags give them. Nothing is
ever overwritten: a non-empty DIR is refused unless --force, and even then no
existing file is replaced. --adopt writes only a gaiaflow.toml for a project
that already exists.`,
		Args: maxArgs(1, "at most one directory"),
		RunE: notYet("project scaffolding"),
	}
	f := c.Flags()
	f.StringVar(&o.name, "name", "", "project name")
	f.StringVar(&o.pkg, "package", "", "Python package name (a lower-case identifier)")
	f.StringVar(&o.description, "description", "", "one-line description")
	f.StringVar(&o.author, "author", "", "author name")
	f.StringVar(&o.email, "email", "", "author email")
	f.StringVar(&o.envManager, "env-manager", "", "environment manager: uv, conda or pixi")
	f.StringVar(&o.python, "python", "", "Python version: 3.10 to 3.13")
	f.BoolVar(&o.examples, "examples", false, "include the example ML pipeline")
	f.BoolVar(&o.noExamples, "no-examples", false, "leave the example pipeline out")
	f.BoolVar(&o.force, "force", false, "allow a non-empty directory (existing files are still never replaced)")
	f.BoolVar(&o.adopt, "adopt", false, "write only gaiaflow.toml for an existing project")
	return c
}
