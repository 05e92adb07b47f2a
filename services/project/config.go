// Package project owns what gaiaflow knows about one project: where it is,
// its settings in gaiaflow.toml, and its private state directory (generated
// credentials, kubeconfig, build records) with the lock that serialises
// changes to it.
package project

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// FileName is the settings file at a project's root.
const FileName = "gaiaflow.toml"

// Modes lists the execution modes in the order a project moves through them.
var Modes = []string{"dev", "dev_docker", "prod_local", "prod"}

// ServiceNames lists the services of the local stack in start order.
var ServiceNames = []string{"airflow", "mlflow", "minio", "jupyter"}

// EnvManagers lists the environment managers a project can use.
var EnvManagers = []string{"uv", "conda", "pixi"}

// The default images are pinned by version so a start never changes under
// the user; every one can be overridden in gaiaflow.toml (air-gapped
// machines, corporate registries, and our own tests use this). They are
// listed, with where each was seen published, in defaultimages.go.

// Config is gaiaflow.toml. Every field is documented in README.md; keep the
// two in step.
type Config struct {
	// Name of the project: lower-case letters, digits and dashes. Names
	// containers, volumes and the default Minikube profile.
	Name string `toml:"name"`
	// Package is the project's Python package (import name).
	Package string `toml:"package"`
	// Mode is the execution mode DAGs follow when they leave mode unset.
	Mode string `toml:"mode"`
	// EnvManager is how the project declares dependencies: uv (pyproject.toml), conda, pixi.
	EnvManager string `toml:"env_manager,omitempty"`
	// Python is the Python version of task images, "3.10" to "3.13".
	Python string `toml:"python,omitempty"`

	Services Services `toml:"services"`
	Build    Build    `toml:"build"`
	Minikube Minikube `toml:"minikube"`
	// Cluster says which cluster prod_local runs tasks in.
	Cluster Cluster `toml:"cluster"`
	// Prod says where prod's task image goes and which cluster runs it.
	Prod Prod `toml:"prod"`
	// Resources are named pod resource profiles for prod_local and prod.
	Resources map[string]Resources `toml:"resources,omitempty"`
}

// Services holds the per-service settings of the local stack.
type Services struct {
	Airflow Service `toml:"airflow"`
	MLflow  Service `toml:"mlflow"`
	Minio   Service `toml:"minio"`
	Jupyter Service `toml:"jupyter"`
}

// Service is one service of the local stack.
type Service struct {
	// Enabled says whether `dev start` without -s starts it.
	Enabled *bool `toml:"enabled,omitempty"`
	// Port is the host port, published on 127.0.0.1.
	Port int `toml:"port,omitempty"`
	// ConsolePort is a second host port (MinIO's console).
	ConsolePort int `toml:"console_port,omitempty"`
	// Image overrides the pinned default image.
	Image string `toml:"image,omitempty"`
	// DBImage overrides the Postgres image of services that have a database.
	DBImage string `toml:"db_image,omitempty"`
	// ExtendImage (airflow only; default true) builds the Airflow runtime
	// image on top of Image: the project's dependencies in a task
	// environment plus the bundled gaiaflow library. false runs Image as is,
	// for images that already carry both.
	ExtendImage *bool `toml:"extend_image,omitempty"`
	// Workers (mlflow only; default 1) is how many worker processes MLflow's
	// server runs. Each holds a copy of MLflow (about 250 MB); one serves a
	// person's local stack, its requests on threads.
	Workers int `toml:"workers,omitempty"`
	// Jobs (mlflow only; default false) turns on MLflow's server-side job
	// execution (GenAI scoring and evaluation jobs, scheduled trace jobs):
	// eight more processes, about 2 GB, and a slower start.
	Jobs *bool `toml:"jobs,omitempty"`
}

// IsEnabled reports whether the service is enabled (the default).
func (s Service) IsEnabled() bool { return s.Enabled == nil || *s.Enabled }

// ExtendsImage reports whether the runtime image is built on top of Image (the default).
func (s Service) ExtendsImage() bool { return s.ExtendImage == nil || *s.ExtendImage }

// Build holds the settings of task images (dockerize).
type Build struct {
	// BaseImage is the image task images start from.
	BaseImage string `toml:"base_image,omitempty"`
	// Image is the task image's name:tag; default <package>:<version>.
	Image string `toml:"image,omitempty"`
	// CondaSource is where conda and pixi dependencies come from in every
	// task environment gaiaflow builds: CondaChannels (default) or CondaPyPI.
	CondaSource string `toml:"conda_source,omitempty"`
}

// Where conda and pixi dependencies are installed from ([build] conda_source).
const (
	// CondaChannels installs them as conda packages from the channels the
	// project declares.
	CondaChannels = "channels"
	// CondaPyPI installs each from PyPI by name (see README for the names
	// that differ).
	CondaPyPI = "pypi"
)

