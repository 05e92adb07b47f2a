package cli

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/gaiaflow/gaiaflow/services/stack"
)

// stackFlags are the flags of commands that start services; their names and
// short forms are those of the original Python tool, so scripts carry over.
type stackFlags struct {
	services    []string
	forceNew    bool
	cache       bool
	jupyterPort int
	dockerBuild bool
	wait        time.Duration
	// The original tool's conda environment for JupyterLab: accepted, not
	// needed (see originalEnvNote).
	condaEnv, envTool string
}

func (s *stackFlags) register(c *cobra.Command) {
	f := c.Flags()
	f.StringArrayVarP(&s.services, "service", "s", nil, "service to act on: airflow, mlflow, minio, jupyter or all (repeatable; default: all, every enabled service)")
	f.BoolVarP(&s.forceNew, "force-new", "f", false, "recreate the services' containers from scratch (data volumes are kept)")
	f.BoolVarP(&s.cache, "cache", "c", false, "allow the image build cache when building (with -b)")
	f.IntVarP(&s.jupyterPort, "jupyter-port", "j", 0, "host port for JupyterLab (default: services.jupyter.port in gaiaflow.toml)")
	f.BoolVarP(&s.dockerBuild, "docker-build", "b", false, "rebuild the Airflow runtime image even when its inputs did not change")
	f.DurationVar(&s.wait, "wait", stack.DefaultWait, "how long to wait for the services to become healthy")
	f.StringVarP(&s.condaEnv, "env", "e", "", "accepted for the original tool's scripts and not needed: JupyterLab runs in a container with the project's dependencies")
	f.StringVarP(&s.envTool, "env-tool", "t", "", "accepted for the original tool's scripts and not needed (it chose mamba or conda for JupyterLab)")
}

// originalEnvNote is the one line printed when -e/--env or -t/--env-tool is
// given: they named the conda environment the original tool ran JupyterLab
// from on the host.
func (s *stackFlags) originalEnvNote() string {
	if s.condaEnv == "" && s.envTool == "" {
		return ""
	}
	return "note: -e/--env and -t/--env-tool are not needed: JupyterLab runs in a container with the project's dependencies installed (services.jupyter in gaiaflow.toml)"
}

func newDev(a *App) *cobra.Command {
	var start, restart stackFlags
	startCmd := &cobra.Command{
		Use:   "start",
		Short: "Start the local stack (Airflow, MLflow, MinIO, JupyterLab)",
		Long: `Start the project's services as containers on the local Docker engine and wait
until they are healthy. A second start is a quick no-op for healthy services;
a changed setting recreates only the containers it changes.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error { return runStart(cmd, a, &start) },
	}
	start.register(startCmd)

	var stopServices []string
	var deleteVolumes bool
	stopCmd := &cobra.Command{
		Use:   "stop",
		Short: "Stop the local stack; data volumes are kept unless -v",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStop(cmd.Context(), a, stopServices, deleteVolumes)
		},
	}
	stopCmd.Flags().StringArrayVarP(&stopServices, "service", "s", nil, "service to stop: airflow, mlflow, minio, jupyter or all (repeatable; default: all)")
	stopCmd.Flags().BoolVarP(&deleteVolumes, "delete-volume", "v", false, "also delete the services' data volumes")

	restartCmd := &cobra.Command{
		Use:   "restart",
		Short: "Stop and start the local stack",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRestart(cmd, a, &restart, deleteVolumes)
		},
	}
	restart.register(restartCmd)
	restartCmd.Flags().BoolVarP(&deleteVolumes, "delete-volume", "v", false, "delete the services' data volumes between stop and start")

	statusCmd := &cobra.Command{
		Use:   "status",
		Short: "Show each service and container: state, ports and URLs, image, uptime",
		Args:  exactArgs(0, "no arguments"),
		RunE:  func(cmd *cobra.Command, _ []string) error { return runStatus(cmd.Context(), a) },
	}

	var follow, timestamps bool
	var tail int
	var since string
	logsCmd := &cobra.Command{
		Use:   "logs [SERVICE...]",
		Short: "Print the logs of the stack's services (or of containers such as airflow-scheduler)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLogs(cmd.Context(), a, args, follow, tail, since, timestamps)
		},
	}
	logsCmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep streaming new lines")
	logsCmd.Flags().IntVar(&tail, "tail", 100, "lines to show from the end of each log (-1: all)")
	logsCmd.Flags().StringVar(&since, "since", "", "show lines newer than a duration (10m) or a timestamp")
	logsCmd.Flags().BoolVar(&timestamps, "timestamps", false, "prefix each line with its timestamp")

	var prune, yes bool
	cleanupCmd := &cobra.Command{
		Use:   "cleanup",
		Short: "Remove this project's containers and network (--prune: also its volumes and images)",
		Long: `Remove this project's containers and network. With --prune, also its volumes
and images. Only resources labelled with this project are touched. Asks for
confirmation on a terminal unless --yes.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error { return runCleanup(cmd.Context(), a, prune, yes) },
	}
	cleanupCmd.Flags().BoolVar(&prune, "prune", false, "also remove the project's volumes and images")
	cleanupCmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")

	var updateCache bool
	var updateWait time.Duration
	updateCmd := &cobra.Command{
		Use:   "update-deps",
		Short: "Rebuild the Airflow runtime image with the project's dependencies and recreate Airflow",
		Long: `Rebuild the Airflow runtime image from the project's dependency files, and
recreate only the Airflow containers when they run. Unlike installing into a
running container, the change lasts: every later start uses the new image.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runUpdateDeps(cmd.Context(), a, updateCache, updateWait)
		},
	}
	updateCmd.Flags().BoolVarP(&updateCache, "cache", "c", false, "allow the image build cache")
	updateCmd.Flags().DurationVar(&updateWait, "wait", stack.DefaultWait, "how long to wait for Airflow to become healthy again")

	exportCmd := &cobra.Command{
		Use:   "export-compose",
		Short: "Print a docker compose file equivalent to the project's stack (secrets as ${VARIABLES})",
		Args:  exactArgs(0, "no arguments"),
		RunE:  func(cmd *cobra.Command, _ []string) error { return runExportCompose(cmd.Context(), a) },
	}

	return group("dev", "Run the local stack and build task images (modes dev and dev_docker)",
		"Run the project's local stack as containers on the local Docker engine.",
		startCmd, stopCmd, restartCmd, statusCmd, logsCmd, cleanupCmd,
		newDockerize(a, "dev"), updateCmd, exportCmd)
}

// newDockerize is shared by dev and prod-local: the build is the same, the
// target engine differs. It lives in dockerize.go.
func newDockerize(a *App, target string) *cobra.Command {
	return dockerizeCommand(a, target)
}
