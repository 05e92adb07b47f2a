package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// dockerizeResult is the last line of `dockerize -o json`: the NDJSON
// stream's events carry "kind" too, so readers can tell it apart.
type dockerizeResult struct {
	Kind string `json:"kind"` // "result"
	*build.Result
}

// dockerizeCommand is `dev dockerize` and `prod-local dockerize`.
func dockerizeCommand(a *App, target string) *cobra.Command {
	var opts build.DockerizeOptions
	short := "Build the project's package into a task image on the local Docker engine"
	long := `Build the project's task image on the local Docker engine and record it, so
the stack passes it to Airflow and mode dev_docker can use it.

The image is built from the project after .dockerignore; .git, virtual
environments, data/, logs/, caches, notebook checkpoints and .env files are
always left out. A Dockerfile at the project's root is used as it is;
otherwise gaiaflow writes one that installs the dependencies before the code,
so a code-only change rebuilds in seconds. Nothing is written into the project.`
	if target == "prod-local" {
		short = "Build the project's package into a task image inside the Minikube cluster"
		long = `Build the project's task image on the local Docker engine, as
` + "`gaiaflow dev dockerize`" + ` does, then load it into the project's Minikube cluster
(` + "`minikube image load`" + `), so pods run it without a registry. The cluster must
be running (` + "`gaiaflow prod-local start`" + `).`
	}
	c := &cobra.Command{
		Use:   "dockerize",
		Short: short,
		Long:  long,
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if target == "prod-local" {
				return runDockerizeMinikube(cmd.Context(), a, opts, taskLibrary())
			}
			opts.Target = build.TargetDocker
			return runDockerize(cmd.Context(), a, opts, taskLibrary())
		},
	}
	c.Flags().StringVarP(&opts.Image, "image-name", "i", "", "image name and tag, never :latest (default: build.image in gaiaflow.toml, else <package>:<version> from pyproject.toml)")
	c.Flags().StringVar(&opts.BaseImage, "base-image", "", "base image of the generated Dockerfile (default: build.base_image in gaiaflow.toml)")
	c.Flags().BoolVar(&opts.NoCache, "no-cache", false, "build every step again instead of reusing the engine's build cache")
	return c
}

// runDockerize builds the task image for the local engine with lib as the
// bundled library, and prints the build's progress.
func runDockerize(ctx context.Context, a *App, opts build.DockerizeOptions, lib build.Library) error {
	p, err := a.Project()
	if err != nil {
		return err
	}
	res, err := dockerizeLocal(ctxOf(ctx), a, p, opts, lib, a.buildReporter())
	if err != nil {
		return err
	}
	if a.JSON() {
		return a.encodeLine(dockerizeResult{Kind: "result", Result: res})
	}
	a.Printf("next: `gaiaflow mode set dev_docker` runs the project's tasks in %s\n", res.Image)
	return nil
}

// runDockerizeMinikube builds the task image and loads it into the running
// cluster, printing progress.
func runDockerizeMinikube(ctx context.Context, a *App, opts build.DockerizeOptions, lib build.Library) error {
	p, err := a.Project()
	if err != nil {
		return err
	}
	res, err := dockerizeMinikube(ctxOf(ctx), a, p, opts, lib, a.buildReporter())
	if err != nil {
		return err
	}
	if a.JSON() {
		return a.encodeLine(dockerizeResult{Kind: "result", Result: res})
	}
	a.Printf("next: `gaiaflow mode set prod_local` runs the project's tasks in %s as pods\n", res.Image)
	return nil
}

// dockerizeTo builds p's task image for target: build.TargetMinikube is
// dockerizeMinikube, anything else dockerizeLocal. The dockerize wizard and
// the dashboard's build key choose the target.
func dockerizeTo(ctx context.Context, a *App, p *project.Project, target string, opts build.DockerizeOptions, rep event.Reporter) error {
	var err error
	if target == build.TargetMinikube {
		_, err = dockerizeMinikube(ctx, a, p, opts, taskLibrary(), rep)
	} else {
		_, err = dockerizeLocal(ctx, a, p, opts, taskLibrary(), rep)
	}
	return err
}

// dockerizeMinikube builds p's task image on the local engine and loads it
// into the running cluster; the image is recorded for the minikube target
// (what prod_local's readiness looks for) once it is there. `prod-local
// dockerize`, the dockerize wizard and the dashboard's build key run it.
func dockerizeMinikube(ctx context.Context, a *App, p *project.Project, opts build.DockerizeOptions, lib build.Library, rep event.Reporter) (*build.Result, error) {
	pl, err := a.prodLocalOf(p)
	if err != nil {
		return nil, err
	}
	status, err := pl.cluster.Status(ctx)
	if err != nil {
		return nil, err
	}
	if !status.Running() {
		return nil, errs.Failf("start it with `gaiaflow prod-local start`", "the Minikube cluster %s is not running (%s)", pl.cluster.Profile, status.State)
	}
	engine, err := a.Docker()
	if err != nil {
		return nil, err
	}
	opts.Target = build.TargetDocker
	b := &build.Builder{Engine: engine, Library: lib}
	res, err := b.Dockerize(ctx, pl.project, opts, rep)
	if err != nil {
		return nil, err
	}
	if err := pl.cluster.LoadImage(ctx, res.Image, rep); err != nil {
		return nil, err
	}
	unlock, err := pl.state.Lock(ctx)
	if err != nil {
		return nil, err
	}
	err = pl.state.SetTaskImage(project.TaskImage{Image: res.Image, ID: res.ID, Target: build.TargetMinikube, Commit: res.Commit, BuiltAt: time.Now().UTC()})
	unlock()
	if err != nil {
		return nil, err
	}
	res.Target = build.TargetMinikube
	return res, nil
}

// dockerizeLocal builds p's task image for the local engine. `dev
// dockerize`, the dockerize wizard and the dashboard's build key run it.
func dockerizeLocal(ctx context.Context, a *App, p *project.Project, opts build.DockerizeOptions, lib build.Library, rep event.Reporter) (*build.Result, error) {
	engine, err := a.Docker()
	if err != nil {
		return nil, err
	}
	opts.Target = build.TargetDocker
	b := &build.Builder{Engine: engine, Library: lib}
	return b.Dockerize(ctx, p, opts, rep)
}

// buildReporter prints a build's events: NDJSON with -o json, else plain
// lines, the steps' output indented below each step.
func (a *App) buildReporter() event.Reporter {
	if a.JSON() {
		return a.Reporter()
	}
	lines := a.Reporter()
	return event.Func(func(e event.Event) {
		if e.Scope != build.Scope || e.Kind != event.Log {
			lines.Report(e)
			return
		}
		if e.State == build.StateCached {
			fmt.Fprintln(a.Out, "  (from cache)")
			return
		}
		fmt.Fprintln(a.Out, "  "+strings.TrimRight(e.Message, "\n"))
	})
}

// encodeLine writes v as one line of JSON.
func (a *App) encodeLine(v any) error {
	return json.NewEncoder(a.Out).Encode(v)
}
