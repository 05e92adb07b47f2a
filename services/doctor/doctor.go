// Package doctor checks, before anything is started, whether this machine can
// run the project: the Docker engine, memory, CPUs, disk, every host port the
// project needs, and the tools later modes use.
package doctor

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/hostports"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// Status of a check.
type Status string

const (
	OK   Status = "ok"
	Warn Status = "warn"
	Fail Status = "fail"
	// NotChecked: the check could not be made (no registry answered, no
	// engine). It never passes for ok and never fails doctor.
	NotChecked Status = "not checked"
)

// Check is one finding.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Hint   string `json:"hint,omitempty"`
}

// Airflow's documented minimums for a local deployment.
const (
	MinMemory = 4 << 30
	MinCPUs   = 2
	MinDisk   = 10 << 30
)

// Engine is what doctor needs from Docker.
type Engine interface {
	Info(ctx context.Context) (docker.EngineInfo, error)
	PublishedPorts(ctx context.Context) (map[int]docker.PortUser, error)
	InspectImage(ctx context.Context, ref string) (docker.ImageInfo, bool, error)
	RegistryDigest(ctx context.Context, ref string) (string, error)
}

// Env is what doctor reads from the machine; tests replace parts of it.
type Env struct {
	Engine    Engine                           // nil when no client could be built
	EngineErr error                            // why Engine is nil
	LookPath  func(string) (string, error)     // exec.LookPath
	Memory    func() (int64, error)            // total host memory
	DiskFree  func(path string) (int64, error) // free bytes at path
	PortFree  func(int) bool                   // hostports.Free
	PortOwner func(int) string                 // hostports.Owner
	Project   *project.Project                 // nil outside a project
	StateDir  string                           // where disk space is checked
}

// DefaultEnv returns an Env over the real machine.
func DefaultEnv(engine Engine, engineErr error, p *project.Project, stateDir string) Env {
	return Env{Engine: engine, EngineErr: engineErr, LookPath: exec.LookPath, Memory: totalMemory,
		DiskFree: diskFree, PortFree: hostports.Free, PortOwner: hostports.Owner, Project: p, StateDir: stateDir}
}

// Run performs every check. It never fails as a whole: each problem is a check.
func Run(ctx context.Context, env Env) []Check {
	var checks []Check
	info, engineOK := checkEngine(ctx, env, &checks)
	checks = append(checks, checkMemory(env, info, engineOK), checkCPUs(info, engineOK), checkDisk(env))
	checks = append(checks, checkPorts(ctx, env, engineOK)...)
	checks = append(checks, checkImages(ctx, env, engineOK)...)
	for _, tool := range []struct{ name, why, hint string }{
		{"minikube", "runs the prod_local cluster", "install minikube (https://minikube.sigs.k8s.io) before `gaiaflow prod-local start`"},
		{"kubectl", "inspects the cluster by hand", "optional: install kubectl to look inside the cluster yourself"},
		{"python3", "runs your package and tests locally", "install Python 3.10 to 3.13"},
	} {
		c := Check{Name: tool.name}
		if path, err := env.LookPath(tool.name); err == nil {
			c.Status, c.Detail = OK, path
		} else {
			c.Status, c.Detail, c.Hint = Warn, "not found on PATH ("+tool.why+")", tool.hint
		}
		checks = append(checks, c)
	}
	return checks
}

// OldestTestedAPI is the Engine API of the oldest Docker engine gaiaflow's
// tests run on (Docker 20.10; CI runs them on 29 too). Engines are told apart
// by API rather than by version number: engines that are not Docker's
// (Podman's Docker API) number their releases their own way.
const (
	OldestTestedAPI    = "1.41"
	OldestTestedEngine = "Docker 20.10"
)

func checkEngine(ctx context.Context, env Env, checks *[]Check) (docker.EngineInfo, bool) {
	c := Check{Name: "docker"}
	var info docker.EngineInfo
	err := env.EngineErr
	if env.Engine != nil {
		info, err = env.Engine.Info(ctx)
	}
	if err != nil {
		c.Status, c.Detail = Fail, firstLine(err.Error())
		c.Hint = "start the Docker engine (for example `sudo systemctl start docker`), or point DOCKER_HOST at one"
		*checks = append(*checks, c)
		return info, false
	}
	c.Status, c.Detail = OK, fmt.Sprintf("engine %s, API %s, %s/%s", info.Version, info.APIVersion, info.OS, info.Arch)
	if info.ClientAPIVersion != "" && info.ClientAPIVersion != info.APIVersion {
		c.Detail = fmt.Sprintf("engine %s, API %s (gaiaflow speaks %s), %s/%s", info.Version, info.APIVersion,
			info.ClientAPIVersion, info.OS, info.Arch)
	}
	if older(info.APIVersion, OldestTestedAPI) {
		c.Status = Warn
		c.Detail += fmt.Sprintf("; older than the oldest engine gaiaflow is tested on (%s, API %s)", OldestTestedEngine, OldestTestedAPI)
		c.Hint = "upgrade Docker to " + strings.TrimPrefix(OldestTestedEngine, "Docker ") + " or later"
	}
	*checks = append(*checks, c)
	if info.ImageStore != "" {
		store := Check{Name: "docker image store", Status: OK}
		switch info.ImageStore {
		case docker.ImageStoreContainerd:
			store.Detail = "containerd (snapshotter " + info.StorageDriver + ")"
		default:
			store.Detail = info.StorageDriver + " (graph driver)"
		}
		*checks = append(*checks, store)
	}
	// gaiaflow sends every build to the classic builder, whatever the
	// engine's clients default to; the row says both.
	builder := Check{Name: "docker builder", Status: OK, Detail: "classic (gaiaflow asks for it)"}
	switch info.DefaultBuilder {
	case "buildkit":
		builder.Detail = "classic (gaiaflow asks for it; the engine's default is BuildKit)"
	case "classic":
		builder.Detail = "classic (the engine's default)"
	}
	*checks = append(*checks, builder)
	return info, true
}

