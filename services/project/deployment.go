package project

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// DeploymentFile is prod's deployment record, in the project's dags/
// folder so that it travels with the DAG files to the production Airflow.
// The Python library (gaiaflow.core.deployment) reads it: a prod task
// without an image runs Image@Digest, in Namespace, pulled with PullSecret.
const DeploymentFile = "gaiaflow_prod.json"

// Deployment is what `prod dockerize` pushed, and where prod's pods run.
// It holds no endpoint and no credential.
type Deployment struct {
	Image      string    `json:"image"`  // registry/name:tag
	Digest     string    `json:"digest"` // sha256:..., the manifest the registry stored
	Package    string    `json:"package"`
	Namespace  string    `json:"namespace,omitempty"`
	PullSecret string    `json:"pull_secret,omitempty"`
	PushedAt   time.Time `json:"pushed_at"`
}

// Pinned is the image by name and digest.
func (d Deployment) Pinned() string { return d.Image + "@" + d.Digest }

// DeploymentPath is where p's deployment record lives.
func (p *Project) DeploymentPath() string { return filepath.Join(p.Dir, "dags", DeploymentFile) }

// Deployment reads p's deployment record; false when there is none.
func (p *Project) Deployment() (Deployment, bool, error) {
	var d Deployment
	data, err := os.ReadFile(p.DeploymentPath())
	if errors.Is(err, fs.ErrNotExist) {
		return d, false, nil
	}
	if err != nil {
		return d, false, err
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return d, false, fmt.Errorf("%s is not a deployment record (%v): run `gaiaflow prod dockerize` again", p.DeploymentPath(), err)
	}
	return d, true, nil
}

// SetDeployment writes p's deployment record, whole or not at all.
func (p *Project) SetDeployment(d Deployment) error {
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p.DeploymentPath()), 0o755); err != nil {
		return err
	}
	return WriteFileAtomic(p.DeploymentPath(), append(data, '\n'), 0o644)
}

// ProdImage is the image `prod dockerize` pushes for a task image named
// local (name:tag): [prod] image, else [prod] registry and local's last
// path element, else build.image when it names a registry. Without any,
// the error says what to set.
func (c *Config) ProdImage(local string) (string, error) {
	switch {
	case c.Prod.Image != "":
		return c.Prod.Image, nil
	case c.Prod.Registry != "":
		return strings.TrimSuffix(c.Prod.Registry, "/") + "/" + path.Base(local), nil
	case NamesRegistry(c.Build.Image):
		return c.Build.Image, nil
	}
	return "", errs.Usagef(`set registry = "registry.example.com/team" under [prod] in gaiaflow.toml`,
		"no registry to push the task image to")
}

// NamesRegistry reports whether an image reference starts with a registry
// host (a dot or a port in its first element, or localhost).
func NamesRegistry(ref string) bool {
	first, _, ok := strings.Cut(ref, "/")
	return ok && (strings.ContainsAny(first, ".:") || first == "localhost")
}

// ProdCluster is [prod]'s cluster as a kubeconfig context, for the code
// that reaches clusters by context (package kubecontext).
func (c *Config) ProdCluster() Cluster {
	return Cluster{Provider: ProviderKubeconfig, Kubeconfig: c.Prod.Kubeconfig, Context: c.Prod.Context, Namespace: c.Prod.Namespace}
}
