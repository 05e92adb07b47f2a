package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// The DAGs' use cases: `gaiaflow dags ...` and the dashboard's DAG panel,
// through the project's Airflow REST API.

// Airflow returns the client of the project's Airflow, built once per
// project and port so that its token is reused. Building it reads (on a
// project's first use, generates) the credentials; it contacts nothing.
func (c *Core) Airflow(ctx context.Context) (*airflow.Client, error) {
	p, err := c.Project()
	if err != nil {
		return nil, err
	}
	return c.airflowOf(ctx, p)
}

func (c *Core) airflowOf(ctx context.Context, p *project.Project) (*airflow.Client, error) {
	key := fmt.Sprintf("%s:%d", p.ID(), p.Config.Services.Airflow.Port)
	c.mu.Lock()
	ac := c.airflow[key]
	c.mu.Unlock()
	if ac != nil {
		return ac, nil
	}
	st, err := stateOf(p)
	if err != nil {
		return nil, err
	}
	creds, err := st.Credentials(ctx)
	if err != nil {
		return nil, errs.Wrap(errs.Failure, err, "", "read the project's credentials")
	}
	ac, err = airflow.ForProject(p, creds)
	if err != nil {
		return nil, errs.Wrap(errs.Usage, err, "fix services.airflow.port in gaiaflow.toml", "")
	}
	c.mu.Lock()
	c.airflow[key] = ac
	c.mu.Unlock()
	return ac, nil
}

// AirflowError turns an error of the Airflow client into what a person
// reads, in either face: one line saying what failed, one hint saying what
// to do. action says what was being done ("list the DAGs"); dagID, when not
// empty, is the DAG whose absence a 404 means. The cause stays in the chain
// (errors.Is(err, airflow.ErrUnreachable) still holds).
func AirflowError(err error, base, action, dagID string) error {
	var known *errs.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &known), errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, airflow.ErrUnreachable):
		return explained(err, "start it with `gaiaflow dev start`",
			"Airflow is not reachable at %s (%s)", base, lastPart(err.Error()))
	case errors.Is(err, airflow.ErrUnauthorized):
		return explained(err, "`gaiaflow dev status` shows whether this project's Airflow is the one on that port; `gaiaflow dev start -f` recreates it with the project's credentials",
			"Airflow at %s rejected this project's credentials", base)
	case errors.Is(err, airflow.ErrNotFound) && dagID != "":
		return explained(err, "`gaiaflow dags list` shows the DAGs; `gaiaflow dags errors` shows the files that failed to import",
			"no DAG %q in Airflow", dagID)
	case errors.Is(err, airflow.ErrBadResponse):
		return explained(err, "check services.airflow.port in gaiaflow.toml: another program may be listening there",
			"%s: the server at %s does not answer like Airflow 3", action, base)
	}
	hint := ""
	var apiErr *airflow.APIError
	if errors.As(err, &apiErr) && apiErr.Status >= http.StatusInternalServerError {
		hint = "Airflow's logs may say why: `gaiaflow dev logs airflow`"
	}
	return errs.Wrap(errs.Failure, err, hint, "%s", action)
}

// explained is a failure that reads as its message alone: the cause stays
// in the chain for errors.Is and --debug, but not in the line people read.
func explained(cause error, hint, format string, args ...any) error {
	return &errs.Error{Kind: errs.Failure, Hint: hint, Err: &briefError{msg: fmt.Sprintf(format, args...), cause: cause}}
}

type briefError struct {
	msg   string
	cause error
}

func (e *briefError) Error() string { return e.msg }
func (e *briefError) Unwrap() error { return e.cause }

