package tui

import (
	"context"
	"testing"
	"time"
)

// Signals coalesce, Signal reaches one subscription only, and an ended
// subscription is closed and no longer signalled.
func TestBroadcast(t *testing.T) {
	var b Broadcast
	ctx, cancel := context.WithCancel(context.Background())
	a := b.Subscribe(ctx)
	other := b.Subscribe(context.Background())

	b.Notify()
	b.Notify()
	for _, ch := range []<-chan struct{}{a, other} {
		<-ch
		select {
		case <-ch:
			t.Fatal("two notifies gave two signals, want one")
		default:
		}
	}

	b.Signal(a)
	<-a
	select {
	case <-other:
		t.Fatal("Signal of one subscription reached another")
	default:
	}

	cancel()
	select {
	case _, ok := <-a:
		if ok {
			t.Fatal("a signal after the subscription ended")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the subscription was not closed when its context ended")
	}
	b.Signal(a) // must not panic on the closed channel
	b.Notify()
	<-other
}
