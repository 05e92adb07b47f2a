// Package dashboard is the `gaiaflow` terminal dashboard: a root model that
// routes messages by family (keys, mouse, backend state, Airflow reads, log
// streams, tasks) to small handlers and panels, and a view that composes
// header, tabs, the current panel and the footer. It decides nothing: it reads
// through a tui.Backend and hands actions back to it.
package dashboard

import (
	"io"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/components/logview"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/theme"
)

// Options are what the dashboard is given. Only Backend is required.
type Options struct {
	Backend tui.Backend
	// Keymap is the effective key table (remapped, read-only applied).
	Keymap *keys.Keymap
	// Styles are the theme's styles on the output's renderer (nil: no colour).
	Styles *theme.Styles
	// ReadOnly hides every action that changes anything.
	ReadOnly bool
	// Now is the clock (time.Now); Location is where times are shown.
	Now      func() time.Time
	Location *time.Location
	// PollInterval is how often Airflow and MLflow are read while a panel
	// that shows them (the overview, DAGs, MLflow) is visible.
	PollInterval time.Duration
	// Open opens a URL in the browser. Its output must not reach the screen.
	Open func(url string) error
	// Clipboard receives the OSC 52 sequence that copies text (the terminal).
	Clipboard io.Writer
	// SaveDir is where saved logs go by default (the working directory).
	SaveDir string
	// WriteFile saves a log; it must not overwrite an existing file.
	WriteFile func(path string, data []byte) error
	// Wizards opens a wizard sized to the dashboard's body; nil, or a nil
	// model, means not available. The wizard gets every key while open and
	// must send tui.WizardDone when finished or abandoned (esc, ctrl+c).
	Wizards func(w tui.Wizard, width, height int) tea.Model
	// ConfigFile is the preferences file, shown in help.
	ConfigFile string
}

// Context is what every panel shares: the size, the styles, the keys, the
// clock. One value, owned by the root model and handed down, instead of
// threading each through every constructor.
type Context struct {
	Width, Height int
	Styles        theme.Styles
	Log           logview.Styles
	Keys          *keys.Keymap
	ReadOnly      bool
	Now           func() time.Time
	Loc           *time.Location
	// PollInterval is how often the overview, DAG and MLflow panels read
	// while visible.
	PollInterval time.Duration
}
