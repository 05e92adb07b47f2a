package modes

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// IDKubeconfig is the kubeconfig provider's first item: the context exists
// in the kubeconfig gaiaflow reads.
const IDKubeconfig = "kubeconfig"

// ContextProbe is what the prod_local checks ask a cluster named by a
// kubeconfig context (*kubecontext.Cluster implements it).
type ContextProbe interface {
	Name() string
	Reach(ctx context.Context) (kube.ClusterInfo, error)
	HasImage(ctx context.Context, image string) (bool, error)
	Client() (kube.API, error)
}

// ContextEnv is what the prod_local checks of the kubeconfig provider look at.
type ContextEnv struct {
	Cluster   ContextProbe
	Settings  project.Cluster
	State     *project.State
	Namespace string
	DAGsDir   string
}

// CheckProdLocalContext checks, item by item, what tasks need to run as pods
// in a cluster the user already has (cluster.provider = "kubeconfig"): the
// context, the cluster answering, the Airflow kubeconfig gaiaflow wrote for
// it, the task image on a node, and every secret the DAGs name. Starting or
// installing the cluster is the user's: no item offers to.
func CheckProdLocalContext(ctx context.Context, env ContextEnv) ([]Requirement, error) {
	named, err := SecretsNamedInDAGs(env.DAGsDir)
	if err != nil {
		return nil, fmt.Errorf("read the DAGs in %s: %w", env.DAGsDir, err)
	}
	secretNames := make([]string, 0, len(named))
	for n := range named {
		secretNames = append(secretNames, n)
	}
	slices.Sort(secretNames)
	var reqs []Requirement
	add := func(r Requirement) { reqs = append(reqs, r) }
	blocked := func(why, fix string) {
		add(Requirement{ID: IDAirflowKubeconfig, Name: "airflow kubeconfig", Detail: why, Fix: fix})
		add(Requirement{ID: IDClusterImage, Name: "task image in the cluster", Detail: why, Fix: fix})
		if len(secretNames) == 0 {
			add(secretsNone())
		}
		for _, n := range secretNames {
			add(Requirement{ID: SecretID(n), Name: "secret " + n, Detail: why, Fix: fix})
		}
	}

	api, err := env.Cluster.Client()
	if err != nil {
		add(Requirement{ID: IDKubeconfig, Name: "kubeconfig context", Detail: oneLine(err.Error()),
			Fix: "set cluster.kubeconfig and cluster.context in gaiaflow.toml (`kubectl config get-contexts` lists the contexts)"})
		add(Requirement{ID: IDCluster, Name: "cluster", Detail: "needs the context"})
		blocked("needs the context", "")
		return reqs, nil
	}
	add(Requirement{ID: IDKubeconfig, Name: "kubeconfig context", Ready: true, Detail: env.Cluster.Name()})
	info, err := env.Cluster.Reach(ctx)
	if err != nil {
		add(Requirement{ID: IDCluster, Name: "cluster", Detail: oneLine(err.Error()), Fix: "start the cluster (gaiaflow does not start clusters it did not create)"})
		blocked("the cluster does not answer", "")
		return reqs, nil
	}
	add(Requirement{ID: IDCluster, Name: "cluster", Ready: true, Detail: fmt.Sprintf("Kubernetes %s, %d node(s)", info.KubernetesVersion, len(info.Nodes))})
	add(checkContextKubeconfig(env))
	add(checkContextImage(ctx, env))
	if len(secretNames) == 0 {
		add(secretsNone())
		return reqs, nil
	}
	missing, err := kube.MissingSecrets(ctx, api, env.Namespace, secretNames)
	if err != nil {
		for _, n := range secretNames {
			add(Requirement{ID: SecretID(n), Name: "secret " + n, Detail: "cannot read it: " + oneLine(err.Error()), Fix: "gaiaflow prod-local status"})
		}
		return reqs, nil
	}
	for _, n := range secretNames {
		where := "named in " + strings.Join(named[n], ", ")
		if slices.Contains(missing, n) {
			add(Requirement{ID: SecretID(n), Name: "secret " + n, Detail: where + "; missing in namespace " + env.Namespace,
				Fix: "gaiaflow prod-local create-secret --name " + n + " --from-env-file FILE", Remedy: RemedyCreateSecret})
			continue
		}
		add(Requirement{ID: SecretID(n), Name: "secret " + n, Ready: true, Detail: where + "; exists in namespace " + env.Namespace})
	}
	return reqs, nil
}

// checkContextKubeconfig: prod-local start wrote the Airflow kubeconfig for
// this context, 0600, pointing where the settings say.
func checkContextKubeconfig(env ContextEnv) Requirement {
	r := Requirement{ID: IDAirflowKubeconfig, Name: "airflow kubeconfig", Fix: fixStart, Remedy: RemedyStartCluster}
	conn, ok, err := minikube.ReadConnection(env.State)
	if err != nil || !ok {
		r.Detail = "not written yet"
		return r
	}
	if conn.Context != env.Settings.Context {
		r.Detail = fmt.Sprintf("written for context %s, but gaiaflow.toml names %s", conn.Context, env.Settings.Context)
		return r
	}
	st, err := os.Stat(conn.Kubeconfig)
	if err != nil {
		r.Detail = conn.Kubeconfig + " is missing"
		return r
	}
	if st.Mode().Perm()&0o077 != 0 {
		r.Detail = fmt.Sprintf("%s has mode %04o; it holds the cluster's credentials and must be 0600", conn.Kubeconfig, st.Mode().Perm())
		return r
	}
	if want := env.Settings.APIServer; want != "" && conn.APIServer != want {
		r.Detail = fmt.Sprintf("%s points at %s, but gaiaflow.toml says %s", conn.Kubeconfig, conn.APIServer, want)
		return r
	}
	r.Ready, r.Fix, r.Remedy = true, "", ""
	r.Detail = fmt.Sprintf("%s (API server %s; pods reach this machine at %s)", conn.Kubeconfig, conn.APIServer, conn.HostIP)
	return r
}

// checkContextImage: dockerize recorded a task image for the cluster, and
// a node holds it.
func checkContextImage(ctx context.Context, env ContextEnv) Requirement {
	r := Requirement{ID: IDClusterImage, Name: "task image in the cluster", Fix: fixDockerize, Remedy: RemedyDockerizeCluster}
	image, missing := clusterTaskImage(env.State)
	if missing != "" {
		r.Detail = missing
		return r
	}
	has, err := env.Cluster.HasImage(ctx, image)
	if err != nil {
		r.Detail = "cannot read the nodes' images: " + oneLine(err.Error())
		return r
	}
	if !has {
		r.Detail = image + " was loaded but no node holds it now"
		return r
	}
	r.Ready, r.Fix, r.Remedy = true, "", ""
	r.Detail = image + " is on the node"
	return r
}

func oneLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