// The prod_local cluster providers (cluster.provider).
const (
	// ProviderMinikube: a Minikube profile gaiaflow creates, starts and deletes.
	ProviderMinikube = "minikube"
	// ProviderKubeconfig: a cluster the user already has (kind, k3d, Docker
	// Desktop, a lab cluster), named by a context of a kubeconfig; gaiaflow
	// reads that kubeconfig, never writes it, and never deletes the cluster.
	ProviderKubeconfig = "kubeconfig"
)

// Cluster holds which cluster prod_local runs tasks in and, for the
// kubeconfig provider, how to reach it.
type Cluster struct {
	Provider string `toml:"provider,omitempty"`
	// Kubeconfig is the file holding Context (default: the first file of
	// $KUBECONFIG, else ~/.kube/config). Only read.
	Kubeconfig string `toml:"kubeconfig,omitempty"`
	Context    string `toml:"context,omitempty"`
	// Namespace is where task pods and their secrets live.
	Namespace string `toml:"namespace,omitempty"`
	// APIServer is the API server's URL as the Airflow containers reach
	// it, when it differs from the kubeconfig's (a server on 127.0.0.1 is
	// not reachable from a container).
	APIServer string `toml:"api_server,omitempty"`
	// Network is a docker network the Airflow containers join to reach the
	// API server (kind's "kind"); none by default.
	Network string `toml:"network,omitempty"`
	// HostAddress is the IP address pods reach this machine at; MLflow's
	// and MinIO's ports are published there too. Default: the address of
	// the cluster's node.
	HostAddress string `toml:"host_address,omitempty"`
	// LoadCommand puts a task image on the cluster's node(s), {image}
	// standing for the image (["kind", "load", "docker-image", "{image}"]).
	// It runs without a shell.
	LoadCommand []string `toml:"load_command,omitempty"`
}

// Prod holds the settings of prod: the registry the task image is pushed
// to, and the cluster (a context of a kubeconfig) whose Airflow runs the
// DAGs and whose nodes pull that image.
type Prod struct {
	// Registry is where `prod dockerize` pushes, host[:port][/path]; the
	// image is <registry>/<the task image's name:tag>.
	Registry string `toml:"registry,omitempty"`
	// Image names the pushed image in full instead (host/path/name:tag).
	Image string `toml:"image,omitempty"`
	// Kubeconfig is the file holding Context (default: the first file of
	// $KUBECONFIG, else ~/.kube/config). Only read.
	Kubeconfig string `toml:"kubeconfig,omitempty"`
	// Context is the kubeconfig context of the production cluster.
	Context string `toml:"context,omitempty"`
	// Namespace is where task pods and their secrets live (default "default").
	Namespace string `toml:"namespace,omitempty"`
	// PullSecret names the image pull secret task pods use to pull from
	// the registry, when its nodes need credentials (`prod create-secret
	// --pull`); none by default.
	PullSecret string `toml:"pull_secret,omitempty"`
}

// Minikube holds the settings of the Minikube provider.
type Minikube struct {
	Profile string `toml:"profile,omitempty"`
	Driver  string `toml:"driver,omitempty"`
	CPUs    int    `toml:"cpus,omitempty"`
	Memory  string `toml:"memory,omitempty"`
}

// Resources is a pod resource profile in Kubernetes quantities.
type Resources struct {
	CPURequest    string `toml:"cpu_request,omitempty"`
	CPULimit      string `toml:"cpu_limit,omitempty"`
	MemoryRequest string `toml:"memory_request,omitempty"`
	MemoryLimit   string `toml:"memory_limit,omitempty"`
}

// Default returns the settings of a new project with the given name and package.
func Default(name, pkg string) *Config {
	c := &Config{Name: name, Package: pkg, Mode: "dev"}
	c.ApplyDefaults()
	return c
}

