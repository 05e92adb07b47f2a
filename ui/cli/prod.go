package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/gaiaflow/gaiaflow/services/core"
)

// newProd is `gaiaflow prod`: the task image in a registry, secrets in the
// production cluster, and where prod stands.
func newProd(a *App) *cobra.Command {
	statusCmd := &cobra.Command{
		Use:   "status",
		Short: "Show prod's cluster, namespace, pushed image and secrets",
		Long: `Show where prod runs tasks ([prod] context and namespace), the image they run
(the last push: tag and digest, and whether the registry still has that
digest) and each secret the DAGs name, as ` + "`gaiaflow mode check prod`" + ` finds them.
It asks the registry and the cluster; it changes nothing.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.Core().ProdStatus(cmd.Context())
			if err != nil {
				return err
			}
			return a.Emit(s, func(w io.Writer) { printProdStatus(w, s) })
		},
	}
	c := &cobra.Command{
		Use:   "prod",
		Short: "Push the task image and make secrets for a production cluster",
		Long: `Tasks in mode prod run as pods of a real Kubernetes cluster, started by the
production Airflow that runs your DAGs. gaiaflow pushes the task image to
your registry ([prod] registry), records its digest next to the DAGs, makes
the secrets they name in [prod] namespace of [prod] context, and checks it all
(` + "`gaiaflow mode check prod`" + `). It never creates, changes or deletes anything
else in that cluster.`,
	}
	c.AddCommand(newDockerize(a, "prod"), newCreateSecret(a, true), statusCmd)
	return c
}

func printProdStatus(w io.Writer, s core.ProdStatus) {
	orNone := func(v, none string) string {
		if v == "" {
			return none
		}
		return v
	}
	fmt.Fprintf(w, "context    %s\n", orNone(s.Context, "(none: set [prod] context)"))
	fmt.Fprintf(w, "namespace  %s\n", s.Namespace)
	fmt.Fprintf(w, "image      %s\n", orNone(s.Image, "(none: set [prod] registry)"))
	if s.Recorded != nil {
		fmt.Fprintf(w, "pushed     %s@%s at %s\n", s.Recorded.Image, s.Recorded.Digest, s.Recorded.PushedAt.Format("2006-01-02 15:04:05Z07:00"))
	} else {
		fmt.Fprintln(w, "pushed     never (gaiaflow prod dockerize)")
	}
	printReadiness(w, s.Readiness)
}
