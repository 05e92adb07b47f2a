package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gaiaflow/gaiaflow/services/airflow"
)

// The JSON of the dags commands that list things: the items under their
// own name, in an object, so that fields can be added later.
type dagsView struct {
	DAGs  []airflow.DAG `json:"dags"`
	Total int           `json:"total"`
}

type runsView struct {
	DAGID string           `json:"dag_id"`
	Limit int              `json:"limit"` // 0: all
	Runs  []airflow.DAGRun `json:"runs"`
}

type tasksView struct {
	DAGID string                 `json:"dag_id"`
	RunID string                 `json:"run_id"`
	Tasks []airflow.TaskInstance `json:"tasks"`
}

type importErrorsView struct {
	ImportErrors []airflow.ImportError `json:"import_errors"`
	Total        int                   `json:"total"`
}

// Times are shown to the minute or the second in the reader's zone.
const (
	minuteLayout = "2006-01-02 15:04"
	secondLayout = "2006-01-02 15:04:05"
)

func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}

// writeDAGs renders DAGs as aligned columns.
func writeDAGs(w io.Writer, dags []airflow.DAG, loc *time.Location) {
	if len(dags) == 0 {
		fmt.Fprintln(w, "no DAGs yet (`gaiaflow dags errors` lists the files that failed to import)")
		return
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "DAG\tPAUSED\tSCHEDULE\tNEXT RUN\tIMPORT ERRORS")
	for _, d := range dags {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, yesNo(d.Paused), orDash(d.Schedule),
			formatTime(d.NextRun, minuteLayout, loc), yesNo(d.HasImportErrors))
	}
	_ = tw.Flush()
}

// writeRuns renders runs as aligned columns; now dates the duration of
// runs still going.
func writeRuns(w io.Writer, dagID string, runs []airflow.DAGRun, now time.Time, loc *time.Location) {
	if len(runs) == 0 {
		fmt.Fprintf(w, "no runs of %s yet (`gaiaflow dags trigger %s` starts one)\n", dagID, dagID)
		return
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "RUN ID\tSTATE\tTYPE\tSTARTED\tDURATION")
	for _, r := range runs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.RunID, orDash(string(r.State)), r.RunType,
			formatTime(r.StartDate, secondLayout, loc), runDuration(r, now))
	}
	_ = tw.Flush()
}

// writeTasks renders a run's task instances as aligned columns.
func writeTasks(w io.Writer, tis []airflow.TaskInstance, now time.Time, loc *time.Location) {
	if len(tis) == 0 {
		fmt.Fprintln(w, "no task instances in this run yet")
		return
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "TASK\tSTATE\tTRY\tSTARTED\tDURATION\tOPERATOR")
	for _, t := range tis {
		id := t.TaskID
		if t.MapIndex >= 0 {
			id += fmt.Sprintf("[%d]", t.MapIndex)
		}
		dur := "-"
		if t.StartDate != nil {
			end := now
			if t.EndDate != nil {
				end = *t.EndDate
			}
			dur = end.Sub(*t.StartDate).Round(time.Second).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", id, orDash(string(t.State)), t.TryNumber,
			formatTime(t.StartDate, secondLayout, loc), dur, orDash(t.Operator))
	}
	_ = tw.Flush()
}

// writeImportErrors renders each failing file with its trace, indented.
func writeImportErrors(w io.Writer, importErrors []airflow.ImportError, loc *time.Location) {
	if len(importErrors) == 0 {
		fmt.Fprintln(w, "no import errors")
		return
	}
	for i, e := range importErrors {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s  (%s)\n", e.Filename, e.Timestamp.In(loc).Format(secondLayout))
		for line := range strings.SplitSeq(strings.TrimRight(e.StackTrace, "\n"), "\n") {
			fmt.Fprintf(w, "    %s\n", line)
		}
	}
}

// updateLine renders one change seen while following a run.
func updateLine(u airflow.RunUpdate) string {
	if u.Task == nil {
		return "run: " + string(u.RunState)
	}
	t := u.Task
	id := t.TaskID
	if t.MapIndex >= 0 {
		id += fmt.Sprintf("[%d]", t.MapIndex)
	}
	state := string(t.State)
	if state == "" {
		state = "none"
	}
	line := fmt.Sprintf("task %s: %s", id, state)
	if t.TryNumber > 1 {
		line += fmt.Sprintf(" (try %d)", t.TryNumber)
	}
	return line
}

// runDuration is how long a run took, or has been running; "-" before it starts.
func runDuration(r airflow.DAGRun, now time.Time) string {
	if r.StartDate == nil {
		return "-"
	}
	end := now
	if r.EndDate != nil {
		end = *r.EndDate
	}
	return end.Sub(*r.StartDate).Round(time.Second).String()
}

func formatTime(t *time.Time, layout string, loc *time.Location) string {
	if t == nil {
		return "-"
	}
	return t.In(loc).Format(layout)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
