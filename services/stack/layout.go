package stack

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	toml "github.com/pelletier/go-toml/v2"
)

// Layout is what the stack mounts from a project, found on disk. Only paths
// that exist are mounted: a missing bind source would make the engine create
// it, owned by root, inside the user's project.
type Layout struct {
	Dags    string // <project>/dags
	Plugins string // <project>/plugins
	Package string // <project>/src/<package> or <project>/<package>
	// SrcLayout says the package lives under src/.
	SrcLayout bool
	// Requirements are pyproject.toml's [project] dependencies, installed
	// into JupyterLab.
	Requirements []string
}

// ReadLayout looks at a project directory. It only reads.
func ReadLayout(dir, pkg string) (Layout, error) {
	var l Layout
	isDir := func(p string) bool {
		st, err := os.Stat(p)
		return err == nil && st.IsDir()
	}
	if p := filepath.Join(dir, "dags"); isDir(p) {
		l.Dags = p
	}
	if p := filepath.Join(dir, "plugins"); isDir(p) {
		l.Plugins = p
	}
	if p := filepath.Join(dir, "src", pkg); isDir(p) {
		l.Package, l.SrcLayout = p, true
	} else if p := filepath.Join(dir, pkg); isDir(p) {
		l.Package = p
	}
	data, err := os.ReadFile(filepath.Join(dir, "pyproject.toml"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return l, fmt.Errorf("read pyproject.toml: %w", err)
	default:
		var py struct {
			Project struct {
				Dependencies []string `toml:"dependencies"`
			} `toml:"project"`
		}
		if err := toml.Unmarshal(data, &py); err != nil {
			return l, fmt.Errorf("read pyproject.toml: %w", err)
		}
		l.Requirements = py.Project.Dependencies
	}
	return l, nil
}
