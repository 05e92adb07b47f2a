package core

import (
	"context"
	"errors"
	"os"

	"github.com/gaiaflow/gaiaflow/services/doctor"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// Doctor checks whether this machine can run the project (the defaults of a
// new project outside one): the engine, memory, CPUs, disk, ports, tools
// and images. It never fails as a whole: each problem is a check.
func (c *Core) Doctor(ctx context.Context) ([]doctor.Check, error) {
	p, err := c.Project()
	if err != nil && !errors.Is(err, project.ErrNotFound) {
		return nil, err
	}
	stateDir, err := project.StateRoot()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(stateDir); err != nil {
		// Measure the disk the state directory will live on once made.
		stateDir = os.TempDir()
		if home, herr := os.UserHomeDir(); herr == nil {
			stateDir = home
		}
	}
	env := doctor.DefaultEnv(nil, nil, p, stateDir)
	if dc, derr := c.Docker(); derr != nil {
		env.EngineErr = derr
	} else {
		env.Engine = dc
	}
	return doctor.Run(ctx, env), nil
}