// ApplyDefaults fills every unset field with its default.
func (c *Config) ApplyDefaults() {
	if c.Mode == "" {
		c.Mode = "dev"
	}
	if c.EnvManager == "" {
		c.EnvManager = "uv"
	}
	if c.Python == "" {
		c.Python = "3.12"
	}
	def := func(s *Service, port int, image, db string) {
		if s.Port == 0 {
			s.Port = port
		}
		if s.Image == "" {
			s.Image = image
		}
		if s.DBImage == "" {
			s.DBImage = db
		}
	}
	def(&c.Services.Airflow, 8080, DefaultAirflowImage(c.Python), DefaultPostgresImage)
	def(&c.Services.MLflow, 5000, DefaultMLflowImage, DefaultPostgresImage)
	def(&c.Services.Minio, 9000, DefaultMinioImage, "")
	def(&c.Services.Jupyter, 8895, DefaultJupyterImage, "")
	if c.Services.Minio.ConsolePort == 0 {
		c.Services.Minio.ConsolePort = 9001
	}
	if c.Services.MLflow.Workers == 0 {
		c.Services.MLflow.Workers = 1
	}
	if c.Build.BaseImage == "" {
		c.Build.BaseImage = DefaultBaseImage(c.Python)
	}
	if c.Cluster.Provider == "" {
		c.Cluster.Provider = ProviderMinikube
	}
	if c.Prod.Namespace == "" {
		c.Prod.Namespace = "default"
	}
	if c.Build.CondaSource == "" {
		c.Build.CondaSource = CondaChannels
	}
	if c.Minikube.Profile == "" && c.Name != "" {
		c.Minikube.Profile = "gaiaflow-" + c.Name
	}
	if c.Minikube.Driver == "" {
		c.Minikube.Driver = "docker"
	}
	if c.Minikube.CPUs == 0 {
		c.Minikube.CPUs = 4
	}
	if c.Minikube.Memory == "" {
		c.Minikube.Memory = "4g"
	}
	if c.Resources == nil {
		c.Resources = map[string]Resources{}
	}
	if _, ok := c.Resources["default"]; !ok {
		c.Resources["default"] = Resources{CPURequest: "500m", CPULimit: "1", MemoryRequest: "512Mi", MemoryLimit: "1Gi"}
	}
}

// Service returns the settings of the named service, or false.
func (c *Config) Service(name string) (*Service, bool) {
	switch name {
	case "airflow":
		return &c.Services.Airflow, true
	case "mlflow":
		return &c.Services.MLflow, true
	case "minio":
		return &c.Services.Minio, true
	case "jupyter":
		return &c.Services.Jupyter, true
	}
	return nil, false
}

// FieldError is a bad value at a key of the settings; Decode adds the position.
type FieldError struct {
	Key     string // dotted path, e.g. services.airflow.port
	Problem string // what is wrong and what is allowed
}

// Compiled on first use: at start-up they would slow every command, --help included.
var (
	nameRE      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$`) })
	packageRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z_][a-z0-9_]*$`) })
	memoryRE    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+[mMgG]?[bB]?$`) })
	quantityRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$`) })
	pythonMinor = []string{"3.10", "3.11", "3.12", "3.13"}
)

// Validate checks every value and returns one FieldError per problem, in file order of keys.
func (c *Config) Validate() []FieldError {
	var errs []FieldError
	add := func(key, format string, args ...any) {
		errs = append(errs, FieldError{Key: key, Problem: fmt.Sprintf(format, args...)})
	}
	if !nameRE().MatchString(c.Name) {
		add("name", "name %q is not valid: use 1 to 40 lower-case letters, digits and dashes, starting and ending with a letter or digit", c.Name)
	}
	if !packageRE().MatchString(c.Package) {
		add("package", "package %q is not a valid lower-case Python identifier", c.Package)
	}
	if !slices.Contains(Modes, c.Mode) {
		add("mode", "mode %q is not one of %s", c.Mode, strings.Join(Modes, ", "))
	}
	if !slices.Contains(EnvManagers, c.EnvManager) {
		add("env_manager", "env_manager %q is not one of %s", c.EnvManager, strings.Join(EnvManagers, ", "))
	}
	if !slices.Contains(pythonMinor, c.Python) {
		add("python", "python %q is not one of %s", c.Python, strings.Join(pythonMinor, ", "))
	}
	ports := map[int]string{}
	checkPort := func(key string, p int) {
		if p < 1 || p > 65535 {
			add(key, "port %d is out of range: use 1 to 65535", p)
			return
		}
		if other, ok := ports[p]; ok {
			add(key, "port %d is already used by %s", p, other)
			return
		}
		ports[p] = key
	}
	for _, name := range ServiceNames {
		s, _ := c.Service(name)
		checkPort("services."+name+".port", s.Port)
		if strings.ContainsAny(s.Image, " \t") || s.Image == "" {
			add("services."+name+".image", "image %q is not a valid image reference", s.Image)
		}
		if s.ExtendImage != nil && name != "airflow" {
			add("services."+name+".extend_image", "extend_image applies to services.airflow only")
		}
		if s.Workers != 0 && name != "mlflow" {
			add("services."+name+".workers", "workers applies to services.mlflow only")
		}
		if s.Jobs != nil && name != "mlflow" {
			add("services."+name+".jobs", "jobs applies to services.mlflow only")
		}
	}
	checkPort("services.minio.console_port", c.Services.Minio.ConsolePort)
	if w := c.Services.MLflow.Workers; w < 1 || w > 64 {
		add("services.mlflow.workers", "workers %d is out of range: use 1 to 64", w)
	}
	if c.Build.CondaSource != CondaChannels && c.Build.CondaSource != CondaPyPI {
		add("build.conda_source", "conda_source %q is not one of %s, %s", c.Build.CondaSource, CondaChannels, CondaPyPI)
	}
	if c.Minikube.CPUs < 1 {
		add("minikube.cpus", "cpus %d must be at least 1", c.Minikube.CPUs)
	}
	if !memoryRE().MatchString(c.Minikube.Memory) {
		add("minikube.memory", "memory %q is not a size such as 4g or 4096m", c.Minikube.Memory)
	}
	errs = append(errs, c.Cluster.validate()...)
	errs = append(errs, c.Prod.validate()...)
	for _, prof := range sortedKeys(c.Resources) {
		r := c.Resources[prof]
		for _, f := range []struct{ key, v string }{
			{"cpu_request", r.CPURequest}, {"cpu_limit", r.CPULimit},
			{"memory_request", r.MemoryRequest}, {"memory_limit", r.MemoryLimit},
		} {
			if f.v != "" && !quantityRE().MatchString(f.v) {
				add("resources."+prof+"."+f.key, "%q is not a Kubernetes quantity such as 500m, 1, 512Mi or 2Gi", f.v)
			}
		}
	}
	return errs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

var (
	dnsLabelRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`) })
	urlRE      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^https?://[^\s/]+(/\S*)?$`) })
)

