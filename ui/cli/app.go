// Package cli is gaiaflow's headless face and its command tree: cobra
// commands, flags, the text and JSON printers, and the one place where
// errors become messages and exit codes. It decides nothing; every action is
// a call into services/ or modes/.
package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/gaiaflow/gaiaflow/services/airflow"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack"
)

// Options are the global flags.
type Options struct {
	Path    string
	NoTUI   bool
	Output  string
	Debug   bool
	NoColor bool
	// ReadOnly hides every dashboard action that changes anything.
	ReadOnly bool
}

// App hands commands their dependencies. Clients are built lazily, on first
// use, so --help, version --short and completion never touch Docker.
type App struct {
	In       io.Reader
	Out, Err io.Writer
	Getenv   func(string) string
	Cwd      string
	Opts     Options

	// NewDocker builds the Docker client; tests count or replace it.
	NewDocker func() (*docker.Client, error)
	// IsTerminal reports whether w is a terminal.
	IsTerminal func(w io.Writer) bool
	// NewMinikube finds the minikube executable (on PATH) and returns its runner.
	NewMinikube func() (minikube.Runner, error)
	// NewKube builds a Kubernetes client for a kubeconfig file and context;
	// tests hand out client-go's fake clientset through kubetest.
	NewKube kube.Factory
	// ResolveAirflowImage gives the image the stack's Airflow containers
	// run (the project's runtime image); nil means gaiaflow.toml's image.
	ResolveAirflowImage stack.ImageResolver

	docker  *docker.Client
	airflow *airflow.Client
	project *project.Project
}

// NewApp returns an App wired to the real process environment.
func NewApp(in io.Reader, out, errw io.Writer) *App {
	a := &App{In: in, Out: out, Err: errw, Getenv: os.Getenv}
	a.Cwd, _ = os.Getwd()
	a.NewDocker = func() (*docker.Client, error) { return docker.New(a.Getenv) }
	a.NewMinikube = func() (minikube.Runner, error) { return minikube.NewExecRunner(a.Getenv, os.Environ()) }
	a.NewKube = kube.NewClient
	a.IsTerminal = func(w io.Writer) bool {
		f, ok := w.(*os.File)
		return ok && term.IsTerminal(int(f.Fd()))
	}
	return a
}

// Headless reports whether output must be plain: --no-tui, JSON output, or a
// stdout that is not a terminal.
func (a *App) Headless() bool {
	return a.Opts.NoTUI || a.JSON() || !a.IsTerminal(a.Out)
}

// JSON reports whether -o json was asked for.
func (a *App) JSON() bool { return a.Opts.Output == "json" }

// Color reports whether colour may be used.
func (a *App) Color() bool {
	return !a.Opts.NoColor && a.Getenv("NO_COLOR") == "" && a.IsTerminal(a.Out)
}

// Project finds and loads the project (-p, else the nearest gaiaflow.toml).
func (a *App) Project() (*project.Project, error) {
	if a.project != nil {
		return a.project, nil
	}
	start, explicit := a.Cwd, false
	if a.Opts.Path != "" {
		start, explicit = a.Opts.Path, true
	}
	p, err := project.Open(start, explicit)
	if err != nil {
		return nil, err
	}
	a.project = p
	return p, nil
}

// Docker returns the Docker client, building it on first use.
func (a *App) Docker() (*docker.Client, error) {
	if a.docker != nil {
		return a.docker, nil
	}
	c, err := a.NewDocker()
	if err != nil {
		return nil, errs.Wrap(errs.Failure, err, "check DOCKER_HOST and your docker context", "set up the Docker client")
	}
	a.docker = c
	return c, nil
}

// close releases what the command used.
func (a *App) close() {
	if a.docker != nil {
		_ = a.docker.Close()
	}
}

// PrintJSON writes v as indented JSON.
func (a *App) PrintJSON(v any) error {
	enc := json.NewEncoder(a.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Emit prints v as JSON with -o json, else calls text.
func (a *App) Emit(v any, text func(w io.Writer)) error {
	if a.JSON() {
		return a.PrintJSON(v)
	}
	text(a.Out)
	return nil
}

// Printf writes a line of human output.
func (a *App) Printf(format string, args ...any) {
	fmt.Fprintf(a.Out, format, args...)
}

// ctx returns the command's context or Background.
func ctxOf(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}
