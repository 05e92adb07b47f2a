package tui

import (
	"context"
	"sync"
)

// Broadcast is the subscriber list behind Backend.Changes: each subscription
// is a channel with room for one value, so signals coalesce while the
// dashboard is busy, and it is closed when its context ends. The zero value
// is ready to use.
type Broadcast struct {
	mu   sync.Mutex
	subs []chan struct{}
}

// Subscribe returns a channel that receives a value after each Notify (or
// Signal of it) until ctx ends; then it is closed.
func (b *Broadcast) Subscribe(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	b.subs = append(b.subs, ch)
	b.mu.Unlock()
	go func() {
		<-ctx.Done()
		b.mu.Lock()
		defer b.mu.Unlock()
		for i, s := range b.subs {
			if s == ch {
				b.subs = append(b.subs[:i], b.subs[i+1:]...)
				close(ch)
				return
			}
		}
	}()
	return ch
}

// Notify signals every subscription.
func (b *Broadcast) Notify() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.subs {
		send(s)
	}
}

// Signal signals one subscription, unless it has ended.
func (b *Broadcast) Signal(ch <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.subs {
		if s == ch {
			send(s)
			return
		}
	}
}

func send(s chan struct{}) {
	select {
	case s <- struct{}{}:
	default: // a signal is pending already: coalesce
	}
}
