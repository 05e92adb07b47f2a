package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// dockerizeResult is the last line of `dockerize -o json`: the NDJSON
// stream's events carry "kind" too, so readers can tell it apart.
type dockerizeResult struct {
	Kind string `json:"kind"` // "result"
	*core.BuildResult
}

// dockerizeCommand is `dev dockerize`, `prod-local dockerize` and `prod dockerize`.
func dockerizeCommand(a *App, target string) *cobra.Command {
	var opts core.DockerizeOptions
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
	imageHelp := "image name and tag, never :latest (default: build.image in gaiaflow.toml, else <package>:<version> from pyproject.toml)"
	if target == "prod" {
		short = "Build the task image and push it to prod's registry"
		long = `Build the project's task image on the local Docker engine, as
` + "`gaiaflow dev dockerize`" + ` does, tag it with the name prod pushes ([prod] image, or
[prod] registry and the image's name) and push it, with this machine's Docker
credentials for that registry (` + "`docker login`" + `; credential helpers are
asked, and no secret is printed or put on a command line). The digest the
registry stored is recorded in dags/gaiaflow_prod.json, which travels with the
DAGs: in prod, gaiaflow's library runs every task of this package in the
image by that digest. A failed push records nothing.`
		imageHelp = "the name to push, registry/name:tag (default: [prod] image, else [prod] registry and the task image's name)"
	}
	c := &cobra.Command{
		Use:   "dockerize",
		Short: short,
		Long:  long,
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if target == "prod" {
				return runProdDockerize(cmd.Context(), a, opts)
			}
			opts.Target = core.TargetDocker
			if target == "prod-local" {
				opts.Target = core.TargetMinikube
			}
			return runDockerize(cmd.Context(), a, opts)
		},
	}
	c.Flags().StringVarP(&opts.Image, "image-name", "i", "", imageHelp)
	c.Flags().StringVar(&opts.BaseImage, "base-image", "", "base image of the generated Dockerfile (default: build.base_image in gaiaflow.toml)")
	c.Flags().BoolVar(&opts.NoCache, "no-cache", false, "build every step again instead of reusing the engine's build cache")
	return c
}

// runDockerize builds the task image for opts.Target and prints the
// build's progress, then the next step.
func runDockerize(ctx context.Context, a *App, opts core.DockerizeOptions) error {
	res, err := a.Core().Dockerize(ctxOf(ctx), opts, buildReporter(a))
	if err != nil {
		return err
	}
	if a.JSON() {
		return encodeLine(a, dockerizeResult{Kind: "result", BuildResult: res})
	}
	if res.Target == core.TargetMinikube {
		a.Printf("next: `gaiaflow mode set prod_local` runs the project's tasks in %s as pods\n", res.Image)
		return nil
	}
	a.Printf("next: `gaiaflow mode set dev_docker` runs the project's tasks in %s\n", res.Image)
	return nil
}

// runProdDockerize builds, pushes and records the task image of prod.
func runProdDockerize(ctx context.Context, a *App, opts core.DockerizeOptions) error {
	res, err := a.Core().ProdDockerize(ctxOf(ctx), opts, buildReporter(a))
	if err != nil {
		return err
	}
	if a.JSON() {
		return encodeLine(a, struct {
			Kind string `json:"kind"`
			*core.Pushed
		}{"result", res})
	}
	a.Printf("next: `gaiaflow mode check prod` says what prod still needs; deploy dags/ (with %s) to your Airflow\n", project.DeploymentFile)
	return nil
}

// buildReporter prints a build's events: NDJSON with -o json, else plain
// lines, the steps' output indented below each step.
func buildReporter(a *App) event.Reporter {
	if a.JSON() {
		return a.Reporter()
	}
	lines := a.Reporter()
	return event.Func(func(e event.Event) {
		if e.Scope != core.BuildScope || e.Kind != event.Log {
			lines.Report(e)
			return
		}
		if e.State == core.BuildStateCached {
			fmt.Fprintln(a.Out, "  (from cache)")
			return
		}
		fmt.Fprintln(a.Out, "  "+strings.TrimRight(e.Message, "\n"))
	})
}

// encodeLine writes v as one line of JSON.
func encodeLine(a *App, v any) error {
	return json.NewEncoder(a.Out).Encode(v)
}
