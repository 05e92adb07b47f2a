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

// startFailed prints what failed, container by container, before the
// one-line error: its state, exit code, whether it was killed for memory,
// its restarts and its last log lines.
func startFailed(a *App, err error) error {
	var se *stack.StartError
	if !errors.As(err, &se) {
		return err
	}
	if a.JSON() {
		_ = a.PrintJSON(struct {
			Failures []stack.Failure `json:"failures"`
			Skipped  []string        `json:"skipped,omitempty"`
		}{se.Failures, se.Skipped})
	} else {
		w := a.Err
		for _, f := range se.Failures {
			fmt.Fprintf(w, "\n%s (%s) %s\n", f.Component, f.Service, f.Reason)
			if f.State != "" {
				oom := "no"
				if f.OOMKilled {
					oom = "yes"
				}
				fmt.Fprintf(w, "  container %s: state %s, exit code %d, killed for memory: %s, restarts %d\n",
					f.Container, f.State, f.ExitCode, oom, f.RestartCount)
			}
			if len(f.Logs) > 0 {
				fmt.Fprintf(w, "  its last %d log lines:\n", len(f.Logs))
				for _, l := range f.Logs {
					fmt.Fprintf(w, "    %s\n", l)
				}
			}
		}
		if len(se.Skipped) > 0 {
			fmt.Fprintf(w, "\nnot started because of the above: %s\n", strings.Join(se.Skipped, ", "))
		}
		fmt.Fprintln(w)
	}
	return &errs.Error{Kind: errs.Failure, Hint: se.Hint(), Err: se}
}

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
			if c.Detail != "" && c.State != "exited" {
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
		if !canAsk(a) {
			return errs.Usagef("pass --yes to remove them without being asked",
				"cleanup would remove %s of project %s, and cannot ask for confirmation here", summary, cp.ProjectID)
		}
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
