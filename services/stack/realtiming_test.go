package stack

import (
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/event"
)

// TestRealDockerStartReportsPhaseTimings starts the stack of stand-ins on
// the real engine and checks the phase timings `dev start -o json` prints:
// every phase there, in order, consistent with each other and with the
// stand-ins' own delays.
func TestRealDockerStartReportsPhaseTimings(t *testing.T) {
	f, _ := slowFixture(t, "1s")
	if err := f.start(StartOptions{}); err != nil {
		t.Fatalf("start: %v", err)
	}
	events := f.rec.Events()
	checkTimings(t, events, allComponents)

	// The waits show where the stand-ins' delays are: the api-server's
	// readiness takes its 2 s, a database's its 1 s. A stand-in's delay
	// runs from its process's start, which falls inside the start call:
	// the start and the readiness wait together take at least the delay
	// (the wait alone may be a few ms short of it, seen on a loaded CI).
	took := map[string]float64{}
	for _, e := range events {
		if e.Kind == event.Timing {
			took[e.Container+" "+e.Phase] += e.Seconds
			t.Logf("%-22s %-10s %7.3f s", e.Container, e.Phase, e.Seconds)
		}
	}
	for _, w := range []struct {
		phases []string
		least  time.Duration
	}{
		{[]string{"airflow-api-server " + PhaseStartCtr, "airflow-api-server " + PhaseHealthy}, 2 * time.Second},
		{[]string{"postgres-airflow " + PhaseStartCtr, "postgres-airflow " + PhaseHealthy}, time.Second},
		{[]string{"airflow-init " + PhaseWaiting}, time.Second},
	} {
		got := 0.0
		for _, ph := range w.phases {
			got += took[ph]
		}
		if got < w.least.Seconds() {
			t.Errorf("%v took %.3f s, want at least %v", w.phases, got, w.least)
		}
	}
}

// slowFixture is a project of stand-ins whose databases take dbDelay and
// whose api-server takes 2 s to be ready, which makes order and readiness
// waits visible.
func slowFixture(t *testing.T, dbDelay string) (*realFixture, images) {
	t.Helper()
	c := realDocker(t)
	base := standin(t, c, nil)
	img := images{airflow: standin(t, c, map[string]string{"STANDIN_API_SERVER_DELAY": "2s"}),
		postgres: standin(t, c, map[string]string{"STANDIN_POSTGRES_DELAY": dbDelay}), mlflow: base, minio: base, jupyter: base}
	return newRealFixture(t, img), img
}
