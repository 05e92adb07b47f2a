package stack

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// Cond is what a dependent waits for.
type Cond string

const (
	// Healthy: the dependency is ready (its readiness check passed).
	Healthy Cond = "healthy"
	// Completed: the one-shot dependency exited with code 0.
	Completed Cond = "completed"
)

// Dep is one dependency of a component.
type Dep struct {
	Component string
	Cond      Cond
}

// ReadyKind says how a component's readiness is known.
type ReadyKind string

const (
	// ReadyHealthcheck: the engine's health check reports healthy.
	ReadyHealthcheck ReadyKind = "healthcheck"
	// ReadyExit: a one-shot container exited with code 0.
	ReadyExit ReadyKind = "exit"
	// ReadyHTTP: an HTTP probe through a published port passes.
	ReadyHTTP ReadyKind = "http"
)

// Readiness is how the stack knows a component is ready. Probes go to a
// published port of Via (the component itself unless set): Airflow's
// scheduler, for one, is ready when the api-server's health body says so.
type Readiness struct {
	Kind  ReadyKind `json:"kind"`
	Via   string    `json:"via,omitempty"`
	Port  int       `json:"port,omitempty"` // container port of Via
	Path  string    `json:"path,omitempty"`
	Check string    `json:"check,omitempty"` // a body check from checks.go; "" means HTTP 200 is enough
}

// Node is one container of the stack.
type Node struct {
	Service   string
	Component string
	Spec      docker.ContainerSpec
	Deps      []Dep
	Ready     Readiness
	OneShot   bool
	Files     []docker.File // copied into FilesDir before the first start
	FilesDir  string
	ImageKey  string // the gaiaflow.toml key that overrides Spec.Image
	Bucket    string // an S3 bucket created once the component is ready
	URLs      []URL
}

// URL is an address a person opens.
type URL struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Volume is one of the project's named volumes, or a volume every project
// shares.
type Volume struct {
	Name    string
	Short   string
	Service string
	// Kind, when set, makes the volume one every project shares: it
	// carries LabelKind with this value instead of LabelProject, so
	// stopping with volumes and cleanup leave it.
	Kind string
}

// Shared reports whether the volume belongs to no project (see Kind).
func (v Volume) Shared() bool { return v.Kind != "" }

// Plan is the whole stack of a project: every service's containers, the
// network and the volumes. It is plain data built by a pure function, so
// specs are tested without an engine.
type Plan struct {
	ProjectID string
	Network   string
	Volumes   []Volume
	Nodes     []*Node
}

// Node returns the node of a component, or nil.
func (p *Plan) Node(component string) *Node {
	for _, n := range p.Nodes {
		if n.Component == component {
			return n
		}
	}
	return nil
}

// Services returns the nodes of the given services, in plan order.
func (p *Plan) Services(services []string) []*Node {
	var out []*Node
	for _, n := range p.Nodes {
		if slices.Contains(services, n.Service) {
			out = append(out, n)
		}
	}
	return out
}

// VolumesOf returns the volumes of the given services.
func (p *Plan) VolumesOf(services []string) []Volume {
	var out []Volume
	for _, v := range p.Volumes {
		if slices.Contains(services, v.Service) {
			out = append(out, v)
		}
	}
	return out
}

// Input is everything a plan is built from.
type Input struct {
	ID     string // project id
	Dir    string // project root, absolute
	Config *project.Config
	Creds  project.Credentials
	Layout Layout
	// Jupyter are the dependencies JupyterLab's kernel gets.
	Jupyter build.KernelDeps

	AirflowImage string // the Airflow runtime image; default Config's
	TaskImage    string // GAIAFLOW_IMAGE: the task image dockerize built, if any
	TaskPython   string // GAIAFLOW_TASK_PYTHON, when the runtime image provides it
	// TaskCredentials is the state directory's S3 credentials file that
	// dev_docker mounts into task containers.
	TaskCredentials string
	DockerSocket    string // daemon-side socket path mounted into Airflow in dev_docker
	SocketGID       string // the socket's group, added to Airflow's processes
	JupyterPort     int    // overrides Config's for this start
	// Cluster links the stack to the Minikube cluster in mode prod_local
	// (nil in other modes, and when a plan is only read, as by status).
	Cluster *ClusterLink
}

// Readiness timings. Health checks run every few seconds for the life of
// the container, so they are not made faster than this.
const (
	checkInterval = 3 * time.Second
	checkTimeout  = 5 * time.Second
	checkRetries  = 40
)

