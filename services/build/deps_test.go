package build

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/scaffold/originaltest"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/project"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestCollectDependencies(t *testing.T) {
	for _, tc := range []struct {
		name        string
		source      string // conda_source; empty: channels
		files       map[string]string
		reqs        []string
		constraints []string
		sources     []string
		unsupported []string // substrings, one per entry
		conda       *CondaPackages
		provided    []string
	}{
		{
			name:    "pyproject",
			files:   map[string]string{"pyproject.toml": "[project]\nname='x'\ndependencies = [\"numpy>=2\", \"boto3\"]\n"},
			reqs:    []string{"numpy>=2", "boto3"},
			sources: []string{"pyproject.toml"},
		},
		{
			name: "requirements with includes, comments, continuations and the project itself",
			files: map[string]string{
				"pyproject.toml":   "[project]\nname='x'\ndependencies = [\"boto3\"]\n",
				"requirements.txt": "# pinned\nboto3\n-r reqs/more.txt\n--constraint=reqs/c.txt\nrequests \\\n  >=2.0  # http\n-e .\n.[extra]\n--extra-index-url https://example.org/simple\n../elsewhere\n-e git+https://example.org/r.git#egg=r\n",
				"reqs/more.txt":    "pandas==2.*\n-rdeeper.txt\n",
				"reqs/deeper.txt":  "pyyaml\n",
				"reqs/c.txt":       "urllib3<3\n",
			},
			reqs:        []string{"boto3", "pandas==2.*", "pyyaml", "requests   >=2.0", "--extra-index-url https://example.org/simple", "-e git+https://example.org/r.git#egg=r"},
			constraints: []string{"urllib3<3"},
			sources:     []string{"pyproject.toml", "requirements.txt"},
			unsupported: []string{`"../elsewhere" is a local path`},
		},
		{
			name: "conda environment from its channels",
			files: map[string]string{
				"environment.yml": "name: demo\nchannels: [conda-forge, bioconda]\ndependencies:\n  - python>3.10,<3.13\n  - conda-forge::mlflow=3.2\n  - apache-airflow\n  - pip\n  - numpy =2.0.2\n  - git\n  - pip:\n      - boto3\n      - -e .\n      - apache-airflow-providers-amazon\n",
			},
			reqs:     []string{"boto3"},
			sources:  []string{"environment.yml"},
			conda:    &CondaPackages{Channels: []string{"conda-forge", "bioconda"}, Specs: []string{"conda-forge::mlflow=3.2", "numpy =2.0.2", "git"}, Source: "environment.yml"},
			provided: []string{"python (environment.yml)", "apache-airflow (environment.yml)", "pip (environment.yml)", "apache-airflow-providers-amazon (environment.yml)"},
		},
		{
			name:   "conda environment from PyPI",
			source: "pypi",
			files: map[string]string{
				"environment.yml": "name: demo\nchannels: [conda-forge]\ndependencies:\n  - python>3.10,<3.13\n  - conda-forge::mlflow=3.2\n  - pip\n  - numpy =2.0.2\n  - pytorch >=2\n  - git\n  - nodejs\n  - scipy 1.11|1.12\n  - pip:\n      - boto3\n",
			},
			reqs:        []string{"boto3", "mlflow==3.2.*", "numpy==2.0.2.*", "torch>=2"},
			sources:     []string{"environment.yml"},
			unsupported: []string{"conda package scipy has a version with alternatives", "environment.yml: no PyPI counterpart, so not installed (conda_source = \"pypi\"): git, nodejs"},
			provided:    []string{"python (environment.yml)", "pip (environment.yml)"},
		},
		{
			name:        "conda environment without channels",
			files:       map[string]string{"environment.yml": "dependencies:\n  - numpy\n"},
			sources:     []string{"environment.yml"},
			unsupported: []string{"environment.yml names no channels"},
		},
		{
			name: "pixi in pyproject",
			files: map[string]string{"pyproject.toml": `[project]
name = "demo"
dependencies = ["boto3>=1.42,<2", "gaiaflow"]

[tool.pixi.workspace]
channels = ["conda-forge", { channel = "local", priority = 2 }]

[tool.pixi.dependencies]
python = ">3.10,<3.13"
tensorflow = ">=2.19"
numpy = "2.0.2.*"
mlflow = { version = ">=3.9", channel = "conda-forge" }
apache-airflow = ">=3.1.7,<4"

[tool.pixi.pypi-dependencies]
demo = { path = ".", editable = true }
requests = "*"
numpy = "2.0.2"
rich = { version = ">=13", extras = ["jupyter"] }
lib = { git = "https://example.org/lib.git", rev = "abc" }
other = { path = "../other" }
`},
			reqs:        []string{"boto3>=1.42,<2", "lib @ git+https://example.org/lib.git@abc", "numpy==2.0.2", "requests", "rich[jupyter]>=13"},
			sources:     []string{"pyproject.toml", "pyproject.toml [tool.pixi]"},
			unsupported: []string{"pypi-dependency other is a local path"},
			conda:       &CondaPackages{Channels: []string{"conda-forge", "local"}, Specs: []string{"conda-forge::mlflow >=3.9", "numpy 2.0.2.*", "tensorflow >=2.19"}, Source: "pyproject.toml [tool.pixi]"},
			provided:    []string{"gaiaflow (pyproject.toml)", "apache-airflow (pyproject.toml [tool.pixi])", "python (pyproject.toml [tool.pixi])"},
		},
		{
			name:   "pixi in pyproject from PyPI",
			source: "pypi",
			files: map[string]string{"pyproject.toml": `[project]
name = "demo"

[tool.pixi.workspace]
channels = ["conda-forge"]

[tool.pixi.dependencies]
python = ">3.10,<3.13"
tensorflow = ">=2.19.1,<3"
numpy = "2.0.2.*"
python-dotenv = "*"
`},
			reqs:     []string{"numpy==2.0.2.*", "python-dotenv", "tensorflow>=2.19.1,<3"},
			sources:  []string{"pyproject.toml [tool.pixi]"},
			provided: []string{"python (pyproject.toml [tool.pixi])"},
		},
		{
			name:     "pixi.toml",
			files:    map[string]string{"pixi.toml": "[dependencies]\npython = \"3.12.*\"\n[pypi-dependencies]\nboto3 = \">=1\"\n"},
			reqs:     []string{"boto3>=1"},
			sources:  []string{"pixi.toml"},
			provided: []string{"python (pixi.toml)"},
		},
		{
			name:    "nothing",
			files:   map[string]string{"gaiaflow.toml": ""},
			sources: []string{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tc.files)
			d, err := CollectDependencies(dir, tc.source)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(d.Conda, tc.conda) {
				t.Errorf("conda %+v, want %+v", d.Conda, tc.conda)
			}
			if !reflect.DeepEqual(d.Provided, tc.provided) {
				t.Errorf("provided %q, want %q", d.Provided, tc.provided)
			}
			if !reflect.DeepEqual(d.Requirements, tc.reqs) {
				t.Errorf("requirements\n got %q\nwant %q", d.Requirements, tc.reqs)
			}
			if !reflect.DeepEqual(d.Constraints, tc.constraints) {
				t.Errorf("constraints %q, want %q", d.Constraints, tc.constraints)
			}
			if !reflect.DeepEqual(d.Sources, tc.sources) {
				t.Errorf("sources %q, want %q", d.Sources, tc.sources)
			}
			if len(d.Unsupported) != len(tc.unsupported) {
				t.Fatalf("unsupported %q, want %d entries", d.Unsupported, len(tc.unsupported))
			}
			for i, u := range tc.unsupported {
				if !strings.Contains(d.Unsupported[i], u) {
					t.Errorf("unsupported[%d] = %q, want it to contain %q", i, d.Unsupported[i], u)
				}
			}
		})
	}
}

func TestCollectDependenciesErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"missing include", map[string]string{"requirements.txt": "-r nope.txt\n"}, "nope.txt"},
		{"include cycle", map[string]string{"requirements.txt": "-r a.txt\n", "a.txt": "-r requirements.txt\n"}, "includes itself"},
		{"bad pyproject", map[string]string{"pyproject.toml": "[project\n"}, "pyproject.toml:1"},
		{"bad environment.yml", map[string]string{"environment.yml": "dependencies: [\n"}, "environment.yml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tc.files)
			_, err := CollectDependencies(dir, "")
			if err == nil || !strings.Contains(err.Error(), tc.want) || errs.KindOf(err) != errs.Usage {
				t.Fatalf("err = %v, want a usage error mentioning %q", err, tc.want)
			}
		})
	}
}

func TestCondaToPip(t *testing.T) {
	for _, tt := range []struct{ spec, line, why string }{
		{"mlflow", "mlflow", ""},
		{"numpy =2.0.2", "numpy==2.0.2.*", ""},
		{"numpy=2.0.2=py311_0", "numpy==2.0.2.*", ""},
		{"numpy 2.0.2 py311_0", "numpy==2.0.2", ""},
		{"numpy==2.0.2", "numpy==2.0.2", ""},
		{"numpy 2.0.*", "numpy==2.0.*", ""},
		{"conda-forge::mlflow >=3.9,<4", "mlflow>=3.9,<4", ""},
		{"keras >=3.13.2, <4", "keras>=3.13.2,<4", ""},
		{"pytorch[build=cuda*]", "torch", ""},
		{"py-opencv *", "opencv-python", ""},
		{"typing_extensions", "typing_extensions", ""},
		{"git >=2.52", "", "has no PyPI counterpart"},
		{"scipy 1.11|1.12", "", "has a version with alternatives (1.11|1.12), which pip cannot express"},
	} {
		line, why := condaToPip(tt.spec)
		if line != tt.line || why != tt.why {
			t.Errorf("condaToPip(%q) = %q, %q; want %q, %q", tt.spec, line, why, tt.line, tt.why)
		}
	}
}

