package build

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/build/buildtest"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
)

func TestDockerizeContextExclusionsAndDockerignore(t *testing.T) {
	isolateState(t)
	p := testProject(t, map[string]string{
		".git/HEAD":                               "ref: refs/heads/main\n",
		".git/refs/heads/main":                    strings.Repeat("1", 40) + "\n",
		".venv/pyvenv.cfg":                        "home = /usr/bin\n",
		".venv/lib/site.py":                       "x",
		"myenv/pyvenv.cfg":                        "home = /usr/bin\n",
		"myenv/bin/python":                        "x",
		"condaenv/conda-meta/history":             "x",
		"data/big.csv":                            "1,2\n",
		"logs/scheduler.log":                      "x",
		"notebooks/.ipynb_checkpoints/a.ipynb":    "{}",
		"notebooks/explore.ipynb":                 "{}",
		"src/demo/__pycache__/__init__.pyc":       "x",
		"src/demo/data/lookup.json":               "{}", // data/ below the root is the package's
		"src/demo/logs.py":                        "x",
		".env":                                    "AWS_SECRET_ACCESS_KEY=x\n",
		".env.example":                            "AWS_SECRET_ACCESS_KEY=\n",
		".pixi/envs/default/bin/python":           "x",
		".gaiaflow/whatever":                      "x",
		"scratch/keep.txt":                        "x",
		"scratch/drop.txt":                        "x",
		"results.csv":                             "x",
		".dockerignore":                           "# comment\n*.csv\nscratch\n!scratch/keep.txt\nnotebooks/\n",
		"src/demo/deep/nested/module.py":          "x",
		"src/demo/deep/nested/__init__.py":        "x",
		"src/demo/deep/__init__.py":               "x",
		"tests/test_demo.py":                      "x",
		"src/demo/deep/nested/.ipynb_checkpoints": "<dir>",
	})
	before := buildtest.TreeState(t, p.Dir)
	eng := &fakeEngine{}
	rec := &event.Recorder{}
	b := &Builder{Engine: eng, Library: fakeLibrary()}
	res, err := b.Dockerize(context.Background(), p, DockerizeOptions{}, rec)
	if err != nil {
		t.Fatal(err)
	}
	got := eng.last(t).names()
	want := []string{
		".dockerignore",
		".env.example",
		".gaiaflow/Dockerfile",
		".gaiaflow/build-requirements.txt",
		".gaiaflow/entrypoint.sh",
		".gaiaflow/gaiaflow-9.9.9-py3-none-any.whl",
		".gaiaflow/requirements.txt",
		"dags/demo_dag.py",
		"gaiaflow.toml",
		"pyproject.toml",
		"scratch/keep.txt",
		"src/demo/__init__.py",
		"src/demo/data/lookup.json",
		"src/demo/deep/__init__.py",
		"src/demo/deep/nested/__init__.py",
		"src/demo/deep/nested/module.py",
		"src/demo/logs.py",
		"tests/test_demo.py",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("context files:\n got %q\nwant %q", got, want)
	}
	if eng.last(t).files[".gaiaflow/whatever"] != "" {
		t.Error("the project's own .gaiaflow/ went into the context")
	}
	if res.Context.Bytes == 0 || res.Context.Files != len(want) {
		t.Errorf("context stats = %+v, want %d files", res.Context, len(want))
	}
	for _, ex := range []string{".git", ".venv", "myenv", "condaenv", "data", "logs", ".env", ".pixi", ".gaiaflow", "src/demo/__pycache__"} {
		if !slices.Contains(res.Context.Excluded, ex) {
			t.Errorf("Excluded %q lacks %s", res.Context.Excluded, ex)
		}
	}
	var sawSize bool
	for _, e := range rec.Events() {
		if e.State == StateContext && strings.Contains(e.Message, "build context: ") && strings.Contains(e.Message, "B") {
			sawSize = true
		}
	}
	if !sawSize {
		t.Error("no event reports the context size")
	}
	if after := buildtest.TreeState(t, p.Dir); !reflect.DeepEqual(before, after) {
		t.Error("the project tree changed during dockerize")
	}
}

