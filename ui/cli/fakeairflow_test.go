package cli

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// fakeAirflow is an httptest stand-in for the few Airflow routes the dags
// commands use, enough to check what they print and how they exit without a
// real Airflow. Every run it is asked about has already ended as runState,
// with tasks; the real behaviour over time is the TestRealAirflow tests'.
type fakeAirflow struct {
	srv *httptest.Server

	mu       sync.Mutex
	paused   map[string]bool // the DAGs it knows
	runState string
	tasks    []map[string]any
	log      []string
	triggers int
	deny     bool // reject every login
}

const fakeRunID = "manual__2026-01-02T03:04:05.000000+00:00"

func newFakeAirflow(t *testing.T) *fakeAirflow {
	t.Helper()
	f := &fakeAirflow{paused: map[string]bool{"ok_dag": false, "fail_dag": false}, runState: "success"}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/token", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		deny := f.deny
		f.mu.Unlock()
		if deny {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"detail": "Invalid credentials"})
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"access_token": "token"})
	})
	mux.HandleFunc("GET /api/v2/dags/{dag}", f.withDAG(func(w http.ResponseWriter, r *http.Request, dag string) {
		writeJSON(w, http.StatusOK, f.dag(dag))
	}))
	mux.HandleFunc("PATCH /api/v2/dags/{dag}", f.withDAG(func(w http.ResponseWriter, r *http.Request, dag string) {
		var body struct {
			IsPaused bool `json:"is_paused"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		f.paused[dag] = body.IsPaused
		writeJSON(w, http.StatusOK, f.dag(dag))
	}))
	mux.HandleFunc("GET /api/v2/dags/{dag}/dagRuns", f.withDAG(func(w http.ResponseWriter, r *http.Request, dag string) {
		writeJSON(w, http.StatusOK, map[string]any{"dag_runs": []any{f.run(dag, f.runState)}, "total_entries": 1})
	}))
	mux.HandleFunc("POST /api/v2/dags/{dag}/dagRuns", f.withDAG(func(w http.ResponseWriter, r *http.Request, dag string) {
		f.triggers++
		writeJSON(w, http.StatusOK, f.run(dag, "queued"))
	}))
	mux.HandleFunc("GET /api/v2/dags/{dag}/dagRuns/{run}", f.withDAG(func(w http.ResponseWriter, r *http.Request, dag string) {
		writeJSON(w, http.StatusOK, f.run(dag, f.runState))
	}))
	mux.HandleFunc("GET /api/v2/dags/{dag}/dagRuns/{run}/taskInstances", f.withDAG(func(w http.ResponseWriter, r *http.Request, dag string) {
		writeJSON(w, http.StatusOK, map[string]any{"task_instances": f.tasks, "total_entries": len(f.tasks)})
	}))
	mux.HandleFunc("GET /api/v2/dags/{dag}/dagRuns/{run}/taskInstances/{task}/logs/{try}", f.withDAG(func(w http.ResponseWriter, r *http.Request, dag string) {
		writeJSON(w, http.StatusOK, map[string]any{"content": f.log})
	}))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// withDAG serialises the handlers and answers 404, as Airflow does, for a
// DAG the fake does not know.
func (f *fakeAirflow) withDAG(h func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		dag := r.PathValue("dag")
		if _, ok := f.paused[dag]; !ok {
			writeJSON(w, http.StatusNotFound, map[string]any{"detail": fmt.Sprintf("The Dag with ID: `%s` was not found", dag)})
			return
		}
		h(w, r, dag)
	}
}

func (f *fakeAirflow) dag(id string) map[string]any {
	return map[string]any{"dag_id": id, "is_paused": f.paused[id], "fileloc": "/dags/" + id + ".py"}
}

func (f *fakeAirflow) run(dag, state string) map[string]any {
	r := map[string]any{"dag_id": dag, "dag_run_id": fakeRunID, "state": state, "run_type": "manual",
		"run_after": "2026-01-02T03:04:05Z", "conf": map[string]any{}}
	if state != "queued" {
		r["start_date"] = "2026-01-02T03:04:06Z"
	}
	if state == "success" || state == "failed" {
		r["end_date"] = "2026-01-02T03:04:20Z"
	}
	return r
}

func task(id, state string) map[string]any {
	return map[string]any{"id": "ti-" + id, "task_id": id, "map_index": -1, "state": state, "try_number": 1}
}

// project writes a project whose Airflow is the fake.
func (f *fakeAirflow) project(t *testing.T) string {
	t.Helper()
	return newProjectDir(t, projectToml(f.srv.Listener.Addr().(*net.TCPAddr).Port))
}

func projectToml(airflowPort int) string {
	return fmt.Sprintf("%s\n[services.airflow]\nport = %d\n", goodToml, airflowPort)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
