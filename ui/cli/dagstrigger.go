package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/errs"
)

type triggerOptions struct {
	conf       string
	unpause    bool
	wait       bool
	timeout    time.Duration
	timeoutSet bool
}

// Showing the logs of a failed run: how many tasks, how many lines each,
// and how long reading them may take.
const (
	failedLogsMax     = 3
	failedLogLines    = 20
	failedLogsTimeout = 15 * time.Second
)

func dagsTrigger(ctx context.Context, a *App, dagID string, o triggerOptions) error {
	conf, err := airflow.ParseConf(o.conf)
	if err != nil {
		return errs.Wrap(errs.Usage, err, `--conf takes a JSON object, e.g. --conf '{"n": 3}'`, "--conf")
	}
	if o.timeoutSet && !o.wait {
		return errs.Usagef("add --wait, or drop --timeout", "--timeout only applies with --wait")
	}
	if o.timeout <= 0 {
		return errs.Usagef("e.g. --timeout 30m", "--timeout %s: want a positive duration", o.timeout)
	}
	c, err := a.Airflow(ctx)
	if err != nil {
		return err
	}
	var dag airflow.DAG
	if o.unpause {
		dag, err = c.SetPaused(ctx, dagID, false)
		err = airflowError(err, c, "unpause "+dagID, dagID)
	} else {
		dag, err = c.GetDAG(ctx, dagID)
		err = airflowError(err, c, "read "+dagID, dagID)
	}
	if err != nil {
		return err
	}
	// Airflow would accept the run and keep it queued until someone
	// unpauses the DAG: waiting for it could only time out.
	if dag.Paused && o.wait {
		return pausedError(dagID, fmt.Errorf("%s: %w", dagID, airflow.ErrDAGPaused))
	}
	run, err := c.Trigger(ctx, dagID, conf)
	if err != nil {
		return airflowError(err, c, "trigger "+dagID, dagID)
	}
	if !o.wait {
		if dag.Paused {
			fmt.Fprintf(a.Err, "warning: %s is paused: the run starts when it is unpaused (`gaiaflow dags unpause %s`)\n", dagID, dagID)
		}
		return a.Emit(run, func(w io.Writer) { fmt.Fprintln(w, run.RunID) })
	}
	return followRun(ctx, a, c, run, o.timeout)
}

// followRun prints the run's changes until it ends, and fails unless it
// succeeded. With -o json every line is one JSON object: an
// airflow.RunUpdate per change, then the airflow.FinalRun.
func followRun(ctx context.Context, a *App, c *airflow.Client, run airflow.DAGRun, timeout time.Duration) error {
	enc := json.NewEncoder(a.Out)
	report := func(u airflow.RunUpdate) { fmt.Fprintln(a.Out, updateLine(u)) }
	if a.JSON() {
		report = func(u airflow.RunUpdate) { _ = enc.Encode(u) }
	} else {
		a.Printf("triggered %s run %s\n", run.DAGID, run.RunID)
	}
	followCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	final, err := airflow.Follow(followCtx, c, run.DAGID, run.RunID, 0, report)
	switch {
	case err == nil:
	case errors.Is(err, airflow.ErrDAGPaused):
		return pausedError(run.DAGID, err)
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		state := "not finished"
		if final.Run.State != "" {
			state = "still " + string(final.Run.State)
		}
		return explained(err,
			fmt.Sprintf("it goes on in Airflow: `gaiaflow dags runs %s` shows how it ends; --timeout waits longer", run.DAGID),
			"run %s of %s is %s after %s", run.RunID, run.DAGID, state, timeout)
	default:
		return airflowError(err, c, fmt.Sprintf("follow run %s of %s", run.RunID, run.DAGID), "")
	}

	switch took := runDuration(final.Run, time.Now()); {
	case a.JSON():
		_ = enc.Encode(final)
	case final.Succeeded():
		a.Printf("%s run %s succeeded in %s\n", run.DAGID, run.RunID, took)
	default:
		a.Printf("%s run %s %s after %s\n", run.DAGID, run.RunID, final.Run.State, took)
		printFailedLogs(ctx, a, c, final)
	}
	if final.Succeeded() {
		return nil
	}
	return runFailed(c, final)
}

// runFailed is the error of a run that ended without success: which tasks
// failed, and where to read their logs.
func runFailed(c *airflow.Client, final airflow.FinalRun) error {
	r := final.Run
	what := "no task failed (see the run in Airflow)"
	hint := "the run in Airflow's UI: " + c.WebURL(r.DAGID, r.RunID, "")
	switch n := len(final.FailedTasks); {
	case n == 1:
		what = "task " + final.FailedTasks[0] + " failed"
		hint = "its log: " + c.WebURL(r.DAGID, r.RunID, final.FailedTasks[0])
	case n > 1:
		what = "tasks " + strings.Join(final.FailedTasks, ", ") + " failed"
		hint = "their logs: " + c.WebURL(r.DAGID, r.RunID, "")
	}
	return errs.Failf(hint, "%s run %s %s: %s", r.DAGID, r.RunID, r.State, what)
}

// pausedError is the error of waiting for a run that cannot start.
func pausedError(dagID string, cause error) error {
	return errs.Wrap(errs.Failure, &briefError{msg: fmt.Sprintf("%s is paused: its run would never start", dagID), cause: cause},
		fmt.Sprintf("add --unpause, or run `gaiaflow dags unpause %s` first", dagID), "")
}

// printFailedLogs prints the end of the log of each failed task, so that a
// CI log shows why without a visit to Airflow. It is a courtesy: a log that
// cannot be read is mentioned and skipped.
func printFailedLogs(ctx context.Context, a *App, c *airflow.Client, final airflow.FinalRun) {
	ctx, cancel := context.WithTimeout(ctx, failedLogsTimeout)
	defer cancel()
	shown := 0
	for _, t := range final.Tasks {
		// TaskLog reads unmapped task instances; a mapped one is
		// left to the UI.
		if t.State != airflow.TaskFailed || t.MapIndex >= 0 || t.TryNumber < 1 {
			continue
		}
		if shown == failedLogsMax {
			break
		}
		shown++
		log, err := c.TaskLog(ctx, final.Run.DAGID, final.Run.RunID, t.TaskID, t.TryNumber)
		if err != nil {
			a.Printf("(cannot read the log of %s: %s)\n", t.TaskID, lastPart(err.Error()))
			continue
		}
		a.Printf("--- %s, try %d: last lines of its log ---\n%s\n", t.TaskID, t.TryNumber, lastLines(log, failedLogLines))
	}
}

// lastLines returns the last n lines of text, without a trailing newline.
func lastLines(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
