package core

import (
	"context"
	"os"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// The prod_local cluster's use cases: `gaiaflow prod-local ...`, the
// dashboard's start and delete keys and its secret wizard.

// cluster is what every cluster use case works on.
type cluster struct {
	project *project.Project
	state   *project.State
	mk      *minikube.Cluster
}

// clusterOf opens p's state directory and its cluster. A missing minikube
// is an error saying how to install it.
func (c *Core) clusterOf(p *project.Project) (*cluster, error) {
	st, err := stateOf(p)
	if err != nil {
		return nil, err
	}
	r, err := c.d.NewMinikube()
	if err != nil {
		return nil, err
	}
	return &cluster{project: p, state: st, mk: minikube.New(r, p.Config.Minikube, st)}, nil
}

func (c *Core) projectCluster() (*cluster, error) {
	p, err := c.Project()
	if err != nil {
		return nil, err
	}
	return c.clusterOf(p)
}

// running fails unless the cluster runs.
func (cl *cluster) running(ctx context.Context) error {
	status, err := cl.mk.Status(ctx)
	if err != nil {
		return err
	}
	if !status.Running() {
		return errs.Failf("start it with `gaiaflow prod-local start`", "the Minikube cluster %s is not running (%s)", cl.mk.Profile, status.State)
	}
	return nil
}

// kubeClient builds the client for the cluster from the kubeconfig minikube
// keeps in the state directory.
func (c *Core) kubeClient(cl *cluster) (kube.API, error) {
	path := cl.state.Path(minikube.HostKubeconfigFile)
	if _, err := os.Stat(path); err != nil {
		return nil, errs.Failf("start the cluster with `gaiaflow prod-local start`, or run `gaiaflow prod-local create-config` if it runs already",
			"no kubeconfig for cluster %s yet", cl.mk.Profile)
	}
	return c.d.NewKube(path, cl.mk.Profile)
}

// ClusterStarted says where the started cluster's context is.
type ClusterStarted struct {
	Profile    string              `json:"profile"`
	Kubeconfig string              `json:"kubeconfig"` // minikube's, in the state directory
	Connection minikube.Connection `json:"connection"`
}

// StartCluster starts the project's Minikube profile unless it runs (with
// ForceNew: deletes it first), then writes the kubeconfig Airflow uses.
func (c *Core) StartCluster(ctx context.Context, o minikube.StartOptions, r event.Reporter) (ClusterStarted, error) {
	cl, err := c.projectCluster()
	if err != nil {
		return ClusterStarted{}, err
	}
	conn, err := cl.mk.Start(ctx, cl.state, o, r)
	return ClusterStarted{Profile: cl.mk.Profile, Kubeconfig: cl.mk.Kubeconfig, Connection: conn}, err
}

// StopCluster stops the profile; the local stack keeps running.
func (c *Core) StopCluster(ctx context.Context, r event.Reporter) error {
	cl, err := c.projectCluster()
	if err != nil {
		return err
	}
	return cl.mk.Stop(ctx, r)
}

// RestartCluster stops, then starts the profile.
func (c *Core) RestartCluster(ctx context.Context, o minikube.StartOptions, r event.Reporter) error {
	cl, err := c.projectCluster()
	if err != nil {
		return err
	}
	_, err = cl.mk.Restart(ctx, cl.state, o, r)
	return err
}

// ClusterProfile is the project's Minikube profile name.
func (c *Core) ClusterProfile() (string, error) {
	p, err := c.Project()
	if err != nil {
		return "", err
	}
	return p.Config.Minikube.Profile, nil
}

// CreateConfig writes or refreshes the kubeconfig the Airflow containers
// use to reach the cluster.
func (c *Core) CreateConfig(ctx context.Context, r event.Reporter) (minikube.Connection, error) {
	cl, err := c.projectCluster()
	if err != nil {
		return minikube.Connection{}, err
	}
	return cl.mk.Configure(ctx, cl.state, r)
}

// DeleteCluster detaches the stack's containers from the cluster's network,
// deletes the profile and removes the kubeconfig that pointed at it. The
// faces ask for confirmation before they call it.
func (c *Core) DeleteCluster(ctx context.Context, r event.Reporter) error {
	cl, err := c.projectCluster()
	if err != nil {
		return err
	}
	detach := func(ctx context.Context, network string) ([]string, error) {
		d, err := c.Docker()
		if err != nil {
			return nil, err
		}
		return d.DisconnectProject(ctx, network, cl.project.ID())
	}
	return cl.mk.Cleanup(ctx, cl.state, detach, r)
}

// ClusterStatus is the cluster as `prod-local status` shows it.
type ClusterStatus struct {
	Profile           string               `json:"profile"`
	State             string               `json:"state"`
	Minikube          minikube.Status      `json:"minikube"`
	KubernetesVersion string               `json:"kubernetes_version,omitempty"`
	Nodes             []kube.Node          `json:"nodes"`
	Pods              []kube.TaskPod       `json:"pods"`
	Connection        *minikube.Connection `json:"connection,omitempty"`
	// Problems are what could not be read; the rest is still reported.
	Problems []string `json:"problems,omitempty"`
}

// taskPodLimit is how many task pods the status lists.
const taskPodLimit = 10

// ClusterStatus reads the cluster's state, Kubernetes version, nodes and
// newest task pods. What cannot be read becomes a problem, not a failure.
func (c *Core) ClusterStatus(ctx context.Context) (ClusterStatus, error) {
	cl, err := c.projectCluster()
	if err != nil {
		return ClusterStatus{}, err
	}
	st, err := cl.mk.Status(ctx)
	if err != nil {
		return ClusterStatus{}, err
	}
	v := ClusterStatus{Profile: st.Profile, State: st.State, Minikube: st, Nodes: []kube.Node{}, Pods: []kube.TaskPod{}}
	if conn, ok, err := minikube.ReadConnection(cl.state); err != nil {
		v.Problems = append(v.Problems, err.Error())
	} else if ok {
		v.Connection = &conn
	}
	if !st.Running() {
		return v, nil
	}
	cs, err := c.kubeClient(cl)
	if err != nil {
		v.Problems = append(v.Problems, err.Error())
		return v, nil
	}
	info, err := kube.Describe(ctx, cs)
	if err != nil {
		v.Problems = append(v.Problems, err.Error())
		return v, nil
	}
	v.KubernetesVersion, v.Nodes = info.KubernetesVersion, info.Nodes
	if pods, err := kube.RecentTaskPods(ctx, cs, taskPodLimit); err != nil {
		v.Problems = append(v.Problems, err.Error())
	} else {
		v.Pods = pods
	}
	return v, nil
}

// SecretRequest is a secret to create or update: values from the KEY=VALUE
// Pairs and from the KEY=VALUE lines of EnvFile (a key in both is an error).
type SecretRequest struct {
	Name, Namespace string
	Pairs           []string
	EnvFile         string
	Update          bool
}

// secretSpec checks the request and makes the secret's spec; its labels
// name the project. Nothing is contacted.
func (c *Core) secretSpec(req SecretRequest) (kube.SecretSpec, error) {
	p, err := c.Project()
	if err != nil {
		return kube.SecretSpec{}, err
	}
	values, err := kube.CollectData(req.Pairs, req.EnvFile)
	if err != nil {
		return kube.SecretSpec{}, err
	}
	spec := kube.SecretSpec{Name: req.Name, Namespace: req.Namespace, Data: values, Update: req.Update,
		Labels: map[string]string{"app.kubernetes.io/managed-by": "gaiaflow", "io.gaiaflow.project": p.ID()}}
	if spec.Namespace == "" {
		spec.Namespace = minikube.TaskNamespace
	}
	return spec, kube.ValidateSpec(spec)
}

// CheckSecret checks a secret request as CreateSecret would, without
// contacting the cluster (the secret wizard checks as you type).
func (c *Core) CheckSecret(req SecretRequest) error {
	_, err := c.secretSpec(req)
	return err
}

// DryRunSecret is the secret CreateSecret would apply, every value shown as
// <redacted>; the cluster is not contacted.
func (c *Core) DryRunSecret(req SecretRequest) (kube.Manifest, error) {
	spec, err := c.secretSpec(req)
	if err != nil {
		return kube.Manifest{}, err
	}
	return kube.DryRun(spec)
}

// CreateSecret creates the secret in the running cluster, or with Update
// replaces an existing one's data, reporting keys added, changed and
// removed. Values are never reported.
func (c *Core) CreateSecret(ctx context.Context, req SecretRequest, r event.Reporter) (kube.SecretChange, error) {
	spec, err := c.secretSpec(req)
	if err != nil {
		return kube.SecretChange{}, err
	}
	cl, err := c.projectCluster()
	if err != nil {
		return kube.SecretChange{}, err
	}
	if err := cl.running(ctx); err != nil {
		return kube.SecretChange{}, err
	}
	cs, err := c.kubeClient(cl)
	if err != nil {
		return kube.SecretChange{}, err
	}
	return kube.ApplySecret(ctx, cs, spec, r)
}
