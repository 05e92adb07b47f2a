package stack

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/doctor"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// StartOptions are the settings of one start.
type StartOptions struct {
	// Services to start; empty means every enabled one. Services they need
	// are added (mlflow brings minio) and reported.
	Services []string
	// Wait bounds the wait for readiness; 0 means 10 minutes.
	Wait time.Duration
	// ForceNew recreates the containers even when nothing changed.
	ForceNew bool
	// Build and Cache pass through to the ImageResolver (-b, -c).
	Build, Cache bool
	// JupyterPort overrides services.jupyter.port for this start.
	JupyterPort int
}

// DefaultWait is how long a start waits for readiness unless told otherwise.
const DefaultWait = 10 * time.Minute

// Start brings the selected services up: preflight (engine, ports, memory),
// missing images pulled, network and volumes created, containers started in
// dependency order with as much parallelism as the graph allows, then a
// wait until each is ready. Healthy containers whose settings did not change
// are left alone, so a second start is a quick no-op. A failure returns a
// *StartError describing each container that did not come up.
func (s *Stack) Start(ctx context.Context, o StartOptions) (err error) {
	defer func() { err = engineGone(err) }()
	if o.Wait == 0 {
		o.Wait = DefaultWait
	}
	// From here on, each phase also reports how long it took.
	s = s.withPhases()
	defer s.phases.begin(PhaseStart)()
	services, added, err := Select(s.p.Config, o.Services)
	if err != nil {
		return err
	}
	if len(services) == 0 {
		return errs.Usagef("enable a service in gaiaflow.toml or name one with -s", "no service is enabled")
	}
	for _, name := range services {
		if why, ok := added[name]; ok {
			s.warn(name, "starting "+name+" too: "+why)
		}
	}
	st, err := s.p.State()
	if err != nil {
		return err
	}
	// Credentials take the project lock themselves the first time: read
	// them before this start takes it for its whole run.
	in, err := s.input(ctx, st, o.JupyterPort)
	if err != nil {
		return err
	}
	unlock, err := s.lock(ctx, st)
	if err != nil {
		return err
	}
	defer unlock()
	prog := newProgress(st)
	defer prog.clear()

	endPhase := s.phases.begin(PhaseEngine)
	s.step("", "", "checking", "checking the Docker engine, ports and images")
	info, err := s.eng.Info(ctx)
	if err != nil {
		return errs.Wrap(errs.Failure, err, "start the Docker engine, or run `gaiaflow doctor`", "the Docker engine does not answer")
	}
	if needsCluster(s.p.Config.Mode, services) {
		if in.Cluster, err = s.clusterLink(ctx, st); err != nil {
			return err
		}
	}
	endPhase()
	if slices.Contains(services, "airflow") && info.MemTotal > 0 && info.MemTotal < doctor.MinMemory {
		s.warn("airflow", fmt.Sprintf("Docker has %.1f GiB of memory; Airflow needs about 4 GiB and may be killed", float64(info.MemTotal)/(1<<30)))
	}
	if slices.Contains(services, "airflow") {
		endPhase = s.phases.begin(PhaseImage)
		img, err := s.o.ResolveImage(ctx, s.p, o.Build, o.Cache, s.o.Reporter)
		if err != nil {
			return err
		}
		endPhase()
		in.AirflowImage = img
	}
	plan := BuildPlan(in)
	existing, err := s.existing(ctx)
	if err != nil {
		return err
	}
	endPhase = s.phases.begin(PhasePorts)
	if err := s.checkPorts(ctx, plan.Services(services)); err != nil {
		return err
	}
	endPhase()
	endPhase = s.phases.begin(PhaseImages)
	images, err := s.ensureImages(ctx, plan.Services(services), prog)
	if err != nil {
		return err
	}
	endPhase()
	if slices.Contains(services, "airflow") {
		in.TaskPython = taskPython(images[plan.Node("airflow-api-server").Spec.Image])
		plan = BuildPlan(in)
	}
	endPhase = s.phases.begin(PhaseResources)
	if err := s.ensureNetwork(ctx, plan.Network); err != nil {
		return err
	}
	for _, v := range plan.VolumesOf(services) {
		if err := s.ensureVolume(ctx, v); err != nil {
			return err
		}
	}
	endPhase()
	defer s.phases.begin(PhaseContainers)()

	follow, stopFollowing := context.WithCancel(ctx)
	defer stopFollowing()
	tr := newTracker(s.eng, s.o.Watcher)
	tr.start(follow)

	r := &runner{s: s, plan: plan, tr: tr, images: images, existing: existing, force: o.ForceNew,
		prog: prog, results: map[string]*result{}, creds: in.Creds}
	if err := r.run(ctx, plan.Services(services), o.Wait); err != nil {
		return err
	}
	if slices.Contains(services, "airflow") {
		s.dropSupersededImages(ctx, in.AirflowImage)
	}
	return nil
}

