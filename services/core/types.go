package core

import (
	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
)

// The types and names of the edge packages that the faces see through the
// core: ui/ imports none of docker, build, minikube and kube, so that only
// the core composes them.
type (
	// DockerClient is the Docker engine's client (services/docker).
	DockerClient = docker.Client
	// EngineInfo is what the engine says of itself.
	EngineInfo = docker.EngineInfo
	// MinikubeRunner runs the minikube executable.
	MinikubeRunner = minikube.Runner
	// KubeFactory builds a Kubernetes client for a kubeconfig and context.
	KubeFactory = kube.Factory
	// Library is the bundled Python library.
	Library = build.Library
	// BuildResult is a built task image.
	BuildResult = build.Result
	// ClusterStartOptions are the settings of a cluster start.
	ClusterStartOptions = minikube.StartOptions
	// Resource is a container, network, volume or image of the project.
	Resource = docker.Resource
	// SecretChange is what a secret's creation or update did (key names only).
	SecretChange = kube.SecretChange
)

// Where a task image is built for (DockerizeOptions.Target).
const (
	TargetDocker   = build.TargetDocker
	TargetMinikube = build.TargetMinikube
)

// TaskNamespace is the namespace tasks and their secrets live in by default.
const TaskNamespace = minikube.TaskNamespace

// The cluster states the status reports.
const (
	ClusterAbsent  = minikube.StateAbsent
	ClusterStopped = minikube.StateStopped
)

// Build events: their scope, and the state of a step served from cache.
const (
	BuildScope       = build.Scope
	BuildStateCached = build.StateCached
)

// CheckImageName checks a task image's name: a tag, never latest.
func CheckImageName(name string) error {
	_, err := build.CheckImageName(name)
	return err
}

// NewDockerClient returns the client of the engine getenv names (DOCKER_HOST,
// a docker context, or the platform's default socket).
func NewDockerClient(getenv func(string) string) (*DockerClient, error) { return docker.New(getenv) }
