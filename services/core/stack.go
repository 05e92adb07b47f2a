package core

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack"
)

// The local stack's use cases: `gaiaflow dev ...` and the dashboard's
// services panel.

// StartOptions are the settings of a start (see stack.StartOptions).
type StartOptions = stack.StartOptions

// StopOptions are the settings of a stop (see stack.StopOptions).
type StopOptions = stack.StopOptions

// stackOf returns p's local stack on the engine, reporting to r.
func (c *Core) stackOf(p *project.Project, r event.Reporter) (*stack.Stack, error) {
	dc, err := c.Docker()
	if err != nil {
		return nil, err
	}
	sock, gid := stack.SocketOf(dc.Host)
	resolve := c.d.AirflowImage
	if resolve == nil {
		resolve = c.airflowRuntimeImage
	}
	return stack.New(dc, p, stack.Options{Reporter: r, ResolveImage: resolve,
		DockerSocket: sock, SocketGID: gid, Watcher: c.watcher(dc, p.ID())}), nil
}

// watcher is the one event watcher of project id in this process: a start
// and the dashboard's redraws follow the same stream.
func (c *Core) watcher(dc *docker.Client, id string) *stack.Watcher {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.watchers[id]
	if w == nil {
		w = stack.NewWatcher(dc, id)
		c.watchers[id] = w
	}
	return w
}

// Changes signals every change of the project's containers (Docker's event
// stream, no polling); values are coalesced. Closed when ctx ends.
func (c *Core) Changes(ctx context.Context) (<-chan struct{}, error) {
	_, s, err := c.projectStack(event.Discard)
	if err != nil {
		return nil, err
	}
	return s.Changes(ctx), nil
}

// projectStack opens the project and its stack.
func (c *Core) projectStack(r event.Reporter) (*project.Project, *stack.Stack, error) {
	p, err := c.Project()
	if err != nil {
		return nil, nil, err
	}
	s, err := c.stackOf(p, r)
	return p, s, err
}

// airflowRuntimeImage is the stack's image resolver: services.airflow.image
// extended with the project's dependencies and the bundled library (see
// services/build), unless extend_image = false. A forced rebuild skips the
// build cache unless cache; a rebuild because the inputs changed uses it.
func (c *Core) airflowRuntimeImage(ctx context.Context, p *project.Project, force, cache bool, r event.Reporter) (string, error) {
	base := p.Config.Services.Airflow.Image
	if !p.Config.Services.Airflow.ExtendsImage() {
		return base, nil
	}
	dc, err := c.Docker()
	if err != nil {
		return "", err
	}
	if err := stack.EnsureImage(ctx, dc, base, "airflow", "services.airflow.image", r); err != nil {
		return "", err
	}
	b := &build.Builder{Engine: dc, Library: c.Library()}
	return b.AirflowImage(ctx, p, build.AirflowOptions{Force: force, NoCache: force && !cache}, r)
}

// CheckStart checks a start's settings before anything is touched.
func CheckStart(o StartOptions) error {
	if o.Wait <= 0 {
		return errs.Usagef("give --wait a positive duration such as 10m", "--wait %v is not a positive duration", o.Wait)
	}
	if o.JupyterPort != 0 {
		if err := CheckPort("--jupyter-port", o.JupyterPort); err != nil {
			return err
		}
	}
	return CheckServices(o.Services)
}

// CheckPort checks a host port given on the command line or in a form.
func CheckPort(what string, port int) error {
	if port < 1 || port > 65535 {
		return errs.Usagef("use a port from 1 to 65535", "%s %d is out of range", what, port)
	}
	return nil
}

// CheckServices checks service names; "all" (the original tool's word for
// every service) is the same as none.
func CheckServices(names []string) error {
	for _, n := range names {
		if n == "all" {
			continue
		}
		if _, ok := project.Default("x", "x").Service(n); !ok {
			return errs.Usagef("name a service: airflow, mlflow, minio or jupyter (or all)", "unknown service %q", n)
		}
	}
	return nil
}

