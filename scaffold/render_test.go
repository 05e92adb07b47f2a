package scaffold

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	toml "github.com/pelletier/go-toml/v2"
	"go.yaml.in/yaml/v3"

	"github.com/gaiaflow/gaiaflow/services/project"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// combo is one choice of environment manager and examples.
type combo struct {
	manager  string
	examples bool
}

func (c combo) String() string {
	if c.examples {
		return c.manager + "-examples"
	}
	return c.manager + "-no-examples"
}

func combos() []combo {
	var out []combo
	for _, m := range EnvManagers {
		out = append(out, combo{m, true}, combo{m, false})
	}
	return out
}

func answersFor(c combo) Answers {
	a := Defaults("demo")
	a.EnvManager, a.Examples = c.manager, c.examples
	a.Author, a.Email = "Ada Lovelace", "ada@lovelace.org"
	return a
}

func render(t *testing.T, c combo) []File {
	t.Helper()
	files, err := Render(answersFor(c), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func fileOf(t *testing.T, files []File, path string) string {
	t.Helper()
	for _, f := range files {
		if f.Path == path {
			return string(f.Data)
		}
	}
	t.Fatalf("no file %s in %v", path, Paths(files))
	return ""
}

// The file list of every combination is a golden file: go test ./scaffold -update.
func TestFileListsGolden(t *testing.T) {
	for _, c := range combos() {
		t.Run(c.String(), func(t *testing.T) {
			got := strings.Join(Paths(render(t, c)), "\n") + "\n"
			golden := filepath.Join("testdata", "files-"+c.String()+".txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./scaffold -update)", err)
			}
			if got != string(want) {
				t.Errorf("file list differs from %s (run go test ./scaffold -update if intended):\n%s", golden, got)
			}
		})
	}
}

func TestGaiaflowTomlDecodes(t *testing.T) {
	for _, c := range combos() {
		cfg, err := project.Decode(project.FileName, []byte(fileOf(t, render(t, c), project.FileName)))
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if cfg.Name != "demo" || cfg.Package != "demo" || cfg.EnvManager != c.manager || cfg.Python != "3.12" || cfg.Mode != "dev" {
			t.Errorf("%s: %+v", c, cfg)
		}
	}
}

// allowedExampleWords are Airflow's own names that hold the word.
var allowedExampleWords = regexp.MustCompile(`LOAD_EXAMPLES`)

func TestNoExampleLeftWithoutExamples(t *testing.T) {
	for _, m := range EnvManagers {
		for _, f := range render(t, combo{m, false}) {
			if strings.Contains(strings.ToLower(f.Path), "example") {
				t.Errorf("%s: file %s", m, f.Path)
			}
			text := allowedExampleWords.ReplaceAllString(string(f.Data), "")
			if i := strings.Index(strings.ToLower(text), "example"); i >= 0 {
				t.Errorf("%s: %s mentions an example: %q", m, f.Path, text[max(0, i-40):min(len(text), i+40)])
			}
		}
	}
}

func TestExamplesAreComplete(t *testing.T) {
	files := render(t, combo{"uv", true})
	dag := fileOf(t, files, "dags/example_pipeline.py")
	for _, want := range []string{"TaskGroup(group_id=\"pipeline\")", "FromTask(\"pipeline.preprocess\", \"train_uri\")",
		"FromTask(\"pipeline.train\", \"model_uri\")", "preprocess >> train >> evaluate", "demo.example_pipeline",
		"{{ params.data_url }}", "s3://demo-data/", `"airflow.task_id": "{{ task.task_id }}"`} {
		if !strings.Contains(dag, want) {
			t.Errorf("example DAG lacks %q", want)
		}
	}
	code := fileOf(t, files, "src/demo/example_pipeline.py")
	for _, want := range []string{"def preprocess(", "def train(", "def evaluate(", "load_wine", "mlflow.log_params", "start_run(tags=mlflow_tags)",
		"mlflow.sklearn.log_model", "store.write_bytes"} {
		if !strings.Contains(code, want) {
			t.Errorf("example pipeline lacks %q", want)
		}
	}
	var nb struct {
		NBFormat int `json:"nbformat"`
		Cells    []struct {
			Type   string   `json:"cell_type"`
			Source []string `json:"source"`
		} `json:"cells"`
	}
	if err := json.Unmarshal([]byte(fileOf(t, files, "notebooks/example_pipeline.ipynb")), &nb); err != nil || nb.NBFormat != 4 {
		t.Fatalf("notebook: %v", err)
	}
	src := ""
	for _, c := range nb.Cells {
		src += strings.Join(c.Source, "")
	}
	for _, want := range []string{"example_pipeline.preprocess(", "example_pipeline.train(", "example_pipeline.evaluate("} {
		if !strings.Contains(src, want) {
			t.Errorf("notebook lacks %q", want)
		}
	}
}

// secretish finds values that look like credentials: KEY=value or key: value
// where the key names a secret, and the stack's well-known default keys.
var secretish = regexp.MustCompile(`(?i)((secret|password|passwd|token|access_key)[a-z_]*\s*[:=]\s*["']?[A-Za-z0-9/+]{3,})|minio123|AKIA[0-9A-Z]{16}`)

func TestNoCredentialsInAnyFile(t *testing.T) {
	for _, c := range combos() {
		for _, f := range render(t, c) {
			if m := secretish.FindString(string(f.Data)); m != "" {
				t.Errorf("%s: %s holds what looks like a credential: %q", c, f.Path, m)
			}
		}
	}
}

// The CI workflow is valid YAML and runs exactly Checks, as the README says.
func TestCIWorkflowRunsTheChecks(t *testing.T) {
	for _, c := range combos() {
		files := render(t, c)
		var wf struct {
			On   map[string]any `yaml:"on"`
			Jobs map[string]struct {
				RunsOn string `yaml:"runs-on"`
				Steps  []struct {
					Name string `yaml:"name"`
					Uses string `yaml:"uses"`
					Run  string `yaml:"run"`
				} `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal([]byte(fileOf(t, files, ".github/workflows/ci.yml")), &wf); err != nil {
			t.Fatalf("%s: ci.yml is not YAML: %v", c, err)
		}
		job, ok := wf.Jobs["test"]
		if !ok || job.RunsOn == "" || wf.On == nil {
			t.Fatalf("%s: workflow %+v", c, wf)
		}
		d := newData(answersFor(c))
		runs := map[string]string{}
		for _, s := range job.Steps {
			runs[s.Name] = s.Run
		}
		readme := fileOf(t, files, "README.md")
		for _, check := range Checks {
			want := d.RunCheck(check)
			if runs[check.Name] != want {
				t.Errorf("%s: step %s runs %q, want %q", c, check.Name, runs[check.Name], want)
			}
			if !strings.Contains(readme, "\n"+want+"\n") {
				t.Errorf("%s: README does not give %q", c, want)
			}
		}
		var py struct {
			Project struct {
				Name           string              `toml:"name"`
				RequiresPython string              `toml:"requires-python"`
				Deps           []string            `toml:"dependencies"`
				Optional       map[string][]string `toml:"optional-dependencies"`
			} `toml:"project"`
			Tool struct {
				Pixi *struct {
					Tasks map[string]string `toml:"tasks"`
				} `toml:"pixi"`
			} `toml:"tool"`
		}
		if err := toml.Unmarshal([]byte(fileOf(t, files, "pyproject.toml")), &py); err != nil {
			t.Fatalf("%s: pyproject.toml: %v", c, err)
		}
		if py.Project.Name != "demo" || py.Project.RequiresPython != ">=3.12" || len(py.Project.Optional["dev"]) == 0 {
			t.Errorf("%s: pyproject %+v", c, py.Project)
		}
		if (py.Tool.Pixi != nil) != (c.manager == "pixi") {
			t.Errorf("%s: pixi tables present: %v", c, py.Tool.Pixi != nil)
		}
		if py.Tool.Pixi != nil {
			for _, check := range Checks {
				if got := py.Tool.Pixi.Tasks[strings.ToLower(check.Name)]; got != check.Command() {
					t.Errorf("pixi task %s = %q, want %q", check.Name, got, check.Command())
				}
			}
		}
		if c.manager == "conda" {
			var env struct {
				Name string `yaml:"name"`
				Deps []any  `yaml:"dependencies"`
			}
			if err := yaml.Unmarshal([]byte(fileOf(t, files, "environment.yml")), &env); err != nil || env.Name != "demo" {
				t.Errorf("environment.yml: %v %+v", err, env)
			}
			if !slices.Contains(env.Deps, any("python=3.12")) {
				t.Errorf("environment.yml pins no python: %v", env.Deps)
			}
		}
	}
}

func TestAnswersReachTheFiles(t *testing.T) {
	a := answersFor(combo{"uv", false})
	a.Description = `Say "hi" \ bye`
	a.Python = "3.10"
	files, err := Render(a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var py struct {
		Project struct {
			Description string              `toml:"description"`
			Authors     []map[string]string `toml:"authors"`
		} `toml:"project"`
		Tool struct {
			Ruff struct {
				Target string `toml:"target-version"`
			} `toml:"ruff"`
		} `toml:"tool"`
	}
	if err := toml.Unmarshal([]byte(fileOf(t, files, "pyproject.toml")), &py); err != nil {
		t.Fatal(err)
	}
	if py.Project.Description != a.Description || py.Project.Authors[0]["email"] != a.Email || py.Tool.Ruff.Target != "py310" {
		t.Errorf("pyproject: %+v", py)
	}
	if got := fileOf(t, files, ".python-version"); got != "3.10\n" {
		t.Errorf(".python-version = %q", got)
	}
	if !strings.Contains(fileOf(t, files, "README.md"), "# demo\n\n"+a.Description) {
		t.Error("README lacks the name and description")
	}
}

func TestTreeDrawsFoldersFirst(t *testing.T) {
	got := Tree("demo", []string{"b.txt", "a/x.py", "a/b/y.py", ".z"})
	want := "demo/\n├── a/\n│   ├── b/\n│   │   └── y.py\n│   └── x.py\n├── .z\n└── b.txt\n"
	if got != want {
		t.Errorf("Tree:\n%s\nwant:\n%s", got, want)
	}
}

func TestTemplatesUseOnlyKnownFields(t *testing.T) {
	// A package named like a template word must not change which files exist.
	a := answersFor(combo{"uv", false})
	a.Package = "example_thing"
	files, err := Render(a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := len(render(t, combo{"uv", false}))
	if len(files) != want {
		t.Errorf("package %q gives %d files, want %d", a.Package, len(files), want)
	}
	var buf bytes.Buffer
	for _, f := range files {
		fmt.Fprintln(&buf, f.Path)
	}
	if !strings.Contains(buf.String(), "src/example_thing/steps.py") {
		t.Errorf("files:\n%s", buf.String())
	}
}
