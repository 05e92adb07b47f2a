package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// The Airflow runtime image's contract with the stack.
const (
	// TaskVenv is the virtual environment holding the project's dependencies,
	// the gaiaflow library and (by path) the project's package.
	TaskVenv = "/opt/gaiaflow/task-venv"
	// TaskPython is what the stack sets GAIAFLOW_TASK_PYTHON to.
	TaskPython = TaskVenv + "/bin/python"
	// AirflowProjectDir is where the stack mounts the project in the Airflow
	// containers, unless AirflowOptions.ProjectDir says otherwise.
	AirflowProjectDir = "/opt/gaiaflow/project"
)

// AirflowOptions are the settings of an Airflow runtime image build.
type AirflowOptions struct {
	Force      bool   // build even when an image of the same inputs exists
	NoCache    bool   // do not use the engine's build cache
	ProjectDir string // where the stack mounts the project; default AirflowProjectDir
}

// AirflowImage returns the project's Airflow runtime image, building it when
// no image of the same inputs exists (or with Force): the configured Airflow
// image (services.airflow.image) plus the gaiaflow library in Airflow's own
// environment, plus a separate task environment at TaskVenv with the
// project's dependencies (see Dependencies), the library, and the project's
// package by path: a .pth file points at the source under ProjectDir, so
// tasks run the mounted code and a code change needs no rebuild.
//
// It is built in two images. The dependency image (AirflowDepsRepo) holds
// everything but the project's layout and names no project, so every project
// with the same Airflow image, dependencies and library builds FROM the same
// one: only the first waits for pip. The runtime image adds the .pth file and
// the project's labels, a step of a second or so.
//
// The tag is gaiaflow/<project-id>-airflow:<hash of the inputs>, the inputs
// being the Airflow image's id, the Dockerfiles and every file of the contexts.
func (b *Builder) AirflowImage(ctx context.Context, p *project.Project, opts AirflowOptions, r event.Reporter) (string, error) {
	pl, err := b.planAirflow(ctx, p, opts, r)
	if err != nil {
		return "", err
	}
	tag := pl.runtime.tag
	if !opts.Force {
		_, exists, err := b.Engine.InspectImage(ctx, tag)
		if err != nil {
			return "", errs.Wrap(errs.Failure, err, "check that the Docker engine runs: gaiaflow doctor", "build the Airflow runtime image")
		}
		if exists {
			r.Report(event.Event{Kind: event.Done, Scope: Scope, Service: "airflow", State: StateUpToDate,
				Message: "Airflow runtime image " + tag + " is up to date"})
			return tag, nil
		}
	}
	// Said when the image is built, not at every start that finds it.
	for _, n := range pl.notes {
		r.Report(event.Event{Kind: event.Warn, Scope: Scope, Service: "airflow", Message: n})
	}
	depsID, err := b.airflowDeps(ctx, pl, opts, r)
	if err != nil {
		return "", err
	}
	labels := map[string]string{
		docker.LabelProject:  p.ID(),
		LabelProjectName:     p.Config.Name,
		LabelKind:            KindAirflowRuntime,
		LabelInputs:          pl.runtime.inputs,
		LabelGaiaflowVersion: b.Library.Version,
		LabelBaseName:        pl.base,
		LabelDepsImage:       pl.deps.tag,
		LabelBaseID:          depsID,
	}
	msg := fmt.Sprintf("building the Airflow runtime image %s from %s", tag, pl.deps.tag)
	if _, err := b.airflowBuild(ctx, pl.runtime, labels, opts.NoCache, pl.base, msg, r); err != nil {
		return "", err
	}
	return tag, nil
}

