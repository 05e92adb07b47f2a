package cli

import (
	"time"

	"github.com/spf13/cobra"
)

func newDags(a *App) *cobra.Command {
	listCmd := &cobra.Command{
		Use:   "list",
		Short: "List the DAGs: paused, schedule, next run, import errors",
		Args:  exactArgs(0, "no arguments"),
		RunE:  notYet("DAG status"),
	}
	var limit int
	runsCmd := &cobra.Command{
		Use:   "runs DAG",
		Short: "List a DAG's runs, newest first",
		Args:  exactArgs(1, "one DAG id"),
		RunE:  notYet("DAG status"),
	}
	runsCmd.Flags().IntVar(&limit, "limit", 20, "how many runs to show")
	var conf string
	var unpause, wait bool
	var timeout time.Duration
	triggerCmd := &cobra.Command{
		Use:   "trigger DAG",
		Short: "Trigger a DAG run; with --wait, follow it and exit 1 if it fails",
		Args:  exactArgs(1, "one DAG id"),
		RunE:  notYet("DAG status"),
	}
	tf := triggerCmd.Flags()
	tf.StringVar(&conf, "conf", "", "run configuration as a JSON object")
	tf.BoolVar(&unpause, "unpause", false, "unpause the DAG first (new DAGs start paused)")
	tf.BoolVar(&wait, "wait", false, "follow the run until it ends")
	tf.DurationVar(&timeout, "timeout", time.Hour, "with --wait, give up after this long")
	pauseCmd := &cobra.Command{
		Use:   "pause DAG",
		Short: "Pause a DAG",
		Args:  exactArgs(1, "one DAG id"),
		RunE:  notYet("DAG status"),
	}
	unpauseCmd := &cobra.Command{
		Use:   "unpause DAG",
		Short: "Unpause a DAG",
		Args:  exactArgs(1, "one DAG id"),
		RunE:  notYet("DAG status"),
	}
	errorsCmd := &cobra.Command{
		Use:   "errors",
		Short: "List DAG files that fail to import, with their errors",
		Args:  exactArgs(0, "no arguments"),
		RunE:  notYet("DAG status"),
	}
	return group("dags", "List, trigger, pause and inspect the project's DAGs through Airflow's API",
		"Read and act on the DAGs of the running Airflow.",
		listCmd, runsCmd, triggerCmd, pauseCmd, unpauseCmd, errorsCmd)
}
