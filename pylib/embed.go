// Package pylib embeds the gaiaflow Python library (the `gaiaflow` package users import in
// their DAGs, and the runner that task images execute) so that the binary carries exactly one
// version of it: FS gives its sources to image builders, WriteWheel packages it for pip, and
// Version names it.
package pylib

import (
	"embed"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"
)

// The all: prefix keeps files whose names start with "_" (__init__.py). It would also keep
// __pycache__ directories that happen to exist at build time; FS filters those out.
//
//go:embed all:src/gaiaflow
var sources embed.FS

//go:embed pyproject.toml
var pyprojectTOML []byte

// PackageName is the distribution and import name of the library.
const PackageName = "gaiaflow"

// Compiled on first use: at start-up it would slow every command, --help included.
var versionPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^__version__\s*=\s*["']([^"']+)["']\s*$`) })

// Version is the library's version, as written in src/gaiaflow/__init__.py.
// It panics only if the embedded file lacks that line, which embed_test.go rules out.
func Version() string {
	data, err := fs.ReadFile(sources, "src/gaiaflow/__init__.py")
	if err != nil {
		panic("pylib: embedded __init__.py missing: " + err.Error())
	}
	m := versionPattern().FindSubmatch(data)
	if m == nil {
		panic("pylib: no __version__ line in src/gaiaflow/__init__.py")
	}
	return string(m[1])
}

// FS returns the package's source tree: a directory "gaiaflow" holding the Python files,
// without bytecode caches or hidden files. Copy it into a build context as is.
func FS() fs.FS {
	sub, err := fs.Sub(sources, "src")
	if err != nil {
		panic("pylib: " + err.Error()) // "src" is a constant, valid path
	}
	return packageFS{sub}
}

// excluded reports whether a path inside the tree is not part of the package.
func excluded(name string) bool {
	if name == "." {
		return false
	}
	for _, part := range strings.Split(name, "/") {
		if part == "__pycache__" || strings.HasPrefix(part, ".") {
			return true
		}
	}
	ext := path.Ext(name)
	return ext == ".pyc" || ext == ".pyo"
}

// packageFS hides what excluded names, both from Open and from directory listings.
type packageFS struct{ fsys fs.FS }

func (p packageFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if excluded(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	f, err := p.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	if dir, ok := f.(fs.ReadDirFile); ok {
		return &filteredDir{ReadDirFile: dir, dir: name}, nil
	}
	return f, nil
}

type filteredDir struct {
	fs.ReadDirFile
	dir     string
	entries []fs.DirEntry
	read    bool
}

func (d *filteredDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.read {
		all, err := d.ReadDirFile.ReadDir(-1)
		if err != nil {
			return nil, err
		}
		for _, e := range all {
			if !excluded(path.Join(d.dir, e.Name())) {
				d.entries = append(d.entries, e)
			}
		}
		d.read = true
	}
	if n <= 0 {
		rest := d.entries
		d.entries = nil
		return rest, nil
	}
	if len(d.entries) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(d.entries))
	batch := d.entries[:n]
	d.entries = d.entries[n:]
	return batch, nil
}