// airflowDeps makes sure the dependency image of a runtime image exists
// and returns its id: another project with the same dependencies may have
// built it already.
func (b *Builder) airflowDeps(ctx context.Context, pl *airflowPlan, opts AirflowOptions, r event.Reporter) (string, error) {
	if !opts.Force {
		info, exists, err := b.Engine.InspectImage(ctx, pl.deps.tag)
		if err != nil {
			return "", errs.Wrap(errs.Failure, err, "check that the Docker engine runs: gaiaflow doctor", "build the Airflow runtime image")
		}
		if exists {
			r.Report(event.Event{Kind: event.Step, Scope: Scope, Service: "airflow", State: StateReused,
				Message: "reusing the dependency image " + pl.deps.tag + ": the same Airflow image, dependencies and gaiaflow library"})
			return info.ID, nil
		}
	}
	// No project label: projects with the same dependencies share it, and
	// one project's cleanup must not take it from another.
	labels := map[string]string{
		LabelKind:            KindAirflowDeps,
		LabelInputs:          pl.deps.inputs,
		LabelGaiaflowVersion: b.Library.Version,
		LabelBaseName:        pl.base,
		LabelBaseID:          pl.baseID,
	}
	msg := fmt.Sprintf("building the dependency image %s from %s (context %s)", pl.deps.tag, pl.base, humanBytes(pl.deps.stats.Bytes))
	return b.airflowBuild(ctx, pl.deps, labels, opts.NoCache, pl.base, msg, r)
}

// airflowBuild runs one of the two builds of a runtime image.
func (b *Builder) airflowBuild(ctx context.Context, ib imageBuild, labels map[string]string, noCache bool, base, msg string, r event.Reporter) (string, error) {
	r.Report(event.Event{Kind: event.Step, Scope: Scope, Service: "airflow", State: StateContext, Message: msg})
	steps, id, err := b.build(ctx, ib.tar, docker.BuildOptions{
		Tags: []string{ib.tag}, Dockerfile: generatedDockerfile, NoCache: noCache, Labels: labels,
	}, r)
	if err != nil {
		err = buildFailure(err, base, "services.airflow.image in gaiaflow.toml", dockerfileGenerated)
		r.Report(event.Event{Kind: event.Done, Scope: Scope, Service: "airflow", Message: "build " + ib.tag, Err: err.Error()})
		return "", err
	}
	cached := 0
	for _, s := range steps {
		if s.Cached {
			cached++
		}
	}
	r.Report(event.Event{Kind: event.Done, Scope: Scope, Service: "airflow", State: StateBuilt,
		Message: fmt.Sprintf("built %s (%s); %d of %d steps from cache", ib.tag, shortID(id), cached, len(steps))})
	return id, nil
}

// airflowPlan is a runtime image build worked out but not run: the contexts
// of its two images and the tags their inputs give.
type airflowPlan struct {
	base    string     // services.airflow.image
	baseID  string     // its image id
	deps    imageBuild // the dependency image, shared between projects
	runtime imageBuild // the project's image, FROM deps
	notes   []string   // what of the dependencies is not installed, and why
}

// imageBuild is one build's context and the tag its inputs give.
type imageBuild struct {
	tar    []byte
	stats  ContextStats
	inputs string // hash of what the image is built from
	tag    string
}

// AirflowImageTag returns the tag the project's Airflow runtime image has
// when built from the current inputs, and whether the engine has it; it
// builds nothing. With extend_image = false it is services.airflow.image.
func (b *Builder) AirflowImageTag(ctx context.Context, p *project.Project) (tag string, built bool, err error) {
	if !p.Config.Services.Airflow.ExtendsImage() {
		return p.Config.Services.Airflow.Image, true, nil
	}
	pl, err := b.planAirflow(ctx, p, AirflowOptions{}, event.Discard)
	if err != nil {
		return "", false, err
	}
	_, built, err = b.Engine.InspectImage(ctx, pl.runtime.tag)
	if err != nil {
		return "", false, errs.Wrap(errs.Failure, err, "check that the Docker engine runs: gaiaflow doctor", "inspect the Airflow runtime image")
	}
	return pl.runtime.tag, built, nil
}

