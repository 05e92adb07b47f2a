package stack

import (
	"context"
	"io"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/hostports"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// Engine is what the stack needs from the Docker engine. *docker.Client
// implements it; unit tests use a fake.
type Engine interface {
	Info(ctx context.Context) (docker.EngineInfo, error)
	PublishedPorts(ctx context.Context) (map[int]docker.PortUser, error)

	InspectImage(ctx context.Context, ref string) (info docker.ImageInfo, found bool, err error)
	PullImage(ctx context.Context, ref string, onProgress func(docker.PullProgress)) error
	ListImages(ctx context.Context, labels map[string]string) ([]docker.Resource, error)
	RemoveImage(ctx context.Context, ref string, opts docker.RemoveImageOptions) error
	BuildSteps(ctx context.Context, id, base string) ([]string, error)

	FindNetwork(ctx context.Context, name string) (docker.Resource, error)
	CreateNetwork(ctx context.Context, name string, labels map[string]string) (string, error)
	ListNetworks(ctx context.Context, labels map[string]string) ([]docker.Resource, error)
	RemoveNetwork(ctx context.Context, id string) error

	FindVolume(ctx context.Context, name string) (docker.Resource, error)
	CreateVolume(ctx context.Context, name string, labels map[string]string) error
	ListVolumes(ctx context.Context, labels map[string]string) ([]docker.Resource, error)
	RemoveVolume(ctx context.Context, name string) error

	CreateContainer(ctx context.Context, spec docker.ContainerSpec) (string, error)
	CopyFiles(ctx context.Context, id, dir string, files []docker.File) error
	StartContainer(ctx context.Context, id string) error
	StopContainer(ctx context.Context, id string, timeout time.Duration) error
	RemoveContainer(ctx context.Context, id string) error
	InspectContainer(ctx context.Context, id string) (docker.ContainerInfo, error)
	ListContainers(ctx context.Context, labels map[string]string) ([]docker.ContainerSummary, error)
	Logs(ctx context.Context, id string, opts docker.LogOptions, stdout, stderr io.Writer) error
	ContainerEvents(ctx context.Context, labels map[string]string) (<-chan docker.ContainerEvent, <-chan error)
}

var _ Engine = (*docker.Client)(nil)

// ImageResolver returns the image the Airflow containers run: the project's
// Airflow runtime image, built when its inputs changed (or when force is
// set; cache allows the build cache). The default returns the image of
// gaiaflow.toml unchanged.
type ImageResolver func(ctx context.Context, p *project.Project, force, cache bool, r event.Reporter) (string, error)

// ConfiguredAirflowImage is the default ImageResolver.
func ConfiguredAirflowImage(_ context.Context, p *project.Project, _, _ bool, _ event.Reporter) (string, error) {
	return p.Config.Services.Airflow.Image, nil
}

// Ports is how the stack learns whether a host port is free and who holds
// it; hostports in production.
type Ports struct {
	Free    func(port int) bool
	Owner   func(port int) string
	Suggest func(port int, taken map[int]bool) int
}

// Options are the stack's collaborators and settings; zero values get defaults.
type Options struct {
	Reporter     event.Reporter
	ResolveImage ImageResolver
	Prober       Prober
	Ports        Ports
	// DockerSocket is the engine's socket as the engine sees it, mounted
	// into Airflow in dev_docker; SocketGID is its group.
	DockerSocket, SocketGID string
	// ClusterLink says how the stack reaches the Minikube cluster in mode
	// prod_local; default MinikubeLink.
	ClusterLink ClusterLinker
	// MakeBucket creates an S3 bucket through a published port.
	MakeBucket func(ctx context.Context, port int, accessKey, secretKey, bucket string) error
	// ProbeInterval is the pause between two readiness probes.
	ProbeInterval time.Duration
	// StopTimeout is how long a container may take to stop before it is killed.
	StopTimeout time.Duration
	Now         func() time.Time
	// Watcher follows the project's container events; processes that
	// follow one project in several places (the dashboard) share one.
	// Default: the stack's own.
	Watcher *Watcher
}

func (o *Options) defaults() {
	if o.Reporter == nil {
		o.Reporter = event.Discard
	}
	if o.ResolveImage == nil {
		o.ResolveImage = ConfiguredAirflowImage
	}
	if o.Prober == nil {
		o.Prober = NewHTTPProber()
	}
	if o.Ports.Free == nil {
		o.Ports = Ports{Free: hostports.Free, Owner: hostports.Owner, Suggest: hostports.Suggest}
	}
	if o.ClusterLink == nil {
		o.ClusterLink = MinikubeLink
	}
	if o.MakeBucket == nil {
		o.MakeBucket = DefaultMakeBucket
	}
	if o.ProbeInterval == 0 {
		o.ProbeInterval = 500 * time.Millisecond
	}
	if o.StopTimeout == 0 {
		o.StopTimeout = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// SocketOf returns the daemon-side socket path of an engine address and
// its group id when the socket is on this machine. Only unix sockets can be
// mounted; for anything else it returns the engine's default path, which is
// where Docker Desktop's VM serves it.
func SocketOf(host string) (path, gid string) {
	path = "/var/run/docker.sock"
	if u, err := url.Parse(host); err == nil && u.Scheme == "unix" && u.Path != "" {
		path = u.Path
	}
	if runtime.GOOS == "linux" && strings.HasPrefix(host, "unix://") {
		gid = fileGID(path)
	}
	return path, gid
}
