package stack

import (
	"os"
	"path/filepath"
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
	// Data is <project>/data, where the original template keeps local data.
	Data string
	// Owner is the project folder's owner as "uid:gid" ("" where it cannot
	// be read): JupyterLab runs as it, so notebooks it saves are the
	// owner's, whatever the image's own user is.
	Owner string
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
	if p := filepath.Join(dir, "data"); isDir(p) {
		l.Data = p
	}
	l.Owner = fileOwner(dir)
	return l, nil
}
