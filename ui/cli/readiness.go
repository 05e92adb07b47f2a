package cli

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/gaiaflow/gaiaflow/services/core"
)

func printReadiness(w io.Writer, v core.Readiness) {
	state := "ready"
	if !v.Ready {
		state = "not ready"
	}
	fmt.Fprintf(w, "%s: %s\n", v.Mode, state)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range v.Requirements {
		mark := "ok"
		if !r.Ready {
			mark = "MISSING"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", mark, r.Name, r.Detail)
		if !r.Ready && r.Fix != "" {
			fmt.Fprintf(tw, "  \t\tfix: %s\n", r.Fix)
		}
	}
	_ = tw.Flush()
}
