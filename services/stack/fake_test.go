package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// behaviour is how a fake container acts once started.
type behaviour struct {
	delay     time.Duration // until it is healthy, or exits
	exit      *int          // it exits with this code after delay
	unhealthy bool          // its health check fails / its probe never passes
	oom       bool
	logs      []string
	// dieAfter > 0: once ready, it dies with dieCode after this long (a
	// kill, a crash), and is not restarted.
	dieAfter time.Duration
	dieCode  int
}

type fakeCtr struct {
	id, name  string
	spec      docker.ContainerSpec
	status    string
	health    string
	exitCode  int
	oom       bool
	startedAt time.Time
	readyAt   time.Time // when its probe starts passing
	files     []docker.File
	runs      int
	detached  []string // networks it was disconnected from
}

type fakeSub struct {
	labels map[string]string
	ch     chan docker.ContainerEvent
}

// fakeEngine is an in-memory Docker engine: containers follow scripted
// behaviours and report through an event stream like the real one.
type fakeEngine struct {
	mu         sync.Mutex
	images     map[string]docker.ImageInfo
	pullable   map[string]bool
	networks   map[string]docker.Resource
	volumes    map[string]docker.Resource
	imagesLbl  []docker.Resource
	parentImg  map[string]docker.Resource // by image id: listed once the image is removed (a builder's intermediate)
	containers map[string]*fakeCtr
	nextID     int
	subs       []*fakeSub
	calls      []string
	behave     map[string]behaviour // by component
	ports      map[int]docker.PortUser
	buckets    []string
	inFlight   int // containers started but not ready yet
	maxFlight  int
	memTotal   int64
	startErr   map[string]error // by component: the next start of it fails so
	copyErr    map[string]error // by component: the next copy of files into it fails so
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{
		images: map[string]docker.ImageInfo{}, pullable: map[string]bool{}, networks: map[string]docker.Resource{},
		volumes: map[string]docker.Resource{}, containers: map[string]*fakeCtr{}, behave: map[string]behaviour{},
		ports: map[int]docker.PortUser{}, memTotal: 8 << 30,
	}
}

func (f *fakeEngine) call(format string, args ...any) {
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
}

// Calls returns the recorded mutating calls.
func (f *fakeEngine) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeEngine) resetCalls() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
}

func notFoundErr(what string) error { return fmt.Errorf("%s: %w", what, docker.ErrNotFound) }

func matches(want, have map[string]string) bool {
	for k, v := range want {
		if hv, ok := have[k]; !ok || (v != "" && hv != v) {
			return false
		}
	}
	return true
}

func (f *fakeEngine) emitLocked(c *fakeCtr, action, health string) {
	ev := docker.ContainerEvent{ID: c.id, Name: c.name, Action: action, Health: health, ExitCode: c.exitCode,
		Labels: maps.Clone(c.spec.Labels), Time: time.Now()}
	for _, s := range f.subs {
		if matches(s.labels, ev.Labels) {
			select {
			case s.ch <- ev:
			default:
				panic("fake engine: event subscriber is not reading")
			}
		}
	}
}

func (f *fakeEngine) Info(context.Context) (docker.EngineInfo, error) {
	return docker.EngineInfo{Version: "fake", APIVersion: "1.41", MemTotal: f.memTotal, NCPU: 2}, nil
}

func (f *fakeEngine) PublishedPorts(context.Context) (map[int]docker.PortUser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := maps.Clone(f.ports)
	for _, c := range f.containers {
		if c.status == "running" {
			for _, p := range c.spec.Ports {
				out[p.HostPort] = docker.PortUser{Container: c.name, Project: c.spec.Labels[LabelProject]}
			}
		}
	}
	return out, nil
}

func (f *fakeEngine) InspectImage(_ context.Context, ref string) (docker.ImageInfo, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	info, ok := f.images[ref]
	return info, ok, nil
}

func (f *fakeEngine) PullImage(ctx context.Context, ref string, on func(docker.PullProgress)) error {
	f.mu.Lock()
	ok := f.pullable[ref]
	f.mu.Unlock()
	if !ok {
		return &docker.PullError{Ref: ref, Err: errors.New("pull access denied: repository does not exist")}
	}
	on(docker.PullProgress{Layer: "abc", Status: "Downloading", Current: 5, Total: 10})
	on(docker.PullProgress{Layer: "abc", Status: "Pull complete"})
	f.mu.Lock()
	defer f.mu.Unlock()
	f.images[ref] = docker.ImageInfo{ID: "sha256:" + ref}
	f.call("pull %s", ref)
	return nil
}

