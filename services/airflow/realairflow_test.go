package airflow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// followTimeout bounds one followed run. A run of the test DAGs takes 5-10 s
// on an idle 2-core machine.
const followTimeout = 3 * time.Minute

func TestRealAirflowHealthAndVersion(t *testing.T) {
	env := realAirflow(t)
	c := env.client(t)
	h, err := c.Health(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !h.Healthy {
		t.Errorf("not healthy: %+v", h.Components)
	}
	want := map[string]ComponentStatus{
		Metadatabase: StatusHealthy, Scheduler: StatusHealthy,
		DagProcessor: StatusHealthy, Triggerer: StatusNotDeployed,
	}
	for name, status := range want {
		if got, _ := h.Component(name); got.Status != status {
			t.Errorf("%s = %s, want %s", name, got.Status, status)
		}
	}
	if s, _ := h.Component(Scheduler); s.LatestHeartbeat == nil || time.Since(*s.LatestHeartbeat) > time.Minute {
		t.Errorf("scheduler heartbeat = %v", s.LatestHeartbeat)
	}
	v, err := c.Version(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v.Version, "3.") {
		t.Errorf("version = %q, want 3.x", v.Version)
	}
	t.Logf("Airflow %s", v.Version)
}

// countingTransport counts the requests to one path.
type countingTransport struct {
	path string
	n    atomic.Int64
}

func (ct *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == ct.path {
		ct.n.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestRealAirflowListDAGsPagesThroughAThousand(t *testing.T) {
	env := realAirflow(t)
	counter := &countingTransport{path: "/api/v2/dags"}
	c := env.clientWith(t, Config{Username: realUser, Password: realPassword, HTTPClient: &http.Client{Transport: counter}})
	dags, err := c.ListDAGs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]DAG{}
	for _, d := range dags {
		if _, dup := byID[d.ID]; dup {
			t.Errorf("%s listed twice", d.ID)
		}
		byID[d.ID] = d
	}
	for i := range generatedDAGs {
		if _, ok := byID[fmt.Sprintf("gen_%04d", i)]; !ok {
			t.Fatalf("gen_%04d missing from %d DAGs", i, len(dags))
		}
	}
	if want := int64((len(dags) + PageSize - 1) / PageSize); counter.n.Load() != want {
		t.Errorf("%d DAGs took %d requests, want %d", len(dags), counter.n.Load(), want)
	}
	t.Logf("%d DAGs in %d requests", len(dags), counter.n.Load())

	// New DAGs are paused; nothing in these tests touches gen_0500.
	if d := byID["gen_0500"]; !d.Paused || d.File != "many_dags.py" || d.Schedule != "" {
		t.Errorf("gen_0500 = %+v, want paused, from many_dags.py, unscheduled", d)
	}
	ok := byID["ok_dag"]
	if !slices.Equal(ok.Tags, []string{"gaiaflow-test"}) || !slices.Equal(ok.Owners, []string{"alice"}) ||
		ok.File != "ok_dag.py" || ok.HasImportErrors || ok.LastParsed == nil {
		t.Errorf("ok_dag = %+v", ok)
	}
	if _, listed := byID["broken_dag"]; listed {
		t.Errorf("the DAG with a syntax error is listed")
	}
}

func TestRealAirflowPauseAndUnpause(t *testing.T) {
	env := realAirflow(t)
	c := env.client(t)
	const id = "gen_0000"
	for _, paused := range []bool{false, true} {
		d, err := c.SetPaused(t.Context(), id, paused)
		if err != nil {
			t.Fatal(err)
		}
		if d.Paused != paused {
			t.Errorf("SetPaused(%v) returned paused=%v", paused, d.Paused)
		}
		if d, err = c.GetDAG(t.Context(), id); err != nil || d.Paused != paused {
			t.Errorf("GetDAG after SetPaused(%v): paused=%v err=%v", paused, d.Paused, err)
		}
	}
}

// trigger unpauses dagID, triggers it with conf and follows the run to its end.
func triggerAndFollow(t *testing.T, c *Client, dagID string, conf map[string]any) (FinalRun, []RunUpdate) {
	t.Helper()
	if _, err := c.SetPaused(t.Context(), dagID, false); err != nil {
		t.Fatal(err)
	}
	run, err := c.Trigger(t.Context(), dagID, conf)
	if err != nil {
		t.Fatal(err)
	}
	if run.DAGID != dagID || run.RunType != "manual" || run.LogicalDate != nil || run.State.Finished() {
		t.Errorf("triggered run = %+v", run)
	}
	ctx, cancel := context.WithTimeout(t.Context(), followTimeout)
	defer cancel()
	var updates []RunUpdate
	start := time.Now()
	final, err := Follow(ctx, c, dagID, run.RunID, 500*time.Millisecond, func(u RunUpdate) {
		updates = append(updates, u)
	})
	if err != nil {
		t.Fatalf("follow %s: %v (updates: %v)", run.RunID, err, describe(updates))
	}
	t.Logf("%s ended %s after %s: %s", dagID, final.Run.State, time.Since(start).Round(100*time.Millisecond),
		strings.Join(describe(updates), ", "))
	return final, updates
}

// The two followed runs go in parallel: most of their time is Airflow
// starting task processes, and LocalExecutor runs several at once.

func TestRealAirflowTriggerWithConfAndFollowToSuccess(t *testing.T) {
	env := realAirflow(t)
	t.Parallel()
	c := env.client(t)
	conf, err := ParseConf(`{"greeting": "hi", "n": 3}`)
	if err != nil {
		t.Fatal(err)
	}
	final, updates := triggerAndFollow(t, c, "ok_dag", conf)
	if !final.Succeeded() || len(final.FailedTasks) != 0 {
		t.Fatalf("final = %+v", final)
	}
	if got := fmt.Sprint(final.Run.Conf); got != "map[greeting:hi n:3]" {
		t.Errorf("conf = %s", got)
	}
	if final.Run.StartDate == nil || final.Run.EndDate == nil {
		t.Errorf("run dates: %v %v", final.Run.StartDate, final.Run.EndDate)
	}
	lines := describe(updates)
	for _, want := range []string{"task hello success 1", "task world success 1", "run success"} {
		if !slices.Contains(lines, want) {
			t.Errorf("updates %v lack %q", lines, want)
		}
	}
	if lines[len(lines)-1] != "run success" {
		t.Errorf("last update = %q", lines[len(lines)-1])
	}

	// The finished run, as the dashboard reads it.
	tis, err := c.ListTaskInstances(t.Context(), "ok_dag", final.Run.RunID)
	if err != nil {
		t.Fatal(err)
	}
	// The grid reads the instances of many runs at once: this run's are
	// among those since its run_after, each naming its run.
	since, err := c.ListTaskInstancesSince(t.Context(), "ok_dag", final.Run.RunAfter)
	if err != nil {
		t.Fatal(err)
	}
	mine := 0
	for _, ti := range since {
		if ti.RunID == final.Run.RunID {
			mine++
		}
		if ti.RunID == "" {
			t.Errorf("an instance without its run: %+v", ti)
		}
	}
	if mine != 2 {
		t.Errorf("instances since %s: %d of run %s, want 2: %+v", final.Run.RunAfter, mine, final.Run.RunID, since)
	}
	if len(tis) != 2 {
		t.Fatalf("task instances = %+v", tis)
	}
	for _, ti := range tis {
		if ti.State != TaskSuccess || ti.TryNumber != 1 || ti.MapIndex != -1 || ti.StartDate == nil || ti.EndDate == nil || ti.DurationSeconds <= 0 {
			t.Errorf("task instance = %+v", ti)
		}
	}
	log, err := c.TaskLog(t.Context(), "ok_dag", final.Run.RunID, "hello", 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log, `conf: {"greeting": "hi", "n": 3}`) {
		t.Errorf("hello's log lacks its conf:\n%s", log)
	}

	runs, err := c.ListRuns(t.Context(), "ok_dag", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) == 0 || runs[0].RunID != final.Run.RunID {
		t.Errorf("newest run of ok_dag = %+v, want %s", runs, final.Run.RunID)
	}
	all, err := c.ListRuns(t.Context(), AllDAGs, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(all, func(r DAGRun) bool { return r.RunID == final.Run.RunID && r.DAGID == "ok_dag" }) {
		t.Errorf("runs of all DAGs lack %s", final.Run.RunID)
	}
}

func TestRealAirflowFailingDAGIsReportedFailed(t *testing.T) {
	env := realAirflow(t)
	t.Parallel()
	c := env.client(t)
	final, updates := triggerAndFollow(t, c, "fail_dag", nil)
	if final.Succeeded() || final.Run.State != RunFailed {
		t.Fatalf("final state = %s", final.Run.State)
	}
	if !slices.Equal(final.FailedTasks, []string{"boom"}) {
		t.Errorf("FailedTasks = %v, want [boom]", final.FailedTasks)
	}
	if lines := describe(updates); !slices.Contains(lines, "task after upstream_failed 0") && !slices.Contains(lines, "task after upstream_failed 1") {
		t.Errorf("updates %v lack after's upstream_failed", lines)
	}
	log, err := c.TaskLog(t.Context(), "fail_dag", final.Run.RunID, "boom", 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log, "RuntimeError: boom on purpose") || !strings.Contains(log, "in boom") {
		t.Errorf("boom's log lacks the traceback:\n%s", log)
	}
}

func TestRealAirflowFollowStopsOnAPausedDAG(t *testing.T) {
	env := realAirflow(t)
	c := env.client(t)
	const id = "gen_0001"
	if _, err := c.SetPaused(t.Context(), id, true); err != nil {
		t.Fatal(err)
	}
	run, err := c.Trigger(t.Context(), id, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if _, err := Follow(ctx, c, id, run.RunID, 200*time.Millisecond, nil); !errors.Is(err, ErrDAGPaused) {
		t.Errorf("err = %v, want ErrDAGPaused", err)
	}
}

func TestRealAirflowImportErrorOfTheBrokenFile(t *testing.T) {
	env := realAirflow(t)
	errs, err := env.client(t).ListImportErrors(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(errs, func(e ImportError) bool { return e.Filename == "broken_dag.py" })
	if i < 0 {
		t.Fatalf("import errors = %+v, want broken_dag.py", errs)
	}
	e := errs[i]
	if !strings.Contains(e.StackTrace, "SyntaxError") || e.Timestamp.IsZero() || e.Bundle != "dags-folder" {
		t.Errorf("import error = %+v", e)
	}
}

func TestRealAirflowErrors(t *testing.T) {
	env := realAirflow(t)
	c := env.client(t)

	_, err := c.GetDAG(t.Context(), "no_such_dag")
	var apiErr *APIError
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &apiErr) || !strings.Contains(apiErr.Detail, "no_such_dag") {
		t.Errorf("GetDAG(no_such_dag) err = %v, want ErrNotFound naming it", err)
	}
	if _, err := c.Trigger(t.Context(), "no_such_dag", nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("Trigger(no_such_dag) err = %v, want ErrNotFound", err)
	}
	if _, err := c.GetRun(t.Context(), "ok_dag", "no_such_run"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetRun(no_such_run) err = %v, want ErrNotFound", err)
	}

	bad := env.clientWith(t, Config{Username: realUser, Password: "wrong"})
	if _, err := bad.ListDAGs(t.Context()); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("wrong password: err = %v, want ErrUnauthorized", err)
	}
	// Health needs no credentials, so a wrong password does not hide it.
	if _, err := bad.Health(t.Context()); err != nil {
		t.Errorf("health with a wrong password: %v", err)
	}
}

// A token Airflow cannot verify (another jwt_secret, as after the stack was
// recreated) is answered with 403 "Invalid JWT token"; the client renews it.
func TestRealAirflowRenewsAnUnverifiableToken(t *testing.T) {
	env := realAirflow(t)
	c := env.client(t)
	c.token = "eyJhbGciOiJIUzUxMiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmVkIHdpdGggYW5vdGhlciBzZWNyZXQ"
	if _, err := c.GetDAG(t.Context(), "ok_dag"); err != nil {
		t.Fatalf("with a stale token: %v", err)
	}
	if c.token == "" || strings.HasSuffix(c.token, "YW5vdGhlciBzZWNyZXQ") {
		t.Errorf("token was not renewed")
	}
}
