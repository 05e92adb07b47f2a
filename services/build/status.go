package build

import (
	"context"
	"fmt"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// ImageInspector is the part of an engine that readiness checks need.
type ImageInspector interface {
	InspectImage(ctx context.Context, ref string) (docker.ImageInfo, bool, error)
}

// TaskImageStatus says whether the task image recorded for a target can run
// tasks: modes use it to tell whether dev_docker (target docker) or
// prod_local (target minikube) is ready.
type TaskImageStatus struct {
	Target   string    `json:"target"`
	Recorded bool      `json:"recorded"` // dockerize ran for this target
	Image    string    `json:"image,omitempty"`
	ID       string    `json:"id,omitempty"`
	Commit   string    `json:"commit,omitempty"`
	BuiltAt  time.Time `json:"built_at,omitzero"`
	Present  bool      `json:"present"`  // the engine has an image by that name
	Replaced bool      `json:"replaced"` // ...but not the one dockerize built
}

// Ready reports whether tasks can run with the image.
func (s TaskImageStatus) Ready() bool { return s.Recorded && s.Present }

// Problem says in one line what is missing and, in another, what to do; both
// are empty when the image is ready. A replaced image is ready, with a note.
func (s TaskImageStatus) Problem() (problem, hint string) {
	cmd := "gaiaflow dev dockerize"
	if s.Target == TargetMinikube {
		cmd = "gaiaflow prod-local dockerize"
	}
	switch {
	case !s.Recorded:
		return "no task image has been built for " + s.Target, "build it with `" + cmd + "`"
	case !s.Present:
		return fmt.Sprintf("the task image %s is no longer on the engine", s.Image), "build it again with `" + cmd + "`"
	case s.Replaced:
		return fmt.Sprintf("the task image %s was rebuilt or retagged outside gaiaflow", s.Image), "run `" + cmd + "` to build it from the project"
	}
	return "", ""
}

// CheckTaskImage checks the task image recorded for target against the engine.
func CheckTaskImage(ctx context.Context, engine ImageInspector, st *project.State, target string) (TaskImageStatus, error) {
	s := TaskImageStatus{Target: target}
	ti, ok, err := st.TaskImage(target)
	if err != nil || !ok {
		return s, err
	}
	s.Recorded, s.Image, s.ID, s.Commit, s.BuiltAt = true, ti.Image, ti.ID, ti.Commit, ti.BuiltAt
	info, found, err := engine.InspectImage(ctx, ti.Image)
	if err != nil {
		return s, err
	}
	s.Present = found
	s.Replaced = found && ti.ID != "" && info.ID != ti.ID
	return s, nil
}
