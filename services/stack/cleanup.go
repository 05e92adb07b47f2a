package stack

import (
	"context"
	"strings"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
)

// CleanupPlan lists what a cleanup removes: only resources labelled with
// this project, never anything else.
type CleanupPlan struct {
	ProjectID  string                    `json:"project_id"`
	Containers []docker.ContainerSummary `json:"containers"`
	Networks   []docker.Resource         `json:"networks"`
	Volumes    []docker.Resource         `json:"volumes"`
	Images     []docker.Resource         `json:"images"`
}

// Empty reports whether there is nothing to remove.
func (c *CleanupPlan) Empty() bool {
	return len(c.Containers)+len(c.Networks)+len(c.Volumes)+len(c.Images) == 0
}

// PlanCleanup lists the project's containers and network, and with prune
// also its volumes and images, and the dependency images no other
// project's images start from.
func (s *Stack) PlanCleanup(ctx context.Context, prune bool) (*CleanupPlan, error) {
	id, labels := s.p.ID(), ProjectLabels(s.p.ID())
	mine := func(l map[string]string) bool { return l[LabelProject] == id }
	cp := &CleanupPlan{ProjectID: id}
	cs, err := s.eng.ListContainers(ctx, labels)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if mine(c.Labels) {
			cp.Containers = append(cp.Containers, c)
		}
	}
	keep := func(list []docker.Resource, err error) ([]docker.Resource, error) {
		var out []docker.Resource
		for _, r := range list {
			if mine(r.Labels) {
				out = append(out, r)
			}
		}
		return out, err
	}
	if cp.Networks, err = keep(s.eng.ListNetworks(ctx, labels)); err != nil {
		return nil, err
	}
	if !prune {
		return cp, nil
	}
	if cp.Volumes, err = keep(s.eng.ListVolumes(ctx, labels)); err != nil {
		return nil, err
	}
	if cp.Images, err = keep(s.eng.ListImages(ctx, labels)); err != nil {
		return nil, err
	}
	// The dependency images that only this project's images start from go
	// too: they carry no project label, being shared while shared.
	deps, err := s.unusedDepsImages(ctx, cp.Images)
	if err != nil {
		return nil, err
	}
	cp.Images = append(cp.Images, deps...)
	return cp, nil
}

// Cleanup removes what the plan lists: containers first (running ones are
// killed), then the network, volumes and images.
func (s *Stack) Cleanup(ctx context.Context, cp *CleanupPlan) (err error) {
	defer func() { err = engineGone(err) }()
	st, err := s.p.State()
	if err != nil {
		return err
	}
	unlock, err := s.lock(ctx, st)
	if err != nil {
		return err
	}
	defer unlock()
	problems := s.each(ctx, cp.Containers, func(c docker.ContainerSummary) error {
		s.step(c.Labels[LabelService], c.Labels[LabelComponent], "removing", "removing container "+c.Name)
		return s.eng.RemoveContainer(ctx, c.ID)
	})
	remove := func(kind string, list []docker.Resource, f func(docker.Resource) error) {
		for _, r := range list {
			if ctx.Err() != nil {
				return
			}
			s.step(r.Labels[LabelService], "", "removing", "removing "+kind+" "+r.Name)
			if err := f(r); err != nil && !docker.IsNotFound(err) {
				problems = append(problems, kind+" "+r.Name+": "+err.Error())
			}
		}
	}
	remove("network", cp.Networks, func(r docker.Resource) error { return s.eng.RemoveNetwork(ctx, r.ID) })
	remove("volume", cp.Volumes, func(r docker.Resource) error { return s.eng.RemoveVolume(ctx, r.ID) })
	remove("image", cp.Images, func(r docker.Resource) error { return s.removeImage(ctx, r, true) })
	// What the removals above leave of the project's images (see
	// drainImages) goes too.
	if len(cp.Images) > 0 {
		id := cp.ProjectID
		_, left := s.drainImages(ctx, id, cp.Images, func(docker.Resource) bool { return true },
			func(r docker.Resource) error {
				s.step(r.Labels[LabelService], "", "removing", "removing image "+r.Name)
				return s.removeImage(ctx, r, true)
			})
		problems = append(problems, left...)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if len(problems) > 0 {
		return errs.Failf("something outside this project may still use them; see `docker ps -a`", "could not remove everything: %s", strings.Join(problems, "; "))
	}
	s.report(event.Event{Kind: event.Done, Message: "cleaned up"})
	return nil
}
