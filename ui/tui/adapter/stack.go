package adapter

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// services maps the stack's status onto the services panel. A service's
// image is the one gaiaflow.toml names for it (its containers say theirs).
func services(p *project.Project, v *stack.StatusView) []tui.Service {
	out := make([]tui.Service, 0, len(v.Services))
	for _, ss := range v.Services {
		s := tui.Service{Name: ss.Name, Enabled: ss.Enabled}
		if cfg, ok := p.Config.Service(ss.Name); ok {
			s.Image = cfg.Image
		}
		if len(ss.URLs) > 0 {
			s.URL = ss.URLs[0].URL
		}
		for _, cs := range ss.Containers {
			c := container(cs)
			s.Ports = append(s.Ports, c.Ports...)
			s.Containers = append(s.Containers, c)
		}
		out = append(out, s)
	}
	return out
}

// container maps one container's status; the component (airflow-scheduler)
// names it, as it names the lines of the service's logs.
func container(cs stack.ContainerStatus) tui.Container {
	c := tui.Container{Name: cs.Component, Image: cs.Image, State: containerState(cs.State),
		OOMKilled: cs.OOMKilled, RestartCount: cs.Restarts, Ports: cs.Ports}
	if cs.ExitCode != nil {
		c.ExitCode = *cs.ExitCode
	}
	if cs.StartedAt != nil {
		c.Started = *cs.StartedAt
	}
	if cs.State == "completed" {
		c.OneShot = true
	}
	return c
}

// containerState maps the states stack.ContainerStatus names.
func containerState(s string) tui.State {
	switch s {
	case "pulling":
		return tui.StatePulling
	case "building":
		return tui.StateBuilding
	case "creating", "starting":
		return tui.StateStarting
	case "created":
		return tui.StateCreated
	case "healthy":
		return tui.StateHealthy
	case "unhealthy":
		return tui.StateUnhealthy
	case "running":
		return tui.StateRunning
	case "restarting":
		return tui.StateRestarting
	case "completed", "exited", "dead":
		return tui.StateExited
	case "stopped", "paused", "removing":
		return tui.StateStopped
	case "not created":
		return tui.StateMissing
	}
	return tui.StateUnknown
}

// configuredServices is the services as gaiaflow.toml has them, when the
// stack's status cannot be read (no engine: the header's Docker item says
// why): their state is unknown.
func configuredServices(p *project.Project) []tui.Service {
	var out []tui.Service
	for _, name := range project.ServiceNames {
		svc, _ := p.Config.Service(name)
		out = append(out, tui.Service{
			Name: name, Enabled: svc.IsEnabled(), Image: svc.Image,
			URL:        fmt.Sprintf("http://127.0.0.1:%d", svc.Port),
			Containers: []tui.Container{{Name: name, Image: svc.Image, State: tui.StateUnknown}},
		})
	}
	return out
}

// Logs implements tui.Backend: a service's containers through the stack
// (`gaiaflow dev logs`), or a task instance's try through Airflow.
func (b *Backend) Logs(ctx context.Context, src tui.LogSource, q tui.LogQuery) (<-chan tui.LogLine, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if src.Task != nil {
		return b.taskLog(ctx, *src.Task, q.Follow)
	}
	if b.Stack == nil {
		return nil, unavailable("logs of "+src.Service, errNoStack)
	}
	p, err := b.open()
	if err != nil {
		return nil, unavailable("logs of "+src.Service, err)
	}
	st, err := b.Stack(p, event.Discard)
	if err != nil {
		return nil, unavailable("logs of "+src.Service, err)
	}
	o := stack.LogOptions{Names: []string{src.Service}, Follow: q.Follow, Tail: q.Tail}
	if q.Tail == 0 {
		o.Tail = -1
	}
	if q.Since > 0 {
		o.Since = q.Since.String()
	}
	ch := make(chan tui.LogLine, 256)
	go func() {
		defer close(ch)
		send := func(l tui.LogLine) {
			select {
			case ch <- l:
			case <-ctx.Done():
			}
		}
		err := st.Logs(ctx, o, func(l stack.LogLine) {
			send(tui.LogLine{Container: l.Component, Stderr: l.Stream == "stderr", Text: l.Text})
		})
		if err != nil && ctx.Err() == nil {
			// The stream has started; its failure is its last line.
			send(tui.LogLine{Container: "gaiaflow", Stderr: true, Text: oneLine(err)})
		}
	}()
	return ch, nil
}

// taskLogPoll is how often a followed task log is read again.
var taskLogPoll = 2 * time.Second

// taskLog sends the log of one try of a task instance as Airflow has it
// now. Followed (the dashboard follows a running task's log), it reads the
// log again every taskLogPoll and sends the new lines, until the try ends
// or ctx does.
func (b *Backend) taskLog(ctx context.Context, ti tui.TaskInstance, follow bool) (<-chan tui.LogLine, error) {
	c, err := b.client(ctx)
	if err != nil {
		return nil, err
	}
	try := max(ti.Try, 1)
	what := "the log of " + ti.TaskID
	text, err := c.TaskLog(ctx, ti.DAGID, ti.RunID, ti.TaskID, try)
	if err != nil {
		return nil, airflowErr(what, c, err)
	}
	ch := make(chan tui.LogLine, 256)
	go func() {
		defer close(ch)
		sent := 0
		emit := func(text string) bool {
			lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
			if text == "" {
				lines = nil
			}
			for ; sent < len(lines); sent++ {
				select {
				case ch <- tui.LogLine{Container: ti.TaskID, Text: lines[sent]}:
				case <-ctx.Done():
					return false
				}
			}
			return true
		}
		if !emit(text) || !follow {
			return
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(taskLogPoll):
			}
			over := b.tryOver(ctx, c, ti, try)
			text, err := c.TaskLog(ctx, ti.DAGID, ti.RunID, ti.TaskID, try)
			if err != nil {
				select {
				case ch <- tui.LogLine{Container: "gaiaflow", Stderr: true, Text: oneLine(airflowErr(what, c, err))}:
				case <-ctx.Done():
				}
				return
			}
			if !emit(text) || over {
				return
			}
		}
	}()
	return ch, nil
}

// tryOver reports whether a task instance's try has ended: the task
// finished, waits for a retry or a reschedule, or moved on to another try.
func (b *Backend) tryOver(ctx context.Context, c Airflow, ti tui.TaskInstance, try int) bool {
	tis, err := c.ListTaskInstances(ctx, ti.DAGID, ti.RunID)
	if err != nil {
		return false
	}
	for _, t := range tis {
		if t.TaskID == ti.TaskID && t.MapIndex == ti.MapIndex {
			return t.State.Finished() || t.State == airflow.TaskUpForRetry ||
				t.State == airflow.TaskUpForReschedule || t.TryNumber != try
		}
	}
	return false
}

type adapterError string

func (e adapterError) Error() string { return string(e) }

const (
	errNoStack   adapterError = "the local stack is not wired into this dashboard"
	errNoAirflow adapterError = "Airflow is not wired into this dashboard"
	errNoBuild   adapterError = "image builds are not wired into this dashboard"
	errNoCluster adapterError = "the Minikube cluster is not wired into this dashboard"
)
