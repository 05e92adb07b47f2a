package build

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// What a build context always leaves out, whatever .dockerignore says: the
// repository, environments (they are rebuilt in the image and are large),
// the project's data and logs, caches and notebook checkpoints, and .env
// files, which hold credentials that must not end up in an image.
var (
	// alwaysExcludedAnywhere are names left out at any depth.
	alwaysExcludedAnywhere = []string{".git", ".ipynb_checkpoints", "__pycache__", ".env"}
	// alwaysExcludedAtRoot are names left out at the project's root;
	// .gaiaflow is where gaiaflow puts its own files in the context.
	alwaysExcludedAtRoot = []string{"data", "logs", ".pixi", gaiaflowDir}
)

// ContextStats describes a build context for the person: its size and what
// the rules left out.
type ContextStats struct {
	Files    int      `json:"files"`
	Bytes    int64    `json:"bytes"`              // size of the tar sent to the engine
	Excluded []string `json:"excluded,omitempty"` // paths the always-excluded rules left out
	Ignored  int      `json:"ignored"`            // paths .dockerignore left out
}

// tarContext is a build context being written in memory.
type tarContext struct {
	buf   bytes.Buffer
	tw    *tar.Writer
	stats ContextStats
	dirs  map[string]bool
}

func newTarContext() *tarContext {
	c := &tarContext{dirs: map[string]bool{}}
	c.tw = tar.NewWriter(&c.buf)
	return c
}

// fixedTime is the modification time of generated files. The engine's cache
// ignores times; a fixed one keeps the context reproducible.
var fixedTime = time.Unix(0, 0).UTC()

// parents adds the directory entries above name that are not there yet.
func (c *tarContext) parents(name string) error {
	dir := path.Dir(name)
	if dir == "." || c.dirs[dir] {
		return nil
	}
	if err := c.parents(dir); err != nil {
		return err
	}
	c.dirs[dir] = true
	return c.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, ModTime: fixedTime})
}

// addFile adds a generated file.
func (c *tarContext) addFile(name string, data []byte, mode int64) error {
	if err := c.parents(name); err != nil {
		return err
	}
	if err := c.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: fixedTime}); err != nil {
		return err
	}
	_, err := c.tw.Write(data)
	c.stats.Files++
	return err
}

// finish closes the tar and returns it with its stats.
func (c *tarContext) finish() ([]byte, ContextStats, error) {
	if err := c.tw.Close(); err != nil {
		return nil, ContextStats{}, fmt.Errorf("write build context: %w", err)
	}
	c.stats.Bytes = int64(c.buf.Len())
	return c.buf.Bytes(), c.stats, nil
}

// projectFilter decides which of the project's files go into the context.
type projectFilter struct {
	root string
	pm   *patternmatcher.PatternMatcher // nil without .dockerignore
}

// newProjectFilter reads the project's .dockerignore, if any.
func newProjectFilter(root string) (*projectFilter, error) {
	f := &projectFilter{root: root}
	file, err := os.Open(filepath.Join(root, ".dockerignore"))
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read .dockerignore: %w", err)
	}
	defer file.Close()
	patterns, err := ignorefile.ReadAll(file)
	if err != nil {
		return nil, fmt.Errorf("read .dockerignore: %w", err)
	}
	if len(patterns) == 0 {
		return f, nil
	}
	f.pm, err = patternmatcher.New(patterns)
	if err != nil {
		return nil, fmt.Errorf("read .dockerignore: %w", err)
	}
	return f, nil
}

// alwaysExcluded reports whether rel (slash-separated, relative to the root)
// is left out whatever .dockerignore says.
func (f *projectFilter) alwaysExcluded(rel string, d fs.DirEntry) bool {
	base := path.Base(rel)
	for _, n := range alwaysExcludedAnywhere {
		if base == n {
			return true
		}
	}
	if !strings.Contains(rel, "/") {
		for _, n := range alwaysExcludedAtRoot {
			if base == n {
				return true
			}
		}
	}
	if d.IsDir() {
		abs := filepath.Join(f.root, filepath.FromSlash(rel))
		// A virtual environment (venv, virtualenv, uv) or a conda environment,
		// whatever its name.
		if exists(filepath.Join(abs, "pyvenv.cfg")) || exists(filepath.Join(abs, "conda-meta")) {
			return true
		}
	}
	return false
}