func TestDockerizeGeneratedDockerfile(t *testing.T) {
	isolateState(t)
	p := testProject(t, map[string]string{
		"requirements.txt": "requests>=2 # http\n-c constraints.txt\n-e .\n",
		"constraints.txt":  "urllib3<3\n",
	})
	eng := &fakeEngine{}
	b := &Builder{Engine: eng, Library: fakeLibrary()}
	res, err := b.Dockerize(context.Background(), p, DockerizeOptions{BaseImage: "example/python:3.12"}, event.Discard)
	if err != nil {
		t.Fatal(err)
	}
	fb := eng.last(t)
	if fb.opts.Dockerfile != ".gaiaflow/Dockerfile" || res.Dockerfile != "generated" {
		t.Errorf("Dockerfile = %q (%s), want the generated one", fb.opts.Dockerfile, res.Dockerfile)
	}
	df := fb.files[".gaiaflow/Dockerfile"]
	if !strings.Contains(df, "\nFROM example/python:3.12\n") {
		t.Errorf("Dockerfile does not start from the base image:\n%s", df)
	}
	// The order that makes a code-only change cheap: dependencies, then the
	// library, then the code.
	order := []string{
		"RUN python3 -m venv /opt/gaiaflow/venv",
		"COPY .gaiaflow/requirements.txt .gaiaflow/build-requirements.txt .gaiaflow/constraints.txt /opt/gaiaflow/deps/",
		"RUN pip install --upgrade -r /opt/gaiaflow/deps/build-requirements.txt -r /opt/gaiaflow/deps/requirements.txt -c /opt/gaiaflow/deps/constraints.txt",
		"COPY .gaiaflow/gaiaflow-9.9.9-py3-none-any.whl /opt/gaiaflow/lib/",
		"RUN pip install --no-deps /opt/gaiaflow/lib/gaiaflow-9.9.9-py3-none-any.whl",
		"COPY . /opt/gaiaflow/project/",
		"RUN pip install --no-deps --no-build-isolation .",
		`ENTRYPOINT ["/usr/local/bin/gaiaflow-entrypoint"]`,
	}
	last := -1
	for _, line := range order {
		i := strings.Index(df, line+"\n")
		if i < 0 || i < last {
			t.Fatalf("Dockerfile lacks %q after the previous step:\n%s", line, df)
		}
		last = i
	}
	if got := fb.files[".gaiaflow/requirements.txt"]; !strings.Contains(got, "\nsix==1.17.0\nrequests>=2\n") || strings.Contains(got, "-e") {
		t.Errorf("requirements.txt =\n%s", got)
	}
	if got := fb.files[".gaiaflow/build-requirements.txt"]; !strings.Contains(got, "\nhatchling\n") {
		t.Errorf("build-requirements.txt =\n%s", got)
	}
	if got := fb.files[".gaiaflow/constraints.txt"]; !strings.Contains(got, "\nurllib3<3\n") {
		t.Errorf("constraints.txt =\n%s", got)
	}
	if fb.modes[".gaiaflow/entrypoint.sh"] != 0o755 {
		t.Errorf("entrypoint mode = %o", fb.modes[".gaiaflow/entrypoint.sh"])
	}
	if fb.files[".gaiaflow/gaiaflow-9.9.9-py3-none-any.whl"] != "wheel bytes" {
		t.Error("the library's wheel is not in the context")
	}
	if !reflect.DeepEqual(fb.opts.Tags, []string{"demo:0.1.0"}) {
		t.Errorf("tags = %q, want demo:0.1.0", fb.opts.Tags)
	}
	wantLabels := map[string]string{
		docker.LabelProject:  p.ID(),
		LabelProjectName:     "demo",
		LabelKind:            KindTaskImage,
		LabelTitle:           "demo",
		LabelVersion:         "0.1.0",
		LabelGaiaflowVersion: "9.9.9",
		LabelBaseName:        "example/python:3.12",
	}
	if !reflect.DeepEqual(fb.opts.Labels, wantLabels) {
		t.Errorf("labels = %v\nwant %v", fb.opts.Labels, wantLabels)
	}
}