// services drops "all": the stack acts on every enabled service when given none.
func services(names []string) []string {
	var out []string
	for _, n := range names {
		if n == "all" {
			return nil
		}
		out = append(out, n)
	}
	return out
}

// Start starts the project's services and waits until they are healthy. A
// failure is a *stack.StartError naming each container that failed.
func (c *Core) Start(ctx context.Context, o StartOptions, r event.Reporter) error {
	if err := CheckStart(o); err != nil {
		return err
	}
	o.Services = services(o.Services)
	_, s, err := c.projectStack(r)
	if err != nil {
		return err
	}
	return s.Start(ctx, o)
}

// Stop stops the project's services; data volumes stay unless o.Volumes.
func (c *Core) Stop(ctx context.Context, o StopOptions, r event.Reporter) error {
	if err := CheckServices(o.Services); err != nil {
		return err
	}
	o.Services = services(o.Services)
	_, s, err := c.projectStack(r)
	if err != nil {
		return err
	}
	return s.Stop(ctx, o)
}

// Restart stops, then starts.
func (c *Core) Restart(ctx context.Context, stop StopOptions, start StartOptions, r event.Reporter) error {
	if err := CheckStart(start); err != nil {
		return err
	}
	stop.Services, start.Services = services(stop.Services), services(start.Services)
	_, s, err := c.projectStack(r)
	if err != nil {
		return err
	}
	return s.Restart(ctx, stop, start)
}

// Status reads the state of every service and container of the project.
func (c *Core) Status(ctx context.Context) (*stack.StatusView, error) {
	_, s, err := c.projectStack(event.Discard)
	if err != nil {
		return nil, err
	}
	return s.Status(ctx)
}

// Running reports whether a container of the service runs.
func (c *Core) Running(ctx context.Context, service string) (bool, error) {
	_, s, err := c.projectStack(event.Discard)
	if err != nil {
		return false, err
	}
	return s.Running(ctx, service)
}

// CheckLogs checks a log query before anything is read: --tail is a
// number of lines or -1 for all, --since a positive duration or a time
// (RFC 3339, a date, or Unix seconds, as the engine takes them).
func CheckLogs(o stack.LogOptions) error {
	if o.Tail < -1 {
		return errs.Usagef("give --tail a number of lines, or -1 for all of them", "--tail %d is not a number of lines", o.Tail)
	}
	if o.Since == "" {
		return nil
	}
	if d, err := time.ParseDuration(o.Since); err == nil {
		if d <= 0 {
			return errs.Usagef("give --since a positive duration such as 10m", "--since %s is not a positive duration", o.Since)
		}
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if _, err := time.Parse(layout, o.Since); err == nil {
			return nil
		}
	}
	if _, err := strconv.ParseFloat(o.Since, 64); err == nil {
		return nil
	}
	return errs.Usagef("give --since a duration such as 10m, or a time such as 2026-12-01T09:00:00Z",
		"--since %q is neither a duration nor a time", o.Since)
}

// Logs streams the logs of services or containers to out.
func (c *Core) Logs(ctx context.Context, o stack.LogOptions, out func(stack.LogLine)) error {
	if err := CheckLogs(o); err != nil {
		return err
	}
	_, s, err := c.projectStack(event.Discard)
	if err != nil {
		return err
	}
	return s.Logs(ctx, o, out)
}

// PlanCleanup lists what Cleanup would remove: the project's labelled
// containers and network, with prune its volumes and images too.
func (c *Core) PlanCleanup(ctx context.Context, prune bool) (*stack.CleanupPlan, error) {
	_, s, err := c.projectStack(event.Discard)
	if err != nil {
		return nil, err
	}
	return s.PlanCleanup(ctx, prune)
}

// Cleanup removes what cp lists. An empty plan removes nothing and says so.
func (c *Core) Cleanup(ctx context.Context, cp *stack.CleanupPlan, r event.Reporter) error {
	p, s, err := c.projectStack(r)
	if err != nil {
		return err
	}
	if cp.Empty() {
		r.Report(event.Event{Kind: event.Done, Scope: "stack", Message: "nothing of project " + p.ID() + " to remove"})
		return nil
	}
	return s.Cleanup(ctx, cp)
}

