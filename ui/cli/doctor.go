package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/gaiaflow/gaiaflow/services/doctor"
	"github.com/gaiaflow/gaiaflow/services/errs"
)

type doctorView struct {
	Status doctor.Status  `json:"status"`
	Checks []doctor.Check `json:"checks"`
}

func newDoctor(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check that this machine can run the project: Docker, memory, CPUs, disk, ports, tools, images",
		Long: `Check the Docker engine and its API version; memory, CPUs and disk against
Airflow's needs (4 GiB, 2 CPUs, 10 GiB); every host port the project uses,
naming the process or container that holds a taken one; the tools later
modes need (minikube, kubectl, python); and every image the project starts
from: on the engine, or in its registry (one manifest request through the
engine, nothing pulled). An image whose registry does not answer is "not
checked", never ok. Exits 1 when a check fails.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			checks, err := a.Core().Doctor(cmd.Context())
			if err != nil {
				return err
			}
			v := doctorView{Status: doctor.Worst(checks), Checks: checks}
			if err := a.Emit(v, func(w io.Writer) { printChecks(w, checks) }); err != nil {
				return err
			}
			if v.Status == doctor.Fail {
				return &errs.Error{Kind: errs.Failure, Msg: "doctor found problems", Hint: "fix the failing checks above"}
			}
			return nil
		},
	}
}

func printChecks(w io.Writer, checks []doctor.Check) {
	status, name := 4, 10
	for _, c := range checks {
		status, name = max(status, len(c.Status)), max(name, len(c.Name))
	}
	for _, c := range checks {
		fmt.Fprintf(w, "%-*s  %-*s  %s\n", status, c.Status, name, c.Name, c.Detail)
		if c.Hint != "" && c.Status != doctor.OK {
			fmt.Fprintf(w, "%-*s  %-*s  hint: %s\n", status, "", name, "", c.Hint)
		}
	}
}
