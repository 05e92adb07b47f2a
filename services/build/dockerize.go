package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// Builder builds gaiaflow's images on one engine.
type Builder struct {
	Engine  Engine
	Library Library
	// Now stamps the state records; nil means time.Now.
	Now func() time.Time
}

// Targets of a task image: where it must end up.
const (
	TargetDocker   = "docker"   // the local engine; mode dev_docker
	TargetMinikube = "minikube" // the Minikube cluster's engine; mode prod_local
)

// Paths inside the build context. The project is at the context's root, as
// `docker build .` would have it; gaiaflow's own files go in a directory of
// their own, which the project itself may not use.
const (
	gaiaflowDir          = ".gaiaflow"
	generatedDockerfile  = gaiaflowDir + "/Dockerfile"
	projectDockerfile    = "Dockerfile"
	largeContextBytes    = 200 << 20
	dockerfileGenerated  = "generated"
	dockerfileProjectOwn = "project"
)

// DockerizeOptions are the settings of one task image build.
type DockerizeOptions struct {
	Image     string // name:tag; empty: build.image, else <package>:<version>
	BaseImage string // empty: build.base_image from gaiaflow.toml
	NoCache   bool
	// Target is what the image is recorded for: TargetDocker (the default)
	// or TargetMinikube. The Builder's Engine must be that target's engine.
	Target string
}

// Result is a built task image.
type Result struct {
	Image      string        `json:"image"`
	ID         string        `json:"id"`
	Target     string        `json:"target"`
	Commit     string        `json:"commit,omitempty"`
	Dockerfile string        `json:"dockerfile"` // "generated" or "project"
	BaseImage  string        `json:"base_image,omitempty"`
	Context    ContextStats  `json:"context"`
	Steps      []Step        `json:"steps"`
	Duration   time.Duration `json:"duration_ns"`
}

// CachedSteps counts the steps taken from the engine's cache.
func (r *Result) CachedSteps() int {
	n := 0
	for _, s := range r.Steps {
		if s.Cached {
			n++
		}
	}
	return n
}

// Dockerize builds the project's task image and records it in the project's
// state for its target. Progress goes to r as events.
func (b *Builder) Dockerize(ctx context.Context, p *project.Project, opts DockerizeOptions, r event.Reporter) (*Result, error) {
	start := b.now()
	if opts.Target == "" {
		opts.Target = TargetDocker
	}
	name, err := ImageName(opts.Image, p.Config.Build.Image, p.Config.Package, p.Dir)
	if err != nil {
		return nil, err
	}
	base := opts.BaseImage
	if base == "" {
		base = p.Config.Build.BaseImage
	}
	if base == "" {
		base = project.DefaultBaseImage(p.Config.Python)
	}
	tc, err := b.taskContext(p, base, r)
	if err != nil {
		return nil, err
	}
	res := &Result{Image: name, Target: opts.Target, Commit: sourceCommit(p.Dir), Dockerfile: tc.dockerfile, Context: tc.stats}
	if tc.dockerfile == dockerfileGenerated {
		res.BaseImage = base
	}
	r.Report(event.Event{Kind: event.Step, Scope: Scope, State: StateContext, Message: describeContext(tc.stats, tc.dockerfile)})
	if tc.stats.Bytes > largeContextBytes {
		r.Report(event.Event{Kind: event.Warn, Scope: Scope,
			Message: fmt.Sprintf("the build context is %s: list large files that tasks do not need in .dockerignore", humanBytes(tc.stats.Bytes))})
	}

	labels := map[string]string{
		docker.LabelProject: p.ID(),
		LabelProjectName:    p.Config.Name,
		LabelKind:           KindTaskImage,
		LabelTitle:          p.Config.Package,
	}
	if b.Library.Version != "" {
		labels[LabelGaiaflowVersion] = b.Library.Version
	}
	if res.Commit != "" {
		labels[LabelRevision] = res.Commit
	}
	if v := tc.py.Project.Version; v != "" && !tc.py.dynamic("version") {
		labels[LabelVersion] = v
	}
	if res.BaseImage != "" {
		labels[LabelBaseName] = res.BaseImage
		// Bounds the step images cleanup removes with the image. A base the
		// engine does not have yet (the build pulls it) gets none: those
		// steps stay, as before.
		if info, found, err := b.Engine.InspectImage(ctx, base); err == nil && found {
			labels[LabelBaseID] = info.ID
		}
	}

	steps, id, err := b.build(ctx, tc.tar, docker.BuildOptions{
		Tags: []string{name}, Labels: labels, Dockerfile: tc.dockerfilePath, NoCache: opts.NoCache,
	}, r)
	res.Steps = steps
	if err != nil {
		err = buildFailure(err, base, "build.base_image in gaiaflow.toml (or --base-image)", tc.dockerfile)
		r.Report(event.Event{Kind: event.Done, Scope: Scope, Message: "build " + name, Err: err.Error()})
		return nil, err
	}
	res.ID = id
	res.Duration = b.now().Sub(start)

	if err := b.record(ctx, p, res); err != nil {
		return nil, err
	}
	r.Report(event.Event{Kind: event.Done, Scope: Scope, State: StateBuilt, Message: fmt.Sprintf(
		"built %s (%s) in %s; %d of %d steps from cache", name, shortID(id), res.Duration.Round(100*time.Millisecond),
		res.CachedSteps(), len(res.Steps))})
	return res, nil
}

