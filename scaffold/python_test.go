package scaffold

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	toml "github.com/pelletier/go-toml/v2"
	"go.yaml.in/yaml/v3"

	"github.com/gaiaflow/gaiaflow/pylib"
	"github.com/gaiaflow/gaiaflow/services/testenv"
)

// requireOrSkip fails the test when the requirement is enforced (CI sets
// GAIAFLOW_REQUIRE_AIRFLOW=1) and skips it elsewhere.
func requireOrSkip(t *testing.T, what string) {
	t.Helper()
	switch strings.ToLower(os.Getenv("GAIAFLOW_REQUIRE_AIRFLOW")) {
	case "1", "true", "yes":
		t.Fatalf("%s is required here (GAIAFLOW_REQUIRE_AIRFLOW=1) but is not available", what)
	}
	t.Skipf("skipping: %s is not available (set GAIAFLOW_REQUIRE_AIRFLOW=1 to make this a failure)", what)
}

// pylibSrc returns the source folder of gaiaflow's Python library: pylib/src
// in this repository, or GAIAFLOW_PYLIB_SRC.
func pylibSrc(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("GAIAFLOW_PYLIB_SRC")
	if dir == "" {
		dir = filepath.Join("..", "pylib", "src")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(abs, "gaiaflow", "core", "create_task.py")); err != nil {
		requireOrSkip(t, "gaiaflow's Python library at "+abs)
	}
	return abs
}

// generate writes the project of combination c into a new temporary folder.
func generate(t *testing.T, c combo) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "demo")
	if _, err := Generate(dir, answersFor(c), Options{}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func runPython(t *testing.T, dir string, env []string, timeout time.Duration, py string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, args...)
	cmd.Dir = dir
	cmd.Env = append(stackFree(os.Environ()), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
}

// stackFree drops the variables a gaiaflow stack would set: no stack runs
// here, and nothing may reach for one.
func stackFree(environ []string) []string {
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "MLFLOW_") || strings.HasPrefix(name, "AWS_") || strings.HasPrefix(name, "GAIAFLOW_") || name == "PYTHONPATH" {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// compileAll compiles every .py file and every notebook code cell under dir.
const compileAll = `
import json, pathlib, sys
root = pathlib.Path(sys.argv[1])
count = 0
for path in sorted(root.rglob("*.py")):
    compile(path.read_text(), str(path), "exec")
    count += 1
for path in sorted(root.rglob("*.ipynb")):
    for i, cell in enumerate(json.loads(path.read_text())["cells"]):
        if cell["cell_type"] == "code":
            compile("".join(cell["source"]), f"{path}[{i}]", "exec")
            count += 1
print(count, "compiled")
`

// Every generated Python file and notebook cell compiles, with the oldest
// Python a project may choose as well as the newest.
func TestGeneratedPythonCompiles(t *testing.T) {
	py := testenv.Python(t)
	for _, c := range combos() {
		dir := generate(t, c)
		runPython(t, dir, nil, time.Minute, py, "-c", compileAll, dir)
	}
}

// TestGeneratedProjectChecksRealAirflow runs each generated project's own CI
// checks (ruff, then pytest with its DAG-integrity test, unit tests and
// dag.test() runs) in the Airflow virtual environment, with gaiaflow's
// library from pylib/src. PYTHONPATH stands in for installing the project
// and the library, which the project's CI does with its environment manager.
func TestGeneratedProjectChecksRealAirflow(t *testing.T) {
	testenv.Airflow(t)
	py := testenv.Python(t)
	lib := pylibSrc(t)
	probe := exec.Command(py, "-c", "import sklearn, mlflow, skops, pandas, boto3, pytest, ruff")
	if out, err := probe.CombinedOutput(); err != nil {
		requireOrSkip(t, "the example pipeline's packages (see .ci/requirements.txt) in "+py+": "+strings.TrimSpace(string(out)))
	}
	// Two projects at a time: each run is CPU-bound (Airflow, MLflow and
	// scikit-learn start in every task's interpreter).
	slots := make(chan struct{}, 2)
	for _, c := range combos() {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			slots <- struct{}{}
			defer func() { <-slots }()
			dir := generate(t, c)
			env := []string{
				"PYTHONPATH=" + strings.Join([]string{filepath.Join(dir, "src"), lib}, string(os.PathListSeparator)),
				"PYTHONDONTWRITEBYTECODE=1",
			}
			for _, check := range Checks {
				// Exactly the CI's command, with this interpreter for "python".
				runPython(t, dir, env, 8*time.Minute, py, check.Args[1:]...)
			}
		})
	}
}

