package adapter

import (
	"context"
	"fmt"

	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// Services maps the stack's status onto the services panel. A service's
// image is the one gaiaflow.toml names for it (its containers say theirs).
func Services(p *project.Project, v *stack.StatusView) []tui.Service {
	out := make([]tui.Service, 0, len(v.Services))
	for _, ss := range v.Services {
		s := tui.Service{Name: ss.Name, Enabled: ss.Enabled, State: tui.StateOf(ss.State), Culprit: ss.Culprit, Reason: ss.Reason}
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
	c := tui.Container{Name: cs.Component, Image: cs.Image, State: tui.StateOf(cs.State),
		OOMKilled: cs.OOMKilled, RestartCount: cs.Restarts, Ports: cs.Ports, Reason: cs.Reason}
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

// Logs implements tui.Backend: a service's containers (`gaiaflow dev
// logs`), or a task instance's try (`gaiaflow dags logs`), through the core.
func (b *Backend) Logs(ctx context.Context, src tui.LogSource, q tui.LogQuery) (<-chan tui.LogLine, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if src.Task != nil {
		return b.taskLog(ctx, *src.Task, q.Follow)
	}
	if _, err := b.Core.Project(); err != nil {
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
		err := b.Core.Logs(ctx, o, func(l stack.LogLine) {
			send(tui.LogLine{Container: l.Component, Stderr: l.Stream == "stderr", Text: l.Text})
		})
		if err != nil && ctx.Err() == nil {
			// The stream has started; its failure is its last line.
			send(tui.LogLine{Container: "gaiaflow", Stderr: true, Text: shown(err)})
		}
	}()
	return ch, nil
}

// taskLog sends the log of one try of a task instance as Airflow has it
// now; followed (the dashboard follows a running task's log), the new lines
// until the try ends. A log that cannot be read is an error.
func (b *Backend) taskLog(ctx context.Context, ti tui.TaskInstance, follow bool) (<-chan tui.LogLine, error) {
	ati := airflow.TaskInstance{TaskID: ti.TaskID, MapIndex: ti.MapIndex, TryNumber: max(ti.Try, 1)}
	log, err := b.Core.OpenTaskLog(ctx, ti.DAGID, ti.RunID, ati)
	if err != nil {
		return nil, faceErr("the log of "+ti.TaskID, err)
	}
	ch := make(chan tui.LogLine, 256)
	go func() {
		defer close(ch)
		send := func(l tui.LogLine) bool {
			select {
			case ch <- l:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for _, line := range log.Lines {
			if !send(tui.LogLine{Container: ti.TaskID, Text: line}) {
				return
			}
		}
		if !follow {
			return
		}
		err := log.Follow(ctx, func(line string) { send(tui.LogLine{Container: ti.TaskID, Text: line}) })
		if err != nil && ctx.Err() == nil {
			send(tui.LogLine{Container: "gaiaflow", Stderr: true, Text: shown(err)})
		}
	}()
	return ch, nil
}
