package buildtest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Dependency is the project's one dependency: small, pure Python, pinned.
const Dependency = "six==1.17.0"

// WriteProject writes a small gaiaflow project in the scaffold's src layout
// into dir: package "demo" with functions for tasks to call.
func WriteProject(t testing.TB, dir, baseImage string) {
	t.Helper()
	files := map[string]string{
		"gaiaflow.toml": fmt.Sprintf("name = \"demo\"\npackage = \"demo\"\n\n[build]\nbase_image = %q\n", baseImage),
		"pyproject.toml": fmt.Sprintf(`[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = [%q]
`, Dependency),
		"src/demo/__init__.py": `"""A package whose functions DAG tasks call."""
from demo.tasks import add, describe

__all__ = ["add", "describe"]
`,
		"src/demo/tasks.py": `import six


def add(a, b):
    return {"sum": a + b}


def describe(name, params=None):
    return {"name": name, "six": six.__version__, "params": params}
`,
		"dags/demo_dag.py":                           "# create_task(...) calls go here\n",
		"data/raw.csv":                               "a,b\n1,2\n",
		"logs/scheduler.log":                         "old log\n",
		"notebooks/explore.ipynb":                    "{}\n",
		"notebooks/.ipynb_checkpoints/explore.ipynb": "{}\n",
		".venv/pyvenv.cfg":                           "home = /usr/bin\n",
		".env":                                       "AWS_SECRET_ACCESS_KEY=not-for-images\n",
		".dockerignore":                              "notebooks/\n*.md\n",
		"README.md":                                  "# demo\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
