package cli

import (
	"github.com/spf13/cobra"
)

func newProdLocal(a *App) *cobra.Command {
	var forceNew, yes bool
	startCmd := &cobra.Command{
		Use:   "start",
		Short: "Start the Minikube cluster and connect the stack to it",
		Args:  exactArgs(0, "no arguments"),
		RunE:  notYet("prod-local"),
	}
	startCmd.Flags().BoolVarP(&forceNew, "force-new", "f", false, "delete the cluster first and start a fresh one")
	stopCmd := &cobra.Command{
		Use:   "stop",
		Short: "Stop the Minikube cluster",
		Args:  exactArgs(0, "no arguments"),
		RunE:  notYet("prod-local"),
	}
	restartCmd := &cobra.Command{
		Use:   "restart",
		Short: "Stop and start the Minikube cluster",
		Args:  exactArgs(0, "no arguments"),
		RunE:  notYet("prod-local"),
	}
	restartCmd.Flags().BoolVarP(&forceNew, "force-new", "f", false, "delete the cluster first and start a fresh one")
	statusCmd := &cobra.Command{
		Use:   "status",
		Short: "Show the cluster's state, Kubernetes version, capacity and recent task pods",
		Args:  exactArgs(0, "no arguments"),
		RunE:  notYet("prod-local"),
	}
	configCmd := &cobra.Command{
		Use:   "create-config",
		Short: "Write or refresh the kubeconfig Airflow uses to reach the cluster, and print its path",
		Args:  exactArgs(0, "no arguments"),
		RunE:  notYet("prod-local"),
	}
	var name, namespace, envFile string
	var data []string
	var update, dryRun bool
	secretCmd := &cobra.Command{
		Use:   "create-secret",
		Short: "Create or update a Kubernetes secret in the cluster",
		Long: `Create a Kubernetes secret from --data KEY=VALUE pairs and/or an env file.
Values are never printed or logged, and never passed on a command line.
An existing secret is an error unless --update, which reports the keys it
adds, changes or removes.`,
		Args: exactArgs(0, "no arguments"),
		RunE: notYet("prod-local secrets"),
	}
	sf := secretCmd.Flags()
	sf.StringVar(&name, "name", "", "secret name (a DNS-1123 subdomain)")
	sf.StringVar(&namespace, "namespace", "default", "namespace")
	sf.StringArrayVar(&data, "data", nil, "a KEY=VALUE pair (repeatable)")
	sf.StringVar(&envFile, "from-env-file", "", "read KEY=VALUE lines from this file")
	sf.BoolVar(&update, "update", false, "update the secret when it exists")
	sf.BoolVar(&dryRun, "dry-run", false, "print the secret with values redacted instead of creating it")
	cleanupCmd := &cobra.Command{
		Use:   "cleanup",
		Short: "Delete the Minikube profile and detach the stack from its network",
		Args:  exactArgs(0, "no arguments"),
		RunE:  notYet("prod-local"),
	}
	cleanupCmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	return group("prod-local", "Run tasks as pods in a local Minikube cluster (mode prod_local)",
		"Manage the production-like Minikube cluster of the project.",
		startCmd, stopCmd, restartCmd, statusCmd, newDockerize(a, "prod-local"), configCmd, secretCmd, cleanupCmd)
}
