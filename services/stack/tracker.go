package stack

import (
	"context"
	"sync"

	"github.com/gaiaflow/gaiaflow/services/docker"
)

// ctrState is what the tracker knows of one container.
type ctrState struct {
	Status   string // created, running, exited, removed, ...
	Health   string // "", starting, healthy, unhealthy
	ExitCode int
	OOM      bool
	// Dies counts the container's exits seen since tracking began: a
	// long-running container that exits and is restarted by its restart
	// policy between two looks is still caught.
	Dies int
	// gen counts the events applied; an inspection started before an
	// event must not overwrite what the event said.
	gen int
}

// tracker follows the containers of one project through the engine's event
// stream (the project's Watcher). Waiters block on a channel that is closed
// at every change.
type tracker struct {
	eng     Engine
	watcher *Watcher

	mu      sync.Mutex
	states  map[string]*ctrState
	changed chan struct{}
	onEvent func(docker.ContainerEvent)
	// lost is set when the event stream broke while following: the
	// engine went away, and every wait on it is over.
	lost bool
}

func newTracker(eng Engine, w *Watcher) *tracker {
	return &tracker{eng: eng, watcher: w, states: map[string]*ctrState{}, changed: make(chan struct{})}
}

// start subscribes to the project's events and returns once the
// subscription is in place, so nothing that happens afterwards is missed.
// When events may have been lost (the stream was reconnected), every
// container followed is read again.
func (t *tracker) start(ctx context.Context) {
	changes := t.watcher.Subscribe(ctx)
	go func() {
		for c := range changes { // closed when ctx ends
			switch {
			case c.Broken:
				t.mu.Lock()
				t.lost = true
				t.notifyLocked()
				t.mu.Unlock()
			case c.Resync:
				t.resync(ctx)
			default:
				t.apply(c.Event)
			}
		}
	}()
}

func (t *tracker) resync(ctx context.Context) {
	t.mu.Lock()
	ids := make([]string, 0, len(t.states))
	for id := range t.states {
		ids = append(ids, id)
	}
	t.mu.Unlock()
	for _, id := range ids {
		t.refresh(ctx, id)
	}
}

// apply updates a container's state from one event.
func (t *tracker) apply(ev docker.ContainerEvent) {
	t.mu.Lock()
	s := t.stateLocked(ev.ID)
	s.gen++
	switch ev.Action {
	case "create":
		s.Status = "created"
	case "start", "restart":
		s.Status = "running"
		if s.Health != "" {
			s.Health = "starting"
		}
	case "die":
		s.Status = "exited"
		s.ExitCode = ev.ExitCode
		s.Dies++
	case "oom":
		s.OOM = true
	case "destroy":
		s.Status = "removed"
	case "health_status":
		s.Health = ev.Health
	}
	f := t.onEvent
	t.notifyLocked()
	t.mu.Unlock()
	if f != nil {
		f(ev)
	}
}

func (t *tracker) stateLocked(id string) *ctrState {
	s, ok := t.states[id]
	if !ok {
		s = &ctrState{}
		t.states[id] = s
	}
	return s
}

func (t *tracker) notifyLocked() {
	close(t.changed)
	t.changed = make(chan struct{})
}

// starting registers a container about to be started and returns how many
// times it has died so far; withHealth says it has an engine health check,
// whose verdict starts over.
func (t *tracker) starting(id string, withHealth bool) (dies int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.stateLocked(id)
	if withHealth {
		s.Health = "starting"
	}
	return s.Dies
}

// refresh reads a container's state from the engine, unless an event
// arrived meanwhile (events are newer than any inspection they race).
func (t *tracker) refresh(ctx context.Context, id string) {
	t.mu.Lock()
	gen := t.stateLocked(id).gen
	t.mu.Unlock()
	info, err := t.eng.InspectContainer(ctx, id)
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.stateLocked(id)
	if s.gen != gen {
		return
	}
	switch {
	case docker.IsNotFound(err):
		s.Status = "removed"
	case err != nil:
		return
	default:
		s.Status, s.ExitCode = info.Status, info.ExitCode
		s.OOM = s.OOM || info.OOMKilled
		if info.Health != "" {
			s.Health = info.Health
		}
	}
	t.notifyLocked()
}

func (t *tracker) get(id string) ctrState {
	t.mu.Lock()
	defer t.mu.Unlock()
	return *t.stateLocked(id)
}

// wait calls check with the container's state now and after every change
// until check says it is done, or ctx ends.
func (t *tracker) wait(ctx context.Context, id string, check func(ctrState) (bool, error)) error {
	for {
		t.mu.Lock()
		s := *t.stateLocked(id)
		ch := t.changed
		t.mu.Unlock()
		if done, err := check(s); done || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// changes returns a channel closed at the next change of any container.
func (t *tracker) changes() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.changed
}

// engineLost reports whether the event stream broke since tracking began.
func (t *tracker) engineLost() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lost
}
