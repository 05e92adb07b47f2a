package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/gaiaflow/gaiaflow/services/airflow"
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
	tasksCmd := &cobra.Command{
		Use:   "tasks DAG RUN",
		Short: "List the task instances of a run: state, try, start, duration, operator",
		Args:  exactArgs(2, "a DAG id and a run id (`gaiaflow dags runs DAG` lists them)"),
		RunE:  func(cmd *cobra.Command, args []string) error { return dagsTasks(cmd.Context(), a, args[0], args[1]) },
	}
	var try int
	var followLog bool
	logsCmd := &cobra.Command{
		Use:   "logs DAG RUN TASK",
		Short: "Print the log of a task's try (default: its latest); -f follows it until the try ends",
		Args:  exactArgs(3, "a DAG id, a run id and a task id (`gaiaflow dags tasks DAG RUN` lists them)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return dagsLogs(cmd.Context(), a, args[0], args[1], args[2], try, followLog)
		},
	}
	logsCmd.Flags().IntVar(&try, "try", 0, "which try (from 1; 0: the latest)")
	logsCmd.Flags().BoolVarP(&followLog, "follow", "f", false, "keep printing new lines until the try ends")
	errorsCmd := &cobra.Command{
		Use:   "errors",
		Short: "List DAG files that fail to import, with their errors",
		Args:  exactArgs(0, "no arguments"),
		RunE:  func(cmd *cobra.Command, _ []string) error { return dagsErrors(cmd.Context(), a) },
	}
	return group("dags", "List, trigger, pause and inspect the project's DAGs through Airflow's API",
		"Read and act on the DAGs of the running Airflow.",
		listCmd, runsCmd, tasksCmd, logsCmd, triggerCmd, pauseCmd, unpauseCmd, errorsCmd)
}

func dagsList(ctx context.Context, a *App) error {
	dags, err := a.Core().DAGs(ctx)
	if err != nil {
		return err
	}
	return a.Emit(dagsView{DAGs: dags, Total: len(dags)}, func(w io.Writer) {
		writeDAGs(w, dags, time.Local)
	})
}

func dagsRuns(ctx context.Context, a *App, dagID string, limit int) error {
	runs, err := a.Core().Runs(ctx, dagID, limit)
	if err != nil {
		return err
	}
	return a.Emit(runsView{DAGID: dagID, Limit: limit, Runs: runs}, func(w io.Writer) {
		writeRuns(w, dagID, runs, time.Now(), time.Local)
	})
}

func dagsErrors(ctx context.Context, a *App) error {
	importErrors, err := a.Core().ImportErrors(ctx)
	if err != nil {
		return err
	}
	return a.Emit(importErrorsView{ImportErrors: importErrors, Total: len(importErrors)}, func(w io.Writer) {
		writeImportErrors(w, importErrors, time.Local)
	})
}

func dagsSetPaused(ctx context.Context, a *App, dagID string, paused bool) error {
	dag, err := a.Core().SetPaused(ctx, dagID, paused)
	if err != nil {
		return err
	}
	verb := "unpause"
	if paused {
		verb = "pause"
	}
	return a.Emit(dag, func(w io.Writer) { fmt.Fprintf(w, "%sd %s\n", verb, dagID) })
}

func dagsTasks(ctx context.Context, a *App, dagID, runID string) error {
	tis, err := a.Core().TaskInstances(ctx, dagID, runID)
	if err != nil {
		return err
	}
	return a.Emit(tasksView{DAGID: dagID, RunID: runID, Tasks: tis}, func(w io.Writer) {
		writeTasks(w, tis, time.Now(), time.Local)
	})
}

// dagsLogs prints one try's log of a task; with -f it goes on printing new
// lines until the try ends. With -o json each line is {"line": ...}.
func dagsLogs(ctx context.Context, a *App, dagID, runID, taskID string, try int, follow bool) error {
	enc := json.NewEncoder(a.Out)
	out := func(line string) { fmt.Fprintln(a.Out, line) }
	if a.JSON() {
		out = func(line string) { _ = enc.Encode(map[string]string{"task_id": taskID, "line": line}) }
	}
	log, err := a.Core().OpenTaskLog(ctx, dagID, runID, airflow.TaskInstance{TaskID: taskID, MapIndex: -1, TryNumber: try})
	if err != nil {
		return err
	}
	for _, l := range log.Lines {
		out(l)
	}
	if !follow {
		return nil
	}
	return log.Follow(ctx, out)
}
