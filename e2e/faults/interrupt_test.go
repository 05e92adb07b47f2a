package faults

import (
	"syscall"
	"testing"
	"time"
)

// TestRealDockerFaultInterruptDuringStart sends gaiaflow SIGINT (Ctrl-C)
// in each phase of `dev start` on the machine's daemon (stand-in images),
// told by its own events (-o json): while it creates a container, when one
// starts, and while it waits for readiness. It stops at once with exit 1
// and "interrupted"; what it made is labelled and whole, and the next
// start finishes the job.
func TestRealDockerFaultInterruptDuringStart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		phase, component, state string
		after                   time.Duration
	}{
		{"create", "airflow-init", "creating", 0},
		{"start", "postgres-mlflow", "starting", 0},
		{"readiness", "airflow-api-server", "starting", time.Second},
	} {
		t.Run(tc.phase, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, nil, "gfint-"+tc.phase, map[string]string{"STANDIN_API_SERVER_DELAY": "5s"})
			before := f.prepareFresh()
			p := f.startProc("-o", "json", "dev", "start", "--wait", "2m")
			p.waitEvent(tc.component+" "+tc.state, 2*time.Minute, state(tc.component, tc.state))
			time.Sleep(tc.after)
			sent := time.Now()
			p.signal(syscall.SIGINT)
			r := p.wait()
			if r.code != 1 || r.firstError() != "error: interrupted" {
				t.Fatalf("want exit 1 and error: interrupted:\n%s", r)
			}
			if d := time.Since(sent); d > 10*time.Second {
				t.Errorf("gaiaflow took %v to stop after SIGINT", d)
			}
			f.checkAfter(before)
		})
	}
}
