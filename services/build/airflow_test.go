package build

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
)

func airflowEngine() *fakeEngine {
	return &fakeEngine{images: map[string]docker.ImageInfo{
		"example/airflow:3": {ID: "sha256:" + strings.Repeat("1", 64), User: "airflow"},
	}}
}

func TestAirflowImageBuildsOnlyWhenItsInputsChange(t *testing.T) {
	p := testProject(t, nil)
	p.Config.Services.Airflow.Image = "example/airflow:3"
	eng := airflowEngine()
	b := &Builder{Engine: eng, Library: fakeLibrary()}
	ctx := context.Background()

	tag, err := b.AirflowImage(ctx, p, AirflowOptions{}, event.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^gaiaflow/demo-[0-9a-f]{8}-airflow:[0-9a-f]{12}$`).MatchString(tag) {
		t.Errorf("tag = %q", tag)
	}
	if len(eng.builds) != 2 {
		t.Fatalf("%d builds, want 2: the dependency image, then the runtime image", len(eng.builds))
	}
	deps, fb := eng.builds[0], eng.builds[1]
	if fb.opts.Labels[LabelKind] != KindAirflowRuntime || fb.opts.Labels[docker.LabelProject] != p.ID() || fb.opts.Labels[LabelInputs] == "" {
		t.Errorf("labels %v", fb.opts.Labels)
	}
	depsTag := deps.opts.Tags[0]
	if !strings.HasPrefix(depsTag, AirflowDepsRepo+":") || deps.opts.Labels[LabelKind] != KindAirflowDeps ||
		deps.opts.Labels[docker.LabelProject] != "" || deps.opts.Labels[LabelInputs] == "" {
		t.Errorf("dependency image %s: labels %v; want the deps kind and no project, it is shared", depsTag, deps.opts.Labels)
	}
	for _, b := range []fakeBuild{deps, fb} {
		for name := range b.files {
			if !strings.HasPrefix(name, ".gaiaflow/") {
				t.Errorf("the project's file %s went into the Airflow image's context: code is mounted, not copied", name)
			}
		}
	}
	for df, wants := range map[string][]string{
		deps.files[".gaiaflow/Dockerfile"]: {
			"\nFROM example/airflow:3\n",
			"\nRUN python3 -m venv /opt/gaiaflow/task-venv\n",
			"\nRUN PIP_USER=0 /opt/gaiaflow/task-venv/bin/pip install -r /opt/gaiaflow/deps/requirements.txt\n",
			"PYTHONDONTWRITEBYTECODE=1",
			"\nUSER airflow\nRUN pip install --no-deps /opt/gaiaflow/lib/gaiaflow-9.9.9-py3-none-any.whl\n",
		},
		fb.files[".gaiaflow/Dockerfile"]: {
			"\nFROM " + depsTag + "\n",
			"'/opt/gaiaflow/project/src\\n'", // src layout: the .pth names the mounted src/
			"\nUSER airflow\n",
		},
	} {
		for _, want := range wants {
			if !strings.Contains(df, want) {
				t.Errorf("Dockerfile lacks %q:\n%s", want, df)
			}
		}
	}
	if strings.Contains(deps.files[".gaiaflow/Dockerfile"], p.Config.Name) {
		t.Errorf("the dependency image's Dockerfile names the project, which it is not of")
	}

	// Same inputs: no build, same tag.
	rec := &event.Recorder{}
	again, err := b.AirflowImage(ctx, p, AirflowOptions{}, rec)
	if err != nil || again != tag || len(eng.builds) != 2 {
		t.Fatalf("second call: %q, %v, %d builds; want %q without a build", again, err, len(eng.builds), tag)
	}
	if ev := rec.Events(); len(ev) != 1 || ev[0].State != StateUpToDate {
		t.Errorf("events %+v, want one up-to-date", ev)
	}
	// A code change is no input: the code is mounted.
	writeTree(t, p.Dir, map[string]string{"src/demo/__init__.py": "def add(a, b):\n    return b + a\n"})
	if again, _ := b.AirflowImage(ctx, p, AirflowOptions{}, event.Discard); again != tag || len(eng.builds) != 2 {
		t.Errorf("a code change rebuilt the Airflow image")
	}
	// Force builds both again.
	if again, _ := b.AirflowImage(ctx, p, AirflowOptions{Force: true, NoCache: true}, event.Discard); again != tag || len(eng.builds) != 4 ||
		!eng.builds[2].opts.NoCache || !eng.last(t).opts.NoCache {
		t.Errorf("Force did not rebuild with the cache off")
	}
	// A dependency change is a new image.
	writeTree(t, p.Dir, map[string]string{"requirements.txt": "pyyaml\n"})
	changed, err := b.AirflowImage(ctx, p, AirflowOptions{}, event.Discard)
	if err != nil || changed == tag || len(eng.builds) != 6 {
		t.Errorf("after a dependency change: %q, %v, %d builds", changed, err, len(eng.builds))
	}
	// So is a different Airflow image under the same name.
	eng.images["example/airflow:3"] = docker.ImageInfo{ID: "sha256:" + strings.Repeat("2", 64), User: "airflow"}
	if other, _ := b.AirflowImage(ctx, p, AirflowOptions{}, event.Discard); other == changed {
		t.Error("a new Airflow image under the same name kept the old tag")
	}
}

// A second project with the same dependencies builds FROM the first one's
// dependency image: only its own small image is built.
func TestAirflowImageSharesTheDependencyImage(t *testing.T) {
	eng := airflowEngine()
	var tags []string
	for i, name := range []string{"first", "second"} {
		p := testProject(t, nil)
		p.Config.Name = name
		p.Config.Services.Airflow.Image = "example/airflow:3"
		rec := &event.Recorder{}
		tag, err := (&Builder{Engine: eng, Library: fakeLibrary()}).AirflowImage(context.Background(), p, AirflowOptions{}, rec)
		if err != nil {
			t.Fatal(err)
		}
		tags = append(tags, tag)
		reused := 0
		for _, e := range rec.Events() {
			if e.State == StateReused {
				reused++
			}
		}
		if want := []int{2, 3}[i]; len(eng.builds) != want || reused != i {
			t.Errorf("%s project: %d builds in all, %d reuses; want %d builds, %d reuses", name, len(eng.builds), reused, want, i)
		}
	}
	if tags[0] == tags[1] {
		t.Errorf("both projects got the runtime image %s", tags[0])
	}
	if !strings.Contains(eng.last(t).files[".gaiaflow/Dockerfile"], "\nFROM "+eng.builds[0].opts.Tags[0]+"\n") {
		t.Errorf("the second runtime image does not start from the first's dependency image")
	}
}

func TestAirflowImageFlatLayoutRootUserAndNoDependencies(t *testing.T) {
	p := testProject(t, nil)
	p.Config.Services.Airflow.Image = "example/airflow:3"
	if err := os.RemoveAll(filepath.Join(p.Dir, "src")); err != nil {
		t.Fatal(err)
	}
	writeTree(t, p.Dir, map[string]string{
		"demo/__init__.py": "",
		"pyproject.toml":   "[project]\nname = \"demo\"\nversion = \"1\"\n",
	})
	eng := airflowEngine()
	eng.images["example/airflow:3"] = docker.ImageInfo{ID: "sha256:" + strings.Repeat("3", 64)}
	if _, err := (&Builder{Engine: eng, Library: fakeLibrary()}).AirflowImage(context.Background(), p, AirflowOptions{ProjectDir: "/opt/airflow/project"}, event.Discard); err != nil {
		t.Fatal(err)
	}
	deps, df := eng.builds[0].files[".gaiaflow/Dockerfile"], eng.last(t).files[".gaiaflow/Dockerfile"]
	if !strings.Contains(df, "'/opt/airflow/project\\n'") {
		t.Errorf("flat layout: the .pth must name the project's root:\n%s", df)
	}
	for _, d := range []string{deps, df} {
		if strings.Contains(d, "\nUSER ") && !strings.Contains(d, "\nUSER root\n") || strings.Count(d, "\nUSER ") != 1 {
			t.Errorf("an image without a user must stay root:\n%s", d)
		}
	}
	if strings.Contains(deps, "requirements.txt") {
		t.Errorf("no dependencies, yet a requirements step:\n%s", deps)
	}
}

func TestAirflowImageErrors(t *testing.T) {
	p := testProject(t, nil)
	p.Config.Services.Airflow.Image = "example/missing:1"
	_, err := (&Builder{Engine: airflowEngine(), Library: fakeLibrary()}).AirflowImage(context.Background(), p, AirflowOptions{}, event.Discard)
	if err == nil || !strings.Contains(err.Error(), "example/missing:1 is not on this engine") || !strings.Contains(errs.HintOf(err), "services.airflow.image") {
		t.Errorf("missing Airflow image: %v (hint %q)", err, errs.HintOf(err))
	}
	p.Config.Services.Airflow.Image = "example/airflow:3"
	if _, err := (&Builder{Engine: airflowEngine()}).AirflowImage(context.Background(), p, AirflowOptions{}, event.Discard); err == nil {
		t.Error("built without the library")
	}
	if _, err := (&Builder{Engine: airflowEngine(), Library: fakeLibrary()}).AirflowImage(context.Background(), p, AirflowOptions{ProjectDir: "relative/dir"}, event.Discard); err == nil {
		t.Error("accepted a relative project mount")
	}
}

// AirflowImageTag names the tag AirflowImage builds, and whether it exists,
// without building.
func TestAirflowImageTagBuildsNothing(t *testing.T) {
	p := testProject(t, nil)
	p.Config.Services.Airflow.Image = "example/airflow:3"
	eng := airflowEngine()
	b := &Builder{Engine: eng, Library: fakeLibrary()}
	ctx := context.Background()

	planned, built, err := b.AirflowImageTag(ctx, p)
	if err != nil || built || len(eng.builds) != 0 {
		t.Fatalf("before a build: %q, built %v, %v, %d builds", planned, built, err, len(eng.builds))
	}
	tag, err := b.AirflowImage(ctx, p, AirflowOptions{}, event.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if tag != planned {
		t.Errorf("AirflowImageTag said %q, AirflowImage built %q", planned, tag)
	}
	if again, built, err := b.AirflowImageTag(ctx, p); err != nil || again != tag || !built {
		t.Errorf("after the build: %q, built %v, %v", again, built, err)
	}
	f := false
	p.Config.Services.Airflow.ExtendImage = &f
	if img, built, err := b.AirflowImageTag(ctx, p); err != nil || img != "example/airflow:3" || !built {
		t.Errorf("extend_image = false: %q, built %v, %v; want the configured image", img, built, err)
	}
}

// Conda packages reach both images: from the channels with a py-rattler step
// (channels, the default), or from PyPI as requirements (pypi).
func TestImagesInstallCondaPackagesFromTheChosenSource(t *testing.T) {
	env := map[string]string{"environment.yml": "channels: [conda-forge]\ndependencies:\n  - python >3.10\n  - python-dotenv\n  - numpy =2.0.2\n"}
	for _, source := range []string{project.CondaChannels, project.CondaPyPI} {
		t.Run(source, func(t *testing.T) {
			p := testProject(t, env)
			p.Config.Services.Airflow.Image = "example/airflow:3"
			p.Config.Build.CondaSource = source
			p.Config.Build.BaseImage = "example/python:3"
			eng := airflowEngine()
			eng.images["example/python:3"] = docker.ImageInfo{ID: "sha256:" + strings.Repeat("4", 64)}
			b := &Builder{Engine: eng, Library: fakeLibrary()}
			if _, err := b.AirflowImage(context.Background(), p, AirflowOptions{}, event.Discard); err != nil {
				t.Fatal(err)
			}
			airflow := eng.builds[len(eng.builds)-2] // the dependency image
			if _, err := b.Dockerize(context.Background(), p, DockerizeOptions{Image: "demo:1"}, event.Discard); err != nil {
				t.Fatal(err)
			}
			task := eng.last(t)
			for name, fb := range map[string]fakeBuild{"airflow": airflow, "task": task} {
				df, reqs := fb.files[".gaiaflow/Dockerfile"], fb.files[".gaiaflow/requirements.txt"]
				rattler := strings.Contains(df, "pip install py-rattler=="+RattlerVersion) && strings.Contains(df, "conda-env.py /opt/gaiaflow/deps/conda.json")
				switch source {
				case project.CondaChannels:
					if !rattler || !strings.Contains(fb.files[".gaiaflow/conda.json"], `"python-dotenv"`) || fb.files[".gaiaflow/conda-env.py"] == "" {
						t.Errorf("%s: no conda step or files:\n%s", name, df)
					}
					if strings.Contains(reqs, "dotenv") {
						t.Errorf("%s: conda package also in requirements:\n%s", name, reqs)
					}
				case project.CondaPyPI:
					if rattler || !strings.Contains(reqs, "\npython-dotenv\nnumpy==2.0.2.*\n") {
						t.Errorf("%s: requirements:\n%s\nDockerfile:\n%s", name, reqs, df)
					}
				}
				if strings.Contains(reqs, "python>") || strings.Contains(fb.files[".gaiaflow/conda.json"], `"python `) {
					t.Errorf("%s: python is installed", name)
				}
			}
		})
	}
}
