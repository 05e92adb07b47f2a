package pylib

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/testenv"
)

func mkdirs(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func touch(t *testing.T, path, body string) {
	t.Helper()
	mkdirs(t, filepath.Dir(path))
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestFindEnvironment(t *testing.T) {
	home := t.TempDir()
	dir := t.TempDir()
	vars := map[string]string{"HOME": home}

	_, err := FindEnvironment(dir, envOf(vars))
	if errs.KindOf(err) != errs.Usage || !strings.Contains(err.Error(), "no environment of the project was found") {
		t.Fatalf("nothing: %v", err)
	}
	// The original template's conda environment, where conda keeps it.
	touch(t, filepath.Join(dir, "environment.yml"), "# env\nname: my_package\nchannels: [conda-forge]\n")
	mkdirs(t, filepath.Join(home, "miniforge3", "envs", "my_package", "conda-meta"))
	env, err := FindEnvironment(dir, envOf(vars))
	if err != nil || env.Kind != "conda" || env.Python != filepath.Join(home, "miniforge3", "envs", "my_package", "bin", "python") {
		t.Errorf("conda: %+v %v", env, err)
	}
	// pixi's comes before it, a .venv before both.
	mkdirs(t, filepath.Join(dir, ".pixi", "envs", "default", "conda-meta"))
	if env, _ := FindEnvironment(dir, envOf(vars)); env.Kind != "pixi" || env.Where != ".pixi/envs/default" {
		t.Errorf("pixi: %+v", env)
	}
	touch(t, filepath.Join(dir, ".venv", "pyvenv.cfg"), "home = /usr/bin\n")
	if env, _ := FindEnvironment(dir, envOf(vars)); env.Kind != "venv" || env.Python != filepath.Join(dir, ".venv", "bin", "python") {
		t.Errorf("venv: %+v", env)
	}
	// An active environment when the project has none of its own; conda's base never.
	other := t.TempDir()
	mkdirs(t, filepath.Join(other, "conda-meta"))
	for _, tt := range []struct {
		vars map[string]string
		kind string
	}{
		{map[string]string{"VIRTUAL_ENV": other}, "venv"},
		{map[string]string{"CONDA_PREFIX": other, "CONDA_DEFAULT_ENV": "work"}, "conda"},
		{map[string]string{"CONDA_PREFIX": other, "CONDA_DEFAULT_ENV": "base"}, ""},
	} {
		env, err := FindEnvironment(t.TempDir(), envOf(tt.vars))
		if env.Kind != tt.kind || (tt.kind == "") != (err != nil) {
			t.Errorf("%v: %+v %v", tt.vars, env, err)
		}
	}
}

// TestRealPythonInstallWheelOffline installs the bundled wheel, with no
// index, into real environments laid out as each manager lays them out: a
// venv (uv's and pip's .venv), one at pixi's place (.pixi/envs/default with
// conda-meta/), and one where conda keeps the environment environment.yml
// names. They are venvs of the test's Python, not environments made by
// pixi or conda, which do not run here: this proves the finding and the
// installing, not those tools.
func TestRealPythonInstallWheelOffline(t *testing.T) {
	py := testenv.Python(t)
	home := t.TempDir()
	wheel := filepath.Join(t.TempDir(), WheelFilename())
	var buf bytes.Buffer
	if _, err := WriteWheel(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wheel, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	venv := func(t *testing.T, path string, args ...string) {
		t.Helper()
		if out, err := exec.Command(py, append([]string{"-m", "venv"}, append(args, path)...)...).CombinedOutput(); err != nil {
			t.Fatalf("venv %s: %v\n%s", path, err, out)
		}
	}
	for _, tt := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		kind  string
	}{
		{"venv", func(t *testing.T, dir string) { venv(t, filepath.Join(dir, ".venv")) }, "venv"},
		{"pixi", func(t *testing.T, dir string) {
			p := filepath.Join(dir, ".pixi", "envs", "default")
			venv(t, p)
			mkdirs(t, filepath.Join(p, "conda-meta"))
		}, "pixi"},
		{"conda", func(t *testing.T, dir string) {
			touch(t, filepath.Join(dir, "environment.yml"), "name: my_package\n")
			p := filepath.Join(home, ".conda", "envs", "my_package")
			venv(t, p)
			mkdirs(t, filepath.Join(p, "conda-meta"))
		}, "conda"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			env, err := FindEnvironment(dir, envOf(map[string]string{"HOME": home}))
			if err != nil || env.Kind != tt.kind {
				t.Fatalf("%+v %v", env, err)
			}
			tool, err := InstallWheel(context.Background(), env.Python, wheel)
			if err != nil || tool != "pip" {
				t.Fatalf("install: %q %v", tool, err)
			}
			out, err := exec.Command(env.Python, "-c", "import gaiaflow, gaiaflow.core.create_task; print(gaiaflow.__version__)").CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != Version() {
				t.Errorf("import: %v\n%s", err, out)
			}
			// Installing again (a newer binary's wheel, say) replaces it.
			if _, err := InstallWheel(context.Background(), env.Python, wheel); err != nil {
				t.Errorf("again: %v", err)
			}
		})
	}
	// An environment without pip (as uv makes them) needs uv.
	bare := filepath.Join(t.TempDir(), "bare")
	venv(t, bare, "--without-pip")
	if _, err := exec.LookPath("uv"); err != nil {
		_, err := InstallWheel(context.Background(), filepath.Join(bare, "bin", "python"), wheel)
		if err == nil || !strings.Contains(err.Error(), "has no pip, and uv is not on PATH") {
			t.Errorf("no pip, no uv: %v", err)
		}
	}
}
