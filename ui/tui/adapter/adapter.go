// Package adapter connects the dashboard's tui.Backend to services/ and
// modes/. Today it covers what has landed: the project and its settings,
// the execution mode (switching included), and Docker connectivity. Service
// states, logs and the Airflow reads answer tui.ErrUnavailable until the
// stack and Airflow adapters are wired in here.
package adapter

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// Backend is the adapter.
type Backend struct {
	// Start is where to look for the project; Explicit is -p.
	Start    string
	Explicit bool
	// NewDocker builds a Docker client (services/docker.New).
	NewDocker func() (*docker.Client, error)

	mu   sync.Mutex
	subs []chan struct{}
}

// Snapshot implements tui.Backend.
func (b *Backend) Snapshot(ctx context.Context) (tui.Snapshot, error) {
	var s tui.Snapshot
	s.Minikube = tui.Conn{Unknown: true, Detail: "not checked in this version"}
	s.Airflow = tui.Conn{Unknown: true, Detail: "the Airflow client is not wired into the dashboard yet"}
	s.Docker = b.docker(ctx)
	p, err := project.Open(b.Start, b.Explicit)
	switch {
	case errors.Is(err, project.ErrNotFound):
		return s, nil
	case err != nil:
		s.Project.Problem = oneLine(err)
		return s, nil
	}
	s.Project = tui.Project{Found: true, Name: p.Config.Name, Dir: p.Dir}
	s.Mode = p.Config.Mode
	for _, name := range project.ServiceNames {
		svc, _ := p.Config.Service(name)
		s.Services = append(s.Services, tui.Service{
			Name: name, Enabled: svc.IsEnabled(), Image: svc.Image,
			URL:        fmt.Sprintf("http://127.0.0.1:%d", svc.Port),
			Containers: []tui.Container{{Name: name, Image: svc.Image, State: tui.StateUnknown}},
		})
	}
	for _, m := range modes.All() {
		s.Modes = append(s.Modes, tui.ModeStatus{Mode: string(m), Description: m.Describe()})
	}
	return s, nil
}

func (b *Backend) docker(ctx context.Context) tui.Conn {
	if b.NewDocker == nil {
		return tui.Conn{Unknown: true}
	}
	c, err := b.NewDocker()
	if err != nil {
		return tui.Conn{Detail: oneLine(err) + "; check DOCKER_HOST and your docker context"}
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	info, err := c.Info(ctx)
	if err != nil {
		return tui.Conn{Detail: oneLine(err) + "; start Docker"}
	}
	return tui.Conn{OK: true, Detail: fmt.Sprintf("%s (engine %s, API %s)", c.Host, info.Version, info.APIVersion)}
}

func oneLine(err error) string {
	s := err.Error()
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}

// Changes implements tui.Backend: today only a mode switch changes anything.
func (b *Backend) Changes(ctx context.Context) <-chan struct{} {
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

func (b *Backend) notify() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.subs {
		select {
		case s <- struct{}{}:
		default:
		}
	}
}

func notWired(what string) error {
	return fmt.Errorf("%s: not in this version of gaiaflow yet: %w", what, tui.ErrUnavailable)
}

// DAGs implements tui.Backend.
func (b *Backend) DAGs(context.Context) (tui.DAGList, error) {
	return tui.DAGList{}, notWired("DAGs")
}

// Runs implements tui.Backend.
func (b *Backend) Runs(context.Context, string, int) ([]tui.Run, error) {
	return nil, notWired("DAG runs")
}

// TaskInstances implements tui.Backend.
func (b *Backend) TaskInstances(context.Context, string, string) ([]tui.TaskInstance, error) {
	return nil, notWired("task instances")
}

// Logs implements tui.Backend.
func (b *Backend) Logs(_ context.Context, src tui.LogSource, _ tui.LogQuery) (<-chan tui.LogLine, error) {
	return nil, notWired("logs of " + src.Title())
}

// Do implements tui.Backend: switching mode works; the rest says it has not
// landed, like the CLI's commands do.
func (b *Backend) Do(ctx context.Context, a tui.Action, r event.Reporter) error {
	if a.Verb != tui.VerbSetMode {
		return errs.NotAvailable(a.String())
	}
	m, err := modes.Parse(a.Target)
	if err != nil {
		return err
	}
	p, err := project.Open(b.Start, b.Explicit)
	if err != nil {
		return err
	}
	st, err := p.State()
	if err != nil {
		return err
	}
	unlock, err := st.Lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	r.Report(event.Event{Kind: event.Step, Scope: "mode", Message: "setting mode " + string(m)})
	if err := project.SetMode(p.Dir, string(m)); err != nil {
		return err
	}
	b.notify()
	r.Report(event.Event{Kind: event.Done, Scope: "mode", Message: m.Describe()})
	return nil
}