func TestDockerizeLabelsTheSourceCommit(t *testing.T) {
	isolateState(t)
	commit := strings.Repeat("c0ffee", 6) + "abcd"
	p := testProject(t, map[string]string{
		".git/HEAD":        "ref: refs/heads/main\n",
		".git/packed-refs": "# pack-refs with: peeled\n" + commit + " refs/heads/main\n",
	})
	eng := &fakeEngine{}
	res, err := (&Builder{Engine: eng, Library: fakeLibrary()}).Dockerize(context.Background(), p, DockerizeOptions{}, event.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if res.Commit != commit || eng.last(t).opts.Labels[LabelRevision] != commit {
		t.Errorf("commit = %q, label = %q, want %s", res.Commit, eng.last(t).opts.Labels[LabelRevision], commit)
	}
}

func TestDockerizeUsesTheProjectsDockerfileAsIs(t *testing.T) {
	isolateState(t)
	for _, tc := range []struct {
		name       string
		dockerfile string
		withFiles  bool
	}{
		{"plain", "FROM example/base:1\nCOPY . /app\n", false},
		{"using gaiaflow's files", "FROM example/base:1\nCOPY .gaiaflow/requirements.txt /tmp/\nCOPY . /app\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testProject(t, map[string]string{
				"Dockerfile":    tc.dockerfile,
				".dockerignore": "Dockerfile\n.dockerignore\n",
			})
			eng := &fakeEngine{}
			res, err := (&Builder{Engine: eng}).Dockerize(context.Background(), p, DockerizeOptions{Image: "demo:own"}, event.Discard)
			if err != nil {
				t.Fatalf("a project with its own Dockerfile builds without the library: %v", err)
			}
			fb := eng.last(t)
			if fb.opts.Dockerfile != "Dockerfile" || res.Dockerfile != "project" || res.BaseImage != "" {
				t.Errorf("Dockerfile = %q (%s), base %q", fb.opts.Dockerfile, res.Dockerfile, res.BaseImage)
			}
			if fb.files["Dockerfile"] != tc.dockerfile || fb.files[".dockerignore"] == "" {
				t.Errorf("the Dockerfile was changed or left out:\n%s", fb.files["Dockerfile"])
			}
			if _, ok := fb.files[".gaiaflow/Dockerfile"]; ok {
				t.Error("a generated Dockerfile went in beside the project's own")
			}
			if _, ok := fb.files[".gaiaflow/requirements.txt"]; ok != tc.withFiles {
				t.Errorf("gaiaflow's files in the context: %v, want %v", ok, tc.withFiles)
			}
			if _, ok := fb.opts.Labels[LabelBaseName]; ok {
				t.Error("base name label set for a Dockerfile gaiaflow did not write")
			}
		})
	}
}

func TestDockerizeRecordsTheImageInTheState(t *testing.T) {
	isolateState(t)
	p := testProject(t, nil)
	eng := &fakeEngine{}
	res, err := (&Builder{Engine: eng, Library: fakeLibrary()}).Dockerize(context.Background(), p, DockerizeOptions{Image: "registry.example/demo:7"}, event.Discard)
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.State()
	if err != nil {
		t.Fatal(err)
	}
	ti, ok, err := st.TaskImage(TargetDocker)
	if err != nil || !ok {
		t.Fatalf("TaskImage(docker) = %v, %v", ok, err)
	}
	if ti.Image != "registry.example/demo:7" || ti.ID != res.ID || ti.Target != "docker" || ti.BuiltAt.IsZero() {
		t.Errorf("recorded %+v", ti)
	}
	status, err := CheckTaskImage(context.Background(), eng, st, TargetDocker)
	if err != nil || !status.Ready() {
		t.Fatalf("CheckTaskImage = %+v, %v; want ready", status, err)
	}
	if problem, _ := status.Problem(); problem != "" {
		t.Errorf("problem for a ready image: %s", problem)
	}
	delete(eng.images, "registry.example/demo:7")
	status, _ = CheckTaskImage(context.Background(), eng, st, TargetDocker)
	if problem, hint := status.Problem(); status.Ready() || !strings.Contains(problem, "no longer") || !strings.Contains(hint, "gaiaflow dev dockerize") {
		t.Errorf("removed image: ready=%v %q / %q", status.Ready(), problem, hint)
	}
	status, _ = CheckTaskImage(context.Background(), eng, st, TargetMinikube)
	if problem, hint := status.Problem(); status.Ready() || !strings.Contains(problem, "no task image") || !strings.Contains(hint, "prod-local dockerize") {
		t.Errorf("never built: ready=%v %q / %q", status.Ready(), problem, hint)
	}
}