// lastPart is the innermost reason of a chain of "context: cause" messages:
// "connection refused", "no such host", "no answer within 30s".
func lastPart(msg string) string {
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

// checkDAGID refuses an empty DAG id before anything is asked.
func checkDAGID(dagID string) error {
	if strings.TrimSpace(dagID) == "" {
		return errs.Usagef("`gaiaflow dags list` shows the DAG ids", "a DAG id cannot be empty")
	}
	return nil
}

// client returns the Airflow client, failing with the face-neutral words.
func (c *Core) client(ctx context.Context) (*airflow.Client, error) {
	return c.Airflow(ctx)
}

// DAGs lists the DAGs Airflow knows.
func (c *Core) DAGs(ctx context.Context) ([]airflow.DAG, error) {
	ac, err := c.client(ctx)
	if err != nil {
		return nil, err
	}
	dags, err := ac.ListDAGs(ctx)
	return dags, AirflowError(err, ac.BaseURL(), "list the DAGs", "")
}

// ImportErrors lists the DAG files Airflow failed to import.
func (c *Core) ImportErrors(ctx context.Context) ([]airflow.ImportError, error) {
	ac, err := c.client(ctx)
	if err != nil {
		return nil, err
	}
	ies, err := ac.ListImportErrors(ctx)
	return ies, AirflowError(err, ac.BaseURL(), "list the import errors", "")
}

// Runs lists up to limit runs of a DAG (0: all), newest first; dagID
// airflow.AllDAGs lists every DAG's.
func (c *Core) Runs(ctx context.Context, dagID string, limit int) ([]airflow.DAGRun, error) {
	if err := checkDAGID(dagID); err != nil {
		return nil, err
	}
	if limit < 0 {
		return nil, errs.Usagef("use --limit 0 for all runs", "--limit %d: want 0 or more", limit)
	}
	ac, err := c.client(ctx)
	if err != nil {
		return nil, err
	}
	runs, err := ac.ListRuns(ctx, dagID, limit)
	what := dagID
	if dagID == airflow.AllDAGs {
		what = ""
	}
	return runs, AirflowError(err, ac.BaseURL(), "list the runs of "+dagID, what)
}

// TaskInstances lists the task instances of one run.
func (c *Core) TaskInstances(ctx context.Context, dagID, runID string) ([]airflow.TaskInstance, error) {
	if err := checkDAGID(dagID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(runID) == "" {
		return nil, errs.Usagef("`gaiaflow dags runs "+dagID+"` shows the run ids", "a run id cannot be empty")
	}
	ac, err := c.client(ctx)
	if err != nil {
		return nil, err
	}
	tis, err := ac.ListTaskInstances(ctx, dagID, runID)
	return tis, AirflowError(err, ac.BaseURL(), "list the tasks of run "+runID, dagID)
}

// SetPaused pauses or unpauses a DAG.
func (c *Core) SetPaused(ctx context.Context, dagID string, paused bool) (airflow.DAG, error) {
	if err := checkDAGID(dagID); err != nil {
		return airflow.DAG{}, err
	}
	ac, err := c.client(ctx)
	if err != nil {
		return airflow.DAG{}, err
	}
	verb := "unpause"
	if paused {
		verb = "pause"
	}
	dag, err := ac.SetPaused(ctx, dagID, paused)
	return dag, AirflowError(err, ac.BaseURL(), verb+" "+dagID, dagID)
}

// TriggerOptions are the settings of a trigger.
type TriggerOptions struct {
	Conf    map[string]any
	Unpause bool // unpause the DAG first (new DAGs start paused)
	// Wait says the caller will follow the run: a paused DAG is then an
	// error, since its run could never start.
	Wait bool
}

// Triggered is a run that was triggered, and what a person should know.
type Triggered struct {
	Run airflow.DAGRun `json:"run"`
	// Paused: the DAG is paused, so the run starts once it is unpaused.
	Paused  bool   `json:"paused"`
	Warning string `json:"warning,omitempty"`
}

// PausedError is a run that would never start: its DAG is paused.
func PausedError(dagID string, cause error) error {
	return errs.Wrap(errs.Failure, &briefError{msg: fmt.Sprintf("%s is paused: its run would never start", dagID), cause: cause},
		fmt.Sprintf("add --unpause, or run `gaiaflow dags unpause %s` first", dagID), "")
}

// Trigger starts a run of a DAG. A paused DAG is unpaused first with
// Unpause; otherwise its run is queued until someone unpauses it, which is
// an error with Wait and a warning (reported, and in the result) without.
// Both faces trigger through here.
func (c *Core) Trigger(ctx context.Context, dagID string, o TriggerOptions, r event.Reporter) (Triggered, error) {
	if err := checkDAGID(dagID); err != nil {
		return Triggered{}, err
	}
	ac, err := c.client(ctx)
	if err != nil {
		return Triggered{}, err
	}
	var dag airflow.DAG
	if o.Unpause {
		dag, err = ac.SetPaused(ctx, dagID, false)
		err = AirflowError(err, ac.BaseURL(), "unpause "+dagID, dagID)
	} else {
		dag, err = ac.GetDAG(ctx, dagID)
		err = AirflowError(err, ac.BaseURL(), "read "+dagID, dagID)
	}
	if err != nil {
		return Triggered{}, err
	}
	if dag.Paused && o.Wait {
		return Triggered{}, PausedError(dagID, fmt.Errorf("%s: %w", dagID, airflow.ErrDAGPaused))
	}
	run, err := ac.Trigger(ctx, dagID, o.Conf)
	if err != nil {
		return Triggered{}, AirflowError(err, ac.BaseURL(), "trigger "+dagID, dagID)
	}
	t := Triggered{Run: run, Paused: dag.Paused}
	if dag.Paused {
		t.Warning = fmt.Sprintf("%s is paused: the run starts when it is unpaused (`gaiaflow dags unpause %s`)", dagID, dagID)
		r.Report(event.Event{Kind: event.Warn, Scope: "dags", Message: t.Warning})
	}
	r.Report(event.Event{Kind: event.Done, Scope: "dags", Message: "triggered " + dagID + ": run " + run.RunID + " is " + string(run.State)})
	return t, nil
}

// FollowRun reports the run's changes until it ends, or timeout passes,
// and returns how it ended. A run that ends without success is an error
// naming the failed tasks; the final run is returned either way.
func (c *Core) FollowRun(ctx context.Context, run airflow.DAGRun, timeout time.Duration, report func(airflow.RunUpdate)) (airflow.FinalRun, error) {
	ac, err := c.client(ctx)
	if err != nil {
		return airflow.FinalRun{}, err
	}
	followCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	final, err := airflow.Follow(followCtx, ac, run.DAGID, run.RunID, 0, report)
	switch {
	case err == nil:
	case errors.Is(err, airflow.ErrDAGPaused):
		return final, PausedError(run.DAGID, err)
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		state := "not finished"
		if final.Run.State != "" {
			state = "still " + string(final.Run.State)
		}
		return final, explained(err,
			fmt.Sprintf("it goes on in Airflow: `gaiaflow dags runs %s` shows how it ends; --timeout waits longer", run.DAGID),
			"run %s of %s is %s after %s", run.RunID, run.DAGID, state, timeout)
	default:
		return final, AirflowError(err, ac.BaseURL(), fmt.Sprintf("follow run %s of %s", run.RunID, run.DAGID), "")
	}
	if final.Succeeded() {
		return final, nil
	}
	return final, runFailed(ac, final)
}

// runFailed is the error of a run that ended without success: which tasks
// failed, and where to read their logs.
func runFailed(ac *airflow.Client, final airflow.FinalRun) error {
	r := final.Run
	what := "no task failed (see the run in Airflow)"
	hint := "the run in Airflow's UI: " + ac.WebURL(r.DAGID, r.RunID, "")
	switch n := len(final.FailedTasks); {
	case n == 1:
		what = "task " + final.FailedTasks[0] + " failed"
		hint = "its log: `gaiaflow dags logs " + r.DAGID + " " + r.RunID + " " + final.FailedTasks[0] + "`, or " + ac.WebURL(r.DAGID, r.RunID, final.FailedTasks[0])
	case n > 1:
		what = "tasks " + strings.Join(final.FailedTasks, ", ") + " failed"
		hint = "their logs: `gaiaflow dags logs " + r.DAGID + " " + r.RunID + " TASK`, or " + ac.WebURL(r.DAGID, r.RunID, "")
	}
	return &RunFailedError{Final: final, err: errs.Failf(hint, "%s run %s %s: %s", r.DAGID, r.RunID, r.State, what)}
}

// RunFailedError is a run that ended without success.
type RunFailedError struct {
	Final airflow.FinalRun
	err   error
}

func (e *RunFailedError) Error() string { return e.err.Error() }
func (e *RunFailedError) Unwrap() error { return e.err }

// TaskLog is the log of one try of a task instance (try 0: the latest).
func (c *Core) TaskLog(ctx context.Context, dagID, runID, taskID string, try int) (string, int, error) {
	if err := checkDAGID(dagID); err != nil {
		return "", 0, err
	}
	if strings.TrimSpace(runID) == "" || strings.TrimSpace(taskID) == "" {
		return "", 0, errs.Usagef("`gaiaflow dags tasks "+dagID+" RUN` shows the run's tasks", "a run id and a task id are needed")
	}
	if try < 0 {
		return "", 0, errs.Usagef("tries count from 1; 0 is the latest", "--try %d: want 0 or more", try)
	}
	ac, err := c.client(ctx)
	if err != nil {
		return "", 0, err
	}
	if try == 0 {
		tis, err := ac.ListTaskInstances(ctx, dagID, runID)
		if err != nil {
			return "", 0, AirflowError(err, ac.BaseURL(), "list the tasks of run "+runID, dagID)
		}
		for _, t := range tis {
			if t.TaskID == taskID && t.MapIndex < 0 {
				try = max(t.TryNumber, 1)
			}
		}
		if try == 0 {
			return "", 0, errs.Usagef("`gaiaflow dags tasks "+dagID+" "+runID+"` lists its tasks", "run %s of %s has no task %q", runID, dagID, taskID)
		}
	}
	text, err := ac.TaskLog(ctx, dagID, runID, taskID, try)
	return text, try, AirflowError(err, ac.BaseURL(), "read the log of "+taskID, dagID)
}

// taskLogPoll is how often a followed task log is read again.
const taskLogPoll = 2 * time.Second

// TaskLogStream is one try's log as read when it was opened, and the way
// to follow it: Follow reads the log again every two seconds and sends the
// lines that are new, until the try ends (finished, up for retry or
// reschedule, or another try began) or ctx ends.
type TaskLogStream struct {
	Lines  []string
	Try    int
	Follow func(ctx context.Context, out func(line string)) error
}

// OpenTaskLog reads one try's log (ti.TryNumber; 0: the latest) as Airflow
// has it now.
func (c *Core) OpenTaskLog(ctx context.Context, dagID, runID string, ti airflow.TaskInstance) (*TaskLogStream, error) {
	text, try, err := c.TaskLog(ctx, dagID, runID, ti.TaskID, ti.TryNumber)
	if err != nil {
		return nil, err
	}
	s := &TaskLogStream{Try: try, Lines: splitLog(text)}
	s.Follow = func(ctx context.Context, out func(string)) error {
		return c.followTaskLog(ctx, dagID, runID, ti, try, len(s.Lines), out)
	}
	return s, nil
}

func splitLog(text string) []string {
	if text == "" {
		return nil
	}
	return strings.Split(strings.TrimRight(text, "\n"), "\n")
}

func (c *Core) followTaskLog(ctx context.Context, dagID, runID string, ti airflow.TaskInstance, try, sent int, out func(string)) error {
	ac, err := c.client(ctx)
	if err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(taskLogPoll):
		}
		over := tryOver(ctx, ac, dagID, runID, ti, try)
		text, _, err := c.TaskLog(ctx, dagID, runID, ti.TaskID, try)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		lines := splitLog(text)
		for ; sent < len(lines); sent++ {
			out(lines[sent])
		}
		if over {
			return nil
		}
	}
}

