package airflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestTriggerSendsOnlyLogicalDateNullAndConf(t *testing.T) {
	tests := []struct {
		name string
		conf map[string]any
		want string
	}{
		{"with conf", map[string]any{"n": json.Number("12345678901234567890"), "s": "x", "nested": map[string]any{"ok": true}},
			`{"logical_date":null,"conf":{"n":12345678901234567890,"nested":{"ok":true},"s":"x"}}`},
		{"without conf", nil, `{"logical_date":null,"conf":{}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAirflow(t)
			f.handle("POST /api/v2/dags/{id}/dagRuns", func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if string(body) != tt.want {
					t.Errorf("body = %s\nwant   %s", body, tt.want)
				}
				if r.PathValue("id") != "ok_dag" {
					t.Errorf("path = %s", r.URL.Path)
				}
				writeJSON(w, 200, map[string]any{
					"dag_run_id": "manual__2026-11-26T18:25:39.363219+00:00", "dag_id": "ok_dag",
					"state": "queued", "run_type": "manual", "logical_date": nil,
					"run_after": "2026-11-26T18:25:39.363219Z", "conf": json.RawMessage(body[len(`{"logical_date":null,"conf":`) : len(body)-1]),
				})
			})
			run, err := f.client(t).Trigger(t.Context(), "ok_dag", tt.conf)
			if err != nil {
				t.Fatal(err)
			}
			if run.RunID != "manual__2026-11-26T18:25:39.363219+00:00" || run.State != RunQueued || run.LogicalDate != nil {
				t.Errorf("run = %+v", run)
			}
			if run.Conf == nil {
				t.Errorf("conf is nil, want a map")
			}
		})
	}
}

// Airflow's request models forbid unknown fields; check the body against the
// fields TriggerDAGRunPostBody has in 3.3.
func TestTriggerBodyHasNoUnknownFields(t *testing.T) {
	data, err := json.Marshal(triggerBody{Conf: map[string]any{"a": 1}})
	if err != nil {
		t.Fatal(err)
	}
	var airflow33 struct {
		DagRunID          *string         `json:"dag_run_id"`
		DataIntervalStart *time.Time      `json:"data_interval_start"`
		DataIntervalEnd   *time.Time      `json:"data_interval_end"`
		LogicalDate       json.RawMessage `json:"logical_date"`
		RunAfter          *time.Time      `json:"run_after"`
		Conf              map[string]any  `json:"conf"`
		Note              *string         `json:"note"`
		PartitionKey      *string         `json:"partition_key"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&airflow33); err != nil {
		t.Fatalf("body %s: %v", data, err)
	}
	if string(airflow33.LogicalDate) != "null" {
		t.Errorf("logical_date = %s, want null (required in 3.0-3.3)", airflow33.LogicalDate)
	}
}

func TestListRunsNewestFirstWithALimit(t *testing.T) {
	f := newFakeAirflow(t)
	var limits []int
	f.handle("GET /api/v2/dags/{id}/dagRuns", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("order_by") != "-run_after" {
			t.Errorf("order_by = %q", q.Get("order_by"))
		}
		limit, _ := strconv.Atoi(q.Get("limit"))
		offset, _ := strconv.Atoi(q.Get("offset"))
		limits = append(limits, limit)
		runs := []map[string]any{}
		for i := offset; i < offset+limit && i < 1000; i++ {
			runs = append(runs, map[string]any{"dag_run_id": fmt.Sprintf("run_%d", i), "dag_id": r.PathValue("id"),
				"state": "success", "run_type": "scheduled", "run_after": "2026-01-01T00:00:00Z"})
		}
		writeJSON(w, 200, map[string]any{"dag_runs": runs, "total_entries": 1000})
	})
	runs, err := f.client(t).ListRuns(t.Context(), "ok_dag", 250)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 250 || runs[249].RunID != "run_249" {
		t.Fatalf("got %d runs", len(runs))
	}
	if fmt.Sprint(limits) != "[100 100 50]" {
		t.Errorf("page limits = %v, want [100 100 50]", limits)
	}

	limits = nil
	if runs, err = f.client(t).ListRuns(t.Context(), AllDAGs, 5); err != nil {
		t.Fatal(err)
	}
	if len(runs) != 5 || runs[0].DAGID != "~" || fmt.Sprint(limits) != "[5]" {
		t.Errorf("all DAGs: %d runs of %q, limits %v", len(runs), runs[0].DAGID, limits)
	}
	if n := f.requestCount("/api/v2/dags/~/dagRuns"); n != 1 {
		t.Errorf("requests to /dags/~/dagRuns = %d", n)
	}
}

func TestRunFromAirflowAnswer(t *testing.T) {
	f := newFakeAirflow(t)
	f.handle("GET /api/v2/dags/{id}/dagRuns", serveFile(t, "runs_ok.json"))
	runs, err := f.client(t).ListRuns(t.Context(), "ok_dag", 0)
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) *time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return &tm
	}
	want := []DAGRun{{
		DAGID: "ok_dag", RunID: "manual__2026-11-26T18:25:39.363219+00:00", State: RunSuccess, RunType: "manual",
		RunAfter: *at("2026-11-26T18:25:39.363219Z"), QueuedAt: at("2026-11-26T18:25:39.421824Z"),
		StartDate: at("2026-11-26T18:25:40.635419Z"), EndDate: at("2026-11-26T18:25:44.748165Z"),
		Conf: map[string]any{"x": 1.0},
	}}
	if !equalJSON(t, runs, want) {
		t.Errorf("runs =\n%s\nwant\n%s", mustJSON(t, runs), mustJSON(t, want))
	}
}