func (b *Builder) planAirflow(ctx context.Context, p *project.Project, opts AirflowOptions, r event.Reporter) (*airflowPlan, error) {
	airflowImage := p.Config.Services.Airflow.Image
	if airflowImage == "" {
		airflowImage = project.DefaultAirflowImage(p.Config.Python)
	}
	if err := checkBaseImage(airflowImage, "services.airflow.image in gaiaflow.toml"); err != nil {
		return nil, err
	}
	projectDir := opts.ProjectDir
	if projectDir == "" {
		projectDir = AirflowProjectDir
	}
	if !path.IsAbs(projectDir) || strings.ContainsAny(projectDir, "'\"\\ \n") {
		return nil, fmt.Errorf("airflow image: project mount %q must be an absolute path without quotes or spaces", projectDir)
	}
	info, found, err := b.Engine.InspectImage(ctx, airflowImage)
	if err != nil {
		return nil, errs.Wrap(errs.Failure, err, "check that the Docker engine runs: gaiaflow doctor", "build the Airflow runtime image")
	}
	if !found {
		return nil, errs.Failf("pull it (docker pull "+airflowImage+"), or set services.airflow.image in gaiaflow.toml to an image this engine has",
			"the Airflow image %s is not on this engine", airflowImage)
	}
	wheelName, wheel, err := b.Library.wheel()
	if err != nil {
		return nil, errs.Wrap(errs.Failure, err, "use a gaiaflow binary built with `make build`", "build the Airflow runtime image")
	}
	deps, err := CollectDependencies(p.Dir, p.Config.Build.CondaSource)
	if err != nil {
		return nil, err
	}
	sourceRoot := projectDir
	if st, err := os.Stat(filepath.Join(p.Dir, "src", p.Config.Package)); err == nil && st.IsDir() {
		sourceRoot = projectDir + "/src"
	}
	data := airflowDockerfile{
		Project: p.Config.Name, GaiaflowVersion: b.Library.Version, AirflowImage: airflowImage,
		User: info.User, TaskVenv: TaskVenv, ProjectDir: projectDir, SourceRoot: sourceRoot, Wheel: wheelName,
		Requirements: !deps.Empty(), Constraints: len(deps.Constraints) > 0,
		Conda: deps.Conda != nil, RattlerVersion: RattlerVersion,
	}
	depsFiles := []genFile{{wheelName, wheel, 0o644}}
	if !deps.Empty() {
		depsFiles = append(depsFiles, genFile{"requirements.txt", deps.requirementsFile(), 0o644})
	}
	if len(deps.Constraints) > 0 {
		depsFiles = append(depsFiles, genFile{"constraints.txt", deps.constraintsFile(), 0o644})
	}
	depsFiles = append(depsFiles, deps.condaFiles()...)
	pl := &airflowPlan{base: airflowImage, baseID: info.ID, notes: deps.Notes()}
	// The base image's id makes a new image under the same name new inputs.
	if pl.deps, err = airflowContext(airflowDepsTemplate(), data, depsFiles, info.ID); err != nil {
		return nil, err
	}
	pl.deps.tag = AirflowDepsRepo + ":" + pl.deps.inputs[:12]
	data.DepsImage = pl.deps.tag
	if pl.runtime, err = airflowContext(airflowTemplate(), data, nil, pl.deps.inputs); err != nil {
		return nil, err
	}
	pl.runtime.tag = AirflowImageRepo(p) + ":" + pl.runtime.inputs[:12]
	return pl, nil
}

// airflowContext writes one build context of a runtime image: the rendered
// Dockerfile and files under .gaiaflow/, hashed with what it is built on.
func airflowContext(t *template.Template, data airflowDockerfile, files []genFile, on string) (imageBuild, error) {
	df, err := render(t, data)
	if err != nil {
		return imageBuild{}, err
	}
	c := newTarContext()
	for _, f := range append([]genFile{{"Dockerfile", df, 0o644}}, files...) {
		if err := c.addFile(gaiaflowDir+"/"+f.name, f.data, f.mode); err != nil {
			return imageBuild{}, fmt.Errorf("write build context: %w", err)
		}
	}
	tar, stats, err := c.finish()
	if err != nil {
		return imageBuild{}, err
	}
	sum := sha256.New()
	fmt.Fprintf(sum, "%s\n", on)
	sum.Write(tar)
	return imageBuild{tar: tar, stats: stats, inputs: hex.EncodeToString(sum.Sum(nil))}, nil
}

// AirflowDepsRepo is the repository of the dependency images that Airflow
// runtime images start from, shared between projects.
const AirflowDepsRepo = "gaiaflow/airflow-deps"

// AirflowImageRepo is the repository of the project's Airflow runtime images.
func AirflowImageRepo(p *project.Project) string { return "gaiaflow/" + p.ID() + "-airflow" }
