package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/mlflow"
)

// `gaiaflow mlflow ...`: the MLflow panel's reads, headless.

func newMLflow(a *App) *cobra.Command {
	expCmd := &cobra.Command{
		Use:   "experiments",
		Short: "List MLflow's experiments, most recently changed first",
		Args:  exactArgs(0, "no arguments"),
		RunE:  func(cmd *cobra.Command, _ []string) error { return mlflowExperiments(cmd.Context(), a) },
	}
	var q core.MLflowRunsQuery
	runsCmd := &cobra.Command{
		Use:   "runs [EXPERIMENT]",
		Short: "List MLflow runs, newest first: an experiment's, every experiment's, or a DAG run's",
		Long: `List MLflow runs, newest first, with their status, start, duration and
metrics: those of EXPERIMENT (a name or an id), of every experiment when it
is left out, or, with --dag and --run, those a DAG run logged (and with
--task, one of its tasks). A DAG run's runs are found by the airflow.* tags
its tasks set on them (the README says how); when the task logged none, its
DAG run's are listed and the output says so.`,
		Args: maxArgs(1, "at most one experiment (`gaiaflow mlflow experiments` lists them)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if strings.TrimSpace(args[0]) == "" {
					// An empty variable, most likely: not "every experiment".
					return errs.Usagef("leave EXPERIMENT out to list every experiment's runs; `gaiaflow mlflow experiments` lists them",
						"an experiment name cannot be empty")
				}
				q.Experiment = args[0]
			}
			return mlflowRuns(cmd.Context(), a, q)
		},
	}
	f := runsCmd.Flags()
	f.StringVar(&q.DAGID, "dag", "", "the DAG of the DAG run whose MLflow runs to list")
	f.StringVar(&q.RunID, "run", "", "the DAG run (gaiaflow dags runs DAG lists them)")
	f.StringVar(&q.TaskID, "task", "", "only the runs this task of the DAG run logged")
	f.IntVar(&q.Limit, "limit", core.DefaultMLflowRuns, "how many runs to read")
	return group("mlflow", "List the project's MLflow experiments and runs",
		"Read the project's MLflow: experiments, and runs with their metrics.", expCmd, runsCmd)
}

// experimentsView is the JSON of `mlflow experiments`.
type experimentsView struct {
	Experiments []mlflow.Experiment `json:"experiments"`
	Total       int                 `json:"total"`
}

func mlflowExperiments(ctx context.Context, a *App) error {
	exps, err := a.Core().Experiments(ctx)
	if err != nil {
		return err
	}
	return a.Emit(experimentsView{Experiments: exps, Total: len(exps)}, func(w io.Writer) {
		writeExperiments(w, exps, time.Local)
	})
}

// mlflowRunsView is the JSON of `mlflow runs`: each run with its page.
type mlflowRunsView struct {
	Runs    []mlflowRunView `json:"runs"`
	Total   int             `json:"total"`
	Widened bool            `json:"widened,omitempty"`
}

type mlflowRunView struct {
	mlflow.Run
	Experiment string `json:"experiment"`
	URL        string `json:"url"`
}

func mlflowRuns(ctx context.Context, a *App, q core.MLflowRunsQuery) error {
	res, err := a.Core().MLflowRuns(ctx, q)
	if err != nil {
		return err
	}
	v := mlflowRunsView{Total: len(res.Runs), Widened: res.Widened, Runs: make([]mlflowRunView, 0, len(res.Runs))}
	for _, r := range res.Runs {
		v.Runs = append(v.Runs, mlflowRunView{Run: r, Experiment: res.Experiments[r.ExperimentID].Name, URL: res.RunURL(r)})
	}
	return a.Emit(v, func(w io.Writer) {
		if res.Widened {
			fmt.Fprintf(w, "%s logged no MLflow run of its own; the runs of its DAG run:\n", q.TaskID)
		}
		writeMLflowRuns(w, v.Runs, res.MetricKeys, q, time.Now(), time.Local)
	})
}

func writeExperiments(w io.Writer, exps []mlflow.Experiment, loc *time.Location) {
	if len(exps) == 0 {
		fmt.Fprintln(w, "no experiments yet (a run logged with mlflow.set_experiment creates one)")
		return
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "ID\tEXPERIMENT\tCHANGED")
	for _, e := range exps {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.ID, e.Name, formatTime(timeRef(e.LastUpdate), minuteLayout, loc))
	}
	_ = tw.Flush()
}

// maxMetricColumns bounds the metrics shown as columns in text; -o json
// has them all.
const maxMetricColumns = 6

func writeMLflowRuns(w io.Writer, runs []mlflowRunView, keys []string, q core.MLflowRunsQuery, now time.Time, loc *time.Location) {
	if len(runs) == 0 {
		switch {
		case q.DAGID != "":
			fmt.Fprintf(w, "no MLflow run is tagged with DAG run %s of %s (the README's \"MLflow runs of a DAG run\" says how to tag them)\n", q.RunID, q.DAGID)
		default:
			fmt.Fprintln(w, "no MLflow runs yet")
		}
		return
	}
	if len(keys) > maxMetricColumns {
		keys = keys[:maxMetricColumns]
	}
	tw := newTable(w)
	head := []string{"RUN ID", "NAME", "EXPERIMENT", "STATUS", "STARTED", "DURATION"}
	for _, k := range keys {
		head = append(head, strings.ToUpper(k))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range runs {
		row := []string{r.ID, orDash(r.Name), r.Experiment, r.Status, formatTime(timeRef(r.Start), secondLayout, loc), mlflowDuration(r.Run, now)}
		for _, k := range keys {
			if v, ok := r.Metrics[k]; ok {
				row = append(row, fmt.Sprintf("%.4g", v))
			} else {
				row = append(row, "-")
			}
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	_ = tw.Flush()
}

func mlflowDuration(r mlflow.Run, now time.Time) string {
	if r.Start.IsZero() {
		return "-"
	}
	end := r.End
	if end.IsZero() {
		end = now
	}
	return end.Sub(r.Start).Round(time.Second).String()
}

func timeRef(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
