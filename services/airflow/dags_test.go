package airflow

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"
)

// serveGeneratedDAGs answers GET /api/v2/dags with n generated DAGs, honouring
// limit and offset and capping pages at maxPage, as Airflow caps them at
// [api] maximum_page_limit.
func serveGeneratedDAGs(t *testing.T, f *fakeAirflow, n, maxPage int) {
	t.Helper()
	f.handle("GET /api/v2/dags", func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Get("order_by"); got != "dag_id" {
			t.Errorf("order_by = %q, want dag_id (stable pages)", got)
		}
		limit, err1 := strconv.Atoi(r.URL.Query().Get("limit"))
		offset, err2 := strconv.Atoi(r.URL.Query().Get("offset"))
		if err1 != nil || err2 != nil {
			t.Errorf("bad paging query %q", r.URL.RawQuery)
		}
		limit = min(limit, maxPage)
		dags := []map[string]any{}
		for i := offset; i < min(offset+limit, n); i++ {
			dags = append(dags, map[string]any{
				"dag_id": fmt.Sprintf("gen_%04d", i), "dag_display_name": fmt.Sprintf("gen_%04d", i),
				"is_paused": true, "tags": []any{}, "owners": []string{"airflow"}, "fileloc": "/dags/gen.py",
			})
		}
		writeJSON(w, 200, map[string]any{"dags": dags, "total_entries": n})
	})
}

func TestListDAGsFetchesAllPages(t *testing.T) {
	tests := []struct {
		dags, serverPage, wantRequests int
	}{
		{1000, 100, 10},
		{1001, 100, 11},
		{0, 100, 1},
		{99, 100, 1},
		// A server with a lower page limit gets more, shorter pages.
		{1000, 30, 34},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d DAGs, pages of %d", tt.dags, tt.serverPage), func(t *testing.T) {
			f := newFakeAirflow(t)
			serveGeneratedDAGs(t, f, tt.dags, tt.serverPage)
			dags, err := f.client(t).ListDAGs(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if len(dags) != tt.dags {
				t.Fatalf("got %d DAGs, want %d", len(dags), tt.dags)
			}
			for i, d := range dags {
				if want := fmt.Sprintf("gen_%04d", i); d.ID != want {
					t.Fatalf("dags[%d] = %s, want %s", i, d.ID, want)
				}
			}
			if n := f.requestCount("/api/v2/dags"); n != tt.wantRequests {
				t.Errorf("requests = %d, want %d", n, tt.wantRequests)
			}
		})
	}
}

func TestDAGFromAirflowAnswer(t *testing.T) {
	f := newFakeAirflow(t)
	f.handle("GET /api/v2/dags/{id}", serveFile(t, "dag_ok.json"))
	dag, err := f.client(t).GetDAG(t.Context(), "ok_dag")
	if err != nil {
		t.Fatal(err)
	}
	parsed := time.Date(2026, 11, 26, 18, 26, 48, 820512000, time.UTC)
	want := DAG{
		ID: "ok_dag", DisplayName: "ok_dag", Paused: false,
		Tags: []string{"gaiaflow-test"}, Owners: []string{"alice"},
		ScheduleDescription: "Never, external triggers only",
		File:                "ok.py", LastParsed: &parsed,
	}
	if !equalJSON(t, dag, want) {
		t.Errorf("dag =\n%s\nwant\n%s", mustJSON(t, dag), mustJSON(t, want))
	}
}

func TestDAGWithScheduleAndNextRun(t *testing.T) {
	f := newFakeAirflow(t)
	f.handle("GET /api/v2/dags/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"dag_id":"d","dag_display_name":"Daily","is_paused":false,
			"timetable_summary":"@daily","timetable_description":"At 00:00",
			"next_dagrun_run_after":"2026-11-27T00:00:00Z","next_dagrun_logical_date":"2026-11-26T00:00:00Z",
			"has_import_errors":true,"relative_fileloc":null,"fileloc":"/opt/airflow/dags/d.py",
			"tags":[{"name":"b","dag_id":"d"},{"name":"a","dag_id":"d"}],"owners":["x","y"],
			"description":"does things"}`)
	})
	dag, err := f.client(t).GetDAG(t.Context(), "d")
	if err != nil {
		t.Fatal(err)
	}
	if dag.Schedule != "@daily" || dag.NextRun == nil || !dag.NextRun.Equal(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("schedule %q next run %v", dag.Schedule, dag.NextRun)
	}
	if !dag.HasImportErrors || dag.File != "/opt/airflow/dags/d.py" || dag.DisplayName != "Daily" || dag.Description != "does things" {
		t.Errorf("dag = %+v", dag)
	}
	if !slices.Equal(dag.Tags, []string{"b", "a"}) || !slices.Equal(dag.Owners, []string{"x", "y"}) {
		t.Errorf("tags %v owners %v", dag.Tags, dag.Owners)
	}
}

func TestSetPausedSendsOnlyIsPaused(t *testing.T) {
	for _, paused := range []bool{true, false} {
		f := newFakeAirflow(t)
		f.handle("PATCH /api/v2/dags/{id}", func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if want := fmt.Sprintf(`{"is_paused":%v}`, paused); string(body) != want {
				t.Errorf("body = %s, want %s", body, want)
			}
			if got := r.URL.Query().Get("update_mask"); got != "is_paused" {
				t.Errorf("update_mask = %q", got)
			}
			if r.PathValue("id") != "ok_dag" || r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("path %s content type %q", r.URL.Path, r.Header.Get("Content-Type"))
			}
			writeJSON(w, 200, map[string]any{"dag_id": "ok_dag", "is_paused": paused, "fileloc": "x"})
		})
		dag, err := f.client(t).SetPaused(t.Context(), "ok_dag", paused)
		if err != nil {
			t.Fatal(err)
		}
		if dag.Paused != paused {
			t.Errorf("Paused = %v, want %v", dag.Paused, paused)
		}
	}
}

func TestListImportErrors(t *testing.T) {
	f := newFakeAirflow(t)
	f.handle("GET /api/v2/importErrors", serveFile(t, "import_errors.json"))
	errs, err := f.client(t).ListImportErrors(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 1 {
		t.Fatalf("got %d import errors, want 1", len(errs))
	}
	e := errs[0]
	if e.Filename != "broken.py" || e.Bundle != "dags-folder" || e.ID != 1 {
		t.Errorf("import error = %+v", e)
	}
	if !e.Timestamp.Equal(time.Date(2026, 11, 26, 18, 26, 47, 721894000, time.UTC)) {
		t.Errorf("timestamp = %v", e.Timestamp)
	}
	if want := "SyntaxError: invalid syntax\n"; len(e.StackTrace) < len(want) || e.StackTrace[len(e.StackTrace)-len(want):] != want {
		t.Errorf("stack trace = %q", e.StackTrace)
	}
}

func TestListWithoutTheCollectionIsABadResponse(t *testing.T) {
	f := newFakeAirflow(t)
	f.handle("GET /api/v2/dags", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"items": []any{}})
	})
	_, err := f.client(t).ListDAGs(t.Context())
	if !errors.Is(err, ErrBadResponse) {
		t.Fatalf("err = %v, want ErrBadResponse", err)
	}
}