func (f *fakeEngine) ListImages(_ context.Context, labels map[string]string) ([]docker.Resource, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []docker.Resource
	for _, r := range f.imagesLbl {
		if matches(labels, r.Labels) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *fakeEngine) RemoveImage(_ context.Context, id string, _ docker.RemoveImageOptions) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.imagesLbl {
		if r.ID == id {
			f.imagesLbl = append(f.imagesLbl[:i], f.imagesLbl[i+1:]...)
			f.call("remove image %s", r.Name)
			if p, ok := f.parentImg[id]; ok {
				f.imagesLbl = append(f.imagesLbl, p)
			}
			return nil
		}
	}
	return notFoundErr("image " + id)
}

// BuildSteps: the fake's builds leave no step images.
func (f *fakeEngine) BuildSteps(context.Context, string, string) ([]string, error) { return nil, nil }

func (f *fakeEngine) FindNetwork(_ context.Context, name string) (docker.Resource, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n, ok := f.networks[name]; ok {
		return n, nil
	}
	return docker.Resource{}, notFoundErr("network " + name)
}

func (f *fakeEngine) CreateNetwork(_ context.Context, name string, labels map[string]string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.networks[name] = docker.Resource{ID: "net-" + name, Name: name, Labels: labels}
	f.call("create network %s", name)
	return "net-" + name, nil
}

func (f *fakeEngine) ListNetworks(_ context.Context, labels map[string]string) ([]docker.Resource, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []docker.Resource
	for _, n := range f.networks {
		if matches(labels, n.Labels) {
			out = append(out, n)
		}
	}
	return out, nil
}

func (f *fakeEngine) RemoveNetwork(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for name, n := range f.networks {
		if n.ID == id {
			delete(f.networks, name)
			f.call("remove network %s", name)
			return nil
		}
	}
	return notFoundErr("network " + id)
}

func (f *fakeEngine) FindVolume(_ context.Context, name string) (docker.Resource, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if v, ok := f.volumes[name]; ok {
		return v, nil
	}
	return docker.Resource{}, notFoundErr("volume " + name)
}

func (f *fakeEngine) CreateVolume(_ context.Context, name string, labels map[string]string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.volumes[name] = docker.Resource{ID: name, Name: name, Labels: labels}
	f.call("create volume %s", name)
	return nil
}

func (f *fakeEngine) ListVolumes(_ context.Context, labels map[string]string) ([]docker.Resource, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []docker.Resource
	for _, v := range f.volumes {
		if matches(labels, v.Labels) {
			out = append(out, v)
		}
	}
	return out, nil
}

func (f *fakeEngine) RemoveVolume(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.volumes[name]; !ok {
		return notFoundErr("volume " + name)
	}
	for _, c := range f.containers {
		for _, m := range c.spec.Mounts {
			if m.Source == name {
				return fmt.Errorf("volume %s is in use by %s", name, c.name)
			}
		}
	}
	delete(f.volumes, name)
	f.call("remove volume %s", name)
	return nil
}

func (f *fakeEngine) CreateContainer(ctx context.Context, spec docker.ContainerSpec) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.containers {
		if c.name == spec.Name {
			return "", fmt.Errorf("conflict: the name %s is in use", spec.Name)
		}
	}
	if _, ok := f.images[spec.Image]; !ok {
		return "", notFoundErr("image " + spec.Image)
	}
	f.nextID++
	c := &fakeCtr{id: fmt.Sprintf("c%03d", f.nextID), name: spec.Name, spec: spec, status: "created"}
	f.containers[c.id] = c
	f.call("create %s", spec.Labels[LabelComponent])
	f.emitLocked(c, "create", "")
	return c.id, nil
}

func (f *fakeEngine) CopyFiles(_ context.Context, id, dir string, files []docker.File) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.containers[id]
	if !ok {
		return notFoundErr("container " + id)
	}
	if err := f.copyErr[c.spec.Labels[LabelComponent]]; err != nil {
		delete(f.copyErr, c.spec.Labels[LabelComponent])
		return err
	}
	c.files = append(c.files, files...)
	return nil
}

