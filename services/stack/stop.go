package stack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// StopOptions are the settings of one stop.
type StopOptions struct {
	// Services to stop; empty means all of them (and the project's task
	// containers).
	Services []string
	// Volumes also deletes the services' data volumes (and so their containers).
	Volumes bool
}

// shape is the plan without secrets or images: enough to know components,
// dependencies, ports and probes.
func (s *Stack) shape() *Plan {
	layout, _ := ReadLayout(s.p.Dir, s.p.Config.Package) // a partial layout is enough here
	return BuildPlan(Input{ID: s.p.ID(), Dir: s.p.Dir, Config: s.p.Config, Layout: layout})
}

// checkServices validates service names; empty means all.
func checkServices(names []string) ([]string, error) {
	if names = withoutAll(names); len(names) == 0 {
		return slices.Clone(project.ServiceNames), nil
	}
	var out []string
	for _, r := range names {
		for _, name := range strings.Split(r, ",") {
			name = strings.TrimSpace(name)
			if !slices.Contains(project.ServiceNames, name) {
				return nil, errs.Usagef("use one of: "+strings.Join(project.ServiceNames, ", ")+", or "+AllServices, "unknown service %q", name)
			}
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out, nil
}

// stopInOrder runs stop on every container once all the containers that
// depend on it are done, everything else in parallel: each service's chain
// stops independently. Containers the plan does not know (task containers
// started by DAGs) go before all the others.
func (s *Stack) stopInOrder(ctx context.Context, plan *Plan, list []docker.ContainerSummary, stop func(docker.ContainerSummary) error) []string {
	done := map[string]chan struct{}{}
	for _, c := range list {
		done[c.ID] = make(chan struct{})
	}
	byComp := map[string]string{}
	var unknown []string
	for _, c := range list {
		if plan.Node(c.Labels[LabelComponent]) != nil {
			byComp[c.Labels[LabelComponent]] = c.ID
		} else {
			unknown = append(unknown, c.ID)
		}
	}
	// waitFor[id] are the containers to stop before id.
	waitFor := map[string][]string{}
	for _, n := range plan.Nodes {
		for _, d := range n.Deps {
			if dep, ok := byComp[d.Component]; ok {
				if id, ok := byComp[n.Component]; ok {
					waitFor[dep] = append(waitFor[dep], id)
				}
			}
		}
	}
	for _, id := range byComp {
		waitFor[id] = append(waitFor[id], unknown...)
	}
	var mu sync.Mutex
	var problems []string
	var wg sync.WaitGroup
	for _, c := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[c.ID])
			for _, other := range waitFor[c.ID] {
				select {
				case <-done[other]:
				case <-ctx.Done():
					return
				}
			}
			if err := stop(c); err != nil && !docker.IsNotFound(err) && !errors.Is(err, context.Canceled) {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s: %v", c.Name, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return problems
}

// Stop stops the services' containers, dependents before what they depend
// on, and keeps them (and their data) for the next start. With Volumes it
// removes the containers and deletes the services' volumes.
func (s *Stack) Stop(ctx context.Context, o StopOptions) (err error) {
	defer func() { err = engineGone(err) }()
	services, err := checkServices(o.Services)
	if err != nil {
		return err
	}
	all := len(withoutAll(o.Services)) == 0
	st, err := s.p.State()
	if err != nil {
		return err
	}
	unlock, err := s.lock(ctx, st)
	if err != nil {
		return err
	}
	defer unlock()
	list, err := s.eng.ListContainers(ctx, ProjectLabels(s.p.ID()))
	if err != nil {
		return err
	}
	var picked []docker.ContainerSummary
	for _, c := range list {
		svc := c.Labels[LabelService]
		if c.Labels[LabelProject] == s.p.ID() && (slices.Contains(services, svc) || (all && svc == "")) {
			picked = append(picked, c)
		}
	}
	var mu sync.Mutex
	stopped := map[string]string{} // id: component
	problems := s.stopInOrder(ctx, s.shape(), picked, func(c docker.ContainerSummary) error {
		if o.Volumes {
			s.step(c.Labels[LabelService], c.Labels[LabelComponent], "removing", "")
			return s.eng.RemoveContainer(ctx, c.ID)
		}
		if c.Status != "running" && c.Status != "restarting" && c.Status != "paused" {
			return nil
		}
		s.step(c.Labels[LabelService], c.Labels[LabelComponent], "stopping", "")
		if err := s.eng.StopContainer(ctx, c.ID, s.o.StopTimeout); err != nil {
			return err
		}
		mu.Lock()
		stopped[c.ID] = c.Labels[LabelComponent]
		mu.Unlock()
		s.step(c.Labels[LabelService], c.Labels[LabelComponent], "stopped", "")
		return nil
	})
	// A container that had to be killed was still stopped by a person.
	s.recordStops(func(m map[string]stopRecord) {
		for id, comp := range stopped {
			m[id] = stopRecord{Component: comp, At: s.o.Now()}
		}
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if o.Volumes {
		vols, err := s.eng.ListVolumes(ctx, ProjectLabels(s.p.ID()))
		if err != nil {
			return err
		}
		for _, v := range vols {
			if v.Labels[LabelProject] != s.p.ID() || !slices.Contains(services, v.Labels[LabelService]) {
				continue
			}
			s.step(v.Labels[LabelService], "", "removing", "deleting volume "+v.Name)
			if err := s.eng.RemoveVolume(ctx, v.Name); err != nil && !docker.IsNotFound(err) {
				problems = append(problems, err.Error())
			}
		}
	}
	if len(problems) > 0 {
		return errs.Failf("run the command again, or see `docker ps` for what is left", "%s", strings.Join(problems, "; "))
	}
	s.report(event.Event{Kind: event.Done, Message: "stopped"})
	return nil
}

// each runs f on every container in parallel and returns the errors as text.
func (s *Stack) each(ctx context.Context, list []docker.ContainerSummary, f func(docker.ContainerSummary) error) []string {
	var mu sync.Mutex
	var problems []string
	var wg sync.WaitGroup
	for _, c := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(c); err != nil && !docker.IsNotFound(err) && !errors.Is(err, context.Canceled) {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s: %v", c.Name, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return problems
}

// Restart stops the services (deleting their volumes with Volumes) and
// starts them again.
func (s *Stack) Restart(ctx context.Context, stop StopOptions, start StartOptions) error {
	if err := s.Stop(ctx, stop); err != nil {
		return err
	}
	return s.Start(ctx, start)
}
