package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// prodLocal is what every prod-local command works on.
type prodLocal struct {
	project *project.Project
	state   *project.State
	cluster *minikube.Cluster
}

// prodLocal opens the project, its state directory and its cluster. A
// missing minikube is an error with how to install it.
func (a *App) prodLocal() (*prodLocal, error) {
	p, err := a.Project()
	if err != nil {
		return nil, err
	}
	return a.prodLocalOf(p)
}

// prodLocalOf opens p's state directory and cluster (the dashboard hands
// the project it opened).
func (a *App) prodLocalOf(p *project.Project) (*prodLocal, error) {
	st, err := p.State()
	if err != nil {
		return nil, err
	}
	r, err := a.NewMinikube()
	if err != nil {
		return nil, err
	}
	return &prodLocal{project: p, state: st, cluster: minikube.New(r, p.Config.Minikube, st)}, nil
}

// kubeClient builds the client for the cluster from the kubeconfig minikube
// keeps in the state directory.
func (a *App) kubeClient(pl *prodLocal) (kube.API, error) {
	path := pl.state.Path(minikube.HostKubeconfigFile)
	if _, err := os.Stat(path); err != nil {
		return nil, errs.Failf("start the cluster with `gaiaflow prod-local start`, or run `gaiaflow prod-local create-config` if it runs already",
			"no kubeconfig for cluster %s yet", pl.cluster.Profile)
	}
	return a.NewKube(path, pl.cluster.Profile)
}

