package scaffold

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
