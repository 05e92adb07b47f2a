// Package cli is gaiaflow's headless face and its command tree: cobra
// commands, flags, prompts, the text and JSON printers, and the one place
// where errors become messages and exit codes. It decides nothing: every
// action is a use case of services/core, which the dashboard calls too.
package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/errs"
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

// App hands commands their dependencies: the IO streams, the global flags
// and the core (services/core), built on first use from the fields below,
// so --help, version --short and completion never touch Docker.
type App struct {
	In       io.Reader
	Out, Err io.Writer
	Getenv   func(string) string
	Cwd      string
	Opts     Options

	// NewDocker builds the Docker client; tests count or replace it. Nil
	// builds the real one (and so for the two below).
	NewDocker func() (*core.DockerClient, error)
	// IsTerminal reports whether a stream (In, Out or Err) is a terminal.
	IsTerminal func(stream any) bool
	// NewMinikube finds the minikube executable (on PATH) and returns its runner.
	NewMinikube func() (core.MinikubeRunner, error)
	// NewKube builds a Kubernetes client for a kubeconfig file and context;
	// tests hand out client-go's fake clientset through kubetest.
	NewKube core.KubeFactory
	// ResolveAirflowImage gives the image the stack's Airflow containers
	// run; nil builds the project's runtime image (tests of stand-in
	// images set it).
	ResolveAirflowImage stack.ImageResolver
	// Library replaces the bundled Python library (tests build task images
	// with a stand-in); nil is the real one.
	Library *core.Library

	core *core.Core
}

// NewApp returns an App wired to the real process environment.
func NewApp(in io.Reader, out, errw io.Writer) *App {
	a := &App{In: in, Out: out, Err: errw, Getenv: os.Getenv}
	a.Cwd, _ = os.Getwd()
	a.NewDocker = func() (*core.DockerClient, error) { return core.NewDockerClient(a.Getenv) }
	a.IsTerminal = func(s any) bool {
		f, ok := s.(*os.File)
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

// Core returns the application layer, built on first use from the App's
// fields: the project is looked for at -p, else upwards from Cwd.
func (a *App) Core() *core.Core {
	if a.core == nil {
		start, explicit := a.Cwd, false
		if a.Opts.Path != "" {
			start, explicit = a.Opts.Path, true
		}
		a.core = core.New(core.Deps{Getenv: a.Getenv, Start: start, Explicit: explicit,
			NewDocker: a.NewDocker, NewMinikube: a.NewMinikube, NewKube: a.NewKube,
			AirflowImage: a.ResolveAirflowImage, Library: a.Library})
	}
	return a.core
}

// close releases what the command used.
func (a *App) close() {
	if a.core != nil {
		a.core.Close()
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

// canAsk reports whether a question can be put to a person: plain output
// to a terminal, with a terminal to read the answer from.
func canAsk(a *App) bool {
	return !a.Headless() && a.IsTerminal(a.Err) && a.IsTerminal(a.In)
}

// confirm asks a yes/no question on the terminal (default no). Without a
// terminal it cannot ask, and says how to confirm instead.
func (a *App) confirm(question string) (bool, error) {
	if !canAsk(a) {
		return false, errs.Usagef("pass --yes to confirm", "%s (cannot ask without a terminal)", strings.TrimSuffix(question, "?"))
	}
	fmt.Fprintf(a.Err, "%s [y/N] ", question)
	line, err := bufio.NewReader(a.In).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}