// stderrReporter prints events as lines on stderr, for commands whose
// stdout is their result.
func (a *App) stderrReporter() event.Reporter {
	return event.Func(func(e event.Event) {
		if e.Kind == event.Progress {
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
			pl, err := a.prodLocal()
			if err != nil {
				return err
			}
			if err := startCluster(cmd.Context(), pl, minikube.StartOptions{ForceNew: forceNew}, a.Reporter()); err != nil {
				return err
			}
			if !a.JSON() {
				// minikube's own "kubectl is now configured" is not true of
				// ~/.kube/config: say where the context really is.
				a.Printf("kubectl: KUBECONFIG=%s kubectl --context %s get pods -A  (~/.kube/config is left as it was)\n",
					pl.cluster.Kubeconfig, pl.cluster.Profile)
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
			pl, err := a.prodLocal()
			if err != nil {
				return err
			}
			return pl.cluster.Stop(cmd.Context(), a.Reporter())
		},
	}
	var restartForceNew bool
	restartCmd := &cobra.Command{
		Use:   "restart",
		Short: "Stop and start the Minikube cluster",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			pl, err := a.prodLocal()
			if err != nil {
				return err
			}
			_, err = pl.cluster.Restart(cmd.Context(), pl.state, minikube.StartOptions{ForceNew: restartForceNew}, a.Reporter())
			return err
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
			pl, err := a.prodLocal()
			if err != nil {
				return err
			}
			rep := a.stderrReporter()
			if a.JSON() {
				rep = event.Discard
			}
			conn, err := pl.cluster.Configure(cmd.Context(), pl.state, rep)
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
			pl, err := a.prodLocal()
			if err != nil {
				return err
			}
			if !yes {
				ok, err := a.prodLocalConfirm(fmt.Sprintf("Delete the Minikube cluster %s and everything in it?", pl.cluster.Profile))
				if err != nil {
					return err
				}
				if !ok {
					a.Printf("cancelled; nothing was deleted\n")
					return nil
				}
			}
			return a.deleteCluster(cmd.Context(), pl, a.Reporter())
		},
	}
	cleanupCmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	return group("prod-local", "Run tasks as pods in a local Minikube cluster (mode prod_local)",
		"Manage the production-like Minikube cluster of the project.",
		startCmd, stopCmd, restartCmd, statusCmd, newDockerize(a, "prod-local"), configCmd, newCreateSecret(a), cleanupCmd)
}

// startCluster is `prod-local start`: the profile started unless it runs,
// then the kubeconfig Airflow uses written. The dashboard's start key runs
// it too.
func startCluster(ctx context.Context, pl *prodLocal, opts minikube.StartOptions, rep event.Reporter) error {
	_, err := pl.cluster.Start(ctx, pl.state, opts, rep)
	return err
}

// deleteCluster is `prod-local cleanup` once confirmed: the stack detached
// from the cluster's network, the profile deleted, the kubeconfig that
// pointed at it removed. The dashboard's delete key runs it after its own
// confirmation.
func (a *App) deleteCluster(ctx context.Context, pl *prodLocal, rep event.Reporter) error {
	detach := func(ctx context.Context, network string) ([]string, error) {
		d, err := a.Docker()
		if err != nil {
			return nil, err
		}
		return d.DisconnectProject(ctx, network, pl.project.ID())
	}
	return pl.cluster.Cleanup(ctx, pl.state, detach, rep)
}

// prodLocalConfirm asks a yes/no question on the terminal. Without one it
// cannot ask, and says how to confirm instead.
func (a *App) prodLocalConfirm(question string) (bool, error) {
	if a.Opts.NoTUI || a.JSON() || !a.IsTerminal(a.Out) || !a.IsTerminal(a.Err) {
		return false, errs.Usagef("pass --yes to confirm", "%s (cannot ask without a terminal)", strings.TrimSuffix(question, "?"))
	}
	fmt.Fprintf(a.Err, "%s [y/N] ", question)
	line, err := bufio.NewReader(a.In).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

func newCreateSecret(a *App) *cobra.Command {
	var name, namespace, envFile string
	var data []string
	var update, dryRun bool
	c := &cobra.Command{
		Use:   "create-secret",
		Short: "Create or update a Kubernetes secret in the cluster",
		Long: `Create a Kubernetes secret from --data KEY=VALUE pairs and/or an env file.
Values are never printed or logged, and never passed on a command line.
An existing secret is an error unless --update, which replaces its data and
reports the keys it adds, changes or removes.

Keys become environment variables of the tasks that name the secret in
create_task(secrets=[...]), so each must be a valid variable name. An env file
holds KEY=VALUE lines; blank lines and lines starting with # are skipped, and
one pair of quotes around a value is removed. Prefer --from-env-file to
--data: values on your own command line end up in your shell's history.

--dry-run checks the input and prints the secret with its values redacted
(-o yaml or -o json) without contacting the cluster.`,
		Args:        exactArgs(0, "no arguments"),
		Annotations: map[string]string{outputsAnnotation: "yaml"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := a.Project()
			if err != nil {
				return err
			}
			values, err := kube.CollectData(data, envFile)
			if err != nil {
				return err
			}
			spec := secretSpec(p, name, namespace, values, update)
			if dryRun {
				m, err := kube.DryRun(spec)
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
			change, err := a.createSecret(cmd.Context(), spec, rep)
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
	f.StringVar(&namespace, "namespace", minikube.TaskNamespace, "namespace")
	f.StringArrayVar(&data, "data", nil, "a KEY=VALUE pair (repeatable)")
	f.StringVar(&envFile, "from-env-file", "", "read KEY=VALUE lines from this file")
	f.BoolVar(&update, "update", false, "replace the data of an existing secret, reporting the keys added, changed or removed")
	f.BoolVar(&dryRun, "dry-run", false, "print the secret with values redacted instead of creating it")
	return c
}

// secretSpec is the secret a project creates: its labels name the project.
func secretSpec(p *project.Project, name, namespace string, data map[string]string, update bool) kube.SecretSpec {
	return kube.SecretSpec{Name: name, Namespace: namespace, Data: data, Update: update,
		Labels: map[string]string{"app.kubernetes.io/managed-by": "gaiaflow", "io.gaiaflow.project": p.ID()}}
}

// createSecret checks spec and applies it in the running cluster; the
// command and the dashboard's wizard both come through here.
func (a *App) createSecret(ctx context.Context, spec kube.SecretSpec, rep event.Reporter) (kube.SecretChange, error) {
	if err := kube.ValidateSpec(spec); err != nil {
		return kube.SecretChange{}, err
	}
	pl, err := a.prodLocal()
	if err != nil {
		return kube.SecretChange{}, err
	}
	status, err := pl.cluster.Status(ctx)
	if err != nil {
		return kube.SecretChange{}, err
	}
	if !status.Running() {
		return kube.SecretChange{}, errs.Failf("start it with `gaiaflow prod-local start`", "cluster %s is %s", pl.cluster.Profile, status.State)
	}
	cs, err := a.kubeClient(pl)
	if err != nil {
		return kube.SecretChange{}, err
	}
	return kube.ApplySecret(ctx, cs, spec, rep)
}
