package stack

import (
	"context"
	"slices"

	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/docker"
)

// A project's Airflow runtime image starts from a dependency image that
// every project with the same dependencies shares (services/build). Each
// weighs what the dependencies do, often gigabytes: a dependency change
// builds a new pair, and the old pair would stay on the disk for good.
// Two moments let them go: `dev cleanup --prune` (the project's images,
// and each dependency image no other project's image starts from), and a
// start that built a new runtime image (the project's older ones that no
// container runs, and their dependency images as above).

// removeImage removes an image of gaiaflow's, and when its build started
// FROM an image it recorded (build.LabelBaseID), the step images the build
// left between the two (docker.Client.BuildSteps): the containerd image
// store keeps them when the image goes. Those another image starts from
// stay, and nothing below the base is touched: the engine is told to keep
// parents. An image without the label is removed as before, the engine
// pruning its untagged parents where it does (overlay2). A step image that
// cannot be removed stays with those below it, as build cache.
func (s *Stack) removeImage(ctx context.Context, r docker.Resource, force bool) error {
	base := r.Labels[build.LabelBaseID]
	var steps []string
	if base != "" {
		steps, _ = s.eng.BuildSteps(ctx, r.ID, base)
	}
	if err := s.eng.RemoveImage(ctx, r.ID, docker.RemoveImageOptions{Force: force, KeepParents: base != ""}); err != nil {
		return err
	}
	for _, id := range steps {
		if s.eng.RemoveImage(ctx, id, docker.RemoveImageOptions{KeepParents: true}) != nil {
			break
		}
	}
	return nil
}

// unusedDepsImages returns the dependency images that the images in going
// start from and that no other project's image does. Images of no project
// are what builds left behind (see drainImages): they start nothing.
func (s *Stack) unusedDepsImages(ctx context.Context, going []docker.Resource) ([]docker.Resource, error) {
	gone := map[string]bool{}
	wanted := map[string]bool{}
	for _, r := range going {
		gone[r.ID] = true
		if t := r.Labels[build.LabelDepsImage]; t != "" {
			wanted[t] = true
		}
	}
	if len(wanted) == 0 {
		return nil, nil
	}
	users, err := s.eng.ListImages(ctx, map[string]string{build.LabelDepsImage: ""})
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if !gone[u.ID] && u.Labels[LabelProject] != "" {
			delete(wanted, u.Labels[build.LabelDepsImage])
		}
	}
	if len(wanted) == 0 {
		return nil, nil
	}
	deps, err := s.eng.ListImages(ctx, map[string]string{LabelKind: build.KindAirflowDeps})
	if err != nil {
		return nil, err
	}
	var out []docker.Resource
	for _, d := range deps {
		if wanted[d.Name] {
			out = append(out, d)
		}
	}
	return out, nil
}

// leftovers tells the images that builds of removed images left behind:
// images of no project built from the same inputs as a removed one, or
// whose configuration names a removed dependency image.
type leftovers struct{ inputs, deps map[string]bool }

func newLeftovers(removed []docker.Resource) *leftovers {
	l := &leftovers{inputs: map[string]bool{}, deps: map[string]bool{}}
	for _, r := range removed {
		l.add(r)
	}
	return l
}

func (l *leftovers) add(r docker.Resource) {
	if in := r.Labels[build.LabelInputs]; in != "" {
		l.inputs[in] = true
	}
	if r.Labels[LabelKind] == build.KindAirflowDeps && r.Name != r.ID {
		l.deps[r.Name] = true
	}
}

func (l *leftovers) of(r docker.Resource) bool {
	if r.Labels[LabelProject] != "" {
		return false
	}
	in, d := r.Labels[build.LabelInputs], r.Labels[build.LabelDepsImage]
	return in != "" && l.inputs[in] || d != "" && l.deps[d]
}

// drainImages removes the project's images that want selects, pass after
// pass until none is left, and what the builds of removed images left:
// under the containerd image store (engine 29's default) the classic
// builder keeps an image of each step of a build, dangling once the build's
// image is removed, some with the project's labels, some with only the
// build's inputs or dependency image in theirs, and each holding the layers
// it was built on (gigabytes, for a dependency image). Each pass uncovers
// the next of a chain. seed are images removed before, whose leftovers go
// too. It stops at the first pass with a failure, whose problems it returns
// with what it removed.
func (s *Stack) drainImages(ctx context.Context, projectID string, seed []docker.Resource, want func(docker.Resource) bool, remove func(docker.Resource) error) (removed []docker.Resource, problems []string) {
	left := newLeftovers(seed)
	for pass := 0; pass < 64 && ctx.Err() == nil; pass++ {
		mine, err := s.eng.ListImages(ctx, ProjectLabels(projectID))
		if err != nil {
			return removed, nil
		}
		// A step image can carry any part of its build's labels.
		kinds, err := s.eng.ListImages(ctx, map[string]string{LabelKind: ""})
		if err != nil {
			return removed, nil
		}
		built, err := s.eng.ListImages(ctx, map[string]string{build.LabelInputs: ""})
		if err != nil {
			return removed, nil
		}
		n, seen := 0, map[string]bool{}
		for _, r := range slices.Concat(mine, kinds, built) {
			if ctx.Err() != nil || seen[r.ID] {
				continue
			}
			seen[r.ID] = true
			if !(r.Labels[LabelProject] == projectID && want(r)) && !left.of(r) {
				continue
			}
			n++
			if err := remove(r); err != nil {
				if !docker.IsNotFound(err) {
					problems = append(problems, "image "+r.Name+": "+err.Error())
				}
				continue
			}
			removed = append(removed, r)
			left.add(r)
		}
		if n == 0 || len(problems) > 0 {
			break
		}
	}
	return removed, problems
}

// dropSupersededImages removes the project's Airflow runtime images other
// than current that no container uses, then the dependency images only they
// started from, each with what its build left (see drainImages). It runs
// after a start, when the containers run current: an image still in use (by
// a container of a service this start left alone) is kept for a later
// start. Nothing it cannot remove is an error.
func (s *Stack) dropSupersededImages(ctx context.Context, current string) {
	cur, found, err := s.eng.InspectImage(ctx, current)
	if err != nil || !found {
		return
	}
	// A forced rebuild leaves the image it replaced under no tag, with the
	// same inputs: that goes too.
	superseded := func(r docker.Resource) bool {
		return r.ID != cur.ID && r.Labels[LabelKind] == kindAirflowRuntime
	}
	// Not forced: the engine refuses an image a container uses.
	remove := func(r docker.Resource) error { return s.removeImage(ctx, r, false) }
	gone, _ := s.drainImages(ctx, s.p.ID(), nil, superseded, func(r docker.Resource) error {
		err := remove(r)
		if err == nil && r.Labels[LabelProject] != "" && r.Name != r.ID {
			s.step("airflow", "", "removing", "removed the superseded Airflow runtime image "+r.Name)
		}
		return err
	})
	deps, err := s.unusedDepsImages(ctx, gone)
	if err != nil {
		return
	}
	var dropped []docker.Resource
	for _, d := range deps {
		if remove(d) == nil {
			s.step("airflow", "", "removing", "removed the dependency image "+d.Name+": no project's image starts from it any more")
			dropped = append(dropped, d)
		}
	}
	if len(dropped) > 0 {
		s.drainImages(ctx, s.p.ID(), dropped, func(docker.Resource) bool { return false }, remove)
	}
}
