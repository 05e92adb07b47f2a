package initwizard

import (
	"errors"

	"github.com/gaiaflow/gaiaflow/scaffold"
)

// fresh is the wizard as `gaiaflow init` opens it in a folder that is not empty.
func fresh() Model {
	return New(Config{
		Defaults:       scaffold.Defaults(""),
		DirFollowsName: true,
		CheckDir: func(dir string) error {
			if dir == "taken" {
				return errors.New("taken is not empty")
			}
			return nil
		},
	})
}