func (c Cluster) validate() []FieldError {
	var errs []FieldError
	add := func(key, format string, args ...any) {
		errs = append(errs, FieldError{Key: "cluster." + key, Problem: fmt.Sprintf(format, args...)})
	}
	switch c.Provider {
	case ProviderMinikube:
		for _, f := range []struct {
			key string
			set bool
		}{{"kubeconfig", c.Kubeconfig != ""}, {"context", c.Context != ""}, {"api_server", c.APIServer != ""},
			{"network", c.Network != ""}, {"host_address", c.HostAddress != ""}, {"load_command", len(c.LoadCommand) > 0}} {
			if f.set {
				add(f.key, "%s applies to provider %q only (provider is %q)", f.key, ProviderKubeconfig, c.Provider)
			}
		}
	case ProviderKubeconfig:
		if c.Context == "" {
			add("context", "provider %q needs the context of the cluster to use", ProviderKubeconfig)
		}
		if len(c.LoadCommand) == 0 {
			add("load_command", "provider %q needs the command that puts an image on the cluster's node, such as [\"kind\", \"load\", \"docker-image\", \"{image}\"]", ProviderKubeconfig)
		} else if !slices.ContainsFunc(c.LoadCommand, func(a string) bool { return strings.Contains(a, "{image}") }) {
			add("load_command", "load_command %q has no {image} where the image goes", c.LoadCommand)
		}
	default:
		add("provider", "provider %q is not one of %s, %s", c.Provider, ProviderMinikube, ProviderKubeconfig)
	}
	if c.Namespace != "" && !dnsLabelRE().MatchString(c.Namespace) {
		add("namespace", "namespace %q is not a DNS-1123 label (lower-case letters, digits and dashes)", c.Namespace)
	}
	if c.APIServer != "" && !urlRE().MatchString(c.APIServer) {
		add("api_server", "api_server %q is not an http(s) URL", c.APIServer)
	}
	if c.HostAddress != "" && net.ParseIP(c.HostAddress) == nil {
		add("host_address", "host_address %q is not an IP address", c.HostAddress)
	}
	return errs
}

var (
	registryRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*$`)
	})
	dnsSubdomainRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	})
)

func (p Prod) validate() []FieldError {
	var errs []FieldError
	add := func(key, format string, args ...any) {
		errs = append(errs, FieldError{Key: "prod." + key, Problem: fmt.Sprintf(format, args...)})
	}
	if p.Registry != "" {
		if !registryRE().MatchString(p.Registry) || !NamesRegistry(p.Registry+"/x") {
			add("registry", "registry %q is not a registry host with an optional path, such as registry.example.com/team or 127.0.0.1:5000", p.Registry)
		}
	}
	if p.Image != "" {
		if strings.ContainsAny(p.Image, " \t") || !NamesRegistry(p.Image) {
			add("image", "image %q does not name its registry, such as registry.example.com/team/demo:0.1.0", p.Image)
		}
		if p.Registry != "" {
			add("image", "set either image or registry, not both")
		}
	}
	if p.Namespace != "" && !dnsLabelRE().MatchString(p.Namespace) {
		add("namespace", "namespace %q is not a DNS-1123 label (lower-case letters, digits and dashes)", p.Namespace)
	}
	if p.PullSecret != "" && (len(p.PullSecret) > 253 || !dnsSubdomainRE().MatchString(p.PullSecret)) {
		add("pull_secret", "pull_secret %q is not a secret name (lower-case letters, digits, dashes and dots)", p.PullSecret)
	}
	return errs
}
