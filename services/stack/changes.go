package stack

import (
	"context"
	"time"
)

// Changes returns a channel that receives a value whenever a container of
// the project changes state (created, started, healthy, died, removed...),
// from the engine's event stream: a dashboard redraws on it instead of
// polling. Values are coalesced; nothing is sent while nothing changes. The
// stream is reconnected when it breaks (with a value, since something may
// have changed meanwhile) and the channel is closed when ctx ends.
func (s *Stack) Changes(ctx context.Context) <-chan struct{} {
	out := make(chan struct{}, 1)
	signal := func() {
		select {
		case out <- struct{}{}:
		default:
		}
	}
	go func() {
		defer close(out)
		for {
			msgs, errc := s.eng.ContainerEvents(ctx, ProjectLabels(s.p.ID()))
		follow:
			for {
				select {
				case <-ctx.Done():
					return
				case _, ok := <-msgs:
					if !ok {
						break follow
					}
					signal()
				case <-errc:
					break follow
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			signal()
		}
	}()
	return out
}
