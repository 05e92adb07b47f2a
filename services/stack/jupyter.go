package stack

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"strings"
	"text/template"

	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/docker"
)

const (
	jupyterPort = 8888
	jupyterHome = "/home/jovyan" // the user of the Jupyter docker-stacks images
	jupyterWork = jupyterHome + "/work"
	// jupyterOldEnv is where the project's dependencies were before they
	// moved to the shared environments: the setup removes it.
	jupyterOldEnv = jupyterHome + "/.gaiaflow/env"
	// jupyterEnvs is where JupyterEnvsVolume is mounted: one environment
	// per set of dependencies, shared by every project that has it.
	jupyterEnvs = "/opt/gaiaflow/jupyter-envs"
	// The setup's files are copied into the home volume (every image, even
	// one without /tmp, has it) under jupyterSetupDir/jupyterSetup.
	jupyterSetupDir = jupyterHome
	jupyterSetup    = ".gaiaflow/setup"
	// jupyterPipCache is where the setup finds pip's cache (PipCacheVolume).
	jupyterPipCache = "/var/cache/gaiaflow-pip"
)

//go:embed jupyter-setup.sh.tmpl
var jupyterSetupScript string

// jupyterKernelSite is the kernel's sitecustomize module: it sets the S3
// keys of the stack's credentials file as variables before a notebook runs.
//
//go:embed kernel-sitecustomize.py
var jupyterKernelSite string

// jupyterSetupData is what the setup script's template needs.
type jupyterSetupData struct {
	Dir            string // where its files are
	OldEnv         string
	Envs           string
	Key            string // names the dependencies' environment in Envs
	Home           string
	Owner          string // uid:gid, or "" to leave the home as the image has it
	SourcePath     string // the project's source, for the kernel's PYTHONPATH
	Requirements   bool
	Constraints    bool
	Conda          bool
	RattlerVersion string
}

