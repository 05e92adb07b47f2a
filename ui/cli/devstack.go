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
	"time"

	"golang.org/x/term"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack"
)

// stackOf returns the local stack of p on the Docker engine.
func (a *App) stackOf(p *project.Project) (*stack.Stack, error) {
	return a.stackReporting(p, a.Reporter())
}

// stackReporting returns the local stack of p reporting its progress to r
// (the dashboard hands each action its own reporter).
func (a *App) stackReporting(p *project.Project, r event.Reporter) (*stack.Stack, error) {
	dc, err := a.Docker()
	if err != nil {
		return nil, err
	}
	sock, gid := stack.SocketOf(dc.Host)
	resolve := a.ResolveAirflowImage
	if resolve == nil {
		resolve = a.airflowRuntimeImage
	}
	return stack.New(dc, p, stack.Options{Reporter: r, ResolveImage: resolve,
		DockerSocket: sock, SocketGID: gid}), nil
}

// airflowRuntimeImage is the stack's ImageResolver: services.airflow.image
// extended with the project's dependencies and the bundled library (see
// services/build), unless extend_image = false. A forced rebuild (-b) skips
// the build cache unless -c; a rebuild because the inputs changed uses it.
func (a *App) airflowRuntimeImage(ctx context.Context, p *project.Project, force, cache bool, r event.Reporter) (string, error) {
	base := p.Config.Services.Airflow.Image
	if !p.Config.Services.Airflow.ExtendsImage() {
		return base, nil
	}
	dc, err := a.Docker()
	if err != nil {
		return "", err
	}
	if err := stack.EnsureImage(ctx, dc, base, "airflow", "services.airflow.image", r); err != nil {
		return "", err
	}
	b := &build.Builder{Engine: dc, Library: taskLibrary()}
	return b.AirflowImage(ctx, p, build.AirflowOptions{Force: force, NoCache: force && !cache}, r)
}

func (a *App) projectStack() (*project.Project, *stack.Stack, error) {
	p, err := a.Project()
	if err != nil {
		return nil, nil, err
	}
	s, err := a.stackOf(p)
	return p, s, err
}

func (f *stackFlags) startOptions() stack.StartOptions {
	return stack.StartOptions{Services: f.services, Wait: f.wait, ForceNew: f.forceNew,
		Build: f.dockerBuild, Cache: f.cache, JupyterPort: f.jupyterPort}
}

func (f *stackFlags) check(a *App) error {
	if note := f.originalEnvNote(); note != "" {
		fmt.Fprintln(a.Err, note)
	}
	if f.wait <= 0 {
		return errs.Usagef("give --wait a positive duration such as 10m", "--wait %v is not a positive duration", f.wait)
	}
	if f.jupyterPort < 0 || f.jupyterPort > 65535 {
		return errs.Usagef("use a port from 1 to 65535", "--jupyter-port %d is out of range", f.jupyterPort)
	}
	return nil
}

func runStart(ctx context.Context, a *App, f *stackFlags) error {
	if err := f.check(a); err != nil {
		return err
	}
	_, s, err := a.projectStack()
	if err != nil {
		return err
	}
	if err := s.Start(ctx, f.startOptions()); err != nil {
		return a.startFailed(err)
	}
	return a.printStatusAfterStart(ctx, s)
}

func runRestart(ctx context.Context, a *App, f *stackFlags, volumes bool) error {
	if err := f.check(a); err != nil {
		return err
	}
	_, s, err := a.projectStack()
	if err != nil {
		return err
	}
	if err := s.Restart(ctx, stack.StopOptions{Services: f.services, Volumes: volumes}, f.startOptions()); err != nil {
		return a.startFailed(err)
	}
	return a.printStatusAfterStart(ctx, s)
}

