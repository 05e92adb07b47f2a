package initwizard

import (
	"context"
	"fmt"
	"io"

	tea "github.com/charmbracelet/bubbletea"
)

// Run runs the wizard as a program on in and out until it ends, and returns
// what it collected. Ctrl-C, Esc or a cancelled ctx end it unconfirmed.
func Run(ctx context.Context, in io.Reader, out io.Writer, cfg Config, opts ...tea.ProgramOption) (Result, error) {
	cfg.Embedded = false
	opts = append([]tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out)}, opts...)
	final, err := tea.NewProgram(New(cfg), opts...).Run()
	if m, ok := final.(Model); ok && m.Done() {
		return m.Result(), nil
	}
	if err != nil && ctx.Err() != nil {
		return Result{}, nil // interrupted: cancelled, nothing to write
	}
	if err != nil {
		return Result{}, fmt.Errorf("run the init wizard: %w", err)
	}
	return Result{}, nil
}
