package build

import (
	"context"
	"io"

	"github.com/gaiaflow/gaiaflow/services/docker"
)

// Engine is what a build needs from a Docker engine. *docker.Client is one;
// tests use fakes. The prod-local target will hand in the engine that puts
// the image into the Minikube cluster.
type Engine interface {
	BuildImage(ctx context.Context, buildContext io.Reader, opts docker.BuildOptions, onMessage func(docker.BuildMessage)) (string, error)
	InspectImage(ctx context.Context, ref string) (docker.ImageInfo, bool, error)
}

// Image labels. Every image gaiaflow builds carries docker.LabelProject with
// the project id, so cleanup finds exactly the project's images.
const (
	LabelKind            = "io.gaiaflow.kind"             // task-image or airflow-runtime
	LabelProjectName     = "io.gaiaflow.project.name"     // the project's name
	LabelGaiaflowVersion = "io.gaiaflow.gaiaflow-version" // version of the bundled library
	LabelInputs          = "io.gaiaflow.inputs"           // hash of an Airflow runtime image's inputs
	LabelTitle           = "org.opencontainers.image.title"
	LabelVersion         = "org.opencontainers.image.version"
	LabelRevision        = "org.opencontainers.image.revision"
	LabelBaseName        = "org.opencontainers.image.base.name"
	// LabelDepsImage names the dependency image a runtime image starts from.
	LabelDepsImage = "io.gaiaflow.airflow-deps"
	// LabelBaseID is the id of the image a generated Dockerfile started
	// FROM: the step images of its build are those between the two, which
	// cleanup removes with it (docker.Client.BuildSteps).
	LabelBaseID = "io.gaiaflow.base-id"
)

// Kinds of image, the values of LabelKind.
const (
	KindTaskImage      = "task-image"
	KindAirflowRuntime = "airflow-runtime"
	// KindAirflowDeps is the dependency image Airflow runtime images start
	// from; projects with the same dependencies share one, so it names no
	// project.
	KindAirflowDeps = "airflow-deps"
)
