package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/project"
)

type modeView struct {
	Project string      `json:"project"`
	Mode    string      `json:"mode"`
	Modes   []modeEntry `json:"modes"`
}

type modeEntry struct {
	Name        string `json:"name"`
	Current     bool   `json:"current"`
	Description string `json:"description"`
}

func newMode(a *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "mode",
		Short: "Show the project's execution mode; `mode set MODE` changes it",
		Long: `Show the execution mode that DAG tasks follow when they leave mode unset:
dev, dev_docker, prod_local or prod.`,
		Args: exactArgs(0, "no arguments (did you mean `gaiaflow mode set MODE`?)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := a.Project()
			if err != nil {
				return err
			}
			v := modeView{Project: p.Config.Name, Mode: p.Config.Mode}
			for _, m := range modes.All() {
				v.Modes = append(v.Modes, modeEntry{Name: string(m), Current: string(m) == p.Config.Mode, Description: m.Describe()})
			}
			return a.Emit(v, func(w io.Writer) {
				fmt.Fprintf(w, "mode: %s\n", v.Mode)
				for _, m := range v.Modes {
					mark := " "
					if m.Current {
						mark = "*"
					}
					fmt.Fprintf(w, "  %s %-10s  %s\n", mark, m.Name, m.Description)
				}
			})
		},
	}
	set := &cobra.Command{
		Use:       "set MODE",
		Short:     "Set the execution mode in gaiaflow.toml",
		Args:      exactArgs(1, "one mode (dev, dev_docker, prod_local or prod)"),
		ValidArgs: project.Modes,
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := modes.Parse(args[0])
			if err != nil {
				return err
			}
			p, err := a.Project()
			if err != nil {
				return err
			}
			st, err := p.State()
			if err != nil {
				return err
			}
			unlock, err := st.Lock(cmd.Context())
			if err != nil {
				return err
			}
			defer unlock()
			if err := project.SetMode(p.Dir, string(m)); err != nil {
				return err
			}
			a.Printf("mode set to %s: %s\n", m, m.Describe())
			return nil
		},
	}
	c.AddCommand(set)
	return c
}
