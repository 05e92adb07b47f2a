package project

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// ErrNotFound means no gaiaflow.toml was found.
var ErrNotFound = errors.New("no gaiaflow project found")

// Project is an opened project: its root, settings and identity.
type Project struct {
	Dir    string // absolute path of the project root
	Config *Config
}

// ID is the project's identity on this machine: its name plus a short hash of
// its absolute path, so two projects with the same name never share
// containers, volumes or state.
func (p *Project) ID() string { return ID(p.Config.Name, p.Dir) }

// ID builds a project id from a name and an absolute directory.
func ID(name, absDir string) string {
	sum := sha256.Sum256([]byte(filepath.Clean(absDir)))
	return name + "-" + hex.EncodeToString(sum[:])[:8]
}

// Find returns the directory holding gaiaflow.toml: start itself when
// explicit is true, else the nearest of start and its parents.
func Find(start string, explicit bool) (string, error) {
	abs, err := filepath.Abs(start)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", start, err)
	}
	if explicit {
		st, err := os.Stat(abs)
		if err != nil {
			return "", errs.Wrap(errs.Usage, err, "pass -p the directory of a gaiaflow project", "project path %s", start)
		}
		if !st.IsDir() {
			return "", errs.Usagef("pass -p the directory of a gaiaflow project", "project path %s is not a directory", start)
		}
		if _, err := os.Stat(filepath.Join(abs, FileName)); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return "", errs.Wrap(errs.Usage, ErrNotFound, "create one with `gaiaflow init "+start+"`, or adopt an existing one with `gaiaflow init --adopt "+start+"`", "%s has no %s", start, FileName)
			}
			return "", fmt.Errorf("read %s: %w", FileName, err)
		}
		return abs, nil
	}
	for dir := abs; ; {
		if _, err := os.Stat(filepath.Join(dir, FileName)); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errs.Wrap(errs.Usage, ErrNotFound, "run it inside a project, pass -p DIR, or create one with `gaiaflow init`", "no %s in %s or any parent directory", FileName, abs)
		}
		dir = parent
	}
}

// Open finds and loads the project at or above start (see Find).
func Open(start string, explicit bool) (*Project, error) {
	dir, err := Find(start, explicit)
	if err != nil {
		return nil, err
	}
	cfg, err := Load(dir)
	if err != nil {
		return nil, err
	}
	return &Project{Dir: dir, Config: cfg}, nil
}