// record stores the built image in the project's state for its target.
func (b *Builder) record(ctx context.Context, p *project.Project, res *Result) error {
	st, err := p.State()
	if err != nil {
		return err
	}
	unlock, err := st.Lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	err = st.SetTaskImage(project.TaskImage{Image: res.Image, ID: res.ID, Target: res.Target, Commit: res.Commit, BuiltAt: b.now().UTC()})
	if err != nil {
		return fmt.Errorf("record the task image: %w", err)
	}
	return nil
}

// taskContext is a task image's build context, ready to send.
type taskContext struct {
	tar            []byte
	stats          ContextStats
	dockerfile     string // dockerfileGenerated or dockerfileProjectOwn
	dockerfilePath string
	py             *pyproject
}

// taskContext builds the context: the project after the exclusion rules and
// .dockerignore, plus gaiaflow's files in .gaiaflow/ for the generated
// Dockerfile, or for a project Dockerfile that uses them (one that mentions
// .gaiaflow/, such as a saved copy of the generated one). Any other project
// Dockerfile sees the project as `docker build .` would.
func (b *Builder) taskContext(p *project.Project, base string, r event.Reporter) (*taskContext, error) {
	py, err := readPyproject(p.Dir)
	if err != nil {
		return nil, err
	}
	tc := &taskContext{py: py, dockerfile: dockerfileGenerated, dockerfilePath: generatedDockerfile}
	withFiles := true
	if own, err := os.ReadFile(filepath.Join(p.Dir, projectDockerfile)); err == nil {
		tc.dockerfile, tc.dockerfilePath = dockerfileProjectOwn, projectDockerfile
		withFiles = bytes.Contains(own, []byte(gaiaflowDir+"/"))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read the project's Dockerfile: %w", err)
	}
	generated := tc.dockerfile == dockerfileGenerated
	if generated && !py.exists {
		return nil, errs.Usagef("add a pyproject.toml to the project, or put a Dockerfile of your own at its root",
			"the project has no pyproject.toml: gaiaflow's Dockerfile installs the package with pip from it")
	}
	c := newTarContext()
	filter, err := newProjectFilter(p.Dir)
	if err != nil {
		return nil, err
	}
	// The docker CLI always sends the Dockerfile, even when .dockerignore
	// lists it; the engine then keeps it out of COPY.
	if err := c.addProject(filter, "", projectDockerfile, ".dockerignore"); err != nil {
		return nil, err
	}
	if withFiles {
		files, err := b.gaiaflowFiles(p, py, base, generated, r)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if err := c.addFile(gaiaflowDir+"/"+f.name, f.data, f.mode); err != nil {
				return nil, fmt.Errorf("write build context: %w", err)
			}
		}
	}
	tc.tar, tc.stats, err = c.finish()
	if err != nil {
		return nil, err
	}
	return tc, nil
}

