package pylib

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// python returns the interpreter the tests use: $GAIAFLOW_PYTHON, else python3 on PATH.
// A missing interpreter fails the test: these tests must not skip silently in CI.
func python(t *testing.T) string {
	t.Helper()
	name := os.Getenv("GAIAFLOW_PYTHON")
	if name == "" {
		name = "python3"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("no Python interpreter %q (set GAIAFLOW_PYTHON): %v", name, err)
	}
	return path
}

// cleanEnv is the test's environment without variables that would make Python import
// gaiaflow from somewhere other than the venv under test.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name != "PYTHONPATH" && name != "PYTHONHOME" && name != "PYTHONSTARTUP" {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = cleanEnv(env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// TestWheelInstallsWithPipIntoAFreshVenv writes the wheel, installs it with pip into a new
// virtual environment without any index, and checks what Python then sees.
func TestWheelInstallsWithPipIntoAFreshVenv(t *testing.T) {
	dir := t.TempDir()
	var wheel bytes.Buffer
	filename, err := WriteWheel(&wheel)
	if err != nil {
		t.Fatal(err)
	}
	wheelPath := filepath.Join(dir, filename)
	if err := os.WriteFile(wheelPath, wheel.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	venv := filepath.Join(dir, "venv")
	run(t, nil, python(t), "-m", "venv", venv)
	venvPython := filepath.Join(venv, "bin", "python")
	noBytecode := []string{"PYTHONDONTWRITEBYTECODE=1", "PIP_DISABLE_PIP_VERSION_CHECK=1"}
	run(t, noBytecode, venvPython, "-m", "pip", "install", "--no-deps", "--no-index", wheelPath)

	// What an importing user sees, and what pip recorded about the distribution. The expected
	// requirements come from pyproject.toml read by a real TOML parser (tomllib, or the tomli
	// that pip vendors on Python 3.10), which cross-checks the Go reader of that file.
	script := `
import importlib.metadata as md, importlib.resources as res, json, sys
try:
    import tomllib
except ImportError:
    from pip._vendor import tomli as tomllib
import gaiaflow
with open(sys.argv[1], "rb") as f:
    project = tomllib.load(f)["project"]
expected = list(project.get("dependencies", []))
for name, reqs in project.get("optional-dependencies", {}).items():
    expected += [f'{r}; extra == "{name}"' for r in reqs]
print(json.dumps({
    "version": gaiaflow.__version__,
    "dist_version": md.version("gaiaflow"),
    "requires": md.requires("gaiaflow") or [],
    "expected_requires": expected,
    "requires_python": md.metadata("gaiaflow")["Requires-Python"],
    "expected_requires_python": project["requires-python"],
    "py_typed": res.files("gaiaflow").joinpath("py.typed").is_file(),
    "file": gaiaflow.__file__,
}))
`
	out := run(t, noBytecode, venvPython, "-c", script, "pyproject.toml")
	var got struct {
		Version                string   `json:"version"`
		DistVersion            string   `json:"dist_version"`
		Requires               []string `json:"requires"`
		ExpectedRequires       []string `json:"expected_requires"`
		RequiresPython         string   `json:"requires_python"`
		ExpectedRequiresPython string   `json:"expected_requires_python"`
		PyTyped                bool     `json:"py_typed"`
		File                   string   `json:"file"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("decode %q: %v", out, err)
	}
	if got.Version != Version() || got.DistVersion != Version() {
		t.Errorf("installed version %q (dist %q), want %q", got.Version, got.DistVersion, Version())
	}
	if !strings.HasPrefix(got.File, venv) {
		t.Errorf("gaiaflow imported from %s, not from the venv", got.File)
	}
	if strings.Join(got.Requires, "\n") != strings.Join(got.ExpectedRequires, "\n") {
		t.Errorf("Requires-Dist = %q, want %q", got.Requires, got.ExpectedRequires)
	}
	if got.RequiresPython != got.ExpectedRequiresPython {
		t.Errorf("Requires-Python = %q, want %q", got.RequiresPython, got.ExpectedRequiresPython)
	}
	if !got.PyTyped {
		t.Error("py.typed missing from the installed package")
	}

	// The runner works without Airflow, as in a task image: with no call it explains itself.
	cmd := exec.Command(venvPython, "-m", "gaiaflow.runner")
	cmd.Env = cleanEnv(noBytecode...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 2 {
		t.Fatalf("runner without a call: %v, want exit status 2\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "GAIAFLOW_CALL is not set") {
		t.Errorf("runner stderr = %q", stderr.String())
	}
}