// ignored applies .dockerignore. For a directory, descend reports whether a
// "!" pattern may bring back something below it, so the walk must go on.
func (f *projectFilter) ignored(rel string, isDir bool) (ignored, descend bool, err error) {
	if f.pm == nil {
		return false, true, nil
	}
	ignored, err = f.pm.MatchesOrParentMatches(rel)
	if err != nil || !ignored || !isDir {
		return ignored, !ignored, err
	}
	if !f.pm.Exclusions() {
		return true, false, nil
	}
	prefix := rel + "/"
	for _, p := range f.pm.Patterns() {
		if !p.Exclusion() {
			continue
		}
		s := p.String()
		// A pattern below the directory, or one with a wildcard that may
		// match below it: the walk must go on.
		if strings.HasPrefix(s+"/", prefix) || strings.ContainsAny(s, "*?[") {
			return true, true, nil
		}
	}
	return true, false, nil
}

// addProject walks the project and adds what the rules keep under prefix
// ("" for the context's root). keep, when set, names files that go in even
// when .dockerignore leaves them out (the Dockerfile, as the docker CLI does).
func (c *tarContext) addProject(f *projectFilter, prefix string, keep ...string) error {
	return filepath.WalkDir(f.root, func(abs string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read the project: %w", err)
		}
		if abs == f.root {
			return nil
		}
		relOS, err := filepath.Rel(f.root, abs)
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(relOS)
		if f.alwaysExcluded(rel, d) {
			c.stats.Excluded = append(c.stats.Excluded, rel)
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		ign, descend, err := f.ignored(rel, d.IsDir())
		if err != nil {
			return fmt.Errorf("apply .dockerignore to %s: %w", rel, err)
		}
		for _, k := range keep {
			if rel == k {
				ign = false
			}
		}
		if ign {
			c.stats.Ignored++
			if d.IsDir() && !descend {
				return filepath.SkipDir
			}
			return nil
		}
		return c.addFromDisk(abs, path.Join(prefix, rel), d)
	})
}

// addFromDisk adds one file, directory or symbolic link of the project.
func (c *tarContext) addFromDisk(abs, name string, d fs.DirEntry) error {
	info, err := d.Info()
	if err != nil {
		return fmt.Errorf("read %s: %w", abs, err)
	}
	if err := c.parents(name); err != nil {
		return err
	}
	// Owners and user names are left out: they do not belong in an image and
	// would make the engine's cache depend on who builds.
	h := &tar.Header{Name: name, Mode: tarMode(info.Mode()), ModTime: info.ModTime().Truncate(time.Second)}
	switch {
	case info.IsDir():
		h.Typeflag, h.Name = tar.TypeDir, name+"/"
		c.dirs[name] = true
		return c.tw.WriteHeader(h)
	case info.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(abs)
		if err != nil {
			return fmt.Errorf("read link %s: %w", abs, err)
		}
		h.Typeflag, h.Linkname = tar.TypeSymlink, target
		c.stats.Files++
		return c.tw.WriteHeader(h)
	case info.Mode().IsRegular():
		file, err := os.Open(abs)
		if err != nil {
			return fmt.Errorf("read %s: %w", abs, err)
		}
		defer file.Close()
		h.Typeflag, h.Size = tar.TypeReg, info.Size()
		if err := c.tw.WriteHeader(h); err != nil {
			return err
		}
		if n, err := io.CopyN(c.tw, file, h.Size); err != nil {
			return fmt.Errorf("read %s (%d of %d bytes; did it change during the build?): %w", abs, n, h.Size, err)
		}
		c.stats.Files++
		return nil
	}
	return nil // sockets, pipes and devices have no place in an image
}

// tarMode is a file's permission bits in the context. Windows has no
// execute bit, so there every file is made executable and not writable by
// others, as the docker CLI does.
func tarMode(m fs.FileMode) int64 {
	perm := int64(m.Perm())
	if runtime.GOOS == "windows" {
		perm = perm&0o755 | 0o111
	}
	return perm
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