func TestStackProvided(t *testing.T) {
	for name, want := range map[string]bool{
		"python": true, "pip": true, "gaiaflow": true, "apache-airflow": true, "Apache_Airflow": true, "airflow": true,
		"apache-airflow-providers-cncf-kubernetes": true, "apache-airflow-core": true,
		"mlflow": false, "pipx": false, "python-dotenv": false, "airflow-dbt": false,
	} {
		if StackProvided(name) != want {
			t.Errorf("StackProvided(%q) = %v", name, !want)
		}
	}
}

// The original template's projects: every conda or pixi dependency goes
// into task environments (from PyPI here), except what the stack provides
// and git, which PyPI does not have.
func TestOriginalTemplateDependencies(t *testing.T) {
	for _, v := range originaltest.Variants {
		t.Run(v.String(), func(t *testing.T) {
			dir := originaltest.Render(t, filepath.Join(t.TempDir(), originaltest.Package), v)
			d, err := CollectDependencies(dir, project.CondaPyPI)
			if err != nil {
				t.Fatal(err)
			}
			names := map[string]bool{}
			for _, r := range d.Requirements {
				names[requirementName(r)] = true
			}
			want := []string{"mlflow", "python-dotenv", "psycopg2-binary", "asyncpg", "jupyter", "fsspec", "typer", "pytest", "ruff", "isort", "boto3"}
			if v.Examples || v.Manager == "pixi" { // pixi's manifest always has them
				want = append(want, "keras", "tensorflow", "numpy")
			}
			for _, n := range want {
				if !names[n] {
					t.Errorf("%s is not installed: %q", n, d.Requirements)
				}
			}
			for _, n := range []string{"python", "pip", "apache-airflow", "git"} {
				if names[n] {
					t.Errorf("%s is installed: %q", n, d.Requirements)
				}
			}
			notes := strings.Join(d.Notes(), "\n")
			if !strings.Contains(notes, "no PyPI counterpart") || !strings.Contains(notes, ": git") ||
				!strings.Contains(notes, "as the stack provides them: ") || !strings.Contains(notes, "python (") || !strings.Contains(notes, "apache-airflow (") {
				t.Errorf("notes:\n%s", notes)
			}
			// From the channels instead, they are conda packages, python and Airflow left out.
			d, err = CollectDependencies(dir, project.CondaChannels)
			if err != nil || d.Conda == nil || !slices.Equal(d.Conda.Channels, []string{"conda-forge"}) ||
				!slices.ContainsFunc(d.Conda.Specs, func(s string) bool { return strings.HasPrefix(s, "git") }) ||
				slices.ContainsFunc(d.Conda.Specs, func(s string) bool { return StackProvided(condaName(s)) }) {
				t.Errorf("channels: %+v %v", d.Conda, err)
			}
		})
	}
}