// tryOver reports whether a task instance's try has ended: the task
// finished, waits for a retry or a reschedule, or moved on to another try.
func tryOver(ctx context.Context, ac *airflow.Client, dagID, runID string, ti airflow.TaskInstance, try int) bool {
	tis, err := ac.ListTaskInstances(ctx, dagID, runID)
	if err != nil {
		return false
	}
	for _, t := range tis {
		if t.TaskID == ti.TaskID && t.MapIndex == ti.MapIndex {
			return t.State.Finished() || t.State == airflow.TaskUpForRetry ||
				t.State == airflow.TaskUpForReschedule || t.TryNumber != try
		}
	}
	return false
}

// lastRuns is how many of the newest runs, of every DAG, DAGOverview reads
// to find each DAG's latest run.
const lastRuns = 200

// DAGOverview is the DAGs with their latest run and import errors: what
// the dashboard's DAG panel shows.
type DAGOverview struct {
	DAGs         []airflow.DAG             `json:"dags"`
	ImportErrors []airflow.ImportError     `json:"import_errors"`
	LastRuns     map[string]airflow.DAGRun `json:"last_runs"` // by DAG id; absent when it never ran
}

// Overview reads the DAGs, the import errors and each DAG's latest run
// among the newest runs of all DAGs.
func (c *Core) Overview(ctx context.Context) (DAGOverview, error) {
	ac, err := c.client(ctx)
	if err != nil {
		return DAGOverview{}, err
	}
	var o DAGOverview
	if o.DAGs, err = ac.ListDAGs(ctx); err != nil {
		return o, AirflowError(err, ac.BaseURL(), "list the DAGs", "")
	}
	if o.ImportErrors, err = ac.ListImportErrors(ctx); err != nil {
		return o, AirflowError(err, ac.BaseURL(), "list the import errors", "")
	}
	runs, err := ac.ListRuns(ctx, airflow.AllDAGs, lastRuns)
	if err != nil {
		return o, AirflowError(err, ac.BaseURL(), "list the DAG runs", "")
	}
	o.LastRuns = map[string]airflow.DAGRun{}
	for _, r := range runs {
		if _, ok := o.LastRuns[r.DAGID]; !ok {
			o.LastRuns[r.DAGID] = r
		}
	}
	return o, nil
}

// AirflowHealth is the health of the project's Airflow, with a clear error
// when it cannot be read.
func (c *Core) AirflowHealth(ctx context.Context) (airflow.Health, string, error) {
	ac, err := c.client(ctx)
	if err != nil {
		return airflow.Health{}, "", err
	}
	h, err := ac.Health(ctx)
	return h, ac.BaseURL(), AirflowError(err, ac.BaseURL(), "read Airflow's health", "")
}
