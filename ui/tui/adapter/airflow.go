package adapter

import (
	"context"
	"strings"
	"time"

	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// airflowConn is Airflow's health as the header shows it, reused while
// fresh.
func (b *Backend) airflowConn(ctx context.Context, p *project.Project) tui.Conn {
	b.cacheMu.Lock()
	if b.fresh(p, b.airflowAt, airflowTTL) {
		c := b.airflow
		b.cacheMu.Unlock()
		return c
	}
	b.cacheMu.Unlock()
	conn := b.readAirflowConn(ctx)
	b.cacheMu.Lock()
	if b.proj != p {
		b.proj, b.modesAt = p, time.Time{}
	}
	b.airflow, b.airflowAt = conn, time.Now()
	b.cacheMu.Unlock()
	return conn
}

func (b *Backend) readAirflowConn(ctx context.Context) tui.Conn {
	h, base, err := b.Core.AirflowHealth(ctx)
	if err != nil {
		return tui.Conn{Detail: shown(err)}
	}
	var parts []string
	for _, comp := range h.Components {
		if comp.Status != airflow.StatusHealthy {
			parts = append(parts, strings.ReplaceAll(comp.Name, "_", "-")+" "+strings.ReplaceAll(string(comp.Status), "_", " "))
		}
	}
	detail := base
	if len(parts) > 0 {
		detail += " (" + strings.Join(parts, ", ") + ")"
	}
	return tui.Conn{OK: h.Healthy, Detail: detail}
}

// DAGs implements tui.Backend: the DAGs, the import errors, and each DAG's
// latest run (core.Overview).
func (b *Backend) DAGs(ctx context.Context) (tui.DAGList, error) {
	o, err := b.Core.Overview(ctx)
	if err != nil {
		return tui.DAGList{}, faceErr("DAGs", err)
	}
	byFile := map[string]string{}
	var out tui.DAGList
	for _, ie := range o.ImportErrors {
		byFile[ie.Filename] = exceptionLine(ie.StackTrace)
		out.ImportErrors = append(out.ImportErrors, tui.ImportError{File: ie.Filename, Message: ie.StackTrace, Time: ie.Timestamp})
	}
	for _, d := range o.DAGs {
		td := tui.DAG{ID: d.ID, Paused: d.Paused, Schedule: d.Schedule, File: d.File, NextRun: deref(d.NextRun)}
		if r, ok := o.LastRuns[d.ID]; ok {
			td.LastRunState, td.LastRunStart, td.LastRunEnd, td.LastRunID = string(r.State), deref(r.StartDate), deref(r.EndDate), r.RunID
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
	runs, err := b.Core.Runs(ctx, dagID, limit)
	if err != nil {
		return nil, faceErr("runs of "+dagID, err)
	}
	out := make([]tui.Run, 0, len(runs))
	for _, r := range runs {
		out = append(out, runOf(r))
	}
	return out, nil
}

func runOf(r airflow.DAGRun) tui.Run {
	logical := r.RunAfter
	if r.LogicalDate != nil {
		logical = *r.LogicalDate
	}
	return tui.Run{DAGID: r.DAGID, RunID: r.RunID, State: string(r.State), Type: r.RunType,
		LogicalDate: logical, Start: deref(r.StartDate), End: deref(r.EndDate)}
}

// TaskInstances implements tui.Backend.
func (b *Backend) TaskInstances(ctx context.Context, dagID, runID string) ([]tui.TaskInstance, error) {
	tis, err := b.Core.TaskInstances(ctx, dagID, runID)
	if err != nil {
		return nil, faceErr("tasks of "+runID, err)
	}
	out := make([]tui.TaskInstance, 0, len(tis))
	for _, t := range tis {
		out = append(out, taskOf(dagID, runID, t))
	}
	return out, nil
}

func taskOf(dagID, runID string, t airflow.TaskInstance) tui.TaskInstance {
	return tui.TaskInstance{DAGID: dagID, RunID: runID, TaskID: t.TaskID, MapIndex: t.MapIndex,
		State: string(t.State), Try: t.TryNumber, Start: deref(t.StartDate), End: deref(t.EndDate), Operator: t.Operator}
}

// Grid implements tui.Backend (core.Grid).
func (b *Backend) Grid(ctx context.Context, dagID string, n int) (tui.Grid, error) {
	g, err := b.Core.Grid(ctx, dagID, n)
	if err != nil {
		return tui.Grid{}, faceErr("the grid of "+dagID, err)
	}
	out := tui.Grid{DAGID: g.DAGID, Tasks: g.Tasks, Cells: make([][]tui.TaskInstance, len(g.Tasks))}
	for _, r := range g.Runs {
		out.Runs = append(out.Runs, runOf(r))
	}
	for t, task := range g.Tasks {
		out.Cells[t] = make([]tui.TaskInstance, len(g.Runs))
		for r, run := range g.Runs {
			if ti, ok := g.Instances[run.RunID][task]; ok {
				out.Cells[t][r] = taskOf(dagID, run.RunID, ti)
			}
		}
	}
	return out, nil
}

// Failures implements tui.Backend (core.Failures).
func (b *Backend) Failures(ctx context.Context, limit int) ([]tui.Failure, error) {
	fs, err := b.Core.Failures(ctx, limit)
	if err != nil {
		return nil, faceErr("failed tasks", err)
	}
	out := make([]tui.Failure, 0, len(fs))
	for _, f := range fs {
		out = append(out, tui.Failure{DAGID: f.DAGID, RunID: f.RunID, TaskID: f.TaskID, MapIndex: f.MapIndex,
			Try: f.Try, End: f.End, Error: f.Error})
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
