package stack

import (
	"sync"
	"time"

	"github.com/gaiaflow/gaiaflow/services/event"
)

// Phases of a start, the Phase of its event.Timing events. The start's own
// phases have no container; a container's phases follow one another.
const (
	PhaseStart      = "start"         // the whole start
	PhaseEngine     = "engine"        // the engine (and cluster) checks
	PhaseImage      = "airflow-image" // the Airflow runtime image: built, or found up to date
	PhasePorts      = "ports"         // the host ports checked
	PhaseImages     = "images"        // the images looked up (and pulled)
	PhaseResources  = "resources"     // the network and the volumes
	PhaseContainers = "containers"    // every container until the last is ready or failed

	PhaseWaiting   = "waiting"   // a container waits for its dependencies
	PhaseCreate    = "create"    // created (an outdated one removed first), files copied
	PhaseStartCtr  = "started"   // the engine starts it (nothing when it already ran)
	PhaseHealthy   = "healthy"   // started until its readiness check passed
	PhaseCompleted = "completed" // a one-shot, started until it exited with 0
)

// phaseReady stands for the phase after the engine started a container,
// named for what ends it: healthy, completed, or failed.
const phaseReady = "ready"

// phases times a start. The start's own phases are bracketed in Start; a
// container's are read from the steps the start reports anyway (creating,
// starting, healthy, completed, failed) and from one mark when the engine
// has started it, so the start path itself is left as it is.
type phases struct {
	report func(event.Event)
	now    func() time.Time

	mu    sync.Mutex
	began time.Time            // of the containers phase: where waiting begins
	open  map[string]openPhase // by container
}

type openPhase struct {
	name, service string
	began         time.Time
}

// withPhases returns a copy of the stack whose reports are also read for
// phase timings, which it reports as event.Timing events.
func (s *Stack) withPhases() *Stack {
	t := *s
	t.phases = &phases{report: s.o.Reporter.Report, now: s.o.Now, open: map[string]openPhase{}}
	return &t
}

// begin starts one of the start's own phases and returns what ends it.
// A stack without timings times nothing.
func (p *phases) begin(name string) (end func()) {
	if p == nil {
		return func() {}
	}
	began := p.now()
	if name == PhaseContainers {
		p.mu.Lock()
		p.began = began
		p.mu.Unlock()
	}
	return func() { p.emit(event.Event{}, name, began, "") }
}

// started marks the engine having started a container (or found it
// running): its start phase ends and its wait for readiness begins.
func (p *phases) started(component string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.moveLocked(component, "", phaseReady)
}

// observe reads one reported event for the container phases it ends.
func (p *phases) observe(e event.Event) {
	if p == nil || e.Container == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case e.Kind == event.Step && e.State == "creating":
		// A container replaced is removed and then created: one phase.
		if p.current(e.Container).name != PhaseCreate {
			p.moveLocked(e.Container, e.Service, PhaseCreate)
		}
	case e.Kind == event.Step && e.State == "starting":
		p.moveLocked(e.Container, e.Service, PhaseStartCtr)
	case e.Kind == event.Step && (e.State == PhaseHealthy || e.State == PhaseCompleted):
		p.closeLocked(e.Container, e.Service, e.State, "")
	case e.Kind == event.Done && e.State == "failed":
		p.closeLocked(e.Container, e.Service, "", e.Err)
	}
}

// current is a container's open phase; before its first step, it waits.
func (p *phases) current(component string) openPhase {
	if o, ok := p.open[component]; ok {
		return o
	}
	return openPhase{name: PhaseWaiting, began: p.began}
}

// moveLocked ends a container's open phase and begins the next.
func (p *phases) moveLocked(component, service, next string) {
	o := p.closeLocked(component, service, "", "")
	p.open[component] = openPhase{name: next, service: o.service, began: p.now()}
}

// closeLocked ends a container's open phase, naming the wait for readiness
// for how it ended, and returns it.
func (p *phases) closeLocked(component, service, reached, errText string) openPhase {
	o := p.current(component)
	delete(p.open, component)
	if o.service == "" {
		o.service = service
	}
	name := o.name
	if name == phaseReady && reached != "" {
		name = reached
	}
	if !o.began.IsZero() {
		p.emit(event.Event{Service: o.service, Container: component}, name, o.began, errText)
	}
	return o
}

func (p *phases) emit(e event.Event, name string, began time.Time, errText string) {
	now := p.now()
	e.Time, e.Kind, e.Scope, e.Phase, e.Began, e.Err = now, event.Timing, "stack", name, began, errText
	e.Seconds = now.Sub(began).Seconds()
	p.report(e)
}