// BuildPlan returns the plan of every service of the project.
func BuildPlan(in Input) *Plan {
	if in.AirflowImage == "" {
		in.AirflowImage = in.Config.Services.Airflow.Image
	}
	if in.Config.Mode != ModeProdLocal {
		in.Cluster = nil
	}
	p := &Plan{ProjectID: in.ID, Network: NetworkName(in.ID)}
	b := &builder{in: in, plan: p}
	b.airflow()
	b.mlflow()
	b.minio()
	b.jupyter()
	for _, n := range p.Nodes {
		n.Spec.Network = p.Network
		n.Spec.Aliases = []string{n.Component}
		n.Spec.Labels = containerLabels(in.ID, in.Dir, n.Service, n.Component)
		n.Spec.Name = ContainerName(in.ID, n.Component)
		sort.Strings(n.Spec.Env)
		if n.OneShot {
			n.Spec.Restart = "no"
		} else {
			n.Spec.Restart = "unless-stopped"
		}
	}
	return p
}

type builder struct {
	in   Input
	plan *Plan
}

func (b *builder) add(n *Node) { b.plan.Nodes = append(b.plan.Nodes, n) }

// sharedVolume mounts a volume every project shares (see PipCacheVolume),
// labelled with its kind; short names it in an exported compose file, where
// it is the project's own.
func (b *builder) sharedVolume(service, name, kind, short string) string {
	b.plan.Volumes = append(b.plan.Volumes, Volume{Name: name, Short: short, Service: service, Kind: kind})
	return name
}

func (b *builder) volume(service, short string) string {
	name := VolumeName(b.in.ID, short)
	b.plan.Volumes = append(b.plan.Volumes, Volume{Name: name, Short: short, Service: service})
	return name
}

// published binds a container port on 127.0.0.1 only.
func published(containerPort, hostPort int) docker.PortBinding {
	return docker.PortBinding{ContainerPort: containerPort, HostIP: "127.0.0.1", HostPort: hostPort}
}

func localURL(port int, path string) string { return fmt.Sprintf("http://127.0.0.1:%d%s", port, path) }

// postgres is the database of a service, reachable as postgres-<service>.
func (b *builder) postgres(service, image, password string) *Node {
	component := "postgres-" + service
	n := &Node{
		Service: service, Component: component, ImageKey: "services." + service + ".db_image",
		Spec: docker.ContainerSpec{
			Image: image,
			Env: []string{"POSTGRES_USER=" + service, "POSTGRES_PASSWORD_FILE=" + secretPath(secretPostgresPassword),
				"POSTGRES_DB=" + service},
			Mounts: []docker.Mount{{Type: "volume", Source: b.volume(service, component),
				Target: "/var/lib/postgresql/data"}},
			// Over TCP: during its first start the image runs a temporary
			// server on the unix socket only, which must not count as ready.
			Healthcheck: &docker.Healthcheck{Test: []string{"CMD", "pg_isready", "-h", "127.0.0.1", "-U", service, "-d", service},
				Interval: checkInterval, Timeout: checkTimeout, Retries: checkRetries},
		},
		Ready: Readiness{Kind: ReadyHealthcheck},
	}
	addFiles(n, secretFile(secretPostgresPassword, password, postgresUID, postgresGID))
	b.add(n)
	return n
}

// AllServices is the name that stands for every service in -s lists, as in
// the original tool, where it was the documented default.
const AllServices = "all"

// withoutAll returns nil (every service) when names holds "all", else names.
func withoutAll(names []string) []string {
	for _, r := range names {
		for _, name := range strings.Split(r, ",") {
			if strings.EqualFold(strings.TrimSpace(name), AllServices) {
				return nil
			}
		}
	}
	return names
}

// Select resolves which services a start acts on: the requested ones, or
// every enabled one, plus what they need. It returns them in plan order,
// and the services added because another needs them, with why.
func Select(cfg *project.Config, requested []string) (services []string, added map[string]string, err error) {
	requested = withoutAll(requested)
	want := map[string]bool{}
	if len(requested) == 0 {
		for _, name := range project.ServiceNames {
			if s, _ := cfg.Service(name); s.IsEnabled() {
				want[name] = true
			}
		}
	}
	for _, r := range requested {
		for _, name := range strings.Split(r, ",") {
			name = strings.TrimSpace(name)
			if _, ok := cfg.Service(name); !ok {
				return nil, nil, errs.Usagef("use one of: "+strings.Join(project.ServiceNames, ", ")+", or "+AllServices, "unknown service %q", name)
			}
			want[name] = true
		}
	}
	added = map[string]string{}
	// MLflow keeps its artifacts in MinIO: it cannot run without it.
	if want["mlflow"] && !want["minio"] {
		want["minio"] = true
		added["minio"] = "mlflow stores its artifacts in minio"
	}
	for _, name := range project.ServiceNames {
		if want[name] {
			services = append(services, name)
		}
	}
	return services, added, nil
}