// TestGeneratedProjectEnvironmentOfflineRealAirflow sets up each
// environment manager's project (without examples) the way its README
// says, offline, and checks that the environment has gaiaflow's library
// and passes the DAG-integrity test. What runs, per manager:
//   - uv: the README's pip route, `pip install -e ".[dev]" ./vendor/<wheel>`
//     (uv itself is not installed here; [tool.uv.sources] names the same
//     wheel and is checked to);
//   - conda: the pip: list of environment.yml, run by pip from the project
//     folder as `conda env create` runs it (conda itself cannot run here:
//     no channel is reachable);
//   - pixi: the pypi-dependencies of [tool.pixi] with the dev feature, as
//     pip requirements (pixi itself is not installed here).
//
// pip runs with --no-index and --no-deps: the library and the project come
// from the project's own files, with no download, and the third-party
// dependencies (Airflow, pytest, ...) from the test's Airflow venv, which the
// environment sees through a .pth file. For a user PyPI installs those.
func TestGeneratedProjectEnvironmentOfflineRealAirflow(t *testing.T) {
	testenv.Airflow(t)
	py := testenv.Python(t)
	site, err := exec.Command(py, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").Output()
	if err != nil {
		t.Fatal(err)
	}
	version, err := exec.Command(py, "-c", "import sys; print('%d.%d' % sys.version_info[:2])").Output()
	if err != nil {
		t.Fatal(err)
	}
	wheel := VendorDir + "/" + pylib.WheelFilename()
	for _, manager := range []string{"uv", "conda", "pixi"} {
		t.Run(manager, func(t *testing.T) {
			// The project's Python is the test's, as a user picks theirs.
			a := answersFor(combo{manager: manager})
			a.Python = strings.TrimSpace(string(version))
			dir := filepath.Join(t.TempDir(), "demo")
			if _, err := Generate(dir, a, Options{}); err != nil {
				t.Fatal(err)
			}
			readme := string(mustRead(t, filepath.Join(dir, "README.md")))
			var pipArgs []string
			switch manager {
			case "uv":
				cmd := `pip install -e ".[dev]" ./` + wheel
				if !strings.Contains(readme, cmd) {
					t.Fatalf("README does not give %q", cmd)
				}
				var py struct {
					Tool struct {
						UV struct {
							Sources map[string]map[string]string `toml:"sources"`
						} `toml:"uv"`
					} `toml:"tool"`
				}
				if err := toml.Unmarshal(mustRead(t, filepath.Join(dir, "pyproject.toml")), &py); err != nil || py.Tool.UV.Sources["gaiaflow"]["path"] != wheel {
					t.Errorf("[tool.uv.sources] gaiaflow = %v (%v)", py.Tool.UV.Sources, err)
				}
				pipArgs = []string{"-e", ".[dev]", "./" + wheel}
			case "conda":
				var env struct {
					Dependencies []any `yaml:"dependencies"`
				}
				if err := yaml.Unmarshal(mustRead(t, filepath.Join(dir, "environment.yml")), &env); err != nil {
					t.Fatal(err)
				}
				for _, d := range env.Dependencies {
					if m, ok := d.(map[string]any); ok {
						for _, line := range m["pip"].([]any) {
							pipArgs = append(pipArgs, strings.Fields(line.(string))...)
						}
					}
				}
			case "pixi":
				var py struct {
					Tool struct {
						Pixi struct {
							Pypi map[string]map[string]any `toml:"pypi-dependencies"`
						} `toml:"pixi"`
					} `toml:"tool"`
				}
				if err := toml.Unmarshal(mustRead(t, filepath.Join(dir, "pyproject.toml")), &py); err != nil {
					t.Fatal(err)
				}
				for _, spec := range py.Tool.Pixi.Pypi {
					path := spec["path"].(string)
					if spec["editable"] == true {
						pipArgs = append(pipArgs, "-e", path+"[dev]") // the default environment has the dev feature
					} else {
						pipArgs = append(pipArgs, "./"+path)
					}
				}
			}
			if !slices.Contains(pipArgs, "./"+wheel) {
				t.Fatalf("%s does not install the vendored library: %v", manager, pipArgs)
			}
			env := filepath.Join(t.TempDir(), "env")
			runPython(t, dir, nil, 2*time.Minute, py, "-m", "venv", env)
			envPy := filepath.Join(env, "bin", "python")
			out, err := exec.Command(envPy, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").Output()
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(strings.TrimSpace(string(out)), "airflow-venv.pth"), site, 0o644); err != nil {
				t.Fatal(err)
			}
			install := append([]string{"-m", "pip", "install", "--no-index", "--no-deps", "--no-build-isolation", "--disable-pip-version-check"}, pipArgs...)
			runPython(t, dir, nil, 3*time.Minute, envPy, install...)
			// The environment alone: no PYTHONPATH, gaiaflow's library from the wheel.
			runPython(t, dir, []string{"PYTHONDONTWRITEBYTECODE=1"}, time.Minute, envPy, "-c",
				"import gaiaflow, demo; assert gaiaflow.__version__ == "+strconv.Quote(pylib.Version())+" and gaiaflow.__file__.startswith("+
					strconv.Quote(env)+"), gaiaflow.__file__")
			runPython(t, dir, []string{"PYTHONDONTWRITEBYTECODE=1"}, 5*time.Minute, envPy, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_dag_integrity.py")
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