func (f *fakeEngine) StartContainer(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.containers[id]
	if !ok {
		return notFoundErr("container " + id)
	}
	comp := c.spec.Labels[LabelComponent]
	if err := f.startErr[comp]; err != nil {
		delete(f.startErr, comp)
		f.call("start %s failed", comp)
		return err
	}
	b := f.behave[comp]
	c.status, c.exitCode, c.runs = "running", 0, c.runs+1
	c.startedAt = time.Now()
	c.readyAt = c.startedAt.Add(b.delay)
	if c.spec.Healthcheck != nil {
		c.health = "starting"
	}
	f.call("start %s", comp)
	f.inFlight++
	f.maxFlight = max(f.maxFlight, f.inFlight)
	f.emitLocked(c, "start", "")
	run := c.runs
	time.AfterFunc(b.delay, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.inFlight--
		if c.runs != run || c.status != "running" {
			return
		}
		switch {
		case b.exit != nil:
			c.status, c.exitCode, c.oom = "exited", *b.exit, b.oom
			if b.oom {
				f.emitLocked(c, "oom", "")
			}
			f.emitLocked(c, "die", "")
		case c.spec.Healthcheck != nil && b.unhealthy:
			c.health = "unhealthy"
			f.emitLocked(c, "health_status", "unhealthy")
		case c.spec.Healthcheck != nil:
			c.health = "healthy"
			f.emitLocked(c, "health_status", "healthy")
		}
		if b.dieAfter > 0 {
			time.AfterFunc(b.dieAfter, func() {
				f.mu.Lock()
				defer f.mu.Unlock()
				if c.runs == run && c.status == "running" {
					c.status, c.exitCode = "exited", b.dieCode
					f.emitLocked(c, "die", "")
				}
			})
		}
	})
	return nil
}

func (f *fakeEngine) StopContainer(_ context.Context, id string, _ time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.containers[id]
	if !ok {
		return notFoundErr("container " + id)
	}
	if c.status == "running" {
		c.status, c.exitCode = "exited", 143
		f.call("stop %s", c.spec.Labels[LabelComponent])
		f.emitLocked(c, "die", "")
	}
	return nil
}

func (f *fakeEngine) RemoveContainer(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.containers[id]
	if !ok {
		return notFoundErr("container " + id)
	}
	delete(f.containers, id)
	c.status = "removed"
	comp := c.spec.Labels[LabelComponent]
	if comp == "" {
		comp = c.name
	}
	f.call("remove %s", comp)
	f.emitLocked(c, "destroy", "")
	return nil
}

func (f *fakeEngine) InspectContainer(_ context.Context, id string) (docker.ContainerInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.containers[id]
	if !ok {
		return docker.ContainerInfo{}, notFoundErr("container " + id)
	}
	info := docker.ContainerInfo{ID: c.id, Name: c.name, Image: c.spec.Image, Labels: c.spec.Labels, Status: c.status,
		Health: c.health, ExitCode: c.exitCode, OOMKilled: c.oom, StartedAt: c.startedAt, RestartCount: 0}
	if c.status == "running" {
		info.Ports = c.spec.Ports
	}
	for _, n := range append([]string{c.spec.Network}, c.spec.ExtraNetworks...) {
		if n != "" && !slices.Contains(c.detached, n) {
			info.Networks = append(info.Networks, n)
		}
	}
	return info, nil
}

func (f *fakeEngine) ListContainers(_ context.Context, labels map[string]string) ([]docker.ContainerSummary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []docker.ContainerSummary
	for _, c := range f.containers {
		if matches(labels, c.spec.Labels) {
			out = append(out, docker.ContainerSummary{ID: c.id, Name: c.name, Image: c.spec.Image, Labels: c.spec.Labels, Status: c.status})
		}
	}
	return out, nil
}

func (f *fakeEngine) Logs(ctx context.Context, id string, opts docker.LogOptions, stdout, stderr io.Writer) error {
	f.mu.Lock()
	c, ok := f.containers[id]
	var lines []string
	if ok {
		lines = f.behave[c.spec.Labels[LabelComponent]].logs
	}
	f.mu.Unlock()
	if !ok {
		return notFoundErr("container " + id)
	}
	for _, l := range lines {
		fmt.Fprintln(stdout, l)
	}
	if opts.Follow {
		<-ctx.Done()
	}
	return nil
}

func (f *fakeEngine) ContainerEvents(ctx context.Context, labels map[string]string) (<-chan docker.ContainerEvent, <-chan error) {
	sub := &fakeSub{labels: labels, ch: make(chan docker.ContainerEvent, 10000)}
	errc := make(chan error, 1)
	f.mu.Lock()
	f.subs = append(f.subs, sub)
	f.mu.Unlock()
	go func() {
		<-ctx.Done()
		f.mu.Lock()
		for i, s := range f.subs {
			if s == sub {
				f.subs = append(f.subs[:i], f.subs[i+1:]...)
				break
			}
		}
		f.mu.Unlock()
		errc <- ctx.Err()
	}()
	return sub.ch, errc
}

