package build

import (
	"reflect"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/event"
)

func TestStreamTurnsTheBuildIntoEvents(t *testing.T) {
	rec := &event.Recorder{}
	s := newStream(rec)
	// A clock that moves a second each time it is read: each step's timing
	// spans one.
	clock := time.Unix(1000, 0)
	s.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	for _, m := range []docker.BuildMessage{
		{Stream: "Step 1/3 : FROM example/python:3.12\n"},
		{Status: "Downloading", ID: "abc123", Current: 50, Total: 100},
		{Stream: " ---> 0123456789ab\n"},
		{Stream: "Step 2/3 : RUN pip install -r r.txt\n ---> Using cache\n ---> 89abcdef0123\n"},
		{Stream: "Step 3/3 : COPY . /app\n"},
		{Stream: " ---> Running in 77\n"},
		{Stream: "Collecting six\r\n  Downloading"},
		{Stream: " six.whl\n"},
		{Stream: "\x1b[91mWARNING: on stderr\n\x1b[0mRemoving intermediate container 77\n ---> fedcba987654\n"},
		{Stream: "Successfully built fedcba987654\nSuccessfully tagged demo:1\n"},
	} {
		s.message(m)
	}
	s.flush()
	s.endStep()
	type ev struct {
		Kind           event.Kind
		State, Message string
		Current, Total int64
		Seconds        float64
	}
	var got []ev
	for _, e := range rec.Events() {
		if e.Scope != Scope {
			t.Errorf("event without the build scope: %+v", e)
		}
		if e.Kind == event.Timing && (e.Phase != PhaseStep || e.Began.IsZero() || !e.Time.Equal(e.Began.Add(time.Second))) {
			t.Errorf("step timing %+v: want phase %s, one second from Began to Time", e, PhaseStep)
		}
		got = append(got, ev{e.Kind, e.State, e.Message, e.Current, e.Total, e.Seconds})
	}
	want := []ev{
		{event.Step, StateStep, "Step 1/3 : FROM example/python:3.12", 1, 3, 0},
		{event.Progress, StatePull, "abc123 Downloading", 50, 100, 0},
		{event.Timing, "", "FROM example/python:3.12", 1, 3, 1},
		{event.Step, StateStep, "Step 2/3 : RUN pip install -r r.txt", 2, 3, 0},
		{event.Log, StateCached, "using cache", 2, 3, 0},
		{event.Timing, "", "RUN pip install -r r.txt (from cache)", 2, 3, 1},
		{event.Step, StateStep, "Step 3/3 : COPY . /app", 3, 3, 0},
		{event.Log, "", "Collecting six", 0, 0, 0},
		{event.Log, "", "  Downloading six.whl", 0, 0, 0},
		{event.Log, "", "WARNING: on stderr", 0, 0, 0},
		{event.Timing, "", "COPY . /app", 3, 3, 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events\n got %+v\nwant %+v", got, want)
	}
	wantSteps := []Step{
		{1, 3, "FROM example/python:3.12", false},
		{2, 3, "RUN pip install -r r.txt", true},
		{3, 3, "COPY . /app", false},
	}
	if !reflect.DeepEqual(s.steps, wantSteps) {
		t.Errorf("steps %+v", s.steps)
	}
	se := s.failed(&docker.BuildError{Message: "boom"})
	if se.Step != wantSteps[2] || !reflect.DeepEqual(se.Output, []string{"Collecting six", "  Downloading six.whl", "WARNING: on stderr"}) {
		t.Errorf("StepError %+v", se)
	}
	if se.Error() != "image build failed at step 3/3 (COPY . /app): boom" {
		t.Errorf("Error() = %q", se.Error())
	}
}

func TestStreamKeepsTheLastLinesOfALongStep(t *testing.T) {
	s := newStream(event.Discard)
	s.message(docker.BuildMessage{Stream: "Step 1/1 : RUN noisy\n"})
	for range maxStepOutput + 10 {
		s.message(docker.BuildMessage{Stream: "line\n"})
	}
	s.message(docker.BuildMessage{Stream: "last"})
	se := s.failed(&docker.BuildError{Message: "x"})
	if len(se.Output) != maxStepOutput || se.Output[len(se.Output)-1] != "last" {
		t.Errorf("kept %d lines ending %q", len(se.Output), se.Output[len(se.Output)-1])
	}
}
