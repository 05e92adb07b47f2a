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
	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
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
	t, err := a.Core().Trigger(ctx, dagID, core.TriggerOptions{Conf: conf, Unpause: o.unpause, Wait: o.wait}, event.Discard)
	if err != nil {
		return err
	}
	if !o.wait {
		if t.Warning != "" {
			fmt.Fprintf(a.Err, "warning: %s\n", t.Warning)
		}
		return a.Emit(t.Run, func(w io.Writer) { fmt.Fprintln(w, t.Run.RunID) })
	}
	return followRun(ctx, a, t.Run, o.timeout)
}

// followRun prints the run's changes until it ends, and fails unless it
// succeeded. With -o json every line is one JSON object: an
// airflow.RunUpdate per change, then the airflow.FinalRun.
func followRun(ctx context.Context, a *App, run airflow.DAGRun, timeout time.Duration) error {
	enc := json.NewEncoder(a.Out)
	report := func(u airflow.RunUpdate) {
		fmt.Fprintln(a.Out, updateLine(u))
		// A try that failed with tries left: say why now, not after the
		// retries (minutes later, or never within --timeout).
		if t := u.Task; t != nil && t.State == airflow.TaskUpForRetry && t.MapIndex < 0 && t.TryNumber >= 1 {
			printTryLog(ctx, a, u.DAGID, u.RunID, *t)
		}
	}
	if a.JSON() {
		report = func(u airflow.RunUpdate) { _ = enc.Encode(u) }
	} else {
		a.Printf("triggered %s run %s\n", run.DAGID, run.RunID)
	}
	final, err := a.Core().FollowRun(ctx, run, timeout, report)
	var failed *core.RunFailedError
	if err != nil && !errors.As(err, &failed) {
		return err
	}
	switch took := runDuration(final.Run, time.Now()); {
	case a.JSON():
		_ = enc.Encode(final)
	case final.Succeeded():
		a.Printf("%s run %s succeeded in %s\n", run.DAGID, run.RunID, took)
	default:
		a.Printf("%s run %s %s after %s\n", run.DAGID, run.RunID, final.Run.State, took)
		printFailedLogs(ctx, a, final)
	}
	return err
}

// printFailedLogs prints the end of the log of each failed task, so that a
// CI log shows why without a visit to Airflow. It is a courtesy: a log that
// cannot be read is mentioned and skipped.
func printFailedLogs(ctx context.Context, a *App, final airflow.FinalRun) {
	ctx, cancel := context.WithTimeout(ctx, failedLogsTimeout)
	defer cancel()
	shown := 0
	for _, t := range final.Tasks {
		// A mapped task instance is left to the UI.
		if t.State != airflow.TaskFailed || t.MapIndex >= 0 || t.TryNumber < 1 {
			continue
		}
		if shown == failedLogsMax {
			break
		}
		shown++
		printTryLog(ctx, a, final.Run.DAGID, final.Run.RunID, t)
	}
}

// printTryLog prints the last lines of the log of task t's try
// t.TryNumber; a log that cannot be read is mentioned and skipped.
func printTryLog(ctx context.Context, a *App, dagID, runID string, t airflow.TaskInstance) {
	ctx, cancel := context.WithTimeout(ctx, failedLogsTimeout)
	defer cancel()
	log, _, err := a.Core().TaskLog(ctx, dagID, runID, t.TaskID, t.TryNumber)
	if err != nil {
		a.Printf("(cannot read the log of %s: %s)\n", t.TaskID, lastPart(err.Error()))
		return
	}
	a.Printf("--- %s, try %d: last lines of its log ---\n%s\n", t.TaskID, t.TryNumber, lastLines(log, failedLogLines))
}

// lastLines returns the last n lines of text, without a trailing newline.
func lastLines(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// lastPart is the innermost reason of a chain of "context: cause" messages.
func lastPart(msg string) string {
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}
