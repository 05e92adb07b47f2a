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
// The tag is gaiaflow/<project-id>-airflow:<hash of the inputs>, the inputs
// being the Airflow image's id, the Dockerfile and every file of the context.
func (b *Builder) AirflowImage(ctx context.Context, p *project.Project, opts AirflowOptions, r event.Reporter) (string, error) {
	pl, err := b.planAirflow(ctx, p, opts, r)
	if err != nil {
		return "", err
	}
	tag := pl.tag
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
	r.Report(event.Event{Kind: event.Step, Scope: Scope, Service: "airflow", State: StateContext,
		Message: fmt.Sprintf("building the Airflow runtime image %s from %s (context %s)", tag, pl.base, humanBytes(pl.stats.Bytes))})
	steps, id, err := b.build(ctx, pl.tar, docker.BuildOptions{
		Tags: []string{tag}, Dockerfile: generatedDockerfile, NoCache: opts.NoCache,
		Labels: map[string]string{
			docker.LabelProject:  p.ID(),
			LabelProjectName:     p.Config.Name,
			LabelKind:            KindAirflowRuntime,
			LabelInputs:          pl.inputs,
			LabelGaiaflowVersion: b.Library.Version,
			LabelBaseName:        pl.base,
		},
	}, r)
	if err != nil {
		err = buildFailure(err, pl.base, "services.airflow.image in gaiaflow.toml", dockerfileGenerated)
		r.Report(event.Event{Kind: event.Done, Scope: Scope, Service: "airflow", Message: "build " + tag, Err: err.Error()})
		return "", err
	}
	cached := 0
	for _, s := range steps {
		if s.Cached {
			cached++
		}
	}
	r.Report(event.Event{Kind: event.Done, Scope: Scope, Service: "airflow", State: StateBuilt,
		Message: fmt.Sprintf("built the Airflow runtime image %s (%s); %d of %d steps from cache", tag, shortID(id), cached, len(steps))})
	return tag, nil
}

// airflowPlan is a runtime image build worked out but not run: its context
// and the tag its inputs give.
type airflowPlan struct {
	base   string // services.airflow.image
	tar    []byte
	stats  ContextStats
	inputs string // hash of the base image's id and the context
	tag    string
	notes  []string // what of the dependencies is not installed, and why
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
	_, built, err = b.Engine.InspectImage(ctx, pl.tag)
	if err != nil {
		return "", false, errs.Wrap(errs.Failure, err, "check that the Docker engine runs: gaiaflow doctor", "inspect the Airflow runtime image")
	}
	return pl.tag, built, nil
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
	df, err := render(airflowTemplate(), airflowDockerfile{
		Project: p.Config.Name, GaiaflowVersion: b.Library.Version, AirflowImage: airflowImage,
		User: info.User, TaskVenv: TaskVenv, ProjectDir: projectDir, SourceRoot: sourceRoot, Wheel: wheelName,
		Requirements: !deps.Empty(), Constraints: len(deps.Constraints) > 0,
		Conda: deps.Conda != nil, RattlerVersion: RattlerVersion,
	})
	if err != nil {
		return nil, err
	}
	c := newTarContext()
	files := []genFile{{"Dockerfile", df, 0o644}, {wheelName, wheel, 0o644}}
	if !deps.Empty() {
		files = append(files, genFile{"requirements.txt", deps.requirementsFile(), 0o644})
	}
	if len(deps.Constraints) > 0 {
		files = append(files, genFile{"constraints.txt", deps.constraintsFile(), 0o644})
	}
	files = append(files, deps.condaFiles()...)
	for _, f := range files {
		if err := c.addFile(gaiaflowDir+"/"+f.name, f.data, f.mode); err != nil {
			return nil, fmt.Errorf("write build context: %w", err)
		}
	}
	tar, stats, err := c.finish()
	if err != nil {
		return nil, err
	}
	sum := sha256.New()
	fmt.Fprintf(sum, "%s\n", info.ID)
	sum.Write(tar)
	inputs := hex.EncodeToString(sum.Sum(nil))
	tag := AirflowImageRepo(p) + ":" + inputs[:12]
	return &airflowPlan{base: airflowImage, tar: tar, stats: stats, inputs: inputs, tag: tag, notes: deps.Notes()}, nil
}

// AirflowImageRepo is the repository of the project's Airflow runtime images.
func AirflowImageRepo(p *project.Project) string { return "gaiaflow/" + p.ID() + "-airflow" }