// gaiaflowFiles are the files of .gaiaflow/: the entry point, the collected
// requirements, the library's wheel and, when generated, the Dockerfile.
func (b *Builder) gaiaflowFiles(p *project.Project, py *pyproject, base string, generated bool, r event.Reporter) ([]genFile, error) {
	wheelName, wheel, err := b.Library.wheel()
	switch {
	case errors.Is(err, errNoLibrary) && !generated:
		// The project's own Dockerfile may do without it.
	case errors.Is(err, errNoLibrary):
		return nil, errs.Wrap(errs.Failure, err, "put a Dockerfile of your own at the project's root: gaiaflow builds it as it is", "build the task image")
	case err != nil:
		return nil, err
	}
	deps, err := collectDependencies(p.Dir, p.Config.Build.CondaSource, py)
	if err != nil {
		return nil, err
	}
	for _, n := range deps.Notes() {
		r.Report(event.Event{Kind: event.Warn, Scope: Scope, Message: n})
	}
	files := []genFile{
		{"entrypoint.sh", entrypointScript(), 0o755},
		{"requirements.txt", deps.requirementsFile(), 0o644},
		{"build-requirements.txt", renderLines("# What building the package needs (pyproject.toml [build-system]).", py.buildRequires()), 0o644},
	}
	if len(deps.Constraints) > 0 {
		files = append(files, genFile{"constraints.txt", deps.constraintsFile(), 0o644})
	}
	files = append(files, deps.condaFiles()...)
	if wheel != nil {
		files = append(files, genFile{wheelName, wheel, 0o644})
	}
	if !generated {
		return files, nil
	}
	if err := checkBaseImage(base, "build.base_image in gaiaflow.toml (or --base-image)"); err != nil {
		return nil, err
	}
	df, err := render(taskTemplate(), taskDockerfile{
		Project: p.Config.Name, GaiaflowVersion: b.Library.Version, BaseImage: base, Wheel: wheelName,
		Constraints: len(deps.Constraints) > 0, DynamicDependencies: py.dynamic("dependencies"),
		Conda: deps.Conda != nil, RattlerVersion: RattlerVersion,
	})
	if err != nil {
		return nil, err
	}
	if py.dynamic("dependencies") {
		r.Report(event.Event{Kind: event.Warn, Scope: Scope,
			Message: "pyproject.toml computes its dependencies (dynamic), so they are installed with the code: a code change reinstalls them"})
	}
	return append(files, genFile{"Dockerfile", df, 0o644}), nil
}

// genFile is a file gaiaflow adds to a build context.
type genFile struct {
	name string
	data []byte
	mode int64
}

// build runs one image build and reports its progress.
func (b *Builder) build(ctx context.Context, tar []byte, opts docker.BuildOptions, r event.Reporter) ([]Step, string, error) {
	s := newStream(r)
	began := s.now()
	id, err := b.Engine.BuildImage(ctx, bytes.NewReader(tar), opts, s.message)
	s.flush()
	s.endStep()
	reportBuildTime(r, opts, began, s.now(), err)
	var be *docker.BuildError
	if errors.As(err, &be) {
		return s.steps, "", s.failed(be)
	}
	return s.steps, id, err
}

// reportBuildTime reports how long a whole build took.
func reportBuildTime(r event.Reporter, opts docker.BuildOptions, began, ended time.Time, err error) {
	e := event.Event{Time: ended, Kind: event.Timing, Scope: Scope, Phase: PhaseBuild, Began: began,
		Seconds: ended.Sub(began).Seconds()}
	if len(opts.Tags) > 0 {
		e.Message = opts.Tags[0]
	}
	if err != nil {
		e.Err = err.Error()
	}
	r.Report(e)
}

// buildFailure gives a failed build its hint.
func buildFailure(err error, base, setting, dockerfile string) error {
	var se *StepError
	if !errors.As(err, &se) {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return errs.Wrap(errs.Failure, err, "check that the Docker engine runs: gaiaflow doctor", "build the task image")
	}
	hint := "the step's output is above; fix its cause and run dockerize again"
	if dockerfile == dockerfileProjectOwn {
		hint = "the step's output is above; fix it in the project's Dockerfile and run dockerize again"
	}
	if strings.HasPrefix(se.Step.Instruction, "FROM ") || (se.Step.Number == 0 && strings.Contains(se.Message, "pull")) {
		hint = fmt.Sprintf("the base image is not on this engine and could not be pulled: pull or build %s, or set %s", base, setting)
		if dockerfile == dockerfileProjectOwn {
			hint = "the base image of the project's Dockerfile is not on this engine and could not be pulled: pull or build it first"
		}
	}
	return errs.Wrap(errs.Failure, se, hint, "dockerize")
}

func describeContext(s ContextStats, dockerfile string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "build context: %d files, %s", s.Files, humanBytes(s.Bytes))
	if dockerfile == dockerfileProjectOwn {
		b.WriteString("; the project's own Dockerfile")
	}
	if n := len(s.Excluded); n > 0 {
		shown := s.Excluded
		if n > 5 {
			shown = shown[:5]
		}
		fmt.Fprintf(&b, "; always left out: %s", strings.Join(shown, ", "))
		if n > 5 {
			fmt.Fprintf(&b, " and %d more", n-5)
		}
	}
	if s.Ignored > 0 {
		fmt.Fprintf(&b, "; %d paths left out by .dockerignore", s.Ignored)
	}
	return b.String()
}

// humanBytes formats a size with binary units.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func (b *Builder) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}
