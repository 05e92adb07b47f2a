// Package config reads the user's preferences for the terminal face from
// $XDG_CONFIG_HOME/gaiaflow/config.toml (else ~/.config/gaiaflow/config.toml):
// the theme, mouse support and key remapping. A missing file means defaults;
// a bad one is an error naming file:line:col, like gaiaflow.toml's.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	toml "github.com/pelletier/go-toml/v2"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/theme"
)

// Config is the user's preferences, resolved.
type Config struct {
	// File is where they were read from ("" when there was no file).
	File   string
	Theme  theme.Name
	Mouse  bool
	Keymap *keys.Keymap
}

type fileConfig struct {
	Theme string         `toml:"theme"`
	Mouse *bool          `toml:"mouse"`
	Keys  map[string]any `toml:"keys"`
}

// Path returns the preferences file's path.
func Path(getenv func(string) string) (string, error) {
	if d := getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "gaiaflow", "config.toml"), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("find the config directory: %w", err)
		}
	}
	return filepath.Join(home, ".config", "gaiaflow", "config.toml"), nil
}

// Load reads the preferences file; readOnly is --read-only, applied to the keymap.
func Load(getenv func(string) string, readOnly bool) (*Config, error) {
	path, err := Path(getenv)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{Theme: theme.Auto, Mouse: true, Keymap: keys.Default(readOnly)}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read preferences: %w", err)
	}
	c, err := Decode(path, data, readOnly)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Decode parses a preferences file strictly.
func Decode(file string, data []byte, readOnly bool) (*Config, error) {
	var fc fileConfig
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		return nil, invalid(file, project.DecodeProblems(file, err, "use theme, mouse or [keys]"))
	}
	pos := project.KeyPositions(data, "\x00")
	var problems []project.Problem
	at := func(key string, msg string) {
		p := project.Problem{File: file, Message: msg}
		if ps, ok := pos[key]; ok {
			p.Line, p.Column = ps.Line, ps.Column
		}
		problems = append(problems, p)
	}
	c := &Config{File: file, Theme: theme.Auto, Mouse: true}
	if fc.Theme != "" {
		n, err := theme.Parse(fc.Theme)
		if err != nil {
			at("theme", err.Error())
		}
		c.Theme = n
	}
	if fc.Mouse != nil {
		c.Mouse = *fc.Mouse
	}
	over := map[keys.Action][]string{}
	for name, v := range fc.Keys {
		switch v := v.(type) {
		case string:
			over[keys.Action(name)] = []string{v}
		case []any:
			list := []string{}
			ok := true
			for _, x := range v {
				s, isStr := x.(string)
				if !isStr {
					ok = false
					break
				}
				list = append(list, s)
			}
			if !ok {
				at("keys\x00"+name, fmt.Sprintf("keys.%q: use a key or a list of keys, as strings", name))
				continue
			}
			over[keys.Action(name)] = list
		default:
			at("keys\x00"+name, fmt.Sprintf("keys.%q: use a key or a list of keys, as strings", name))
		}
	}
	km, err := keys.New(over, readOnly)
	var kerr *keys.Error
	if errors.As(err, &kerr) {
		for _, p := range kerr.Problems {
			at("keys\x00"+string(p.Action), fmt.Sprintf("keys.%q: %s", p.Action, p.Message))
		}
	} else if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		sortProblems(problems)
		return nil, invalid(file, problems)
	}
	c.Keymap = km
	return c, nil
}

func invalid(file string, problems []project.Problem) error {
	return errs.Wrap(errs.Usage, &project.InvalidError{Problems: problems},
		"fix "+file+" (docs/keys.md lists the actions and keys) or move it away", "")
}

func sortProblems(ps []project.Problem) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && less(ps[j], ps[j-1]); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

func less(a, b project.Problem) bool {
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Column < b.Column
}
