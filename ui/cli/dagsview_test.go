package cli

import (
	"bytes"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/airflow"
)

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestWriteDAGs(t *testing.T) {
	var b bytes.Buffer
	writeDAGs(&b, []airflow.DAG{
		{ID: "etl_daily", Schedule: "@daily", NextRun: at("2026-01-02T00:00:00Z")},
		{ID: "ok_dag", Paused: true},
		{ID: "x", Paused: true, HasImportErrors: true, Schedule: "0 * * * *"},
	}, time.UTC)
	want := `DAG        PAUSED  SCHEDULE   NEXT RUN          IMPORT ERRORS
etl_daily  no      @daily     2026-01-02 00:00  no
ok_dag     yes     -          -                 no
x          yes     0 * * * *  -                 yes
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	writeDAGs(&b, nil, time.UTC)
	if b.String() != "no DAGs yet (`gaiaflow dags errors` lists the files that failed to import)\n" {
		t.Errorf("no DAGs: %q", b.String())
	}
}

func TestWriteRuns(t *testing.T) {
	var b bytes.Buffer
	now := *at("2026-01-02T03:10:00Z")
	writeRuns(&b, "ok_dag", []airflow.DAGRun{
		{RunID: "manual__2026-01-02T03:05:00+00:00", State: airflow.RunRunning, RunType: "manual", StartDate: at("2026-01-02T03:05:01Z")},
		{RunID: "manual__2026-01-02T03:04:00+00:00", State: airflow.RunQueued, RunType: "manual"},
		{RunID: "scheduled__2026-01-01T00:00:00+00:00", State: airflow.RunFailed, RunType: "scheduled",
			StartDate: at("2026-01-01T00:00:01Z"), EndDate: at("2026-01-01T00:01:15Z")},
	}, now, time.UTC)
	want := `RUN ID                                STATE    TYPE       STARTED              DURATION
manual__2026-01-02T03:05:00+00:00     running  manual     2026-01-02 03:05:01  4m59s
manual__2026-01-02T03:04:00+00:00     queued   manual     -                    -
scheduled__2026-01-01T00:00:00+00:00  failed   scheduled  2026-01-01 00:00:01  1m14s
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestWriteImportErrors(t *testing.T) {
	var b bytes.Buffer
	writeImportErrors(&b, []airflow.ImportError{
		{Filename: "a.py", Timestamp: *at("2026-01-02T03:04:05Z"), StackTrace: "Traceback:\n  File \"a.py\", line 3\nSyntaxError: invalid syntax\n"},
		{Filename: "b.py", Timestamp: *at("2026-01-02T03:04:06Z"), StackTrace: "ImportError: no module named x"},
	}, time.UTC)
	want := `a.py  (2026-01-02 03:04:05)
    Traceback:
      File "a.py", line 3
    SyntaxError: invalid syntax

b.py  (2026-01-02 03:04:06)
    ImportError: no module named x
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestUpdateLine(t *testing.T) {
	for _, tc := range []struct {
		u    airflow.RunUpdate
		want string
	}{
		{airflow.RunUpdate{RunState: airflow.RunRunning}, "run: running"},
		{airflow.RunUpdate{Task: &airflow.TaskInstance{TaskID: "hello", MapIndex: -1, State: airflow.TaskQueued, TryNumber: 1}}, "task hello: queued"},
		{airflow.RunUpdate{Task: &airflow.TaskInstance{TaskID: "hello", MapIndex: -1, State: airflow.TaskRunning, TryNumber: 2}}, "task hello: running (try 2)"},
		{airflow.RunUpdate{Task: &airflow.TaskInstance{TaskID: "fan", MapIndex: 3, State: airflow.TaskSuccess, TryNumber: 1}}, "task fan[3]: success"},
		{airflow.RunUpdate{Task: &airflow.TaskInstance{TaskID: "cleared", MapIndex: -1}}, "task cleared: none"},
	} {
		if got := updateLine(tc.u); got != tc.want {
			t.Errorf("updateLine = %q, want %q", got, tc.want)
		}
	}
}
