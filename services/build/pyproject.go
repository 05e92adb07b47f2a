package build

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/pelletier/go-toml/v2"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// pyproject is the part of pyproject.toml that builds read.
type pyproject struct {
	BuildSystem struct {
		Requires []string `toml:"requires"`
	} `toml:"build-system"`
	Project struct {
		Name         string   `toml:"name"`
		Version      string   `toml:"version"`
		Dependencies []string `toml:"dependencies"`
		Dynamic      []string `toml:"dynamic"`
	} `toml:"project"`
	Tool struct {
		Pixi pixiManifest `toml:"pixi"`
	} `toml:"tool"`

	exists bool // false when the project has no pyproject.toml
}

// pixiManifest is the part of a pixi manifest (pixi.toml, or [tool.pixi] in
// pyproject.toml) that builds read: only the default environment.
type pixiManifest struct {
	Dependencies     map[string]any `toml:"dependencies"`
	PypiDependencies map[string]any `toml:"pypi-dependencies"`
	// The channels are in [workspace], or in [project] before pixi 0.40.
	Workspace pixiWorkspace `toml:"workspace"`
	Project   pixiWorkspace `toml:"project"`
}

type pixiWorkspace struct {
	Channels []any `toml:"channels"` // "name", or {channel = "name", priority = n}
}

// channels are the workspace's channels, in order.
func (m *pixiManifest) channels() []string {
	var out []string
	for _, ws := range []pixiWorkspace{m.Workspace, m.Project} {
		for _, c := range ws.Channels {
			switch c := c.(type) {
			case string:
				out = append(out, c)
			case map[string]any:
				if s, ok := c["channel"].(string); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// defaultBuildRequires is what pip assumes when pyproject.toml names no build
// system (PEP 518).
var defaultBuildRequires = []string{"setuptools>=40.8.0"}

// readPyproject reads dir/pyproject.toml; a missing file is not an error.
func readPyproject(dir string) (*pyproject, error) {
	var p pyproject
	data, err := os.ReadFile(filepath.Join(dir, "pyproject.toml"))
	if errors.Is(err, fs.ErrNotExist) {
		return &p, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read pyproject.toml: %w", err)
	}
	if err := toml.Unmarshal(data, &p); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, errs.Usagef("fix pyproject.toml; gaiaflow reads its [project] and [build-system] tables",
				"pyproject.toml:%d:%d: %s", row, col, de.Error())
		}
		return nil, errs.Wrap(errs.Usage, err, "fix pyproject.toml", "read pyproject.toml")
	}
	p.exists = true
	return &p, nil
}

// buildRequires is what building the package needs.
func (p *pyproject) buildRequires() []string {
	if len(p.BuildSystem.Requires) == 0 {
		return defaultBuildRequires
	}
	return p.BuildSystem.Requires
}

// dynamic reports whether a [project] field is computed by the build backend.
func (p *pyproject) dynamic(field string) bool { return slices.Contains(p.Project.Dynamic, field) }
