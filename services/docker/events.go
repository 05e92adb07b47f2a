package docker

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/events"
)

// ContainerEvent is a change of a container's state, from the engine's event stream.
type ContainerEvent struct {
	ID       string
	Name     string
	Action   string // create, start, die, stop, kill, oom, destroy, health_status, restart
	Health   string // with health_status: healthy or unhealthy
	ExitCode int    // with die
	Labels   map[string]string
	Time     time.Time
}

// containerActions are the events the stack follows. Health checks also
// produce exec_* events every few seconds; they are filtered out by the engine.
var containerActions = []string{"create", "start", "restart", "die", "stop", "kill", "oom", "destroy", "health_status"}

// ContainerEvents streams state changes of the containers carrying all the
// given labels, from now on. The error channel receives one error when the
// stream ends (ctx.Err() after cancellation); callers reconnect as they see fit.
func (c *Client) ContainerEvents(ctx context.Context, labels map[string]string) (<-chan ContainerEvent, <-chan error) {
	f := labelFilter(labels)
	f.Add("type", string(events.ContainerEventType))
	for _, a := range containerActions {
		f.Add("event", a)
	}
	msgs, errc := c.api.Events(ctx, events.ListOptions{Filters: f})
	out := make(chan ContainerEvent)
	outErr := make(chan error, 1)
	go func() {
		defer close(out)
		for {
			select {
			case m := <-msgs:
				ev := containerEvent(m)
				select {
				case out <- ev:
				case <-ctx.Done():
					outErr <- ctx.Err()
					return
				}
			case err := <-errc:
				outErr <- err
				return
			}
		}
	}()
	return out, outErr
}

func containerEvent(m events.Message) ContainerEvent {
	attrs := m.Actor.Attributes
	ev := ContainerEvent{ID: m.Actor.ID, Name: attrs["name"], Action: string(m.Action), Labels: map[string]string{}}
	if m.TimeNano != 0 {
		ev.Time = time.Unix(0, m.TimeNano)
	} else {
		ev.Time = time.Unix(m.Time, 0)
	}
	// "health_status: healthy"; some engines add more after the status.
	if rest, ok := strings.CutPrefix(ev.Action, "health_status"); ok {
		ev.Action = "health_status"
		ev.Health = strings.TrimSpace(strings.TrimPrefix(rest, ":"))
	}
	if code, err := strconv.Atoi(attrs["exitCode"]); err == nil {
		ev.ExitCode = code
	}
	for k, v := range attrs {
		if !engineAttributes[k] {
			ev.Labels[k] = v
		}
	}
	return ev
}

// engineAttributes are the attributes an engine adds to a container event
// beside the container's labels: name and image on every event, exitCode on
// die (and exec_die), signal on kill, execID on exec events, oldName on
// rename, and on die, from newer engines (Docker 29 sends it, 20.10 does not),
// execDuration. They are not labels: a label of the same name would be lost,
// which none of gaiaflow's (all io.gaiaflow.*) can be.
var engineAttributes = map[string]bool{
	"name": true, "image": true, "exitCode": true, "execDuration": true,
	"signal": true, "execID": true, "oldName": true,
}
