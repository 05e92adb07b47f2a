package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/stack"
	"github.com/spf13/cobra"
)

func (f *stackFlags) startOptions() stack.StartOptions {
	return stack.StartOptions{Services: f.services, Wait: f.wait, ForceNew: f.forceNew,
		Build: f.dockerBuild, Cache: f.cache, JupyterPort: f.jupyterPort}
}

// check checks the flags that the core cannot see were given: -j 0 is a
// port out of range, not "no port given". It says the original tool's
// -e/-t are not needed.
func (f *stackFlags) check(cmd *cobra.Command, a *App) error {
	if note := f.originalEnvNote(); note != "" {
		fmt.Fprintln(a.Err, note)
	}
	if cmd.Flags().Changed("jupyter-port") {
		return core.CheckPort("--jupyter-port", f.jupyterPort)
	}
	return nil
}

func runStart(cmd *cobra.Command, a *App, f *stackFlags) error {
	if err := f.check(cmd, a); err != nil {
		return err
	}
	ctx := cmd.Context()
	if err := a.Core().Start(ctx, f.startOptions(), a.Reporter()); err != nil {
		return startFailed(a, err)
	}
	return printStatusAfterStart(ctx, a)
}

func runRestart(cmd *cobra.Command, a *App, f *stackFlags, volumes bool) error {
	if err := f.check(cmd, a); err != nil {
		return err
	}
	ctx := cmd.Context()
	if err := a.Core().Restart(ctx, stack.StopOptions{Services: f.services, Volumes: volumes}, f.startOptions(), a.Reporter()); err != nil {
		return startFailed(a, err)
	}
	return printStatusAfterStart(ctx, a)
}

// startFailed turns a failed start into the error the person reads: its
// first line names the root cause (exit code and all), the lines after it
// each failed container — state, exit code, whether it was killed for
// memory, restarts, whether it was left stopped, and the last log lines of
// the root causes (of every one with --debug: the dependents' output is a
// consequence, and `dev logs` keeps it) — then the hint. With -o json the
// failures go to stdout, in the same order.
func startFailed(a *App, err error) error {
	var se *stack.StartError
	if !errors.As(err, &se) {
		return err
	}
	failures := make([]stack.Failure, len(se.Failures))
	for i, f := range se.Failures {
		if f.Because != "" && !a.Opts.Debug {
			f.Logs = nil
		}
		failures[i] = f
	}
	wrapped := &errs.Error{Kind: errs.Failure, Hint: se.Hint(), Err: se}
	if a.JSON() {
		_ = a.PrintJSON(struct {
			EngineLost bool            `json:"engine_lost,omitempty"`
			Failures   []stack.Failure `json:"failures"`
			Skipped    []string        `json:"skipped,omitempty"`
		}{se.EngineLost, failures, se.Skipped})
		return wrapped
	}
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	var reasons []string
	consequences := map[string][]string{} // by reason
	allStopped := map[string]bool{}
	for _, f := range failures {
		if f.Because != "" && !a.Opts.Debug {
			if _, ok := consequences[f.Reason]; !ok {
				reasons = append(reasons, f.Reason)
				allStopped[f.Reason] = true
			}
			consequences[f.Reason] = append(consequences[f.Reason], f.Component)
			allStopped[f.Reason] = allStopped[f.Reason] && f.Stopped
			continue
		}
		add("%s (%s) %s", f.Component, f.Service, f.Reason)
		if f.State != "" {
			oom, left := "no", ""
			if f.OOMKilled {
				oom = "yes"
			}
			if f.Stopped {
				left = "; left stopped"
			}
			add("  container %s: state %s, exit code %d, killed for memory: %s, restarts %d%s",
				f.Container, f.State, f.ExitCode, oom, f.RestartCount, left)
		}
		if len(f.Logs) > 0 {
			add("  its last %d log lines:", len(f.Logs))
			for _, l := range f.Logs {
				add("    %s", l)
			}
		}
	}
	for _, r := range reasons {
		left := ""
		if allStopped[r] {
			left = ", left stopped"
		}
		add("%s %s (their output: `gaiaflow dev logs CONTAINER` or --debug%s)", strings.Join(consequences[r], ", "), r, left)
	}
	if len(se.Skipped) > 0 {
		add("not started because of the above: %s", strings.Join(se.Skipped, ", "))
	}
	return &detailed{error: wrapped, lines: lines}
}

// detailed is an error whose first line is followed by more: the report
// prints them between the error and its hint.
type detailed struct {
	error
	lines []string
}

func (d *detailed) Unwrap() error { return d.error }

func printStatusAfterStart(ctx context.Context, a *App) error {
	if a.JSON() {
		return nil // the NDJSON events said it all
	}
	v, err := a.Core().Status(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.Out)
	printStatus(a.Out, v)
	return nil
}

func runStop(ctx context.Context, a *App, services []string, volumes bool) error {
	return a.Core().Stop(ctx, stack.StopOptions{Services: services, Volumes: volumes}, a.Reporter())
}

func runStatus(ctx context.Context, a *App) error {
	v, err := a.Core().Status(ctx)
	if err != nil {
		return err
	}
	return a.Emit(v, func(w io.Writer) { printStatus(w, v) })
}

