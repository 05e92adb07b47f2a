package core

import (
	"context"
	"time"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// The task image's use cases: `gaiaflow dev dockerize`, `gaiaflow
// prod-local dockerize`, the dockerize wizard and the dashboard's build key.

// DockerizeOptions are the settings of a task image build; Target is
// build.TargetDocker (the local engine) or build.TargetMinikube (the local
// engine, then loaded into the running cluster).
type DockerizeOptions = build.DockerizeOptions

// Dockerize builds the project's task image for o.Target and records it:
// for the local engine what dev_docker runs, for the cluster what
// prod_local's readiness looks for (recorded once it is in the cluster).
func (c *Core) Dockerize(ctx context.Context, o DockerizeOptions, r event.Reporter) (*build.Result, error) {
	if o.Image != "" {
		if _, err := build.CheckImageName(o.Image); err != nil {
			return nil, err
		}
	}
	p, err := c.Project()
	if err != nil {
		return nil, err
	}
	if o.Target == build.TargetMinikube {
		res, err := c.dockerizeCluster(ctx, p, o, r)
		return res, docker.Gone(err)
	}
	engine, err := c.Docker()
	if err != nil {
		return nil, err
	}
	o.Target = build.TargetDocker
	b := &build.Builder{Engine: engine, Library: c.Library()}
	res, err := b.Dockerize(ctx, p, o, r)
	return res, docker.Gone(err)
}

// TargetFor is where the task image of mode m is built for: the cluster for
// prod_local, whose readiness looks for it there, and the local engine for
// every other mode (dev_docker runs it; prod pushes it from there).
func TargetFor(m modes.Mode) string {
	if m == modes.ProdLocal {
		return build.TargetMinikube
	}
	return build.TargetDocker
}

// DockerizeForMode builds the task image mode m runs (the project's mode
// when m is empty), with the defaults of the dockerize commands; for prod
// it also pushes it (prod dockerize).
func (c *Core) DockerizeForMode(ctx context.Context, m modes.Mode, r event.Reporter) (*build.Result, error) {
	if m == "" {
		p, err := c.Project()
		if err != nil {
			return nil, err
		}
		m = modes.Mode(p.Config.Mode)
	}
	if m == modes.Prod {
		pushed, err := c.ProdDockerize(ctx, DockerizeOptions{}, r)
		if err != nil {
			return nil, err
		}
		return pushed.Build, nil
	}
	return c.Dockerize(ctx, DockerizeOptions{Target: TargetFor(m)}, r)
}

func (c *Core) dockerizeCluster(ctx context.Context, p *project.Project, o DockerizeOptions, r event.Reporter) (*build.Result, error) {
	cl, err := c.clusterOf(p)
	if err != nil {
		return nil, err
	}
	if err := cl.running(ctx); err != nil {
		return nil, err
	}
	engine, err := c.Docker()
	if err != nil {
		return nil, err
	}
	o.Target = build.TargetDocker
	b := &build.Builder{Engine: engine, Library: c.Library()}
	res, err := b.Dockerize(ctx, p, o, r)
	if err != nil {
		return nil, err
	}
	if cl.kc != nil {
		err = cl.kc.LoadImage(ctx, res.Image, r)
	} else {
		err = cl.mk.LoadImage(ctx, res.Image, r)
	}
	if err != nil {
		return nil, err
	}
	unlock, err := cl.state.Lock(ctx)
	if err != nil {
		return nil, err
	}
	err = cl.state.SetTaskImage(project.TaskImage{Image: res.Image, ID: res.ID, Target: build.TargetMinikube, Commit: res.Commit, BuiltAt: time.Now().UTC()})
	unlock()
	if err != nil {
		return nil, err
	}
	res.Target = build.TargetMinikube
	return res, nil
}
