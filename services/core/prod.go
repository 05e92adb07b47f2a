package core

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/kubecontext"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/registry"
)

// prod's use cases: `gaiaflow prod dockerize|create-secret|status` and the
// dashboard's keys for prod's checklist. The registry's credentials come
// from this machine's Docker configuration (docker login), the cluster is
// the context [prod] names; gaiaflow never creates or deletes anything in
// that cluster except the secrets it is asked to make.

const prodScope = "prod"

var _ modes.RegistryProbe = (*registry.Client)(nil)

// credentials is this machine's Docker credential store.
func (c *Core) credentials() registry.DockerConfig {
	return registry.DockerConfigFromEnv(c.d.Getenv)
}

// registryClient asks registries with this machine's credentials.
func (c *Core) registryClient() *registry.Client {
	return registry.New(registry.Options{Credentials: c.credentials()})
}

// prodImages is the task image's local name and the name prod pushes.
func prodImages(p *project.Project, flag string) (local, pushed string, err error) {
	local, err = build.ImageName("", p.Config.Build.Image, p.Config.Package, p.Dir)
	if err != nil {
		return "", "", err
	}
	if flag != "" {
		pushed = flag
	} else if pushed, err = p.Config.ProdImage(local); err != nil {
		return "", "", err
	}
	ref, err := registry.ParseReference(pushed)
	if err != nil {
		return "", "", err
	}
	if ref.Digest != "" || !project.NamesRegistry(pushed) {
		return "", "", errs.Usagef("name it registry.example.com/team/NAME:TAG",
			"%s does not name the registry to push to (or has a digest)", pushed)
	}
	// :latest is refused as dev dockerize refuses it, before the build.
	if _, err := build.CheckImageName(pushed); err != nil {
		return "", "", err
	}
	return local, pushed, nil
}

// Pushed is what `prod dockerize` did.
type Pushed struct {
	Build  *build.Result      `json:"build"`
	Record project.Deployment `json:"record"`
	// RecordFile is the deployment record written for the DAGs.
	RecordFile string `json:"record_file"`
}

// ProdDockerize builds the task image (as dev dockerize does), tags it with
// the name prod pushes (o.Image, else [prod] image or registry) and pushes
// it with this machine's Docker credentials for that registry; then it
// records the pushed digest in dags/gaiaflow_prod.json, which the library
// pins prod's tasks to. A failed push records nothing.
func (c *Core) ProdDockerize(ctx context.Context, o DockerizeOptions, r event.Reporter) (*Pushed, error) {
	p, err := c.Project()
	if err != nil {
		return nil, err
	}
	local, pushed, err := prodImages(p, o.Image)
	if err != nil {
		return nil, err
	}
	ref, _ := registry.ParseReference(pushed)
	// The credentials first: a broken helper fails before a long build.
	creds, err := c.credentials().Credentials(ctx, ref.Host)
	if err != nil {
		return nil, err
	}
	engine, err := c.Docker()
	if err != nil {
		return nil, err
	}
	o.Image, o.Target = local, build.TargetDocker
	b := &build.Builder{Engine: engine, Library: c.Library()}
	res, err := b.Dockerize(ctx, p, o, r)
	if err != nil {
		return nil, err
	}
	if err := engine.TagImage(ctx, res.Image, pushed); err != nil {
		return nil, err
	}
	r.Report(event.Event{Kind: event.Step, Scope: prodScope, State: "pushing", Message: fmt.Sprintf("pushing %s (%s)", pushed, creds)})
	pushedLayers := map[string]bool{}
	digest, err := engine.PushImage(ctx, pushed, creds, func(pp docker.PullProgress) {
		if pp.Layer != "" && (pp.Status == "Pushed" || pp.Status == "Layer already exists") && !pushedLayers[pp.Layer] {
			pushedLayers[pp.Layer] = true
			r.Report(event.Event{Kind: event.Log, Scope: prodScope, Message: pp.Layer + ": " + pp.Status})
		}
	})
	if err != nil {
		r.Report(event.Event{Kind: event.Done, Scope: prodScope, Message: "push " + pushed, Err: err.Error()})
		return nil, err
	}
	d := project.Deployment{Image: pushed, Digest: digest, Package: p.Config.Package,
		Namespace: p.Config.Prod.Namespace, PullSecret: p.Config.Prod.PullSecret, PushedAt: time.Now().UTC()}
	if err := p.SetDeployment(d); err != nil {
		return nil, fmt.Errorf("pushed %s@%s, but the record could not be written: %w", pushed, digest, err)
	}
	r.Report(event.Event{Kind: event.Done, Scope: prodScope, State: "pushed",
		Message: fmt.Sprintf("pushed %s@%s; recorded in %s", pushed, digest, p.DeploymentPath())})
	return &Pushed{Build: res, Record: d, RecordFile: p.DeploymentPath()}, nil
}

