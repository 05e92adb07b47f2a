//go:build fakebackend

package cli

import (
	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/fake"
)

// fakeBackend is the dashboard's in-memory fake world when
// GAIAFLOW_TUI_FAKE is set (a binary built with -tags fakebackend).
func fakeBackend(a *App) (tui.Backend, error) {
	if v := a.Getenv("GAIAFLOW_TUI_FAKE"); v != "" {
		return fake.New(fake.FromEnv(v)), nil
	}
	return nil, nil
}