// UpdateDepsResult is what update-deps did.
type UpdateDepsResult struct {
	Image     string `json:"image"`
	Recreated bool   `json:"recreated"` // Airflow ran and now runs on Image
}

// UpdateDeps rebuilds the Airflow runtime image and, when Airflow runs,
// recreates its containers on it.
func (c *Core) UpdateDeps(ctx context.Context, cache bool, wait time.Duration, r event.Reporter) (UpdateDepsResult, error) {
	if wait <= 0 {
		return UpdateDepsResult{}, errs.Usagef("give --wait a positive duration such as 10m", "--wait %v is not a positive duration", wait)
	}
	p, s, err := c.projectStack(r)
	if err != nil {
		return UpdateDepsResult{}, err
	}
	if !p.Config.Services.Airflow.ExtendsImage() {
		return UpdateDepsResult{}, errs.Usagef("set services.airflow.extend_image = true, or rebuild your own image and run `gaiaflow dev restart -s airflow`",
			"update-deps rebuilds the runtime image, but services.airflow.extend_image is false")
	}
	running, err := s.Running(ctx, "airflow")
	if err != nil {
		return UpdateDepsResult{}, err
	}
	if !running {
		img, err := c.airflowRuntimeImage(ctx, p, true, cache, r)
		return UpdateDepsResult{Image: img}, err
	}
	if err := s.Start(ctx, stack.StartOptions{Services: []string{"airflow"}, Build: true, Cache: cache, Wait: wait}); err != nil {
		return UpdateDepsResult{}, err
	}
	img, _, err := c.AirflowImageTag(ctx, p)
	return UpdateDepsResult{Image: img, Recreated: true}, err
}

// AirflowImageTag is the runtime image the stack runs for p's current
// inputs, and whether the engine has it; it builds nothing.
func (c *Core) AirflowImageTag(ctx context.Context, p *project.Project) (string, bool, error) {
	if !p.Config.Services.Airflow.ExtendsImage() {
		return p.Config.Services.Airflow.Image, true, nil
	}
	dc, err := c.Docker()
	if err != nil {
		return "", false, err
	}
	b := &build.Builder{Engine: dc, Library: c.Library()}
	return b.AirflowImageTag(ctx, p)
}

// Compose is an exported compose file and what a person should know about it.
type Compose struct {
	File     []byte
	Warnings []string
}

// ExportCompose describes the project's stack as a docker compose file,
// secrets as ${VARIABLES}. It builds nothing: when the runtime image is not
// built yet, or the engine cannot be asked, a warning says so.
func (c *Core) ExportCompose(ctx context.Context) (Compose, error) {
	p, err := c.Project()
	if err != nil {
		return Compose{}, err
	}
	st, err := stateOf(p)
	if err != nil {
		return Compose{}, err
	}
	layout, err := stack.ReadLayout(p.Dir, p.Config.Package)
	if err != nil {
		return Compose{}, err
	}
	var out Compose
	in := stack.ComposeInput{Project: p, Layout: layout, CredentialsFile: st.Path("credentials.json")}
	if ti, ok, err := st.TaskImage(build.TargetDocker); err == nil && ok {
		in.TaskImage = ti.Image
	}
	in.AirflowImage = p.Config.Services.Airflow.Image
	if p.Config.Services.Airflow.ExtendsImage() {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		tag, built, err := c.AirflowImageTag(ctx, p)
		cancel()
		switch {
		case err != nil:
			out.Warnings = append(out.Warnings, fmt.Sprintf("the file names %s, not the runtime image with the project's dependencies, which could not be worked out: %s",
				in.AirflowImage, oneLine(err.Error())))
		case !built:
			in.AirflowImage = tag
			out.Warnings = append(out.Warnings, fmt.Sprintf("the Airflow runtime image %s is not built yet; build it with `gaiaflow dev update-deps` before `docker compose up`", tag))
		default:
			in.AirflowImage = tag
		}
	}
	out.File = stack.Compose(in)
	return out, nil
}

// oneLine is the first line of s.
func oneLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
