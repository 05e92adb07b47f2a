package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack"
)

type modeView struct {
	Project string      `json:"project"`
	Mode    string      `json:"mode"`
	Modes   []modeEntry `json:"modes"`
}

type modeEntry struct {
	Name        string `json:"name"`
	Current     bool   `json:"current"`
	Description string `json:"description"`
}

func newMode(a *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "mode",
		Short: "Show the project's execution mode; `mode set MODE` changes it",
		Long: `Show the execution mode that DAG tasks follow when they leave mode unset:
dev, dev_docker, prod_local or prod.`,
		Args: exactArgs(0, "no arguments (did you mean `gaiaflow mode set MODE`?)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := a.Core().Project()
			if err != nil {
				return err
			}
			v := modeView{Project: p.Config.Name, Mode: p.Config.Mode}
			for _, m := range modes.All() {
				v.Modes = append(v.Modes, modeEntry{Name: string(m), Current: string(m) == p.Config.Mode, Description: m.Describe()})
			}
			return a.Emit(v, func(w io.Writer) {
				fmt.Fprintf(w, "mode: %s\n", v.Mode)
				for _, m := range v.Modes {
					mark := " "
					if m.Current {
						mark = "*"
					}
					fmt.Fprintf(w, "  %s %-10s  %s\n", mark, m.Name, m.Description)
				}
			})
		},
	}
	var force bool
	set := &cobra.Command{
		Use:   "set MODE",
		Short: "Set the execution mode in gaiaflow.toml; a running Airflow is recreated with it",
		Long: `Set the execution mode in gaiaflow.toml, changing nothing else in the file.
What the mode needs is checked first (see 'gaiaflow mode check'; dev_docker
needs a task image built by ` + "`gaiaflow dev dockerize`" + `); the mode is set
only when everything is ready, or with --force. When the local stack's
Airflow runs, its containers are recreated so that tasks follow the new mode.`,
		Args:      exactArgs(1, "one mode (dev, dev_docker, prod_local or prod)"),
		ValidArgs: project.Modes,
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := modes.Parse(args[0])
			if err != nil {
				return err
			}
			res, err := a.Core().SetMode(cmd.Context(), m, core.SetModeOptions{Force: force}, stderrReporter(a))
			var nr *core.NotReadyError
			if errors.As(err, &nr) {
				printReadiness(a.Err, nr.Readiness)
				return errs.Wrap(errs.Failure, err, "fix the items above, or pass --force to set the mode anyway", "")
			}
			if res.Forced {
				printReadiness(a.Err, res.Readiness)
			}
			var se *stack.StartError
			if errors.As(err, &se) {
				a.Printf("mode set to %s, but Airflow did not come back with it:\n", m)
				return startFailed(a, err)
			}
			if err != nil {
				return err
			}
			a.Printf("mode set to %s: %s\n", m, m.Describe())
			for _, n := range modes.Notes(res.Readiness.Requirements) {
				fmt.Fprintf(a.Err, "note: %s\n", n)
			}
			if res.Recreated {
				a.Printf("Airflow was recreated with GAIAFLOW_MODE=%s\n", m)
			}
			return nil
		},
	}
	set.Flags().BoolVar(&force, "force", false, "set the mode even when what it needs is missing")
	check := &cobra.Command{
		Use:       "check [MODE]",
		Short:     "Check, item by item, what a mode needs (default: the project's mode)",
		Long:      "Check, item by item, what a mode needs on this machine, with what to do about\neach missing item. Exits 1 when something is missing.",
		Args:      maxArgs(1, "at most one mode"),
		ValidArgs: project.Modes,
		RunE: func(cmd *cobra.Command, args []string) error {
			var m modes.Mode
			if len(args) == 1 {
				var err error
				if m, err = modes.Parse(args[0]); err != nil {
					return err
				}
			}
			v, err := a.Core().CheckMode(cmd.Context(), m)
			if err != nil {
				return err
			}
			if err := a.Emit(v, func(w io.Writer) { printReadiness(w, v) }); err != nil {
				return err
			}
			if !v.Ready {
				return errs.Wrap(errs.Failure, &core.NotReadyError{Readiness: v}, "run the fix of each missing item", "")
			}
			return nil
		},
	}
	c.AddCommand(set, check)
	return c
}
