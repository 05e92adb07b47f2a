package core

import (
	"context"
	"os"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/kubecontext"
	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// The prod_local cluster's use cases: `gaiaflow prod-local ...`, the
// dashboard's start and delete keys and its secret wizard.

// cluster is what every cluster use case works on: the project's Minikube
// profile (mk), or the cluster a kubeconfig context names (kc), as
// cluster.provider says.
type cluster struct {
	project *project.Project
	state   *project.State
	mk      *minikube.Cluster
	kc      *kubecontext.Cluster
}

// name is how messages name the cluster.
func (cl *cluster) name() string {
	if cl.kc != nil {
		return cl.kc.Name()
	}
	return "the Minikube cluster " + cl.mk.Profile
}

// clusterOf opens p's state directory and its cluster. With the Minikube
// provider, a missing minikube is an error saying how to install it.
func (c *Core) clusterOf(p *project.Project) (*cluster, error) {
	st, err := stateOf(p)
	if err != nil {
		return nil, err
	}
	if p.Config.Cluster.Provider == project.ProviderKubeconfig {
		kc, err := kubecontext.New(p.Config.Cluster, c.d.Getenv, c.d.NewKube)
		if err != nil {
			return nil, err
		}
		if c.d.RunLoad != nil {
			kc.Run = c.d.RunLoad
		}
		return &cluster{project: p, state: st, kc: kc}, nil
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

// running fails unless the cluster runs (answers, for a kubeconfig context).
func (cl *cluster) running(ctx context.Context) error {
	if cl.kc != nil {
		_, err := cl.kc.Reach(ctx)
		return err
	}
	status, err := cl.mk.Status(ctx)
	if err != nil {
		return err
	}
	if !status.Running() {
		return errs.Failf("start it with `gaiaflow prod-local start`", "the Minikube cluster %s is not running (%s)", cl.mk.Profile, status.State)
	}
	return nil
}

// kubeClient builds the client for the cluster: from the user's kubeconfig
// for a context, from the kubeconfig minikube keeps in the state directory
// for a profile.
func (c *Core) kubeClient(cl *cluster) (kube.API, error) {
	if cl.kc != nil {
		return cl.kc.Client()
	}
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
// ForceNew: deletes it first), then writes the kubeconfig Airflow uses. A
// kubeconfig context is not started (gaiaflow did not create it): it is
// asked whether it answers, and the Airflow kubeconfig is written for it.
func (c *Core) StartCluster(ctx context.Context, o minikube.StartOptions, r event.Reporter) (ClusterStarted, error) {
	cl, err := c.projectCluster()
	if err != nil {
		return ClusterStarted{}, err
	}
	if cl.kc != nil {
		conn, err := cl.kc.Connect(ctx, cl.state, r)
		return ClusterStarted{Profile: cl.kc.Settings.Context, Kubeconfig: cl.kc.File, Connection: conn}, err
	}
	conn, err := cl.mk.Start(ctx, cl.state, o, r)
	return ClusterStarted{Profile: cl.mk.Profile, Kubeconfig: cl.mk.Kubeconfig, Connection: conn}, err
}

// StopCluster stops the profile; the local stack keeps running. A cluster
// gaiaflow did not create is never stopped.
func (c *Core) StopCluster(ctx context.Context, r event.Reporter) error {
	cl, err := c.projectCluster()
	if err != nil {
		return err
	}
	if cl.kc != nil {
		r.Report(event.Event{Kind: event.Done, Scope: "cluster", Message: cl.name() + " was not created by gaiaflow, so gaiaflow does not stop it"})
		return nil
	}
	return cl.mk.Stop(ctx, r)
}

// RestartCluster stops, then starts the profile; for a kubeconfig context
// it connects again.
func (c *Core) RestartCluster(ctx context.Context, o minikube.StartOptions, r event.Reporter) error {
	cl, err := c.projectCluster()
	if err != nil {
		return err
	}
	if cl.kc != nil {
		_, err = cl.kc.Connect(ctx, cl.state, r)
		return err
	}
	_, err = cl.mk.Restart(ctx, cl.state, o, r)
	return err
}

// ClusterOwned names the project's cluster and says whether gaiaflow created
// it: DeleteCluster deletes only such a cluster, and only disconnects from
// any other.
func (c *Core) ClusterOwned() (name string, owned bool, err error) {
	p, err := c.Project()
	if err != nil {
		return "", false, err
	}
	if p.Config.Cluster.Provider == project.ProviderKubeconfig {
		return "context " + p.Config.Cluster.Context, false, nil
	}
	return p.Config.Minikube.Profile, true, nil
}

// CreateConfig writes or refreshes the kubeconfig the Airflow containers
// use to reach the cluster.
func (c *Core) CreateConfig(ctx context.Context, r event.Reporter) (minikube.Connection, error) {
	cl, err := c.projectCluster()
	if err != nil {
		return minikube.Connection{}, err
	}
	if cl.kc != nil {
		return cl.kc.Connect(ctx, cl.state, r)
	}
	return cl.mk.Configure(ctx, cl.state, r)
}

// DeleteCluster detaches the stack's containers from the cluster's network
// and removes the Airflow kubeconfig that pointed at it; the Minikube
// profile, which gaiaflow created, is deleted too. A cluster gaiaflow did
// not create is never deleted. The faces ask before they call it.
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
	if cl.kc != nil {
		return cl.kc.Disconnect(ctx, cl.state, detach, r)
	}
	return cl.mk.Cleanup(ctx, cl.state, detach, r)
}

// ClusterStatus is the cluster as `prod-local status` shows it.
type ClusterStatus struct {
	Provider          string               `json:"provider"`
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
	v := ClusterStatus{Provider: cl.project.Config.Cluster.Provider, Nodes: []kube.Node{}, Pods: []kube.TaskPod{}}
	if conn, ok, err := minikube.ReadConnection(cl.state); err != nil {
		v.Problems = append(v.Problems, err.Error())
	} else if ok {
		v.Connection = &conn
	}
	if cl.kc != nil {
		v.Profile, v.State = cl.kc.Settings.Context, "running"
		if _, err := cl.kc.Reach(ctx); err != nil {
			v.State = "not answering"
			v.Problems = append(v.Problems, oneLine(err.Error()))
			return v, nil
		}
	} else {
		st, err := cl.mk.Status(ctx)
		if err != nil {
			return ClusterStatus{}, err
		}
		v.Profile, v.State, v.Minikube = st.Profile, st.State, st
		if !st.Running() {
			return v, nil
		}
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
	// Prod makes it in prod's cluster ([prod] context; namespace default
	// [prod] namespace) instead of prod_local's.
	Prod bool
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
	spec := kube.SecretSpec{Name: req.Name, Namespace: req.Namespace, Data: values, Update: req.Update, Labels: secretLabels(p)}
	if spec.Namespace == "" && req.Prod {
		spec.Namespace = p.Config.Prod.Namespace
	}
	if spec.Namespace == "" {
		spec.Namespace = p.Config.Cluster.Namespace
	}
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
	if req.Prod {
		p, err := c.Project()
		if err != nil {
			return kube.SecretChange{}, err
		}
		api, err := c.prodClient(ctx, p)
		if err != nil {
			return kube.SecretChange{}, err
		}
		return kube.ApplySecret(ctx, api, spec, r)
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
