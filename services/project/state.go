package project

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// StateRoot returns gaiaflow's state directory: $XDG_STATE_HOME/gaiaflow,
// else ~/.local/state/gaiaflow.
func StateRoot() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "gaiaflow"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the state directory: %w", err)
	}
	return filepath.Join(home, ".local", "state", "gaiaflow"), nil
}

// State is one project's private directory. Nothing in it belongs to the
// user's project; the project tree itself is never written to.
type State struct {
	Dir string
}

// State returns (creating it, mode 0700) the project's state directory.
func (p *Project) State() (*State, error) {
	root, err := StateRoot()
	if err != nil {
		return nil, err
	}
	return OpenState(filepath.Join(root, "projects", p.ID()))
}

// OpenState returns the state directory at dir, creating it with mode 0700.
func OpenState(dir string) (*State, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create state directory: %w", err)
	}
	return &State{Dir: dir}, nil
}

// Path returns the path of a file in the state directory.
func (s *State) Path(name string) string { return filepath.Join(s.Dir, name) }

// Lock takes the project's advisory lock, waiting until it is free or ctx
// ends, so two gaiaflow processes change one project one after the other.
// The returned function releases it.
func (s *State) Lock(ctx context.Context) (func(), error) {
	l := flock.New(s.Path("lock"))
	ok, err := l.TryLockContext(ctx, 50*time.Millisecond)
	if err != nil {
		return nil, fmt.Errorf("lock project state: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("lock project state: %w", ctx.Err())
	}
	return func() { _ = l.Unlock() }, nil
}

// ReadJSON decodes a state file into v. It returns false when the file does not exist.
func (s *State) ReadJSON(name string, v any) (bool, error) {
	data, err := os.ReadFile(s.Path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read state %s: %w", name, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("read state %s: %w", name, err)
	}
	return true, nil
}

// WriteJSON writes v atomically to a state file with the given mode.
func (s *State) WriteJSON(name string, v any, perm os.FileMode) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("write state %s: %w", name, err)
	}
	return WriteFileAtomic(s.Path(name), append(data, '\n'), perm)
}
