package stack

import (
	"context"
	"sync"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
)

// EventSource is where a Watcher reads container events from; *docker.Client
// implements it.
type EventSource interface {
	ContainerEvents(ctx context.Context, labels map[string]string) (<-chan docker.ContainerEvent, <-chan error)
}

// Change is what a Watcher delivers: one container event, or Resync when
// events may have been lost (the stream broke and was reconnected, or the
// subscriber fell behind): re-read whatever you follow. Broken says the
// stream ended under the watcher: the engine stopped, restarted or cannot
// be reached (a Resync follows once it is back).
type Change struct {
	Event  docker.ContainerEvent
	Resync bool
	Broken bool
}

// Watcher follows the container events of one project with a single
// subscription to the engine, shared by everyone in the process who follows
// that project: the dashboard's redraws and a start's waits read the same
// stream, reconnected by one rule. The stream runs while someone subscribes.
type Watcher struct {
	src    EventSource
	labels map[string]string

	mu      sync.Mutex
	subs    map[*subscriber]struct{}
	stop    context.CancelFunc // of the running stream; nil when none runs
	stopped chan struct{}
}

type subscriber struct {
	ch   chan Change
	lost bool // a change was dropped: the next delivery is a Resync
}

// subscriberBuffer is how many changes wait for a slow subscriber before
// it is told to resync instead.
const subscriberBuffer = 64

// Reconnection after the stream breaks: the first try soon, then backing
// off while it keeps failing.
const (
	reconnectFirst = 200 * time.Millisecond
	reconnectMax   = 5 * time.Second
)

// NewWatcher returns a watcher of project id's containers on src.
func NewWatcher(src EventSource, id string) *Watcher {
	return &Watcher{src: src, labels: ProjectLabels(id), subs: map[*subscriber]struct{}{}}
}

// Subscribe delivers every change from now on, until ctx ends; then the
// channel is closed. The engine is asked for the stream before Subscribe
// returns, so nothing that happens afterwards is missed.
func (w *Watcher) Subscribe(ctx context.Context) <-chan Change {
	s := &subscriber{ch: make(chan Change, subscriberBuffer)}
	w.mu.Lock()
	w.subs[s] = struct{}{}
	if w.stop == nil {
		sctx, cancel := context.WithCancel(context.Background())
		w.stop, w.stopped = cancel, make(chan struct{})
		msgs, errc := w.src.ContainerEvents(sctx, w.labels)
		go w.follow(sctx, msgs, errc, w.stopped)
	}
	w.mu.Unlock()
	go func() {
		<-ctx.Done()
		w.mu.Lock()
		if _, ok := w.subs[s]; ok { // Close may have ended it already
			delete(w.subs, s)
			close(s.ch)
		}
		var stopped chan struct{}
		if len(w.subs) == 0 && w.stop != nil {
			w.stop()
			w.stop, stopped = nil, w.stopped
		}
		w.mu.Unlock()
		if stopped != nil {
			<-stopped
		}
	}()
	return s.ch
}

// Close stops the stream and ends every subscription.
func (w *Watcher) Close() {
	w.mu.Lock()
	for s := range w.subs {
		delete(w.subs, s)
		close(s.ch)
	}
	stop, stopped := w.stop, w.stopped
	w.stop = nil
	w.mu.Unlock()
	if stop != nil {
		stop()
		<-stopped
	}
}

// follow reads the stream until ctx ends, reconnecting when it breaks and
// telling every subscriber to resync once it is back.
func (w *Watcher) follow(ctx context.Context, msgs <-chan docker.ContainerEvent, errc <-chan error, done chan struct{}) {
	defer close(done)
	backoff := reconnectFirst
	for {
		healthy := w.consume(ctx, msgs, errc)
		if ctx.Err() != nil {
			return
		}
		w.deliver(Change{Broken: true})
		if healthy {
			backoff = reconnectFirst
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, reconnectMax)
		msgs, errc = w.src.ContainerEvents(ctx, w.labels)
		w.deliver(Change{Resync: true})
	}
}

// consume delivers events until the stream ends; it reports whether the
// stream gave at least one event (it was up, not refused at once).
func (w *Watcher) consume(ctx context.Context, msgs <-chan docker.ContainerEvent, errc <-chan error) bool {
	got := false
	for {
		select {
		case <-ctx.Done():
			return got
		case <-errc:
			return got
		case ev, ok := <-msgs:
			if !ok {
				return got
			}
			got = true
			w.deliver(Change{Event: ev})
		}
	}
}

func (w *Watcher) deliver(c Change) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for s := range w.subs {
		if s.lost {
			select {
			case s.ch <- Change{Resync: true}:
				s.lost = false
			default:
				continue
			}
		}
		select {
		case s.ch <- c:
		default:
			s.lost = true
		}
	}
}
