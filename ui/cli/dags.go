package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

func newDags(a *App) *cobra.Command {
	listCmd := &cobra.Command{
		Use:   "list",
		Short: "List the DAGs: paused, schedule, next run, import errors",
		Args:  exactArgs(0, "no arguments"),
		RunE:  func(cmd *cobra.Command, _ []string) error { return dagsList(cmd.Context(), a) },
	}
	var limit int
	runsCmd := &cobra.Command{
		Use:   "runs DAG",
		Short: "List a DAG's runs, newest first",
		Args:  exactArgs(1, "one DAG id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return errs.Usagef("use --limit 0 for all runs", "--limit %d: want 0 or more", limit)
			}
			return dagsRuns(cmd.Context(), a, args[0], limit)
		},
	}
	runsCmd.Flags().IntVar(&limit, "limit", 20, "how many runs to show (0: all)")
	var t triggerOptions
	triggerCmd := &cobra.Command{
		Use:   "trigger DAG",
		Short: "Trigger a DAG run; with --wait, follow it and exit 1 if it fails",
		Long: `Trigger a run of a DAG and print its run id.

With --wait, follow the run until it ends, printing each task state as it
changes (with -o json: one JSON object per change, then the final run), and
exit 0 when the run succeeds or 1 when it fails, naming the failed tasks and
showing the end of their logs. CI scripts can rely on these exit codes.
A paused DAG does not start runs: add --unpause, or --wait fails at once.`,
		Args: exactArgs(1, "one DAG id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			t.timeoutSet = cmd.Flags().Changed("timeout")
			return dagsTrigger(cmd.Context(), a, args[0], t)
		},
	}
	tf := triggerCmd.Flags()
	tf.StringVar(&t.conf, "conf", "", "run configuration as a JSON object")
	tf.BoolVar(&t.unpause, "unpause", false, "unpause the DAG first (new DAGs start paused)")
	tf.BoolVar(&t.wait, "wait", false, "follow the run until it ends")
	tf.DurationVar(&t.timeout, "timeout", time.Hour, "with --wait, give up after this long")
	pauseCmd := &cobra.Command{
		Use:   "pause DAG",
		Short: "Pause a DAG",
		Args:  exactArgs(1, "one DAG id"),
		RunE:  func(cmd *cobra.Command, args []string) error { return dagsSetPaused(cmd.Context(), a, args[0], true) },
	}
	unpauseCmd := &cobra.Command{
		Use:   "unpause DAG",
		Short: "Unpause a DAG",
		Args:  exactArgs(1, "one DAG id"),
		RunE:  func(cmd *cobra.Command, args []string) error { return dagsSetPaused(cmd.Context(), a, args[0], false) },
	}
	errorsCmd := &cobra.Command{
		Use:   "errors",
		Short: "List DAG files that fail to import, with their errors",
		Args:  exactArgs(0, "no arguments"),
		RunE:  func(cmd *cobra.Command, _ []string) error { return dagsErrors(cmd.Context(), a) },
	}
	return group("dags", "List, trigger, pause and inspect the project's DAGs through Airflow's API",
		"Read and act on the DAGs of the running Airflow.",
		listCmd, runsCmd, triggerCmd, pauseCmd, unpauseCmd, errorsCmd)
}

func dagsList(ctx context.Context, a *App) error {
	c, err := a.Airflow(ctx)
	if err != nil {
		return err
	}
	dags, err := c.ListDAGs(ctx)
	if err != nil {
		return airflowError(err, c, "list the DAGs", "")
	}
	return a.Emit(dagsView{DAGs: dags, Total: len(dags)}, func(w io.Writer) {
		writeDAGs(w, dags, time.Local)
	})
}

func dagsRuns(ctx context.Context, a *App, dagID string, limit int) error {
	c, err := a.Airflow(ctx)
	if err != nil {
		return err
	}
	runs, err := c.ListRuns(ctx, dagID, limit)
	if err != nil {
		return airflowError(err, c, "list the runs of "+dagID, dagID)
	}
	return a.Emit(runsView{DAGID: dagID, Limit: limit, Runs: runs}, func(w io.Writer) {
		writeRuns(w, dagID, runs, time.Now(), time.Local)
	})
}

func dagsErrors(ctx context.Context, a *App) error {
	c, err := a.Airflow(ctx)
	if err != nil {
		return err
	}
	importErrors, err := c.ListImportErrors(ctx)
	if err != nil {
		return airflowError(err, c, "list the import errors", "")
	}
	return a.Emit(importErrorsView{ImportErrors: importErrors, Total: len(importErrors)}, func(w io.Writer) {
		writeImportErrors(w, importErrors, time.Local)
	})
}

func dagsSetPaused(ctx context.Context, a *App, dagID string, paused bool) error {
	c, err := a.Airflow(ctx)
	if err != nil {
		return err
	}
	verb := "unpause"
	if paused {
		verb = "pause"
	}
	dag, err := c.SetPaused(ctx, dagID, paused)
	if err != nil {
		return airflowError(err, c, verb+" "+dagID, dagID)
	}
	return a.Emit(dag, func(w io.Writer) { fmt.Fprintf(w, "%sd %s\n", verb, dagID) })
}
