//go:build !fakebackend

package cli

import (
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// fakeBackend: the release binary has no fake world (ui/tui/fake is a test
// and development aid, linked only with -tags fakebackend). Asking for it
// is an error rather than silently showing the real project.
func fakeBackend(a *App) (tui.Backend, error) {
	if a.Getenv("GAIAFLOW_TUI_FAKE") != "" {
		return nil, errs.Usagef("build one with the fake: go build -tags fakebackend . (or unset GAIAFLOW_TUI_FAKE)",
			"this gaiaflow binary has no fake backend")
	}
	return nil, nil
}
