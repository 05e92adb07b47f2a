package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// Exit codes: the whole contract with scripts.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// Main runs gaiaflow with args and returns the process's exit code.
func Main(args []string, in io.Reader, out, errw io.Writer) int {
	app := NewApp(in, out, errw)
	return app.Run(args)
}

// Run executes one command line. Ctrl-C and SIGTERM cancel the command's
// context so long work can stop cleanly.
func (a *App) Run(args []string) (code int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer a.close()
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(a.Err, "error: internal error: %v\n", r)
			if a.Opts.Debug {
				a.Err.Write(debug.Stack())
			} else {
				fmt.Fprintln(a.Err, "hint: run again with --debug and report the output")
			}
			code = ExitFailure
		}
	}()
	root := newRoot(a)
	root.SetArgs(args)
	root.SetIn(a.In)
	root.SetOut(a.Out)
	root.SetErr(a.Err)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		fmt.Fprintln(a.Err, "error: interrupted")
		return ExitFailure
	}
	return a.report(cobraUsage(err))
}

// cobraUsage marks cobra's own argument errors (an unknown command at the
// top level) as bad usage.
func cobraUsage(err error) error {
	if errs.KindOf(err) == errs.Usage {
		return err
	}
	if msg := err.Error(); strings.HasPrefix(msg, "unknown command") {
		return errs.Wrap(errs.Usage, err, "run 'gaiaflow --help' to see the commands", "")
	}
	return err
}

// report prints err as what failed plus a hint, and returns its exit code.
func (a *App) report(err error) int {
	var invalid *project.InvalidError
	var lines interface{ Lines() []string } // an error made of several problems
	if errors.As(err, &invalid) {
		for _, p := range invalid.Problems {
			fmt.Fprintf(a.Err, "error: %s\n", p)
		}
	} else if errors.As(err, &lines) {
		for _, l := range lines.Lines() {
			fmt.Fprintf(a.Err, "error: %s\n", l)
		}
	} else {
		fmt.Fprintf(a.Err, "error: %s\n", oneLine(err.Error()))
	}
	var more *detailed
	if errors.As(err, &more) {
		for _, l := range more.lines {
			fmt.Fprintf(a.Err, "  %s\n", l)
		}
	}
	if h := errs.HintOf(err); h != "" {
		fmt.Fprintf(a.Err, "hint: %s\n", h)
	}
	if a.Opts.Debug {
		for e := err; e != nil; e = errors.Unwrap(e) {
			fmt.Fprintf(a.Err, "debug: %T: %v\n", e, e)
		}
	}
	if errs.KindOf(err) == errs.Usage {
		return ExitUsage
	}
	return ExitFailure
}

// oneLine keeps the first line of a message: the rest belongs to --debug.
func oneLine(s string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return first
}
