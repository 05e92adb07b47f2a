package dashboard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/cli/browser"
	"github.com/muesli/termenv"

	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/config"
	"github.com/gaiaflow/gaiaflow/ui/tui/theme"
)

// RunOptions are what `gaiaflow` on a terminal hands the dashboard.
type RunOptions struct {
	Backend  tui.Backend
	ReadOnly bool
	// NoColor is --no-color or NO_COLOR.
	NoColor bool
	Getenv  func(string) string
	In      io.Reader
	// Out is the terminal (the process's stdout).
	Out     *os.File
	Wizards WizardOpener
	// Cwd is where saved logs go by default.
	Cwd string
}

// frameRate caps how often the screen is redrawn. bubbletea's renderer
// wakes up at this rate even when nothing changed, which is most of an idle
// dashboard's CPU: its default 60 costs about twice the CPU of 30 (measured
// with the fake backend over 20 s), and 33 ms is still below what a person
// notices between a key and its effect.
const frameRate = 30

// Run opens the dashboard full-screen until the person quits or ctx ends.
//
// While it runs, the process's own stdout and stderr (fds 1 and 2) point at
// a file in the state directory and the dashboard draws on a duplicate of
// the terminal: output of child processes and of any library that prints
// can never corrupt the screen. The file is named in the error, if any.
func Run(ctx context.Context, ro RunOptions) error {
	cfg, err := config.Load(ro.Getenv, ro.ReadOnly)
	if err != nil {
		return err
	}
	term, restore, err := guardOutput(ro.Out, strayPath())
	if err != nil {
		return fmt.Errorf("set up the terminal: %w", err)
	}
	defer restore()

	r := lipgloss.NewRenderer(term, termenv.WithColorCache(true))
	if ro.NoColor {
		r.SetColorProfile(termenv.Ascii)
	}
	st := theme.For(r, theme.Resolve(cfg.Theme, ro.Getenv("COLORFGBG")))
	m := New(Options{
		Backend: ro.Backend, Keymap: cfg.Keymap, Styles: &st, ReadOnly: ro.ReadOnly,
		Open: browser.OpenURL, Clipboard: term, SaveDir: ro.Cwd, WriteFile: writeNew,
		Wizards: ro.Wizards, ConfigFile: configFile(ro.Getenv),
	})
	opts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithOutput(term), tea.WithInput(ro.In), tea.WithContext(ctx), tea.WithFPS(frameRate)}
	if cfg.Mouse {
		opts = append(opts, tea.WithMouseCellMotion())
	}
	_, err = tea.NewProgram(m, opts...).Run()
	m.cancel()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func configFile(getenv func(string) string) string {
	p, err := config.Path(getenv)
	if err != nil {
		return ""
	}
	return p
}

// strayPath is where output that is not the dashboard's goes while it runs.
func strayPath() string {
	root, err := project.StateRoot()
	if err != nil {
		return os.DevNull
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return os.DevNull
	}
	return filepath.Join(root, "dashboard-output.log")
}

// writeNew writes a saved log to a new file; it never overwrites one.
func writeNew(path string, data []byte) error {
	if path == "" {
		return errors.New("no file name given")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists already: choose another name", path)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
