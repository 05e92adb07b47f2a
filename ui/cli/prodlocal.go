package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
)

// stderrReporter prints events as lines on stderr, for commands whose
// stdout is their result.
func stderrReporter(a *App) event.Reporter {
	return event.Func(func(e event.Event) {
		if e.Kind == event.Progress || e.Kind == event.Timing {
			return
		}
		fmt.Fprintln(a.Err, formatEvent(e))
	})
}

func newProdLocal(a *App) *cobra.Command {
	var forceNew, yes bool
	startCmd := &cobra.Command{
		Use:   "start",
		Short: "Start the Minikube cluster and connect the stack to it",
		Long: `Start the project's Minikube profile (name, driver, CPUs and memory from the
[minikube] table of gaiaflow.toml) unless it runs already, then write the
kubeconfig the Airflow containers use into the project's state directory.
~/.kube/config is never read or changed.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			started, err := a.Core().StartCluster(cmd.Context(), core.ClusterStartOptions{ForceNew: forceNew}, a.Reporter())
			if err != nil {
				return err
			}
			if !a.JSON() {
				// minikube's own "kubectl is now configured" is not true of
				// ~/.kube/config: say where the context really is.
				a.Printf("kubectl: KUBECONFIG=%s kubectl --context %s get pods -A  (~/.kube/config is left as it was)\n",
					started.Kubeconfig, started.Profile)
			}
			return nil
		},
	}
	startCmd.Flags().BoolVarP(&forceNew, "force-new", "f", false, "delete the cluster first and start a fresh one")
	stopCmd := &cobra.Command{
		Use:   "stop",
		Short: "Stop the Minikube cluster",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.Core().StopCluster(cmd.Context(), a.Reporter())
		},
	}
	var restartForceNew bool
	restartCmd := &cobra.Command{
		Use:   "restart",
		Short: "Stop and start the Minikube cluster",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.Core().RestartCluster(cmd.Context(), core.ClusterStartOptions{ForceNew: restartForceNew}, a.Reporter())
		},
	}
	restartCmd.Flags().BoolVarP(&restartForceNew, "force-new", "f", false, "delete the cluster first and start a fresh one")
	statusCmd := &cobra.Command{
		Use:   "status",
		Short: "Show the cluster's state, Kubernetes version, capacity and recent task pods",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runProdLocalStatus(cmd.Context(), a)
		},
	}
	configCmd := &cobra.Command{
		Use:   "create-config",
		Short: "Write or refresh the kubeconfig Airflow uses to reach the cluster, and print its path",
		Long: `Write or refresh the kubeconfig the Airflow containers use to reach the
cluster, with mode 0600 in the project's state directory, and print its path
on stdout (progress goes to stderr). start does this already; run it when the
cluster's address changed.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			rep := stderrReporter(a)
			if a.JSON() {
				rep = event.Discard
			}
			conn, err := a.Core().CreateConfig(cmd.Context(), rep)
			if err != nil {
				return err
			}
			return a.Emit(conn, func(w io.Writer) { fmt.Fprintln(w, conn.Kubeconfig) })
		},
	}
	cleanupCmd := &cobra.Command{
		Use:   "cleanup",
		Short: "Delete the Minikube profile and detach the stack from its network",
		Long: `Detach the stack's containers from the cluster's network, delete the
project's Minikube profile with everything in it, and remove the Airflow
kubeconfig that pointed at it. Nothing else is touched: the local stack, its
volumes and images stay. Asks for confirmation on a terminal unless --yes.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			name, owned, err := a.Core().ClusterOwned()
			if err != nil {
				return err
			}
			question := fmt.Sprintf("Delete the Minikube cluster %s and everything in it?", name)
			if !owned {
				question = fmt.Sprintf("Stop using %s (the cluster itself stays as it is)?", name)
			}
			if !yes {
				ok, err := a.confirm(question)
				if err != nil {
					return err
				}
				if !ok {
					a.Printf("cancelled; nothing was deleted\n")
					return nil
				}
			}
			return a.Core().DeleteCluster(cmd.Context(), a.Reporter())
		},
	}
	cleanupCmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	return group("prod-local", "Run tasks as pods in a local Minikube cluster (mode prod_local)",
		"Manage the production-like Minikube cluster of the project.",
		startCmd, stopCmd, restartCmd, statusCmd, newDockerize(a, "prod-local"), configCmd, newCreateSecret(a, false), cleanupCmd)
}

func newCreateSecret(a *App, prod bool) *cobra.Command {
	var name, namespace, envFile string
	var data []string
	var update, dryRun, pull bool
	where := "the cluster"
	if prod {
		where = "prod's cluster ([prod] context)"
	}
	c := &cobra.Command{
		Use:   "create-secret",
		Short: "Create or update a Kubernetes secret in " + where,
		Long: `Create a Kubernetes secret in ` + where + ` from --data KEY=VALUE pairs and/or an env file.
Values are never printed or logged, and never passed on a command line.
An existing secret is an error unless --update, which replaces its data and
reports the keys it adds, changes or removes.

Keys become environment variables of the tasks that name the secret in
create_task(secrets=[...]), so each must be a valid variable name. An env file
holds KEY=VALUE lines; blank lines and lines starting with # are skipped, and
one pair of quotes around a value is removed. Prefer --from-env-file to
--data: values on your own command line end up in your shell's history.

--dry-run checks the input and prints the secret with its values redacted
(-o yaml or -o json) without contacting the cluster.` + map[bool]string{true: `

--pull makes the image pull secret [prod] pull_secret names instead, from
this machine's Docker credentials for prod's registry (docker login), so the
cluster's nodes can pull the task image.`}[prod],
		Args:        exactArgs(0, "no arguments"),
		Annotations: map[string]string{outputsAnnotation: "yaml"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			req := core.SecretRequest{Name: name, Namespace: namespace, Pairs: data, EnvFile: envFile, Update: update, Prod: prod}
			if pull && (name != "" || len(data) > 0 || envFile != "" || dryRun || namespace != "") {
				return errs.Usagef("--pull takes the name from [prod] pull_secret and the values from your Docker credentials",
					"--pull cannot be combined with --name, --data, --from-env-file, --namespace or --dry-run")
			}
			if dryRun {
				m, err := a.Core().DryRunSecret(req)
				if err != nil {
					return err
				}
				if a.JSON() {
					return a.PrintJSON(m)
				}
				return a.PrintYAML(m)
			}
			rep := a.Reporter()
			if a.JSON() || a.YAML() {
				rep = event.Discard
			}
			var change core.SecretChange
			var err error
			if pull {
				change, err = a.Core().CreatePullSecret(cmd.Context(), update, rep)
			} else {
				change, err = a.Core().CreateSecret(cmd.Context(), req, rep)
			}
			if err != nil {
				return err
			}
			switch {
			case a.JSON():
				return a.PrintJSON(change)
			case a.YAML():
				return a.PrintYAML(change)
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&name, "name", "", "secret name (a DNS-1123 subdomain)")
	if prod {
		f.StringVar(&namespace, "namespace", "", "namespace (default: [prod] namespace)")
		f.BoolVar(&pull, "pull", false, "make the image pull secret [prod] pull_secret names, from your Docker credentials")
	} else {
		f.StringVar(&namespace, "namespace", core.TaskNamespace, "namespace")
	}
	f.StringArrayVar(&data, "data", nil, "a KEY=VALUE pair (repeatable)")
	f.StringVar(&envFile, "from-env-file", "", "read KEY=VALUE lines from this file")
	f.BoolVar(&update, "update", false, "replace the data of an existing secret, reporting the keys added, changed or removed")
	f.BoolVar(&dryRun, "dry-run", false, "print the secret with values redacted instead of creating it")
	return c
}
