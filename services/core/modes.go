package core

import (
	"context"
	"errors"
	"fmt"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack"
)

// The modes' use cases: `gaiaflow mode check|set` and the dashboard's mode
// panel.

// Readiness is what a mode needs on this machine, item by item.
type Readiness struct {
	Mode         string              `json:"mode"`
	Ready        bool                `json:"ready"`
	Requirements []modes.Requirement `json:"requirements"`
}

// Missing lists the items that are not ready.
func (r Readiness) Missing() []modes.Requirement {
	var out []modes.Requirement
	for _, q := range r.Requirements {
		if !q.Ready {
			out = append(out, q)
		}
	}
	return out
}

// NotReadyError is a mode that cannot be set: what it lacks.
type NotReadyError struct {
	Readiness Readiness
}

func (e *NotReadyError) Error() string {
	return fmt.Sprintf("%s is not ready: %d of %d requirements are missing",
		e.Readiness.Mode, len(e.Readiness.Missing()), len(e.Readiness.Requirements))
}

// Machine is what the readiness checks look at: the Docker engine once it
// answers, minikube and the Kubernetes client.
func (c *Core) Machine() modes.Machine {
	return modes.Machine{
		Engine: func(ctx context.Context) (modes.ImageChecker, error) {
			return c.Engine(ctx)
		},
		NewMinikube: c.d.NewMinikube,
		Kube:        c.d.NewKube,
		Getenv:      c.d.Getenv,
		Registry:    c.registryClient(),
	}
}

// CheckMode checks what mode m needs (the project's mode when m is empty).
func (c *Core) CheckMode(ctx context.Context, m modes.Mode) (Readiness, error) {
	p, err := c.Project()
	if err != nil {
		return Readiness{}, err
	}
	if m == "" {
		m = modes.Mode(p.Config.Mode)
	}
	return c.checkMode(ctx, p, m)
}

func (c *Core) checkMode(ctx context.Context, p *project.Project, m modes.Mode) (Readiness, error) {
	v := Readiness{Mode: string(m), Requirements: []modes.Requirement{}}
	reqs, err := modes.Check(ctx, p, m, c.Machine())
	if err != nil {
		return v, err
	}
	if reqs != nil {
		v.Requirements = reqs
	}
	v.Ready = modes.AllReady(v.Requirements)
	return v, nil
}

// SetModeOptions are the settings of a mode change.
type SetModeOptions struct {
	// Force sets the mode although something it needs is missing.
	Force bool
}

// SetModeResult is what a mode change did.
type SetModeResult struct {
	Mode string `json:"mode"`
	// Forced is set when the mode was set although Readiness lacks items.
	Forced    bool      `json:"forced,omitempty"`
	Readiness Readiness `json:"readiness"`
	// Recreated: Airflow ran and was recreated with the new mode.
	Recreated bool `json:"recreated"`
}

// SetMode checks what m needs and refuses, with a *NotReadyError, while
// something is missing (unless Force); then writes m into gaiaflow.toml and
// brings a running stack over to it: Airflow is recreated (and MLflow and
// MinIO, which prod_local publishes for pods). A stack that does not come
// back is a *stack.StartError wrapped with what was done.
func (c *Core) SetMode(ctx context.Context, m modes.Mode, o SetModeOptions, r event.Reporter) (SetModeResult, error) {
	p, err := c.Project()
	if err != nil {
		return SetModeResult{}, err
	}
	res := SetModeResult{Mode: string(m)}
	if res.Readiness, err = c.checkMode(ctx, p, m); err != nil {
		return res, err
	}
	if !res.Readiness.Ready {
		if !o.Force {
			return res, &NotReadyError{Readiness: res.Readiness}
		}
		res.Forced = true
		r.Report(event.Event{Kind: event.Warn, Scope: "mode",
			Message: fmt.Sprintf("setting %s although it is not ready (forced)", m)})
	}
	sw, err := c.modeSwitch(ctx, p, r)
	if err != nil {
		return res, err
	}
	r.Report(event.Event{Kind: event.Step, Scope: "mode", Message: "setting mode " + string(m)})
	_, recreated, err := modes.Set(ctx, p, m, sw)
	res.Recreated = recreated
	var se *stack.StartError
	if errors.As(err, &se) {
		return res, errs.Wrap(errs.Failure, err, se.Hint(), "mode set to %s, but Airflow did not come back with it", m)
	}
	if err != nil {
		return res, err
	}
	msg := m.Describe()
	if recreated {
		msg += "; Airflow was recreated with GAIAFLOW_MODE=" + string(m)
	}
	r.Report(event.Event{Kind: event.Done, Scope: "mode", Message: msg})
	return res, nil
}

// modeSwitch gathers what modes.Set needs to reach a running stack. Without
// an engine the mode is still written; Airflow is not recreated.
func (c *Core) modeSwitch(ctx context.Context, p *project.Project, r event.Reporter) (modes.Switch, error) {
	st, err := stateOf(p)
	if err != nil {
		return modes.Switch{}, err
	}
	sw := modes.Switch{State: st}
	if _, err := c.Engine(ctx); err != nil {
		return sw, nil
	}
	sw.AirflowRunning = func(ctx context.Context, p *project.Project) (bool, error) {
		s, err := c.stackOf(p, r)
		if err != nil {
			return false, err
		}
		return s.Running(ctx, "airflow")
	}
	sw.RecreateAirflow = func(ctx context.Context, p *project.Project) error {
		s, err := c.stackOf(p, r)
		if err != nil {
			return err
		}
		return s.SwitchMode(ctx, stack.StartOptions{})
	}
	return sw, nil
}