// startFailed prints what failed, container by container, before the
// one-line error: its state, exit code, whether it was killed for memory,
// its restarts and its last log lines.
func (a *App) startFailed(err error) error {
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

func (a *App) printStatusAfterStart(ctx context.Context, s *stack.Stack) error {
	if a.JSON() {
		return nil // the NDJSON events said it all
	}
	v, err := s.Status(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.Out)
	printStatus(a.Out, v)
	return nil
}

func runStop(ctx context.Context, a *App, services []string, volumes bool) error {
	_, s, err := a.projectStack()
	if err != nil {
		return err
	}
	return s.Stop(ctx, stack.StopOptions{Services: services, Volumes: volumes})
}

func runStatus(ctx context.Context, a *App) error {
	_, s, err := a.projectStack()
	if err != nil {
		return err
	}
	v, err := s.Status(ctx)
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
		fmt.Fprintf(w, "%-8s %-12s %s\n", s.Name, s.State, strings.Join(urls, "  "))
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
	_, s, err := a.projectStack()
	if err != nil {
		return err
	}
	enc := json.NewEncoder(a.Out)
	return s.Logs(ctx, stack.LogOptions{Names: names, Follow: follow, Tail: tail, Since: since, Timestamps: timestamps},
		func(l stack.LogLine) {
			if a.JSON() {
				_ = enc.Encode(l)
				return
			}
			fmt.Fprintf(a.Out, "%-21s | %s\n", l.Component, l.Text)
		})
}

// canAsk reports whether a question can be put to a person: plain output
// to a terminal, with a terminal to read the answer from.
func (a *App) canAsk() bool {
	if a.Headless() {
		return false
	}
	f, ok := a.In.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func runCleanup(ctx context.Context, a *App, prune, yes bool) error {
	p, s, err := a.projectStack()
	if err != nil {
		return err
	}
	cp, err := s.PlanCleanup(ctx, prune)
	if err != nil {
		return err
	}
	if cp.Empty() {
		a.Printf("nothing of project %s to remove\n", p.ID())
		return nil
	}
	summary := cleanupSummary(cp)
	if !yes {
		if !a.canAsk() {
			return errs.Usagef("pass --yes to remove them without being asked",
				"cleanup would remove %s of project %s, and cannot ask for confirmation here", summary, p.ID())
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
		a.Printf("Remove %s of project %s? [y/N] ", summary, p.ID())
		answer, _ := bufio.NewReader(a.In).ReadString('\n')
		if ans := strings.ToLower(strings.TrimSpace(answer)); ans != "y" && ans != "yes" {
			a.Printf("nothing removed\n")
			return nil
		}
	}
	return s.Cleanup(ctx, cp)
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

func runExportCompose(a *App) error {
	p, err := a.Project()
	if err != nil {
		return err
	}
	st, err := p.State()
	if err != nil {
		return err
	}
	layout, err := stack.ReadLayout(p.Dir, p.Config.Package)
	if err != nil {
		return err
	}
	in := stack.ComposeInput{Project: p, Layout: layout, CredentialsFile: st.Path("credentials.json")}
	if ti, ok, err := st.TaskImage("docker"); err == nil && ok {
		in.TaskImage = ti.Image
	}
	in.AirflowImage = a.exportedAirflowImage(p)
	_, err = a.Out.Write(stack.Compose(in))
	return err
}

// exportedAirflowImage is the Airflow image export-compose names: the
// runtime image `dev start` runs (services.airflow.image extended with the
// project's dependencies), tagged by its current inputs. Exporting builds
// nothing: when that image is not built yet, or the engine cannot be asked,
// stderr says so and what to do.
func (a *App) exportedAirflowImage(p *project.Project) string {
	base := p.Config.Services.Airflow.Image
	if !p.Config.Services.Airflow.ExtendsImage() {
		return base
	}
	dc, err := a.Docker()
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		b := &build.Builder{Engine: dc, Library: taskLibrary()}
		tag, built, terr := b.AirflowImageTag(ctx, p)
		if terr == nil {
			if !built {
				fmt.Fprintf(a.Err, "warning: the Airflow runtime image %s is not built yet; build it with `gaiaflow dev update-deps` before `docker compose up`\n", tag)
			}
			return tag
		}
		err = terr
	}
	fmt.Fprintf(a.Err, "warning: the file names %s, not the runtime image with the project's dependencies, which could not be worked out: %s\n", base, oneLine(err.Error()))
	return base
}

func names(list []docker.Resource) []string {
	out := make([]string, len(list))
	for i, r := range list {
		out[i] = r.Name
	}
	return out
}

// modeSwitch gathers what modes.Set needs to reach a running stack. Without
// an engine the mode is still written; Airflow is not recreated.
func (a *App) modeSwitch(ctx context.Context, p *project.Project) (modes.Switch, error) {
	return a.modeSwitchReporting(ctx, p, a.Reporter())
}

// modeSwitchReporting is modeSwitch with the stack reporting to r: the
// dashboard's mode switch is built here too, so both faces switch alike.
func (a *App) modeSwitchReporting(ctx context.Context, p *project.Project, r event.Reporter) (modes.Switch, error) {
	st, err := p.State()
	if err != nil {
		return modes.Switch{}, err
	}
	sw := modes.Switch{State: st}
	dc, err := a.Docker()
	if err != nil {
		return sw, nil
	}
	if _, err = dc.Info(ctx); err != nil {
		return sw, nil
	}
	sw.AirflowRunning = func(ctx context.Context, p *project.Project) (bool, error) {
		s, err := a.stackReporting(p, r)
		if err != nil {
			return false, err
		}
		return s.Running(ctx, "airflow")
	}
	sw.RecreateAirflow = func(ctx context.Context, p *project.Project) error {
		s, err := a.stackReporting(p, r)
		if err != nil {
			return err
		}
		// MLflow and MinIO follow too when they run: pods reach them only
		// in prod_local.
		return s.SwitchMode(ctx, stack.StartOptions{})
	}
	return sw, nil
}

// runUpdateDeps rebuilds the runtime image and, when Airflow runs, recreates
// its containers on it.
func runUpdateDeps(ctx context.Context, a *App, cache bool, wait time.Duration) error {
	p, s, err := a.projectStack()
	if err != nil {
		return err
	}
	if !p.Config.Services.Airflow.ExtendsImage() {
		return errs.Usagef("set services.airflow.extend_image = true, or rebuild your own image and run `gaiaflow dev restart -s airflow`",
			"update-deps rebuilds the runtime image, but services.airflow.extend_image is false")
	}
	running, err := s.Running(ctx, "airflow")
	if err != nil {
		return err
	}
	if !running {
		img, err := a.airflowRuntimeImage(ctx, p, true, cache, a.Reporter())
		if err != nil {
			return err
		}
		a.Printf("rebuilt %s; Airflow is not running: `gaiaflow dev start` will use it\n", img)
		return nil
	}
	if err := s.Start(ctx, stack.StartOptions{Services: []string{"airflow"}, Build: true, Cache: cache, Wait: wait}); err != nil {
		return a.startFailed(err)
	}
	a.Printf("Airflow runs on the rebuilt runtime image\n")
	return nil
}
