package stack

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// A database killed while its dependents wait for readiness is the
// failure named first, with its exit code; the dependents fail at once
// "because postgres-airflow stopped" (not after the whole --wait), are left
// stopped, `dev status` says why, and the next start brings them back.
func TestStartNamesTheRootCauseAndLeavesTheRestStopped(t *testing.T) {
	f := newFixture(t, fakeToml)
	f.eng.behave["postgres-airflow"] = behaviour{delay: 10 * time.Millisecond, dieAfter: 400 * time.Millisecond, dieCode: 137}
	f.eng.behave["airflow-init"] = behaviour{exit: exitCode(0)}
	slowAPI := behaviour{delay: time.Hour, logs: []string{"Traceback: connection refused"}}
	for _, c := range []string{"airflow-api-server", "airflow-dag-processor", "airflow-triggerer"} {
		f.eng.behave[c] = slowAPI
	}
	// The scheduler dies on its own once the database is gone.
	f.eng.behave["airflow-scheduler"] = behaviour{delay: 900 * time.Millisecond, exit: exitCode(1),
		logs: []string{"sqlalchemy.exc.OperationalError"}}
	began := time.Now()
	err := f.start(StartOptions{Services: []string{"airflow"}, Wait: 5 * time.Second})
	var se *StartError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(began); d > 3*time.Second {
		t.Errorf("the start took %v: it waited for the dependents' --wait", d)
	}
	root := se.Failures[0]
	if root.Component != "postgres-airflow" || root.ExitCode != 137 || !strings.Contains(root.Reason, "was killed (exit code 137)") || root.Because != "" {
		t.Fatalf("first failure = %+v", root)
	}
	if first := err.Error(); !strings.HasPrefix(first, "airflow: postgres-airflow was killed (exit code 137)") ||
		!strings.Contains(first, "airflow-scheduler") || !strings.Contains(first, "failed because of it") {
		t.Errorf("error = %q", first)
	}
	var because []string
	for _, fl := range se.Failures[1:] {
		if fl.Because != "postgres-airflow" || fl.Reason != "failed because postgres-airflow stopped" {
			t.Errorf("dependent %+v", fl)
		}
		because = append(because, fl.Component)
	}
	slices.Sort(because)
	if want := []string{"airflow-api-server", "airflow-dag-processor", "airflow-scheduler", "airflow-triggerer"}; !slices.Equal(because, want) {
		t.Errorf("failed because of postgres-airflow: %v, want %v", because, want)
	}
	if !strings.Contains(se.Hint(), "gaiaflow dev logs postgres-airflow") {
		t.Errorf("hint %q", se.Hint())
	}
	// Nothing keeps running to fail again: the waiting dependents were
	// stopped, and every failure says it is left stopped.
	calls := f.eng.Calls()
	for _, c := range []string{"airflow-api-server", "airflow-dag-processor", "airflow-triggerer"} {
		if !slices.Contains(calls, "stop "+c) {
			t.Errorf("%s was not stopped: %v", c, calls)
		}
	}
	for _, fl := range se.Failures {
		if !fl.Stopped {
			t.Errorf("%s not marked stopped", fl.Component)
		}
	}

	v, err := f.stack.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	af := v.Services[0]
	if af.State != StateUnhealthy || af.Culprit != "postgres-airflow" || !strings.Contains(af.Reason, "was killed (exit code 137)") {
		t.Errorf("airflow status: %s, culprit %s, reason %q", af.State, af.Culprit, af.Reason)
	}
	for _, c := range af.Containers {
		if c.Component == "airflow-api-server" && (c.State != StateExited || c.Reason != "failed because postgres-airflow stopped; the failed start left it stopped") {
			t.Errorf("api-server status: %+v", c)
		}
	}

	// The next start recovers them, and status forgets the failure.
	for _, c := range []string{"postgres-airflow", "airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"} {
		f.eng.behave[c] = behaviour{}
	}
	if err := f.start(StartOptions{Services: []string{"airflow"}}); err != nil {
		t.Fatalf("the next start: %v", err)
	}
	v, _ = f.stack.Status(context.Background())
	if af := v.Services[0]; af.State != StateHealthy || af.Reason != "" {
		t.Errorf("after the next start: %+v", af)
	}
}

// A container a person stops with `dev stop` is stopped even when it had
// to be killed; one killed behind gaiaflow's back exited.
func TestStatusTellsAStopFromAKill(t *testing.T) {
	f := newFixture(t, fakeToml)
	if err := f.start(StartOptions{Services: []string{"minio", "jupyter"}}); err != nil {
		t.Fatal(err)
	}
	f.eng.mu.Lock()
	for _, c := range f.eng.containers {
		if c.spec.Labels[LabelComponent] == "jupyter" {
			c.status, c.exitCode = "exited", 137
			f.eng.emitLocked(c, "die", "")
		}
	}
	f.eng.mu.Unlock()
	v, _ := f.stack.Status(context.Background())
	if j := v.Services[3]; j.State != StateUnhealthy || j.Reason != "was killed (exit code 137)" {
		t.Errorf("jupyter killed: %s %q", j.State, j.Reason)
	}
	if err := f.stack.Stop(context.Background(), StopOptions{Services: []string{"minio"}}); err != nil {
		t.Fatal(err)
	}
	f.eng.mu.Lock()
	for _, c := range f.eng.containers {
		if c.spec.Labels[LabelComponent] == "minio" {
			c.exitCode = 137 // it had to be killed
		}
	}
	f.eng.mu.Unlock()
	v, _ = f.stack.Status(context.Background())
	if m := v.Services[2]; m.State != StateStopped || m.Reason != "" {
		t.Errorf("minio after dev stop: %s %q", m.State, m.Reason)
	}
}

// A stopped container the engine cannot start again (a task an engine that
// went away mid-start left behind) is made anew by the next start.
func TestStartRecreatesAContainerTheEngineCannotStart(t *testing.T) {
	f := newFixture(t, fakeToml)
	if err := f.start(StartOptions{Services: []string{"minio"}}); err != nil {
		t.Fatal(err)
	}
	if err := f.stack.Stop(context.Background(), StopOptions{}); err != nil {
		t.Fatal(err)
	}
	f.eng.startErr = map[string]error{"minio": errors.New("task 1234: already exists")}
	f.eng.resetCalls()
	if err := f.start(StartOptions{Services: []string{"minio"}}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"start minio failed", "remove minio", "create minio", "start minio", "bucket mlflow"}; !slices.Equal(f.eng.Calls(), want) {
		t.Errorf("calls = %v, want %v", f.eng.Calls(), want)
	}
}
