package stack

import "context"

// Changes returns a channel that receives a value whenever a container of
// the project changes state (created, started, healthy, died, removed...),
// from the project's event stream (its Watcher): a dashboard redraws on it
// instead of polling. Values are coalesced; nothing is sent while nothing
// changes; a reconnected stream sends one, since something may have changed
// meanwhile. The channel is closed when ctx ends.
func (s *Stack) Changes(ctx context.Context) <-chan struct{} {
	out := make(chan struct{}, 1)
	changes := s.o.Watcher.Subscribe(ctx)
	go func() {
		defer close(out)
		for range changes { // closed when ctx ends
			select {
			case out <- struct{}{}:
			default:
			}
		}
	}()
	return out
}