// jupyter is JupyterLab with the project mounted read-write, run as the
// project's owner so that notebooks it saves are theirs. A one-shot setup
// container (root) installs the project's dependencies, conda and pixi ones
// included, into an environment of their own in the home volume, makes the
// default kernel (python3) use it, and hands the home to the owner. The
// server itself runs on the image's packages only: what the project
// installs cannot break it. Nothing is installed from the project itself
// (that would write build files into it): the package is imported from the
// mounted source through PYTHONPATH. The setup runs again only when what it
// installs changes.
func (b *builder) jupyter() {
	creds, svc := b.in.Creds, b.in.Config.Services.Jupyter
	port := svc.Port
	if b.in.JupyterPort != 0 {
		port = b.in.JupyterPort
	}
	home := docker.Mount{Type: "volume", Source: b.volume("jupyter", "jupyter-home"), Target: jupyterHome}
	envs := docker.Mount{Type: "volume", Source: b.sharedVolume("jupyter", JupyterEnvsVolume, kindJupyterEnvs, "jupyter-envs"), Target: jupyterEnvs}
	readEnvs := envs // JupyterLab only reads the shared environments
	readEnvs.ReadOnly = true
	src := ""
	if l := b.in.Layout; l.Package != "" {
		src = jupyterWork
		if l.SrcLayout {
			src += "/src"
		}
	}
	cmd := []string{"jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser", "--ServerApp.root_dir=" + jupyterWork}
	owner := b.in.Layout.Owner
	if strings.HasPrefix(owner, "0:") {
		cmd = append(cmd, "--allow-root") // the project is root's: so is JupyterLab
	}
	env := []string{
		// JupyterLab reads its token from a config file in a directory of
		// JUPYTER_CONFIG_PATH (which comes before the image's own).
		"JUPYTER_CONFIG_PATH=" + SecretsDir,
		"HOME=" + jupyterHome,
		// Kernels import the project's code: its caches go to the home
		// volume, never into the project.
		"PYTHONPYCACHEPREFIX=" + jupyterHome + "/.cache/gaiaflow-pycache",
		"MLFLOW_TRACKING_URI=" + mlflowURL,
		"MLFLOW_S3_ENDPOINT_URL=" + minioURL,
		// The original template's notebooks read these (and its .env, which
		// load_dotenv does not let override them, names localhost).
		"J_MLFLOW_TRACKING_URI=" + mlflowURL,
		"J_MLFLOW_S3_ENDPOINT_URL=" + minioURL,
		// Notebooks read the S3 keys from boto3's file; the kernel also
		// makes them variables (kernel-sitecustomize.py).
		"AWS_SHARED_CREDENTIALS_FILE=" + secretPath(secretAWS),
		"AWS_DEFAULT_REGION=us-east-1",
	}
	if src != "" {
		env = append(env, "PYTHONPATH="+src)
	}
	n := &Node{
		Service: "jupyter", Component: "jupyter", ImageKey: "services.jupyter.image",
		Spec: docker.ContainerSpec{
			Image: svc.Image, Cmd: cmd, Env: env, User: owner,
			Mounts:     []docker.Mount{home, {Type: "bind", Source: b.in.Dir, Target: jupyterWork}, readEnvs},
			Ports:      []docker.PortBinding{published(jupyterPort, port)},
			ExtraHosts: []string{"host.docker.internal:host-gateway"},
		},
		Ready: Readiness{Kind: ReadyHTTP, Port: jupyterPort, Path: "/api"},
		URLs:  []URL{{Name: "JupyterLab", URL: localURL(port, "/lab")}},
		Deps:  []Dep{{"jupyter-deps", Completed}},
	}
	// Its secret files belong to the user it runs as.
	uid, gid := ownerIDs(owner, jupyterUID, jupyterGID)
	addFiles(n, secretFile(secretJupyterConfig, jupyterConfig(creds.JupyterToken), uid, gid),
		secretFile(secretAWS, awsCredentials(creds), uid, gid))
	deps := b.in.Jupyter
	data := jupyterSetupData{Dir: jupyterSetupDir + "/" + jupyterSetup, OldEnv: jupyterOldEnv, Envs: jupyterEnvs, Key: jupyterEnvKey(deps),
		Home: jupyterHome, Owner: owner,
		SourcePath: src, Requirements: len(deps.Requirements) > 0, Constraints: len(deps.Constraints) > 0 && len(deps.Requirements) > 0,
		Conda: deps.Conda != nil, RattlerVersion: build.RattlerVersion}
	var script bytes.Buffer
	_ = template.Must(template.New("setup").Parse(jupyterSetupScript)).Execute(&script, data)
	file := func(name string, body []byte, mode int64) docker.File {
		return docker.File{Name: jupyterSetup + "/" + name, Data: body, Mode: mode}
	}
	files := []docker.File{file("setup.sh", script.Bytes(), 0o755), file("sitecustomize.py", []byte(jupyterKernelSite), 0o644)}
	if data.Requirements {
		files = append(files, file("requirements.txt", []byte(strings.Join(deps.Requirements, "\n")+"\n"), 0o644))
	}
	if data.Constraints {
		files = append(files, file("constraints.txt", []byte(strings.Join(deps.Constraints, "\n")+"\n"), 0o644))
	}
	if data.Conda {
		files = append(files, file("conda.json", deps.Conda.SpecFile(), 0o644), file("conda-env.py", build.CondaEnvScript(), 0o644))
	}
	b.add(&Node{
		Service: "jupyter", Component: "jupyter-deps", ImageKey: "services.jupyter.image", OneShot: true,
		Spec: docker.ContainerSpec{
			Image: svc.Image, User: "0:0", Cmd: []string{"sh", data.Dir + "/setup.sh"},
			Env: []string{"HOME=" + jupyterHome, "PIP_CACHE_DIR=" + jupyterPipCache, "PIP_DISABLE_PIP_VERSION_CHECK=1"},
			Mounts: []docker.Mount{home, envs,
				{Type: "volume", Source: b.sharedVolume("jupyter", PipCacheVolume, kindPipCache, "pip-cache"), Target: jupyterPipCache}},
		},
		Files: files, FilesDir: jupyterSetupDir,
		Ready: Readiness{Kind: ReadyExit},
	})
	b.add(n)
}

// jupyterEnvKey names the kernel environment of a set of dependencies: the
// same requirements, constraints and conda packages (and the same way of
// installing them) give the same key, so projects that share them share
// one environment. The setup adds the interpreter's version, machine and C
// library, which the environment's compiled packages depend on.
func jupyterEnvKey(deps build.KernelDeps) string {
	sum := sha256.New()
	fmt.Fprintf(sum, "gaiaflow jupyter env 1\nrattler %s\n", build.RattlerVersion)
	for _, part := range [][]string{deps.Requirements, deps.Constraints} {
		fmt.Fprintf(sum, "%d\n%s\n", len(part), strings.Join(part, "\n"))
	}
	if deps.Conda != nil {
		sum.Write(deps.Conda.SpecFile())
	}
	return hex.EncodeToString(sum.Sum(nil))[:16]
}
