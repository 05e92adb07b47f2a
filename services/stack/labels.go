package stack

import "github.com/gaiaflow/gaiaflow/services/docker"

// Labels on every container, network and volume the stack creates. The
// compose-compatible ones let Docker Desktop and `docker compose ls` group
// the project; the config hash is gaiaflow's own so that a real `docker
// compose` never mistakes the containers for its own.
const (
	LabelProject    = docker.LabelProject
	LabelService    = "io.gaiaflow.service"
	LabelComponent  = "io.gaiaflow.component"
	LabelConfigHash = "io.gaiaflow.config-hash"
	// LabelTaskPython on an Airflow image names the interpreter of a task
	// environment it provides.
	LabelTaskPython = "io.gaiaflow.task-python"
	// LabelKind is set by services/build; its Airflow runtime images
	// ("airflow-runtime") have their task environment at defaultTaskPy.
	LabelKind          = "io.gaiaflow.kind"
	kindAirflowRuntime = "airflow-runtime"
	kindPipCache       = "pip-cache"
	kindJupyterEnvs    = "jupyter-envs"

	composeProject = "com.docker.compose.project"
	composeService = "com.docker.compose.service"
	composeNumber  = "com.docker.compose.container-number"
	composeOneoff  = "com.docker.compose.oneoff"
	composeNetwork = "com.docker.compose.network"
	composeVolume  = "com.docker.compose.volume"
	composeWorkDir = "com.docker.compose.project.working_dir"
	defaultTaskPy  = "/opt/gaiaflow/task-venv/bin/python"
)

// ContainerName is the name of a component's container in a project.
func ContainerName(projectID, component string) string { return projectID + "-" + component }

// NetworkName is the project's network.
func NetworkName(projectID string) string { return projectID + "_default" }

// VolumeName is one of the project's volumes.
func VolumeName(projectID, short string) string { return projectID + "_" + short }

// ProjectLabels selects every resource of a project.
func ProjectLabels(projectID string) map[string]string {
	return map[string]string{LabelProject: projectID}
}

// PipCacheVolume is pip's download and wheel cache, shared by the JupyterLab
// setup of every project: a second project, or a dependency change, installs
// from wheels already downloaded (or built from source) instead of fetching
// them again. It belongs to no project, so `dev cleanup --prune` leaves it;
// `docker volume rm gaiaflow-pip-cache` empties it.
const PipCacheVolume = "gaiaflow-pip-cache"

// JupyterEnvsVolume holds JupyterLab's kernel environments, one per set of
// dependencies, which every project with that set shares: a second project
// (or a start on fresh volumes) finds its environment built. It belongs to
// no project either; `docker volume rm gaiaflow-jupyter-envs` removes them
// all (the next start of each project builds its own again).
const JupyterEnvsVolume = "gaiaflow-jupyter-envs"

func containerLabels(projectID, dir, service, component string) map[string]string {
	return map[string]string{
		LabelProject:   projectID,
		LabelService:   service,
		LabelComponent: component,
		composeProject: projectID,
		composeService: component,
		composeNumber:  "1",
		composeOneoff:  "False",
		composeWorkDir: dir,
	}
}

func networkLabels(projectID string) map[string]string {
	return map[string]string{LabelProject: projectID, composeProject: projectID, composeNetwork: "default"}
}

func volumeLabels(projectID, service, short string) map[string]string {
	return map[string]string{LabelProject: projectID, LabelService: service, composeProject: projectID, composeVolume: short}
}
