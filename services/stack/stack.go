package stack

import (
	"context"
	"time"

	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// Stack is one project's local stack on one engine.
type Stack struct {
	eng Engine
	p   *project.Project
	o   Options
	// phases times a start's phases (see withPhases); nil elsewhere.
	phases *phases
}

// New returns the stack of project p on eng.
func New(eng Engine, p *project.Project, o Options) *Stack {
	o.defaults()
	if o.Watcher == nil {
		o.Watcher = NewWatcher(eng, p.ID())
	}
	return &Stack{eng: eng, p: p, o: o}
}

// ID is the project id that names and labels every resource.
func (s *Stack) ID() string { return s.p.ID() }

func (s *Stack) report(e event.Event) {
	e.Scope = "stack"
	s.o.Reporter.Report(e)
	s.phases.observe(e)
}

func (s *Stack) step(service, component, state, msg string) {
	s.report(event.Event{Kind: event.Step, Service: service, Container: component, State: state, Message: msg})
}

func (s *Stack) warn(service, msg string) {
	s.report(event.Event{Kind: event.Warn, Service: service, Message: msg})
}

// lock takes the project lock, saying so when another gaiaflow command
// holds it, so a person knows why nothing happens.
func (s *Stack) lock(ctx context.Context, st *project.State) (func(), error) {
	quick, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	unlock, err := st.Lock(quick)
	cancel()
	if err == nil {
		return unlock, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	s.step("", "", "waiting", "waiting for another gaiaflow command on this project to finish")
	return st.Lock(ctx)
}

// input gathers what a plan is built from, except the Airflow image.
func (s *Stack) input(ctx context.Context, st *project.State, jupyterPort int) (Input, error) {
	creds, err := st.Credentials(ctx)
	if err != nil {
		return Input{}, err
	}
	layout, err := ReadLayout(s.p.Dir, s.p.Config.Package)
	if err != nil {
		return Input{}, err
	}
	deps, err := build.CollectDependencies(s.p.Dir, s.p.Config.Build.CondaSource)
	if err != nil {
		return Input{}, err
	}
	in := Input{ID: s.p.ID(), Dir: s.p.Dir, Config: s.p.Config, Creds: *creds, Layout: layout,
		Jupyter:      deps.ForJupyter(),
		DockerSocket: s.o.DockerSocket, SocketGID: s.o.SocketGID, JupyterPort: jupyterPort}
	ti, ok, err := st.TaskImage("docker")
	if err != nil {
		return Input{}, err
	}
	if ok {
		in.TaskImage = ti.Image
	}
	if s.p.Config.Mode == "dev_docker" {
		if in.TaskCredentials, err = writeTaskCredentials(st, *creds); err != nil {
			return Input{}, err
		}
	}
	return in, nil
}