// Probe answers readiness probes from the fake containers' behaviours.
func (f *fakeEngine) Probe(_ context.Context, hostPort int, path, check string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var owner *fakeCtr
	for _, c := range f.containers {
		for _, p := range c.spec.Ports {
			if p.HostPort == hostPort && c.status == "running" {
				owner = c
			}
		}
	}
	if owner == nil {
		return fmt.Errorf("connection refused on port %d", hostPort)
	}
	target := owner
	if comp, ok := strings.CutPrefix(check, "airflow:"); ok && comp != "metadatabase" {
		target = nil
		want := "airflow-" + strings.ReplaceAll(comp, "_", "-")
		for _, c := range f.containers {
			if c.spec.Labels[LabelComponent] == want && c.spec.Labels[LabelProject] == owner.spec.Labels[LabelProject] {
				target = c
			}
		}
		if target == nil || target.status != "running" {
			return fmt.Errorf("%s not reported", comp)
		}
	}
	b := f.behave[target.spec.Labels[LabelComponent]]
	if b.unhealthy || b.exit != nil || time.Now().Before(target.readyAt) {
		return errors.New("HTTP 503")
	}
	return nil
}

func (f *fakeEngine) MakeBucket(_ context.Context, port int, access, secret, bucket string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if access == "" || secret == "" {
		return errors.New("no credentials")
	}
	f.buckets = append(f.buckets, bucket)
	f.call("bucket %s", bucket)
	return nil
}

// fixture is a project on a fake engine.
type fixture struct {
	t     *testing.T
	eng   *fakeEngine
	p     *project.Project
	stack *Stack
	rec   *timedRecorder
}

// timedRecorder keeps events with their times.
type timedRecorder struct {
	mu     sync.Mutex
	events []event.Event
}

func (r *timedRecorder) Report(e event.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	r.events = append(r.events, e)
}

func (r *timedRecorder) Events() []event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event.Event(nil), r.events...)
}

// at returns when a component first reached a state, or the zero time.
func (r *timedRecorder) at(component, state string) time.Time {
	for _, e := range r.Events() {
		if e.Container == component && e.State == state {
			return e.Time
		}
	}
	return time.Time{}
}

const fakeToml = `name = "demo"
package = "demo"

[services.airflow]
image = "airflow:test"
db_image = "postgres:test"
[services.mlflow]
image = "mlflow:test"
db_image = "postgres:test"
[services.minio]
image = "minio:test"
[services.jupyter]
image = "jupyter:test"
`

func newFixture(t *testing.T, toml string) *fixture {
	t.Helper()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, project.FileName), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"dags", "demo"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	p, err := project.Open(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	eng := newFakeEngine()
	for _, img := range []string{"airflow:test", "postgres:test", "mlflow:test", "minio:test", "jupyter:test"} {
		eng.images[img] = docker.ImageInfo{ID: "sha256:" + img}
	}
	// JupyterLab's setup is a one-shot that ends at once unless told otherwise.
	eng.behave["jupyter-deps"] = behaviour{exit: exitCode(0)}
	f := &fixture{t: t, eng: eng, p: p, rec: &timedRecorder{}}
	f.stack = f.newStack()
	return f
}

func (f *fixture) newStack() *Stack {
	return New(f.eng, f.p, Options{
		Reporter: f.rec, Prober: f.eng, MakeBucket: f.eng.MakeBucket, ProbeInterval: 5 * time.Millisecond,
		Ports: Ports{Free: func(int) bool { return true }, Owner: func(int) string { return "" },
			Suggest: func(p int, _ map[int]bool) int { return p + 1 }},
	})
}

// reload re-reads gaiaflow.toml after a test changed it.
func (f *fixture) reload(toml string) {
	f.t.Helper()
	if err := os.WriteFile(filepath.Join(f.p.Dir, project.FileName), []byte(toml), 0o644); err != nil {
		f.t.Fatal(err)
	}
	p, err := project.Open(f.p.Dir, true)
	if err != nil {
		f.t.Fatal(err)
	}
	f.p = p
	f.stack = f.newStack()
}

func (f *fixture) start(o StartOptions) error {
	f.t.Helper()
	if o.Wait == 0 {
		o.Wait = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return f.stack.Start(ctx, o)
}

func exitCode(n int) *int { return &n }

type projectCreds = project.Credentials

// PortUserOf is a container of another project holding a port.
func PortUserOf(name, projectID string) docker.PortUser {
	return docker.PortUser{Container: name, Project: projectID}
}

// spec returns the spec a component's container was created with.
func (f *fakeEngine) spec(t *testing.T, component string) docker.ContainerSpec {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.containers {
		if c.spec.Labels[LabelComponent] == component {
			return c.spec
		}
	}
	t.Fatalf("no container of %s", component)
	return docker.ContainerSpec{}
}