func TestGetRunEscapesTheRunID(t *testing.T) {
	f := newFakeAirflow(t)
	const runID = "manual__2026-11-26T18:25:39.363219+00:00"
	f.handle("GET /api/v2/dags/{dag}/dagRuns/{run}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("run") != runID {
			t.Errorf("run id arrived as %q", r.PathValue("run"))
		}
		writeJSON(w, 200, map[string]any{"dag_run_id": runID, "dag_id": "ok_dag", "state": "running", "run_after": "2026-11-26T18:25:39Z"})
	})
	run, err := f.client(t).GetRun(t.Context(), "ok_dag", runID)
	if err != nil {
		t.Fatal(err)
	}
	if run.State != RunRunning || run.State.Finished() {
		t.Errorf("state = %s", run.State)
	}
}

func TestParseConf(t *testing.T) {
	tests := []struct {
		in      string
		want    string // JSON of the result; "" for an error
		notJSON bool
	}{
		{``, `null`, false},
		{`  `, `null`, false},
		{`{}`, `{}`, false},
		{`{"a": 1, "big": 12345678901234567890, "f": 1.50}`, `{"a":1,"big":12345678901234567890,"f":1.50}`, false},
		{`{"a": [1, {"b": null}]}`, `{"a":[1,{"b":null}]}`, false},
		{`[1]`, "", false},
		{`"x"`, "", false},
		{`null`, "", false},
		{`{"a":`, "", true},
		{`{"a":1} {"b":2}`, "", true},
		{`{'a': 1}`, "", true},
	}
	for _, tt := range tests {
		got, err := ParseConf(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseConf(%q) = %v, want an error", tt.in, got)
			} else if !tt.notJSON && !errors.Is(err, ErrConfNotObject) {
				t.Errorf("ParseConf(%q) err = %v, want ErrConfNotObject", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseConf(%q): %v", tt.in, err)
			continue
		}
		data, _ := json.Marshal(got)
		if string(data) != tt.want {
			t.Errorf("ParseConf(%q) = %s, want %s", tt.in, data, tt.want)
		}
	}
}
