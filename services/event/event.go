// Package event is how long work reports progress. Every action in
// services/ and modes/ takes a Reporter and sends typed events; ui/cli prints
// them as lines or NDJSON, ui/tui renders them. Neither face decides anything
// from an event beyond how to show it.
package event

import (
	"sync"
	"time"
)

// Kind says what an event is.
type Kind string

const (
	// Step is a unit of work starting or a state reached ("creating network").
	Step Kind = "step"
	// Progress is a measurable advance (bytes pulled, layers built).
	Progress Kind = "progress"
	// Log is a line of output from a build or a container.
	Log Kind = "log"
	// Warn is something the person should know that does not stop the work.
	Warn Kind = "warn"
	// Done is a unit of work finished; Err is set when it failed.
	Done Kind = "done"
	// Timing is how long one phase of the work took: Phase names it, Began
	// and Seconds time it. Faces that show progress may leave it out; it is
	// there so that `-o json` says where the time went.
	Timing Kind = "timing"
)

// Event is one report. Fields that do not apply stay empty.
type Event struct {
	Time      time.Time `json:"time"`
	Kind      Kind      `json:"kind"`
	Scope     string    `json:"scope,omitempty"`     // stack, build, minikube, dags, ...
	Service   string    `json:"service,omitempty"`   // airflow, mlflow, ...
	Container string    `json:"container,omitempty"` // a container's name
	State     string    `json:"state,omitempty"`     // a state reached: pulling, starting, healthy, ...
	Message   string    `json:"message,omitempty"`
	Current   int64     `json:"current,omitempty"` // with Progress
	Total     int64     `json:"total,omitempty"`   // with Progress; 0 when unknown
	Err       string    `json:"error,omitempty"`   // with Done, when it failed
	Phase     string    `json:"phase,omitempty"`   // with Timing: engine, create, start, healthy, build-step, ...
	Began     time.Time `json:"began,omitzero"`    // with Timing: when the phase began
	Seconds   float64   `json:"seconds,omitempty"` // with Timing: how long it took
}

// Reporter receives events. Implementations must be safe for concurrent use:
// parallel work reports from several goroutines.
type Reporter interface {
	Report(Event)
}

// Func adapts a function to a Reporter; it serialises calls so the function
// itself need not be concurrency-safe.
func Func(f func(Event)) Reporter { return &funcReporter{f: f} }

type funcReporter struct {
	mu sync.Mutex
	f  func(Event)
}

func (r *funcReporter) Report(e Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.f(e)
}

// Discard drops every event.
var Discard Reporter = discard{}

type discard struct{}

func (discard) Report(Event) {}

// Recorder keeps every event; tests use it to assert what was reported.
type Recorder struct {
	mu     sync.Mutex
	events []Event
}

// Report records e.
func (r *Recorder) Report(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// Events returns a copy of what was recorded.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}
