package stack

import (
	"strings"

	"github.com/gaiaflow/gaiaflow/services/docker"
)

const (
	jupyterPort = 8888
	jupyterHome = "/home/jovyan" // the user of the Jupyter docker-stacks images
	jupyterWork = jupyterHome + "/work"
	jupyterDeps = jupyterHome + "/.gaiaflow/site-packages"
)

// jupyter is JupyterLab with the project mounted and its dependencies
// installed. The dependencies go into the home volume by a one-shot
// container, so they survive the JupyterLab container being recreated and
// are installed again only when pyproject.toml's list changes. Nothing is
// installed from the project itself (that would write build files into it):
// the package is imported from the mounted source through PYTHONPATH.
func (b *builder) jupyter() {
	creds, svc := b.in.Creds, b.in.Config.Services.Jupyter
	port := svc.Port
	if b.in.JupyterPort != 0 {
		port = b.in.JupyterPort
	}
	home := docker.Mount{Type: "volume", Source: b.volume("jupyter", "jupyter-home"), Target: jupyterHome}
	pyPath := []string{jupyterDeps}
	if l := b.in.Layout; l.Package != "" {
		if l.SrcLayout {
			pyPath = append(pyPath, jupyterWork+"/src")
		} else {
			pyPath = append(pyPath, jupyterWork)
		}
	}
	n := &Node{
		Service: "jupyter", Component: "jupyter", ImageKey: "services.jupyter.image",
		Spec: docker.ContainerSpec{
			Image: svc.Image,
			Cmd: []string{"jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser",
				"--ServerApp.root_dir=" + jupyterWork},
			// JupyterLab reads its token from a config file in a
			// directory of JUPYTER_CONFIG_PATH (which comes before the
			// image's own), notebooks the S3 keys from boto3's file.
			Env: []string{
				"JUPYTER_CONFIG_PATH=" + SecretsDir,
				"PYTHONPATH=" + strings.Join(pyPath, ":"),
				"MLFLOW_TRACKING_URI=" + mlflowURL,
				"MLFLOW_S3_ENDPOINT_URL=" + minioURL,
				"AWS_SHARED_CREDENTIALS_FILE=" + secretPath(secretAWS),
				"AWS_DEFAULT_REGION=us-east-1",
			},
			Mounts:     []docker.Mount{home, {Type: "bind", Source: b.in.Dir, Target: jupyterWork}},
			Ports:      []docker.PortBinding{published(jupyterPort, port)},
			ExtraHosts: []string{"host.docker.internal:host-gateway"},
		},
		Ready: Readiness{Kind: ReadyHTTP, Port: jupyterPort, Path: "/api"},
		URLs:  []URL{{Name: "JupyterLab", URL: localURL(port, "/lab")}},
	}
	addFiles(n, secretFile(secretJupyterConfig, jupyterConfig(creds.JupyterToken), jupyterUID, jupyterGID),
		secretFile(secretAWS, awsCredentials(creds), jupyterUID, jupyterGID))
	if reqs := b.in.Layout.Requirements; len(reqs) > 0 {
		b.add(&Node{
			Service: "jupyter", Component: "jupyter-deps", ImageKey: "services.jupyter.image", OneShot: true,
			Spec: docker.ContainerSpec{
				Image: svc.Image,
				Cmd: append([]string{"pip", "install", "--no-cache-dir", "--disable-pip-version-check",
					"--upgrade", "--target", jupyterDeps}, reqs...),
				Mounts: []docker.Mount{home},
			},
			Ready: Readiness{Kind: ReadyExit},
		})
		n.Deps = []Dep{{"jupyter-deps", Completed}}
	}
	b.add(n)
}