// printStatus renders a status view as text.
func printStatus(w io.Writer, v *stack.StatusView) {
	fmt.Fprintf(w, "project %s (%s), mode %s\n", v.Project, v.ID, v.Mode)
	for _, s := range v.Services {
		urls := make([]string, 0, len(s.URLs))
		for _, u := range s.URLs {
			urls = append(urls, u.URL)
		}
		state := s.State
		if s.Culprit != "" {
			state += ": " + s.Culprit
		}
		fmt.Fprintf(w, "%-8s %-12s %s\n", s.Name, state, strings.Join(urls, "  "))
		if s.Reason != "" {
			fmt.Fprintf(w, "  why: %s %s\n", s.Culprit, s.Reason)
		}
		if s.State == "disabled" || s.State == "not created" {
			continue
		}
		for _, c := range s.Containers {
			state := c.State
			if c.ExitCode != nil && c.State == "exited" {
				state = fmt.Sprintf("exited (%d)", *c.ExitCode)
			}
			uptime := ""
			if c.Uptime != "" {
				uptime = "up " + c.Uptime
			}
			fmt.Fprintf(w, "  %-22s %-12s %-12s %s\n", c.Component, state, uptime, c.Image)
			switch {
			case c.Reason != "" && c.Component != s.Culprit:
				fmt.Fprintf(w, "  %-22s %s\n", "", c.Reason)
			case c.Reason == "" && c.Detail != "" && c.State != "exited":
				fmt.Fprintf(w, "  %-22s %s\n", "", c.Detail)
			}
		}
	}
	fmt.Fprintf(w, "passwords and tokens (Airflow user admin, Jupyter token): %s\n", v.Credentials)
}

func runLogs(ctx context.Context, a *App, names []string, follow bool, tail int, since string, timestamps bool) error {
	enc := json.NewEncoder(a.Out)
	return a.Core().Logs(ctx, stack.LogOptions{Names: names, Follow: follow, Tail: tail, Since: since, Timestamps: timestamps},
		func(l stack.LogLine) {
			if a.JSON() {
				_ = enc.Encode(l)
				return
			}
			fmt.Fprintf(a.Out, "%-21s | %s\n", l.Component, l.Text)
		})
}

func runCleanup(ctx context.Context, a *App, prune, yes bool) error {
	if !yes && !canAsk(a) {
		return errs.Usagef("pass --yes to remove them without being asked",
			"cleanup removes this project's containers and network (with --prune its volumes and images too), and cannot ask for confirmation here")
	}
	cp, err := a.Core().PlanCleanup(ctx, prune)
	if err != nil {
		return err
	}
	if cp.Empty() {
		a.Printf("nothing of project %s to remove\n", cp.ProjectID)
		return nil
	}
	summary := cleanupSummary(cp)
	if !yes {
		for _, c := range cp.Containers {
			a.Printf("  container %s\n", c.Name)
		}
		for _, list := range []struct {
			kind  string
			items []string
		}{{"network", names(cp.Networks)}, {"volume", names(cp.Volumes)}, {"image", names(cp.Images)}} {
			for _, n := range list.items {
				a.Printf("  %s %s\n", list.kind, n)
			}
		}
		ok, err := a.confirm(fmt.Sprintf("Remove %s of project %s?", summary, cp.ProjectID))
		if err != nil {
			return err
		}
		if !ok {
			a.Printf("nothing removed\n")
			return nil
		}
	}
	return a.Core().Cleanup(ctx, cp, a.Reporter())
}

func cleanupSummary(cp *stack.CleanupPlan) string {
	var parts []string
	add := func(n int, what string) {
		if n == 1 {
			parts = append(parts, "1 "+what)
		} else if n > 1 {
			parts = append(parts, fmt.Sprintf("%d %ss", n, what))
		}
	}
	add(len(cp.Containers), "container")
	add(len(cp.Networks), "network")
	add(len(cp.Volumes), "volume")
	add(len(cp.Images), "image")
	return strings.Join(parts, ", ")
}

func runExportCompose(ctx context.Context, a *App) error {
	c, err := a.Core().ExportCompose(ctx)
	if err != nil {
		return err
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(a.Err, "warning: %s\n", w)
	}
	_, err = a.Out.Write(c.File)
	return err
}

func names(list []core.Resource) []string {
	out := make([]string, len(list))
	for i, r := range list {
		out[i] = r.Name
	}
	return out
}

// runUpdateDeps rebuilds the runtime image and, when Airflow runs, recreates
// its containers on it.
func runUpdateDeps(ctx context.Context, a *App, cache bool, wait time.Duration) error {
	res, err := a.Core().UpdateDeps(ctx, cache, wait, a.Reporter())
	if err != nil {
		return startFailed(a, err)
	}
	if res.Recreated {
		a.Printf("Airflow runs on the rebuilt runtime image %s\n", res.Image)
		return nil
	}
	a.Printf("rebuilt %s; Airflow is not running: `gaiaflow dev start` will use it\n", res.Image)
	return nil
}