// taskPython says where the runtime image's task environment is, when it
// has one: the image is a runtime image of services/build, or names its
// interpreter in a label or in the variable itself.
func taskPython(img docker.ImageInfo) string {
	if p := img.Labels[LabelTaskPython]; p != "" {
		return p
	}
	if img.Labels[LabelKind] == kindAirflowRuntime {
		return defaultTaskPy
	}
	for _, e := range img.Env {
		if v, ok := strings.CutPrefix(e, "GAIAFLOW_TASK_PYTHON="); ok {
			return v
		}
	}
	return ""
}

// existing returns the project's containers by component.
func (s *Stack) existing(ctx context.Context) (map[string]docker.ContainerSummary, error) {
	list, err := s.eng.ListContainers(ctx, ProjectLabels(s.p.ID()))
	if err != nil {
		return nil, err
	}
	out := map[string]docker.ContainerSummary{}
	for _, c := range list {
		if comp := c.Labels[LabelComponent]; comp != "" {
			out[comp] = c
		}
	}
	return out, nil
}

// checkPorts names the holder of every host port the start needs that is
// taken by anything but this project, and suggests free ones.
func (s *Stack) checkPorts(ctx context.Context, nodes []*Node) error {
	users, err := s.eng.PublishedPorts(ctx)
	if err != nil {
		return err
	}
	type need struct {
		port      int
		key, what string
	}
	var needs []need
	planned := map[int]bool{}
	for _, n := range nodes {
		seen := map[int]bool{}
		for _, p := range n.Spec.Ports {
			// A port published on two addresses (prod_local) is one need.
			if seen[p.HostPort] {
				continue
			}
			seen[p.HostPort] = true
			key, what := "services."+n.Service+".port", n.Service
			if n.Component == "minio" && p.ContainerPort == minioConsole {
				key, what = "services.minio.console_port", "minio console"
			}
			needs = append(needs, need{p.HostPort, key, what})
			planned[p.HostPort] = true
		}
	}
	var problems, fixes []string
	for _, nd := range needs {
		holder := ""
		if u, ok := users[nd.port]; ok {
			if u.Project == s.p.ID() {
				continue
			}
			holder = "container " + u.Container
			if u.Project != "" {
				holder += " (gaiaflow project " + u.Project + ")"
			}
		} else if !s.o.Ports.Free(nd.port) {
			if holder = s.o.Ports.Owner(nd.port); holder == "" {
				holder = "another program"
			}
		} else {
			continue
		}
		problems = append(problems, fmt.Sprintf("port %d (%s) is taken by %s", nd.port, nd.what, holder))
		if alt := s.o.Ports.Suggest(nd.port, planned); alt != 0 {
			planned[alt] = true
			fixes = append(fixes, fmt.Sprintf("%s = %d", nd.key, alt))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	hint := "stop what holds it, or choose another port in gaiaflow.toml"
	if len(fixes) > 0 {
		hint = "stop what holds it, or set " + strings.Join(fixes, ", ") + " in gaiaflow.toml"
	}
	return errs.Failf(hint, "%s", strings.Join(problems, "; "))
}

// ensureImages makes sure every image is on the engine, pulling only the
// missing ones, and returns what each is.
func (s *Stack) ensureImages(ctx context.Context, nodes []*Node, prog *progress) (map[string]docker.ImageInfo, error) {
	keys := map[string][]string{}
	var refs []string
	svc := map[string]string{}
	for _, n := range nodes {
		ref := n.Spec.Image
		if _, ok := keys[ref]; !ok {
			refs = append(refs, ref)
			svc[ref] = n.Service
		}
		if !slices.Contains(keys[ref], n.ImageKey) {
			keys[ref] = append(keys[ref], n.ImageKey)
		}
	}
	out := map[string]docker.ImageInfo{}
	for _, ref := range refs {
		info, found, err := s.eng.InspectImage(ctx, ref)
		if err != nil {
			return nil, err
		}
		if found {
			out[ref] = info
			continue
		}
		for _, n := range nodes {
			if n.Spec.Image == ref {
				prog.set(n.Component, "pulling")
			}
		}
		if info, err = pull(ctx, s.eng, ref, svc[ref], strings.Join(keys[ref], " / "), s.report); err != nil {
			return nil, err
		}
		out[ref] = info
	}
	return out, nil
}

// ImagePuller is what pulling an image needs of the engine.
type ImagePuller interface {
	InspectImage(ctx context.Context, ref string) (docker.ImageInfo, bool, error)
	PullImage(ctx context.Context, ref string, onProgress func(docker.PullProgress)) error
}

// EnsureImage pulls ref unless the engine has it. key names the
// gaiaflow.toml setting that chose the image, for the hint when it cannot be
// had. Builders call it for the images they start from.
func EnsureImage(ctx context.Context, eng ImagePuller, ref, service, key string, r event.Reporter) error {
	_, found, err := eng.InspectImage(ctx, ref)
	if err != nil || found {
		return err
	}
	_, err = pull(ctx, eng, ref, service, key, r.Report)
	return err
}

// pull pulls ref with progress events and returns what it is.
func pull(ctx context.Context, eng ImagePuller, ref, service, key string, report func(event.Event)) (docker.ImageInfo, error) {
	report(event.Event{Kind: event.Step, Service: service, State: "pulling", Message: "pulling " + ref})
	err := eng.PullImage(ctx, ref, func(p docker.PullProgress) {
		report(event.Event{Kind: event.Progress, Service: service, State: "pulling",
			Message: strings.TrimSpace("pulling " + ref + " " + p.Layer + " " + p.Status), Current: p.Current, Total: p.Total})
	})
	if err != nil {
		if ctx.Err() != nil {
			return docker.ImageInfo{}, ctx.Err()
		}
		if docker.IsEngineGone(err) {
			return docker.ImageInfo{}, docker.Gone(err) // the image is not what is missing
		}
		return docker.ImageInfo{}, errs.Wrap(errs.Failure, err,
			"build or load the image, or set "+key+" in gaiaflow.toml to an image this machine has",
			"image %s is not on this machine and could not be pulled", ref)
	}
	info, found, err := eng.InspectImage(ctx, ref)
	if err != nil || !found {
		return docker.ImageInfo{}, fmt.Errorf("image %s pulled but not found: %v", ref, err)
	}
	return info, nil
}

func (s *Stack) ensureNetwork(ctx context.Context, name string) error {
	n, err := s.eng.FindNetwork(ctx, name)
	if err == nil {
		if n.Labels[LabelProject] != s.p.ID() {
			return errs.Failf("remove or rename that network", "network %s exists but does not belong to this project", name)
		}
		return nil
	}
	if !docker.IsNotFound(err) {
		return err
	}
	s.step("", "", "creating", "creating network "+name)
	_, err = s.eng.CreateNetwork(ctx, name, networkLabels(s.p.ID()))
	return err
}

func (s *Stack) ensureVolume(ctx context.Context, v Volume) error {
	got, err := s.eng.FindVolume(ctx, v.Name)
	if err == nil && v.Shared() {
		if got.Labels[LabelKind] != v.Kind {
			return errs.Failf("remove or rename that volume", "volume %s exists but was not created by gaiaflow", v.Name)
		}
		return nil
	}
	if err == nil {
		if got.Labels[LabelProject] != s.p.ID() {
			return errs.Failf("remove or rename that volume", "volume %s exists but does not belong to this project", v.Name)
		}
		return nil
	}
	if !docker.IsNotFound(err) {
		return err
	}
	s.step(v.Service, "", "creating", "creating volume "+v.Name)
	labels := volumeLabels(s.p.ID(), v.Service, v.Short)
	if v.Shared() {
		labels = map[string]string{LabelKind: v.Kind}
	}
	// Two projects starting at once may both create a shared volume: the
	// engine answers the second with the first's.
	return s.eng.CreateVolume(ctx, v.Name, labels)
}

// runner starts one plan's nodes as a graph.
type runner struct {
	s        *Stack
	plan     *Plan
	tr       *tracker
	images   map[string]docker.ImageInfo
	existing map[string]docker.ContainerSummary
	force    bool
	prog     *progress
	results  map[string]*result
	creds    project.Credentials // for the bucket it creates
}

type result struct {
	done    chan struct{}
	id      string
	created bool  // the container was (re)created by this start
	err     error // *nodeError, *skipError, or the context's
	// readyDies is how often the container had died when it became
	// ready: one more means it broke afterwards.
	readyDies int
}

// nodeError is a container that did not become ready.
type nodeError struct {
	reason   string
	timedOut bool
	because  string // the dependency that broke, when that is why
	lost     bool   // the engine went away
}

// errLost is a wait ended by the engine going away.
var errLost = &nodeError{reason: "was cut off: the Docker engine went away", lost: true}

func (e *nodeError) Error() string { return e.reason }

// skipError is a node not started because a dependency failed.
type skipError struct{ dep string }

func (e *skipError) Error() string { return "not started: " + e.dep + " failed" }

func (r *runner) run(ctx context.Context, nodes []*Node, wait time.Duration) error {
	for _, n := range nodes {
		r.results[n.Component] = &result{done: make(chan struct{})}
	}
	waitCtx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := r.results[n.Component]
			defer close(res.done)
			depCreated := false
			for _, d := range n.Deps {
				dr, ok := r.results[d.Component]
				if !ok {
					res.err = &skipError{dep: d.Component + " (not in this start)"}
					return
				}
				select {
				case <-dr.done:
				case <-waitCtx.Done():
					res.err = r.waitErr(ctx, waitCtx, "waiting for "+d.Component, nil)
					return
				}
				if dr.err != nil {
					res.err = &skipError{dep: d.Component}
					return
				}
				depCreated = depCreated || dr.created
			}
			res.err = r.bringUp(ctx, waitCtx, n, res, depCreated)
			var sk *skipError
			if res.err != nil && ctx.Err() == nil && !errors.As(res.err, &sk) {
				r.prog.set(n.Component, "failed")
				r.s.report(event.Event{Kind: event.Done, Service: n.Service, Container: n.Component, State: "failed",
					Message: "not ready", Err: res.err.Error()})
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		r.s.step("", "", "interrupted", "start interrupted; the containers created so far are left as they are (`gaiaflow dev stop` stops them)")
		return ctx.Err()
	}
	return r.outcome(ctx, nodes)
}

// waitErr turns the end of a wait into the right error: the caller's
// cancellation as is, the wait's deadline as a failure of this node.
func (r *runner) waitErr(ctx, waitCtx context.Context, doing string, last error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	reason := "not ready after the --wait time, still " + doing
	if last != nil {
		reason += ": " + last.Error()
	}
	return &nodeError{reason: reason, timedOut: true}
}

// bringUp makes one node's container exist, run and be ready.
func (r *runner) bringUp(ctx, waitCtx context.Context, n *Node, res *result, depCreated bool) error {
	eng := r.s.eng
	// Changes to the engine run to their end even when the start is
	// cancelled: a create cut off on our side may still finish on the
	// engine's, after we returned, and then escape a cleanup that follows.
	// Each is short; the cancellation is honoured between them.
	apiCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	hash := configHash(n, r.images[n.Spec.Image].ID)
	spec := n.Spec
	spec.Labels = maps.Clone(n.Spec.Labels)
	spec.Labels[LabelConfigHash] = hash

	ex, has := r.existing[n.Component]
	reuse := false
	if has {
		why := ""
		switch {
		case r.force:
			why = "recreating (--force-new)"
		case ex.Labels[LabelConfigHash] != hash:
			why = "recreating: its settings changed"
		case ex.Status == "restarting" || ex.Status == "dead" || ex.Status == "paused" || ex.Status == "removing":
			// A crash loop (or a container the engine gave up on) gets a
			// fresh start rather than a wait on it.
			why = "recreating: it was " + ex.Status
		case len(spec.ExtraNetworks) > 0 && !r.onNetworks(ctx, ex.ID, spec.ExtraNetworks):
			// `prod-local cleanup` detaches the stack from the cluster's
			// network without changing the containers' settings.
			why = "recreating: it left the networks it joins"
		case n.OneShot && depCreated:
			why = "running again: what it prepares was recreated"
		case n.OneShot && ex.Status == "exited":
			info, err := eng.InspectContainer(ctx, ex.ID)
			if err != nil {
				return err
			}
			if info.ExitCode == 0 {
				res.id = ex.ID
				r.prog.set(n.Component, "completed")
				r.s.step(n.Service, n.Component, "completed", "done already")
				return nil
			}
			why = fmt.Sprintf("running again: it exited with code %d last time", info.ExitCode)
		default:
			reuse = true
		}
		if !reuse {
			r.s.step(n.Service, n.Component, "creating", why)
			if err := eng.RemoveContainer(apiCtx, ex.ID); err != nil && !docker.IsNotFound(err) {
				return err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var id string
	if reuse {
		id = ex.ID
	} else {
		var err error
		if id, err = r.create(apiCtx, n, spec, ""); err != nil {
			return err
		}
		res.created = true
	}
	res.id = id
	if err := ctx.Err(); err != nil {
		return err
	}

	// A container listed as running may have stopped since (killed while
	// images were pulled or built): then it is started again.
	running := false
	if reuse && ex.Status == "running" {
		r.tr.refresh(ctx, id)
		running = r.tr.get(id).Status == "running"
	}
	var dies int
	if running {
		dies = r.tr.get(id).Dies
		r.s.step(n.Service, n.Component, "starting", "already running")
	} else {
		dies = r.tr.starting(id, spec.Healthcheck != nil)
		r.prog.set(n.Component, "starting")
		r.s.step(n.Service, n.Component, "starting", "")
		var err error
		if reuse && len(n.Files) > 0 {
			// The engine may have gone away between the container's
			// creation and the copy of its files (secrets among them):
			// they are copied again, the same content, before it starts.
			err = eng.CopyFiles(apiCtx, id, n.FilesDir, n.Files)
		}
		if err == nil {
			err = eng.StartContainer(apiCtx, id)
		}
		if err != nil && reuse && !docker.IsEngineGone(err) && !docker.IsNotFound(err) {
			// A container the engine cannot start again (a task left
			// behind by an engine that went away mid-start) is made anew.
			if rerr := eng.RemoveContainer(apiCtx, id); rerr == nil || docker.IsNotFound(rerr) {
				if id, err = r.create(apiCtx, n, spec, "recreating: the engine could not start it again"); err != nil {
					return err
				}
				res.id, res.created = id, true
				dies = r.tr.starting(id, spec.Healthcheck != nil)
				err = eng.StartContainer(apiCtx, id)
			}
		}
		if err != nil {
			return &nodeError{reason: "could not start: " + err.Error(), lost: docker.IsEngineGone(err)}
		}
		r.tr.refresh(ctx, id)
	}
	r.s.phases.started(n.Component)
	if err := r.waitReady(ctx, waitCtx, n, id, dies); err != nil {
		return err
	}
	res.readyDies = r.tr.get(id).Dies
	state := "healthy"
	if n.OneShot {
		state = "completed"
	}
	r.prog.set(n.Component, state)
	r.s.step(n.Service, n.Component, state, "")
	return nil
}

// create creates a node's container and copies its files into it.
func (r *runner) create(ctx context.Context, n *Node, spec docker.ContainerSpec, why string) (string, error) {
	r.prog.set(n.Component, "creating")
	r.s.step(n.Service, n.Component, "creating", why)
	id, err := r.s.eng.CreateContainer(ctx, spec)
	if err != nil {
		return "", err
	}
	if len(n.Files) > 0 {
		if err := r.s.eng.CopyFiles(ctx, id, n.FilesDir, n.Files); err != nil {
			return "", err
		}
	}
	return id, nil
}

// onNetworks reports whether a container is on every one of networks.
func (r *runner) onNetworks(ctx context.Context, id string, networks []string) bool {
	info, err := r.s.eng.InspectContainer(ctx, id)
	if err != nil {
		return false
	}
	for _, n := range networks {
		if !slices.Contains(info.Networks, n) {
			return false
		}
	}
	return true
}

// exitReason describes a container that stopped on its own.
func exitReason(s ctrState) string {
	if s.Status == "removed" {
		return "was removed"
	}
	return exitText(s.ExitCode, s.OOM)
}

// exitText says how a process ended from its exit code: 128+N is signal
// N, and SIGKILL without the OOM killer is someone's kill.
func exitText(code int, oom bool) string {
	switch {
	case oom:
		return fmt.Sprintf("was killed for lack of memory (exit code %d)", code)
	case code == 137:
		return "was killed (exit code 137)"
	case stopCode(code):
		return fmt.Sprintf("was stopped (exit code %d)", code)
	}
	return fmt.Sprintf("exited with code %d", code)
}

// exitGrace is how long a container the engine calls unhealthy is watched
// for an exit that explains it.
const exitGrace = 2 * time.Second

// exitedSoon reports whether a container the engine just called unhealthy
// has exited, or exits within exitGrace, and its state then. The engine
// marks a container's health unhealthy as it stops its health checks when
// the process ends, and that verdict can reach gaiaflow before the exit
// does (seen on engine 29 with a database that exits at once): the exit is
// the reason then, not the health check. A container that is unhealthy and
// keeps running costs the wait once, on a start that fails anyway.
func (r *runner) exitedSoon(ctx context.Context, id string, exited func(ctrState) bool) (ctrState, bool) {
	deadline := time.Now().Add(exitGrace)
	for {
		r.tr.refresh(ctx, id)
		if s := r.tr.get(id); exited(s) {
			return s, true
		}
		if time.Now().After(deadline) || r.tr.engineLost() {
			return ctrState{}, false
		}
		select {
		case <-ctx.Done():
			return ctrState{}, false
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (r *runner) waitReady(ctx, waitCtx context.Context, n *Node, id string, dies int) error {
	exited := func(s ctrState) bool { return s.Dies > dies || s.Status == "removed" || s.Status == "exited" }
	switch n.Ready.Kind {
	case ReadyExit:
		err := r.tr.wait(waitCtx, id, func(s ctrState) (bool, error) {
			if !exited(s) {
				if r.tr.engineLost() {
					return false, errLost
				}
				if be := r.brokenDep(n); be != nil {
					return false, be
				}
				return false, nil
			}
			if s.Status != "removed" && s.ExitCode == 0 {
				return true, nil
			}
			return false, &nodeError{reason: exitReason(s)}
		})
		if waitCtx.Err() != nil {
			return r.waitErr(ctx, waitCtx, "running", nil)
		}
		return err
	case ReadyHealthcheck:
		err := r.tr.wait(waitCtx, id, func(s ctrState) (bool, error) {
			switch {
			case exited(s):
				return false, &nodeError{reason: exitReason(s)}
			case s.Health == "healthy":
				return true, nil
			case s.Health == "unhealthy":
				if st, ok := r.exitedSoon(waitCtx, id, exited); ok {
					return false, &nodeError{reason: exitReason(st)}
				}
				return false, &nodeError{reason: "is unhealthy: its health check keeps failing"}
			}
			if r.tr.engineLost() {
				return false, errLost
			}
			if be := r.brokenDep(n); be != nil {
				return false, be
			}
			return false, nil
		})
		if waitCtx.Err() != nil {
			return r.waitErr(ctx, waitCtx, "starting (its health check has not passed)", nil)
		}
		return err
	}
	port := r.hostPort(n)
	if port == 0 {
		return &nodeError{reason: "has no published port to probe"}
	}
	pause := newProbeBackoff(r.s.o.ProbeInterval)
	var last error
	ready := false
	for {
		if r.tr.engineLost() {
			return errLost
		}
		if s := r.tr.get(id); exited(s) {
			return &nodeError{reason: exitReason(s)}
		}
		if be := r.brokenDep(n); be != nil {
			return be
		}
		if !ready {
			pctx, cancel := context.WithTimeout(waitCtx, 5*time.Second)
			last = r.s.o.Prober.Probe(pctx, port, n.Ready.Path, n.Ready.Check)
			cancel()
			ready = last == nil
		}
		if ready && n.Bucket != "" {
			last = r.makeBucket(waitCtx, n)
		}
		if ready && last == nil {
			return nil
		}
		select {
		case <-waitCtx.Done():
			return r.waitErr(ctx, waitCtx, "starting", last)
		case <-time.After(pause.next()):
		case <-r.tr.changes():
		}
	}
}

func (r *runner) makeBucket(ctx context.Context, n *Node) error {
	var port int
	for _, p := range n.Spec.Ports {
		if p.ContainerPort == minioPort {
			port = p.HostPort
		}
	}
	return r.s.o.MakeBucket(ctx, port, r.creds.S3AccessKey, r.creds.S3SecretKey, n.Bucket)
}

// hostPort is the published port a node's readiness probe goes to.
func (r *runner) hostPort(n *Node) int {
	via := n
	if n.Ready.Via != "" {
		via = r.plan.Node(n.Ready.Via)
	}
	if via == nil {
		return 0
	}
	for _, p := range via.Spec.Ports {
		if p.ContainerPort == n.Ready.Port {
			return p.HostPort
		}
	}
	return 0
}

// DefaultMakeBucket creates a bucket on 127.0.0.1:port.
func DefaultMakeBucket(ctx context.Context, port int, accessKey, secretKey, bucket string) error {
	return MakeBucket(ctx, &http.Client{Timeout: 5 * time.Second}, "http://127.0.0.1:"+strconv.Itoa(port), accessKey, secretKey, bucket)
}
