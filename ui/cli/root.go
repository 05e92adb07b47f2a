package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

func newRoot(a *App) *cobra.Command {
	root := &cobra.Command{
		Use:   "gaiaflow",
		Short: "Build, run and ship Airflow ML workflows from your laptop",
		Long: `gaiaflow runs a local MLOps stack (Airflow, MLflow, MinIO, JupyterLab) for one
project, lets you write each DAG once with create_task(...), and moves its
tasks from local Python (dev) to containers (dev_docker), to a Minikube
cluster (prod_local) and to a real cluster (prod).

Run without a command on a terminal to open the dashboard; with --no-tui, or
when stdout is not a terminal, it prints a status summary instead.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.NoArgs,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return checkOutput(cmd, a.Opts.Output)
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return runSummary(cmd.Context(), a) },
	}
	f := root.PersistentFlags()
	f.StringVarP(&a.Opts.Path, "path", "p", "", "project directory (default: the nearest directory upwards holding gaiaflow.toml)")
	f.BoolVar(&a.Opts.NoTUI, "no-tui", false, "never open the dashboard or wizards; print plain output (implied when stdout is not a terminal)")
	f.StringVarP(&a.Opts.Output, "output", "o", "text", "output format of commands that read state: text or json (yaml where a command says so)")
	f.BoolVar(&a.Opts.Debug, "debug", false, "print the whole error chain and internal details on failure")
	f.BoolVar(&a.Opts.NoColor, "no-color", false, "no colours (also when NO_COLOR is set)")
	f.BoolVar(&a.Opts.ReadOnly, "read-only", false, "dashboard: hide every action that changes anything (look, don't touch)")

	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return errs.Usagef("run '"+cmd.CommandPath()+" --help' for its flags", "%s", err)
	})
	root.AddGroup(
		&cobra.Group{ID: "project", Title: "Project:"},
		&cobra.Group{ID: "run", Title: "Run and ship:"},
		&cobra.Group{ID: "tool", Title: "The tool itself:"},
	)
	for _, c := range []*cobra.Command{newInit(a), newMode(a)} {
		c.GroupID = "project"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{newDev(a), newProdLocal(a), newProd(a), newDags(a), newMLflow(a)} {
		c.GroupID = "run"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{newDoctor(a), newVersion(a), newLibrary(a), newCompletion(a)} {
		c.GroupID = "tool"
		root.AddCommand(c)
	}
	root.SetHelpCommandGroupID("tool")
	return root
}

// group returns a command that only holds subcommands. An unknown
// subcommand is bad usage (exit 2), not a help page with exit 0.
func group(use, short, long string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return errs.Usagef("run '"+cmd.CommandPath()+" --help' to see its commands",
					"unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return cmd.Help()
		},
	}
	c.AddCommand(subs...)
	return c
}

// exactArgs is cobra.ExactArgs with a usage error that says what is expected.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return errs.Usagef("usage: "+cmd.UseLine(), "%s takes %s, got %d argument(s)", cmd.CommandPath(), what, len(args))
		}
		return nil
	}
}

// maxArgs is cobra.MaximumNArgs with a usage error.
func maxArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return errs.Usagef("usage: "+cmd.UseLine(), "%s takes %s, got %d arguments: %s", cmd.CommandPath(), what, len(args), strings.Join(args, " "))
		}
		return nil
	}
}
