package pylib

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// Environment is a Python environment of a project: where its interpreter
// is, and what made it.
type Environment struct {
	Python string `json:"python"`
	Kind   string `json:"kind"`  // venv, pixi, conda or python (given with --python)
	Where  string `json:"where"` // how it was found
}

// Compiled on first use: at start-up it would slow every command, --help included.
var envNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^name:\s*["']?([^"'\s#]+)`) })

// FindEnvironment finds the environment of the project in dir, the first of:
// its .venv (uv, pip), its pixi environment (.pixi/envs/default), the conda
// environment its environment.yml names (in the places conda, mamba and
// micromamba keep environments), then the active virtual or conda
// environment (not conda's base). getenv reads the environment.
func FindEnvironment(dir string, getenv func(string) string) (Environment, error) {
	python := func(prefix string) string {
		if runtime.GOOS == "windows" {
			return filepath.Join(prefix, "python.exe")
		}
		return filepath.Join(prefix, "bin", "python")
	}
	if runtime.GOOS == "windows" {
		// A venv keeps its interpreter in Scripts\ there.
		if p := filepath.Join(dir, ".venv", "Scripts", "python.exe"); exists(p) {
			return Environment{Python: p, Kind: "venv", Where: ".venv"}, nil
		}
	}
	if exists(filepath.Join(dir, ".venv", "pyvenv.cfg")) {
		return Environment{Python: python(filepath.Join(dir, ".venv")), Kind: "venv", Where: ".venv"}, nil
	}
	if p := filepath.Join(dir, ".pixi", "envs", "default"); exists(filepath.Join(p, "conda-meta")) {
		return Environment{Python: python(p), Kind: "pixi", Where: ".pixi/envs/default"}, nil
	}
	var looked []string
	if name := condaEnvName(dir); name != "" {
		for _, root := range condaEnvRoots(getenv) {
			p := filepath.Join(root, name)
			if exists(filepath.Join(p, "conda-meta")) {
				return Environment{Python: python(p), Kind: "conda", Where: "the conda environment " + name + " (" + p + ")"}, nil
			}
		}
		looked = append(looked, "the conda environment "+name+" that environment.yml names")
	}
	if v := getenv("VIRTUAL_ENV"); v != "" && exists(v) {
		return Environment{Python: python(v), Kind: "venv", Where: "the active virtual environment " + v}, nil
	}
	if v := getenv("CONDA_PREFIX"); v != "" && getenv("CONDA_DEFAULT_ENV") != "base" && exists(filepath.Join(v, "conda-meta")) {
		return Environment{Python: python(v), Kind: "conda", Where: "the active conda environment " + v}, nil
	}
	looked = append([]string{".venv", ".pixi/envs/default"}, looked...)
	return Environment{}, errs.Usagef("create it as the project's README says (uv sync, pixi install, conda env create), or pass --python with its interpreter",
		"no environment of the project was found: looked for %s, and for an active one", strings.Join(looked, ", "))
}

// condaEnvName is the name environment.yml gives its environment.
func condaEnvName(dir string) string {
	for _, file := range []string{"environment.yml", "environment.yaml"} {
		f, err := os.Open(filepath.Join(dir, file))
		if err != nil {
			continue
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if m := envNameRE().FindStringSubmatch(sc.Text()); m != nil {
				return m[1]
			}
		}
	}
	return ""
}

// condaEnvRoots are the folders conda, mamba and micromamba keep named
// environments in, the configured ones first.
func condaEnvRoots(getenv func(string) string) []string {
	var roots []string
	add := func(p string) {
		if p != "" {
			roots = append(roots, p)
		}
	}
	if v := getenv("CONDA_PREFIX"); v != "" && filepath.Base(filepath.Dir(v)) == "envs" {
		add(filepath.Dir(v))
	}
	if v := getenv("CONDA_EXE"); v != "" { // <root>/bin/conda
		add(filepath.Join(filepath.Dir(filepath.Dir(v)), "envs"))
	}
	if v := getenv("MAMBA_ROOT_PREFIX"); v != "" {
		add(filepath.Join(v, "envs"))
	}
	if home := getenv("HOME"); home != "" {
		for _, d := range []string{".conda", "miniforge3", "mambaforge", "miniconda3", "anaconda3", "micromamba", ".local/share/mamba"} {
			add(filepath.Join(home, d, "envs"))
		}
	}
	return roots
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// InstallWheel installs the wheel at path into the environment of python,
// without its dependencies (it has none) and without an index: with the
// environment's pip, else with uv (environments uv makes have no pip).
func InstallWheel(ctx context.Context, python, path string) (string, error) {
	if !exists(python) {
		return "", errs.Usagef("pass --python with the interpreter of the project's environment", "%s does not exist", python)
	}
	run := func(name string, args ...string) (string, error) {
		var out bytes.Buffer
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	if _, err := run(python, "-m", "pip", "--version"); err == nil {
		out, err := run(python, "-m", "pip", "install", "--no-deps", "--no-index", "--force-reinstall",
			"--disable-pip-version-check", path)
		if err != nil {
			return "", errs.Wrap(errs.Failure, errors.New(lastLine(out)), installYourself, "pip install %s", filepath.Base(path))
		}
		return "pip", nil
	}
	uv, err := exec.LookPath("uv")
	if err != nil {
		return "", errs.Failf("install pip into it, or install uv (gaiaflow then uses `uv pip install`)",
			"the environment of %s has no pip, and uv is not on PATH", python)
	}
	out, err := run(uv, "pip", "install", "--python", python, "--no-deps", "--offline", "--reinstall", path)
	if err != nil {
		return "", errs.Wrap(errs.Failure, errors.New(lastLine(out)), installYourself, "uv pip install %s", filepath.Base(path))
	}
	return "uv", nil
}

const installYourself = "install the wheel `gaiaflow library wheel` writes with the environment's own tools to see their whole output"

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
