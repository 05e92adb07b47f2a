package adapter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// client returns the client of the current project's Airflow, built once
// per project and port so that its token is reused.
func (b *Backend) client(ctx context.Context) (Airflow, error) {
	if b.Airflow == nil {
		return nil, unavailable("Airflow", errNoAirflow)
	}
	p, err := b.open()
	if err != nil {
		return nil, unavailable("Airflow", err)
	}
	return b.airflowOf(ctx, p)
}

func (b *Backend) airflowOf(ctx context.Context, p *project.Project) (Airflow, error) {
	key := fmt.Sprintf("%s:%d", p.ID(), p.Config.Services.Airflow.Port)
	b.mu.Lock()
	if b.af != nil && b.afOf == key {
		c := b.af
		b.mu.Unlock()
		return c, nil
	}
	b.mu.Unlock()
	c, err := b.Airflow(ctx, p)
	if err != nil {
		return nil, unavailable("Airflow", err)
	}
	b.mu.Lock()
	b.af, b.afOf = c, key
	b.mu.Unlock()
	return c, nil
}

// airflowConn is Airflow's health as the header shows it.
func (b *Backend) airflowConn(ctx context.Context, p *project.Project) tui.Conn {
	c, err := b.airflowOf(ctx, p)
	if err != nil {
		return tui.Conn{Detail: oneLine(err)}
	}
	h, err := c.Health(ctx)
	if err != nil {
		return tui.Conn{Detail: oneLine(airflowErr("Airflow", c, err))}
	}
	var parts []string
	for _, comp := range h.Components {
		if comp.Status != airflow.StatusHealthy {
			parts = append(parts, strings.ReplaceAll(comp.Name, "_", "-")+" "+strings.ReplaceAll(string(comp.Status), "_", " "))
		}
	}
	detail := c.BaseURL()
	if len(parts) > 0 {
		detail += " (" + strings.Join(parts, ", ") + ")"
	}
	return tui.Conn{OK: h.Healthy, Detail: detail}
}

// airflowErr wraps a failed Airflow call: unreachable is unavailable (the
// dashboard shows it and goes on); anything else keeps its cause.
func airflowErr(what string, c Airflow, err error) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, airflow.ErrUnreachable):
		return fmt.Errorf("%s: Airflow is not reachable at %s; start it with `gaiaflow dev start`: %w", what, c.BaseURL(), tui.ErrUnavailable)
	case errors.Is(err, airflow.ErrUnauthorized):
		return fmt.Errorf("%s: Airflow at %s rejected this project's credentials; `gaiaflow dev start -f` recreates it with them: %w", what, c.BaseURL(), tui.ErrUnavailable)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// lastRuns is how many of the newest runs, of every DAG, DAGs reads to find
// each DAG's latest run.
const lastRuns = 200

// DAGs implements tui.Backend: the DAGs, the import errors, and each DAG's
// latest run among the newest lastRuns runs.
func (b *Backend) DAGs(ctx context.Context) (tui.DAGList, error) {
	c, err := b.client(ctx)
	if err != nil {
		return tui.DAGList{}, err
	}
	dags, err := c.ListDAGs(ctx)
	if err != nil {
		return tui.DAGList{}, airflowErr("DAGs", c, err)
	}
	importErrors, err := c.ListImportErrors(ctx)
	if err != nil {
		return tui.DAGList{}, airflowErr("import errors", c, err)
	}
	runs, err := c.ListRuns(ctx, airflow.AllDAGs, lastRuns)
	if err != nil {
		return tui.DAGList{}, airflowErr("DAG runs", c, err)
	}
	latest := map[string]airflow.DAGRun{}
	for _, r := range runs {
		if _, ok := latest[r.DAGID]; !ok {
			latest[r.DAGID] = r
		}
	}
	byFile := map[string]string{}
	var out tui.DAGList
	for _, ie := range importErrors {
		byFile[ie.Filename] = exceptionLine(ie.StackTrace)
		out.ImportErrors = append(out.ImportErrors, tui.ImportError{File: ie.Filename, Message: ie.StackTrace, Time: ie.Timestamp})
	}
	for _, d := range dags {
		td := tui.DAG{ID: d.ID, Paused: d.Paused, Schedule: d.Schedule, File: d.File, NextRun: deref(d.NextRun)}
		if r, ok := latest[d.ID]; ok {
			td.LastRunState, td.LastRunStart = string(r.State), deref(r.StartDate)
		}
		if d.HasImportErrors {
			td.ImportError = byFile[d.File]
			if td.ImportError == "" {
				td.ImportError = "its file failed to import"
			}
		}
		out.DAGs = append(out.DAGs, td)
	}
	return out, nil
}

// Runs implements tui.Backend.
func (b *Backend) Runs(ctx context.Context, dagID string, limit int) ([]tui.Run, error) {
	c, err := b.client(ctx)
	if err != nil {
		return nil, err
	}
	runs, err := c.ListRuns(ctx, dagID, limit)
	if err != nil {
		return nil, airflowErr("runs of "+dagID, c, err)
	}
	out := make([]tui.Run, 0, len(runs))
	for _, r := range runs {
		logical := r.RunAfter
		if r.LogicalDate != nil {
			logical = *r.LogicalDate
		}
		out = append(out, tui.Run{DAGID: r.DAGID, RunID: r.RunID, State: string(r.State), Type: r.RunType,
			LogicalDate: logical, Start: deref(r.StartDate), End: deref(r.EndDate)})
	}
	return out, nil
}

// TaskInstances implements tui.Backend.
func (b *Backend) TaskInstances(ctx context.Context, dagID, runID string) ([]tui.TaskInstance, error) {
	c, err := b.client(ctx)
	if err != nil {
		return nil, err
	}
	tis, err := c.ListTaskInstances(ctx, dagID, runID)
	if err != nil {
		return nil, airflowErr("tasks of "+runID, c, err)
	}
	out := make([]tui.TaskInstance, 0, len(tis))
	for _, t := range tis {
		out = append(out, tui.TaskInstance{DAGID: dagID, RunID: runID, TaskID: t.TaskID, MapIndex: t.MapIndex,
			State: string(t.State), Try: t.TryNumber, Start: deref(t.StartDate), End: deref(t.EndDate), Operator: t.Operator})
	}
	return out, nil
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// exceptionLine is the last non-empty line of a traceback: the exception.
func exceptionLine(trace string) string {
	lines := strings.Split(strings.TrimSpace(trace), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