func TestDockerizeFailingStep(t *testing.T) {
	isolateState(t)
	p := testProject(t, nil)
	eng := &fakeEngine{
		messages: []docker.BuildMessage{
			{Stream: "Step 1/2 : FROM example/python:3.12\n"},
			{Stream: " ---> 0123456789ab\n"},
			{Stream: "Step 2/2 : RUN pip install -r x\n"},
			{Stream: " ---> Running in abcdef\n"},
			{Stream: "ERROR: No matching distribution "},
			{Stream: "found for nope\n"},
		},
		fail: &docker.BuildError{Message: "The command '/bin/sh -c pip install -r x' returned a non-zero code: 1"},
	}
	_, err := (&Builder{Engine: eng, Library: fakeLibrary()}).Dockerize(context.Background(), p, DockerizeOptions{}, event.Discard)
	var se *StepError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a StepError", err)
	}
	if se.Step.Number != 2 || se.Step.Instruction != "RUN pip install -r x" {
		t.Errorf("step = %+v", se.Step)
	}
	if !reflect.DeepEqual(se.Output, []string{"ERROR: No matching distribution found for nope"}) {
		t.Errorf("output = %q", se.Output)
	}
	if errs.KindOf(err) != errs.Failure || !strings.Contains(errs.HintOf(err), "output is above") {
		t.Errorf("kind %v, hint %q", errs.KindOf(err), errs.HintOf(err))
	}
	st, _ := p.State()
	if _, ok, _ := st.TaskImage(TargetDocker); ok {
		t.Error("a failed build was recorded")
	}
}

func TestDockerizeMissingBaseImageHint(t *testing.T) {
	isolateState(t)
	p := testProject(t, nil)
	eng := &fakeEngine{
		messages: []docker.BuildMessage{{Stream: "Step 1/9 : FROM python:3.12-slim\n"}},
		fail:     &docker.BuildError{Message: "pull access denied for python"},
	}
	_, err := (&Builder{Engine: eng, Library: fakeLibrary()}).Dockerize(context.Background(), p, DockerizeOptions{}, event.Discard)
	if h := errs.HintOf(err); !strings.Contains(h, "python:3.12-slim") || !strings.Contains(h, "build.base_image") {
		t.Errorf("hint = %q", h)
	}
}

func TestDockerizeNeedsTheLibraryForTheGeneratedDockerfile(t *testing.T) {
	isolateState(t)
	p := testProject(t, nil)
	_, err := (&Builder{Engine: &fakeEngine{}}).Dockerize(context.Background(), p, DockerizeOptions{}, event.Discard)
	if !errors.Is(err, errNoLibrary) {
		t.Errorf("err = %v", err)
	}
}

func TestDockerizeWithoutPyproject(t *testing.T) {
	isolateState(t)
	p := testProject(t, nil)
	if err := os.Remove(filepath.Join(p.Dir, "pyproject.toml")); err != nil {
		t.Fatal(err)
	}
	_, err := (&Builder{Engine: &fakeEngine{}, Library: fakeLibrary()}).Dockerize(context.Background(), p, DockerizeOptions{Image: "demo:1"}, event.Discard)
	if errs.KindOf(err) != errs.Usage || !strings.Contains(err.Error(), "no pyproject.toml") {
		t.Errorf("err = %v", err)
	}
}

func TestDockerizeWarnsAboutUnsupportedDependencies(t *testing.T) {
	isolateState(t)
	p := testProject(t, map[string]string{
		"environment.yml": "name: demo\ndependencies:\n  - python>3.10\n  - pip\n  - mlflow\n  - pip:\n      - boto3\n",
	})
	rec := &event.Recorder{}
	eng := &fakeEngine{}
	if _, err := (&Builder{Engine: eng, Library: fakeLibrary()}).Dockerize(context.Background(), p, DockerizeOptions{}, rec); err != nil {
		t.Fatal(err)
	}
	var warned bool
	for _, e := range rec.Events() {
		if e.Kind == event.Warn && strings.Contains(e.Message, "mlflow") {
			warned = true
		}
	}
	if !warned {
		t.Error("no warning names the conda package mlflow")
	}
	if got := eng.last(t).files[".gaiaflow/requirements.txt"]; !strings.Contains(got, "\nboto3\n") {
		t.Errorf("requirements.txt lacks the pip dependency:\n%s", got)
	}
}
