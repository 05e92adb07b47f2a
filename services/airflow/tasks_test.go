package airflow

import (
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func TestTaskInstancesFromAirflowAnswer(t *testing.T) {
	f := newFakeAirflow(t)
	f.handle("GET /api/v2/dags/{dag}/dagRuns/{run}/taskInstances", serveFile(t, "task_instances_fail.json"))
	tis, err := f.client(t).ListTaskInstances(t.Context(), "fail_dag", "manual__2026-11-26T18:26:10.459817+00:00")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		task  string
		state TaskState
		try   int
		dur   float64
		ended bool
	}
	var got []row
	for _, ti := range tis {
		got = append(got, row{ti.TaskID, ti.State, ti.TryNumber, ti.DurationSeconds, ti.EndDate != nil})
		if ti.MapIndex != -1 || ti.ID == "" || ti.Operator != "@task" {
			t.Errorf("%s: map index %d id %q operator %q", ti.TaskID, ti.MapIndex, ti.ID, ti.Operator)
		}
	}
	want := []row{
		{"fine", TaskSuccess, 1, 0.107, true},
		{"boom", TaskFailed, 1, 5.118, true},
		{"after", TaskUpstreamFailed, 0, 0, true},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("task %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestTaskStateNullIsNone(t *testing.T) {
	var ti taskInstanceJSON
	if err := json.Unmarshal([]byte(`{"task_id":"t","map_index":2,"state":null,"try_number":0,"duration":null}`), &ti); err != nil {
		t.Fatal(err)
	}
	got := ti.toTaskInstance()
	if got.State != TaskNone || got.State.Finished() || got.MapIndex != 2 {
		t.Errorf("task = %+v", got)
	}
}

func TestTaskLogAsksForJSONAndRendersText(t *testing.T) {
	f := newFakeAirflow(t)
	f.handle("GET /api/v2/dags/{dag}/dagRuns/{run}/taskInstances/{task}/logs/{try}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("task") != "boom" || r.PathValue("try") != "1" || r.PathValue("run") != "manual__2026-11-26T18:26:10.459817+00:00" {
			t.Errorf("path = %s", r.URL.Path)
		}
		// Airflow 3.3 answers text/plain with 406.
		if a := r.Header.Get("Accept"); a != "application/json" {
			t.Errorf("Accept = %q", a)
		}
		if r.URL.Query().Get("full_content") != "true" {
			t.Errorf("query = %q", r.URL.RawQuery)
		}
		serveFile(t, "log_boom.json")(w, r)
	})
	text, err := f.client(t).TaskLog(t.Context(), "fail_dag", "manual__2026-11-26T18:26:10.459817+00:00", "boom", 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ERROR task - Task failed with exception", "RuntimeError: boom on purpose", "== Pre Execute =="} {
		if !strings.Contains(text, want) {
			t.Errorf("log lacks %q:\n%s", want, text)
		}
	}
}

func TestRenderLog(t *testing.T) {
	var resp struct {
		Content []json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(readTestdata(t, "log_boom.json"), &resp); err != nil {
		t.Fatal(err)
	}
	got := renderLog(resp.Content)
	golden := filepath.Join("testdata", "log_boom.txt")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("rendered log differs from %s (run with -update to accept):\n%s", golden, got)
	}
}

func TestRenderLogEdgeCases(t *testing.T) {
	content := []json.RawMessage{
		json.RawMessage(`"a plain line, Airflow could not parse the file"`),
		json.RawMessage(`{"event":"no timestamp"}`),
		json.RawMessage(`{"event":"::endgroup::"}`),
		json.RawMessage(`{"timestamp":"2026-01-02T03:04:05.123456+01:00","event":"hi","level":"warning"}`),
		json.RawMessage(`{"event":"outer","level":"error","error_detail":[
			{"exc_type":"ValueError","exc_value":"outer","is_cause":false,"frames":[{"filename":"a.py","lineno":2,"name":"f"}]},
			{"exc_type":"KeyError","exc_value":"'k'","is_cause":true,"frames":[{"filename":"b.py","lineno":3,"name":"g"}]}]}`),
		json.RawMessage(`12`),
	}
	want := `a plain line, Airflow could not parse the file
no timestamp
2026-01-02T02:04:05.123Z WARNING - hi
ERROR - outer
Traceback (most recent call last):
  File "b.py", line 3, in g
KeyError: 'k'

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "a.py", line 2, in f
ValueError: outer
12
`
	if got := renderLog(content); got != want {
		t.Errorf("renderLog =\n%s\nwant\n%s", got, want)
	}
}
