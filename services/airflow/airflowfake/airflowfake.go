// Package airflowfake is an httptest stand-in for the Airflow 3 REST routes
// gaiaflow uses, enough to check what both faces print and how they exit
// without a real Airflow: every run it is asked about has already ended
// with the state it was given. The behaviour of a real Airflow over time is
// the TestRealAirflow tests' (services/airflow/airflowtest). Only tests
// import it.
package airflowfake

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// RunID is the id of every run the fake knows.
const RunID = "manual__2026-01-02T03:04:05.000000+00:00"

// Fake is a running fake Airflow.
type Fake struct {
	srv *httptest.Server

	mu       sync.Mutex
	paused   map[string]bool // the DAGs it knows
	runState string
	tasks    []map[string]any
	log      []string // the lines of every task log
	triggers int
	deny     bool // reject every login
}

// New starts a fake that knows ok_dag and fail_dag, both unpaused, whose
// runs succeed; it stops when the test ends.
func New(t testing.TB) *Fake {
	t.Helper()
	f := &Fake{paused: map[string]bool{"ok_dag": false, "fail_dag": false}, runState: "success"}
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
	mux.HandleFunc("GET /api/v2/monitor/health", func(w http.ResponseWriter, r *http.Request) {
		healthy := map[string]any{"status": "healthy"}
		writeJSON(w, http.StatusOK, map[string]any{"metadatabase": healthy, "scheduler": healthy,
			"triggerer": healthy, "dag_processor": healthy})
	})
	mux.HandleFunc("GET /api/v2/dags", f.locked(func(w http.ResponseWriter, r *http.Request) {
		var dags []any
		for _, id := range []string{"fail_dag", "ok_dag"} {
			if _, ok := f.paused[id]; ok {
				dags = append(dags, f.dag(id))
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"dags": dags, "total_entries": len(dags)})
	}))
	mux.HandleFunc("GET /api/v2/importErrors", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"import_errors": []any{}, "total_entries": 0})
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
	mux.HandleFunc("GET /api/v2/dags/~/dagRuns", f.locked(func(w http.ResponseWriter, r *http.Request) {
		var runs []any
		for _, id := range []string{"fail_dag", "ok_dag"} {
			if _, ok := f.paused[id]; ok {
				runs = append(runs, f.run(id, f.runState))
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"dag_runs": runs, "total_entries": len(runs)})
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

// URL is the fake's base URL; Port its port.
func (f *Fake) URL() string { return f.srv.URL }

// Port is the port a project's services.airflow.port names to reach it.
func (f *Fake) Port() int { return f.srv.Listener.Addr().(*net.TCPAddr).Port }

// SetPaused pauses or unpauses a DAG it knows; Paused reads it.
func (f *Fake) SetPaused(dag string, paused bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paused[dag] = paused
}

// Paused reports whether the DAG is paused.
func (f *Fake) Paused(dag string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.paused[dag]
}

// SetRun sets how every run ends and its task instances (see Task).
func (f *Fake) SetRun(state string, tasks ...map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.runState, f.tasks = state, tasks
}

// SetLog sets the lines of every task log.
func (f *Fake) SetLog(lines ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = lines
}

// Deny makes every login fail (wrong credentials).
func (f *Fake) Deny() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deny = true
}

// Triggers counts the runs triggered.
func (f *Fake) Triggers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.triggers
}

// Task is a task instance of the run, for SetRun.
func Task(id, state string) map[string]any {
	return map[string]any{"id": "ti-" + id, "task_id": id, "dag_run_id": RunID, "map_index": -1, "state": state, "try_number": 1}
}

func (f *Fake) locked(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		h(w, r)
	}
}

// withDAG serialises the handlers and answers 404, as Airflow does, for a
// DAG the fake does not know.
func (f *Fake) withDAG(h func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return f.locked(func(w http.ResponseWriter, r *http.Request) {
		dag := r.PathValue("dag")
		if _, ok := f.paused[dag]; !ok {
			writeJSON(w, http.StatusNotFound, map[string]any{"detail": fmt.Sprintf("The Dag with ID: `%s` was not found", dag)})
			return
		}
		h(w, r, dag)
	})
}

func (f *Fake) dag(id string) map[string]any {
	return map[string]any{"dag_id": id, "is_paused": f.paused[id], "fileloc": "/dags/" + id + ".py"}
}

func (f *Fake) run(dag, state string) map[string]any {
	r := map[string]any{"dag_id": dag, "dag_run_id": RunID, "state": state, "run_type": "manual",
		"run_after": "2026-01-02T03:04:05Z", "conf": map[string]any{}}
	if state != "queued" {
		r["start_date"] = "2026-01-02T03:04:06Z"
	}
	if state == "success" || state == "failed" {
		r["end_date"] = "2026-01-02T03:04:20Z"
	}
	return r
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
