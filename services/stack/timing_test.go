package stack

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/event"
)

// timingDeps are dependencies whose order the timings must show: a
// container is created only after what it needs is ready.
var timingDeps = map[string][]string{
	"airflow-init":       {"postgres-airflow"},
	"airflow-api-server": {"airflow-init"},
	"airflow-scheduler":  {"airflow-init"},
	"mlflow":             {"postgres-mlflow", "minio"},
	"jupyter":            {"jupyter-deps"},
}

// span is one reported phase.
type span struct {
	phase      string
	began, end time.Time
}

// slack absorbs the clock reads between the end of one phase and the start
// of the next, and the rounding of Seconds.
const slack = 50 * time.Millisecond

// checkTimings checks the timing events of a fresh start of components:
// the start's own phases inside the whole start, and each container's
// create, started and healthy (or completed) phases, one after the other,
// inside the containers phase and after what the container needs was ready.
func checkTimings(t *testing.T, events []event.Event, components []string) {
	t.Helper()
	own := map[string]span{}
	ctr := map[string][]span{}
	for _, e := range events {
		if e.Kind != event.Timing || e.Scope != "stack" {
			continue
		}
		if e.Began.IsZero() || e.Seconds < 0 {
			t.Errorf("timing without a start or with a negative time: %+v", e)
			continue
		}
		// Seconds is what Time says, as -o json prints it.
		end := e.Began.Add(time.Duration(e.Seconds * float64(time.Second)))
		if d := e.Time.Sub(end); d > time.Millisecond || d < -time.Millisecond {
			t.Errorf("%s %s: began %v + %.6f s is not its time %v", e.Container, e.Phase, e.Began, e.Seconds, e.Time)
		}
		var back event.Event
		if data, err := json.Marshal(e); err != nil || json.Unmarshal(data, &back) != nil ||
			back.Phase != e.Phase || back.Seconds != e.Seconds || !back.Began.Equal(e.Began) {
			t.Errorf("timing does not survive JSON: %s (%v)", data, err)
		}
		s := span{e.Phase, e.Began, end}
		if e.Container == "" {
			if _, dup := own[e.Phase]; dup {
				t.Errorf("phase %s reported twice", e.Phase)
			}
			own[e.Phase] = s
			continue
		}
		ctr[e.Container] = append(ctr[e.Container], s)
	}
	whole, ok := own[PhaseStart]
	if !ok {
		t.Fatalf("no timing of the whole start in %d events", len(events))
	}
	within := func(what string, s, outer span) {
		t.Helper()
		if s.began.Before(outer.began.Add(-slack)) || s.end.After(outer.end.Add(slack)) {
			t.Errorf("%s (%v–%v) is not within %s (%v–%v)", what, s.began.Format(time.StampMicro), s.end.Format(time.StampMicro),
				outer.phase, outer.began.Format(time.StampMicro), outer.end.Format(time.StampMicro))
		}
	}
	var last time.Time
	for _, p := range []string{PhaseEngine, PhasePorts, PhaseImages, PhaseResources, PhaseContainers} {
		s, ok := own[p]
		if !ok {
			t.Errorf("no timing of phase %s", p)
			continue
		}
		within(p, s, whole)
		if s.began.Before(last.Add(-slack)) {
			t.Errorf("phase %s began before the one before it ended", p)
		}
		last = s.end
	}
	ready := map[string]time.Time{}
	for _, c := range components {
		spans := ctr[c]
		var names []string
		for _, s := range spans {
			names = append(names, s.phase)
		}
		if len(names) > 0 && names[0] == PhaseWaiting {
			names = names[1:]
		}
		if !slices.Equal(names, []string{PhaseCreate, PhaseStartCtr, PhaseHealthy}) &&
			!slices.Equal(names, []string{PhaseCreate, PhaseStartCtr, PhaseCompleted}) {
			t.Errorf("%s: phases %v, want [waiting] create, started, healthy or completed", c, names)
			continue
		}
		for i, s := range spans {
			within(c+" "+s.phase, s, own[PhaseContainers])
			if i > 0 && (s.began.Before(spans[i-1].end.Add(-slack)) || s.began.After(spans[i-1].end.Add(slack))) {
				t.Errorf("%s: %s began at %v, not where %s ended (%v)", c, s.phase, s.began, spans[i-1].phase, spans[i-1].end)
			}
		}
		ready[c] = spans[len(spans)-1].end
	}
	for c, deps := range timingDeps {
		if !slices.Contains(components, c) {
			continue
		}
		create := ctr[c][slices.IndexFunc(ctr[c], func(s span) bool { return s.phase == PhaseCreate })]
		for _, d := range deps {
			if create.began.Before(ready[d].Add(-slack)) {
				t.Errorf("%s was created at %v, before %s was ready at %v", c, create.began, d, ready[d])
			}
		}
	}
}

func TestStartReportsPhaseTimings(t *testing.T) {
	f := newFixture(t, fakeToml)
	for _, c := range []string{"postgres-airflow", "postgres-mlflow", "minio"} {
		f.eng.behave[c] = behaviour{delay: 40 * time.Millisecond}
	}
	f.eng.behave["airflow-init"] = behaviour{delay: 30 * time.Millisecond, exit: exitCode(0)}
	if err := f.start(StartOptions{}); err != nil {
		t.Fatal(err)
	}
	checkTimings(t, f.rec.Events(), allComponents)

	// A second start changes nothing: no container is created, and the
	// whole start is still timed.
	f.rec.events = nil
	if err := f.start(StartOptions{}); err != nil {
		t.Fatal(err)
	}
	starts := 0
	for _, e := range f.rec.Events() {
		if e.Kind == event.Timing && e.Phase == PhaseCreate {
			t.Errorf("a second start created %s", e.Container)
		}
		if e.Kind == event.Timing && e.Phase == PhaseStart {
			starts++
		}
	}
	if starts != 1 {
		t.Errorf("the second start was timed %d times", starts)
	}
}

func TestProbeBackoffGrowsToTheLongestPause(t *testing.T) {
	b := newProbeBackoff(500 * time.Millisecond)
	var got []time.Duration
	for range 7 {
		got = append(got, b.next())
	}
	ms := time.Millisecond
	want := []time.Duration{100 * ms, 150 * ms, 225 * ms, 337500 * time.Microsecond, 500 * ms, 500 * ms, 500 * ms}
	if !slices.Equal(got, want) {
		t.Errorf("pauses %v, want %v", got, want)
	}
}