// older reports whether API version v is below min; an unreadable v is not.
func older(v, min string) bool {
	vp, ok1 := apiParts(v)
	mp, ok2 := apiParts(min)
	if !ok1 || !ok2 {
		return false
	}
	return vp[0] < mp[0] || vp[0] == mp[0] && vp[1] < mp[1]
}

func apiParts(v string) ([2]int, bool) {
	major, minor, ok := strings.Cut(v, ".")
	a, err1 := strconv.Atoi(major)
	b, err2 := strconv.Atoi(minor)
	return [2]int{a, b}, ok && err1 == nil && err2 == nil
}

func checkMemory(env Env, info docker.EngineInfo, engineOK bool) Check {
	c := Check{Name: "memory"}
	total := info.MemTotal // what containers can use: the VM's memory on macOS and Windows
	if !engineOK || total == 0 {
		var err error
		if total, err = env.Memory(); err != nil {
			return Check{Name: "memory", Status: Warn, Detail: "unknown: " + err.Error()}
		}
	}
	c.Detail = fmt.Sprintf("%s available to containers (Airflow needs %s)", gib(total), gib(MinMemory))
	c.Status = OK
	if total < MinMemory {
		c.Status, c.Hint = Warn, "give Docker more memory, or start fewer services with -s"
	}
	return c
}

func checkCPUs(info docker.EngineInfo, engineOK bool) Check {
	n := runtime.NumCPU()
	if engineOK && info.NCPU > 0 {
		n = info.NCPU
	}
	c := Check{Name: "cpus", Status: OK, Detail: fmt.Sprintf("%d (Airflow needs %d)", n, MinCPUs)}
	if n < MinCPUs {
		c.Status, c.Hint = Warn, "give Docker more CPUs; the stack will be slow"
	}
	return c
}

func checkDisk(env Env) Check {
	free, err := env.DiskFree(env.StateDir)
	if err != nil {
		return Check{Name: "disk", Status: Warn, Detail: "unknown: " + err.Error()}
	}
	c := Check{Name: "disk", Status: OK, Detail: fmt.Sprintf("%s free (Airflow needs %s)", gib(free), gib(MinDisk))}
	if free < MinDisk {
		c.Status, c.Hint = Warn, "free some disk space; images and volumes need about 10 GB"
	}
	return c
}

// settings are the project's, or outside a project the defaults a new one gets.
func settings(env Env) (cfg *project.Config, id string) {
	if env.Project != nil {
		return env.Project.Config, env.Project.ID()
	}
	return project.Default("project", "pkg"), ""
}

// checkPorts checks every host port the project publishes (the defaults
// outside a project). A port held by this project's own container is fine.
func checkPorts(ctx context.Context, env Env, engineOK bool) []Check {
	cfg, id := settings(env)
	ports := map[int]string{}
	for _, name := range project.ServiceNames {
		s, _ := cfg.Service(name)
		if s.IsEnabled() {
			ports[s.Port] = name
		}
	}
	if cfg.Services.Minio.IsEnabled() {
		ports[cfg.Services.Minio.ConsolePort] = "minio console"
	}
	var users map[int]docker.PortUser
	if engineOK && env.Engine != nil {
		users, _ = env.Engine.PublishedPorts(ctx)
	}
	nums := make([]int, 0, len(ports))
	for p := range ports {
		nums = append(nums, p)
	}
	sort.Ints(nums)
	taken := map[int]bool{}
	for _, p := range nums {
		taken[p] = true
	}
	var out []Check
	for _, port := range nums {
		c := Check{Name: fmt.Sprintf("port %d", port), Status: OK, Detail: "free for " + ports[port]}
		if u, ok := users[port]; ok {
			if id != "" && u.Project == id {
				c.Detail = "used by this project's " + ports[port] + " (" + u.Container + ")"
			} else {
				c.Status, c.Detail = Fail, fmt.Sprintf("needed by %s, taken by container %s", ports[port], u.Container)
				c.Hint = portHint(ports[port], port, taken)
			}
		} else if !env.PortFree(port) {
			owner := env.PortOwner(port)
			if owner == "" {
				owner = "another program"
			}
			c.Status, c.Detail = Fail, fmt.Sprintf("needed by %s, taken by %s", ports[port], owner)
			c.Hint = portHint(ports[port], port, taken)
		}
		out = append(out, c)
	}
	return out
}

func portHint(service string, port int, taken map[int]bool) string {
	key := "services." + strings.Fields(service)[0] + ".port"
	if service == "minio console" {
		key = "services.minio.console_port"
	}
	if alt := hostports.Suggest(port, taken); alt != 0 {
		return fmt.Sprintf("stop what holds it, or set %s = %d in gaiaflow.toml", key, alt)
	}
	return "stop what holds it, or choose another port for " + key + " in gaiaflow.toml"
}

// Worst returns the most severe status among checks.
func Worst(checks []Check) Status {
	worst := OK
	for _, c := range checks {
		if c.Status == Fail {
			return Fail
		}
		if c.Status == Warn {
			worst = Warn
		}
	}
	return worst
}

func gib(b int64) string { return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30)) }

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