// prodCluster is the context [prod] names.
func (c *Core) prodCluster(p *project.Project) (*kubecontext.Cluster, error) {
	if p.Config.Prod.Context == "" {
		return nil, errs.Usagef("set context (and kubeconfig, if not the default) under [prod] in gaiaflow.toml; `kubectl config get-contexts` lists them",
			"[prod] names no cluster context")
	}
	return kubecontext.New(p.Config.ProdCluster(), c.d.Getenv, c.d.NewKube)
}

// prodClient reaches the prod cluster, failing when it does not answer.
func (c *Core) prodClient(ctx context.Context, p *project.Project) (kube.API, error) {
	cl, err := c.prodCluster(p)
	if err != nil {
		return nil, err
	}
	if _, err := cl.Reach(ctx); err != nil {
		return nil, err
	}
	return cl.Client()
}

// CreatePullSecret makes (or with update replaces) the image pull secret
// [prod] pull_secret names, from this machine's Docker credentials for the
// registry prod pushes to, so the cluster's nodes can pull the task image.
// The credentials are never printed, logged or reported.
func (c *Core) CreatePullSecret(ctx context.Context, update bool, r event.Reporter) (kube.SecretChange, error) {
	p, err := c.Project()
	if err != nil {
		return kube.SecretChange{}, err
	}
	name := p.Config.Prod.PullSecret
	if name == "" {
		return kube.SecretChange{}, errs.Usagef(`set pull_secret = "regcred" under [prod] in gaiaflow.toml`, "[prod] names no pull secret")
	}
	_, pushed, err := prodImages(p, "")
	if err != nil {
		return kube.SecretChange{}, err
	}
	ref, _ := registry.ParseReference(pushed)
	creds, err := c.credentials().Credentials(ctx, ref.Host)
	if err != nil {
		return kube.SecretChange{}, err
	}
	switch {
	case creds.Anonymous():
		return kube.SecretChange{}, errs.Failf("docker login "+ref.Host, "this machine has no credentials for %s to put in a pull secret", ref.Host)
	case creds.Username == "" || creds.Password == "":
		return kube.SecretChange{}, errs.Failf("docker login "+ref.Host+" with a user and password",
			"the credentials for %s are an identity token, which a cluster's nodes cannot use to pull", ref.Host)
	}
	auth := map[string]any{"auths": map[string]any{ref.Host: map[string]string{
		"username": creds.Username, "password": creds.Password,
		"auth": base64.StdEncoding.EncodeToString([]byte(creds.Username + ":" + creds.Password)),
	}}}
	data, err := json.Marshal(auth)
	if err != nil {
		return kube.SecretChange{}, err
	}
	spec := kube.SecretSpec{Name: name, Namespace: p.Config.Prod.Namespace, Type: corev1.SecretTypeDockerConfigJson,
		Data: map[string]string{corev1.DockerConfigJsonKey: string(data)}, Update: update, Labels: secretLabels(p)}
	if err := kube.ValidateSpec(spec); err != nil {
		return kube.SecretChange{}, err
	}
	api, err := c.prodClient(ctx, p)
	if err != nil {
		return kube.SecretChange{}, err
	}
	return kube.ApplySecret(ctx, api, spec, r)
}

// ProdStatus is prod as `prod status` shows it: where tasks run, the image
// they run and the secrets they need, each as the readiness checks found it.
type ProdStatus struct {
	Context    string `json:"context"`
	Kubeconfig string `json:"kubeconfig,omitempty"`
	Namespace  string `json:"namespace"`
	Image      string `json:"image,omitempty"`
	// Recorded is the last push (dags/gaiaflow_prod.json), if any.
	Recorded  *project.Deployment `json:"recorded,omitempty"`
	Readiness Readiness           `json:"readiness"`
}

// ProdStatus reads prod's settings, its deployment record and its
// checklist (which asks the registry and the cluster).
func (c *Core) ProdStatus(ctx context.Context) (ProdStatus, error) {
	p, err := c.Project()
	if err != nil {
		return ProdStatus{}, err
	}
	s := ProdStatus{Context: p.Config.Prod.Context, Kubeconfig: p.Config.Prod.Kubeconfig, Namespace: p.Config.Prod.Namespace}
	if _, pushed, err := prodImages(p, ""); err == nil {
		s.Image = pushed
	}
	if d, ok, err := p.Deployment(); err == nil && ok {
		s.Recorded = &d
	}
	s.Readiness, err = c.checkMode(ctx, p, modes.Prod)
	return s, err
}

// secretLabels mark a secret as gaiaflow's, made for project p.
func secretLabels(p *project.Project) map[string]string {
	return map[string]string{"app.kubernetes.io/managed-by": "gaiaflow", "io.gaiaflow.project": p.ID()}
}
