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

// ClusterProbe is what the prod_local checks ask the cluster driver
// (*minikube.Cluster implements it).
type ClusterProbe interface {
	Status(ctx context.Context) (minikube.Status, error)
	Describe(ctx context.Context) (minikube.Profile, bool, error)
	Images(ctx context.Context) ([]string, error)
}

// ProdLocalEnv is what the prod_local checks look at.
type ProdLocalEnv struct {
	// Cluster is nil when minikube could not be found; NoCluster says why.
	Cluster   ClusterProbe
	NoCluster error
	Profile   string
	State     *project.State
	// Kube builds a client from the host kubeconfig in the state directory.
	Kube kube.Factory
	// DAGsDir is scanned for the secrets the DAGs name.
	DAGsDir string
}

const (
	fixStart     = "gaiaflow prod-local start"
	fixConfig    = "gaiaflow prod-local create-config"
	fixDockerize = "gaiaflow prod-local dockerize"
)

// CheckProdLocal checks, item by item, what tasks need to run as pods in the
// Minikube cluster: minikube itself, the running cluster, the kubeconfig
// Airflow uses, the task image inside the cluster, and every secret the DAGs
// name. It fails only when the DAG files cannot be read; everything else is
// a requirement that is not met.
func CheckProdLocal(ctx context.Context, env ProdLocalEnv) ([]Requirement, error) {
	var reqs []Requirement
	add := func(r Requirement) { reqs = append(reqs, r) }

	named, err := SecretsNamedInDAGs(env.DAGsDir)
	if err != nil {
		return nil, fmt.Errorf("read the DAGs in %s: %w", env.DAGsDir, err)
	}
	secretNames := make([]string, 0, len(named))
	for n := range named {
		secretNames = append(secretNames, n)
	}
	slices.Sort(secretNames)

	// Items that need a running cluster say so when it is not, with the
	// fix of the item that blocks them: without minikube nothing gaiaflow
	// runs helps; otherwise starting the cluster is the next step.
	blocked := func(why, fix string, remedy Remedy) {
		add(Requirement{ID: IDAirflowKubeconfig, Name: "airflow kubeconfig", Detail: why, Fix: fix, Remedy: remedy})
		add(Requirement{ID: IDClusterImage, Name: "task image in the cluster", Detail: why, Fix: fix, Remedy: remedy})
		if len(secretNames) == 0 {
			add(secretsNone())
		}
		for _, n := range secretNames {
			add(Requirement{ID: SecretID(n), Name: "secret " + n, Detail: why, Fix: fix, Remedy: remedy})
		}
	}
	rest := func(why string) { blocked(why, fixStart, RemedyStartCluster) }

	if env.Cluster == nil {
		add(Requirement{ID: IDMinikube, Name: "minikube", Detail: fmt.Sprint(env.NoCluster), Fix: minikube.InstallHint})
		add(Requirement{ID: IDCluster, Name: "cluster", Detail: "needs minikube", Fix: minikube.InstallHint})
		blocked("needs minikube", minikube.InstallHint, "")
		return reqs, nil
	}
	add(Requirement{ID: IDMinikube, Name: "minikube", Ready: true, Detail: "installed"})

	status, err := env.Cluster.Status(ctx)
	if err != nil {
		add(Requirement{ID: IDCluster, Name: "cluster", Detail: "cannot read its state: " + err.Error(), Fix: "minikube status -p " + env.Profile})
		rest("the cluster's state is unknown")
		return reqs, nil
	}
	if !status.Running() {
		add(Requirement{ID: IDCluster, Name: "cluster", Detail: fmt.Sprintf("profile %s is %s", env.Profile, status.State), Fix: fixStart, Remedy: RemedyStartCluster})
		rest("the cluster is not running")
		return reqs, nil
	}
	prof, _, err := env.Cluster.Describe(ctx)
	if err != nil {
		add(Requirement{ID: IDCluster, Name: "cluster", Detail: "minikube cannot describe it: " + err.Error(), Fix: "minikube profile list"})
		rest("the cluster cannot be described")
		return reqs, nil
	}
	add(Requirement{ID: IDCluster, Name: "cluster", Ready: true, Detail: fmt.Sprintf("profile %s is running Kubernetes %s", env.Profile, prof.KubernetesVersion)})
	add(checkAirflowKubeconfig(env, prof))
	add(checkClusterImage(ctx, env))
	if len(secretNames) == 0 {
		add(secretsNone())
		return reqs, nil
	}
	hostKubeconfig := env.State.Path(minikube.HostKubeconfigFile)
	if _, err := os.Stat(hostKubeconfig); err != nil {
		for _, n := range secretNames {
			add(Requirement{ID: SecretID(n), Name: "secret " + n, Detail: "cannot check: gaiaflow has no kubeconfig for the cluster yet", Fix: fixConfig, Remedy: RemedyClusterConfig})
		}
		return reqs, nil
	}
	cs, err := env.Kube(hostKubeconfig, env.Profile)
	if err != nil {
		for _, n := range secretNames {
			add(Requirement{ID: SecretID(n), Name: "secret " + n, Detail: "cannot reach the cluster: " + err.Error(), Fix: fixConfig, Remedy: RemedyClusterConfig})
		}
		return reqs, nil
	}
	missing, err := kube.MissingSecrets(ctx, cs, minikube.TaskNamespace, secretNames)
	if err != nil {
		for _, n := range secretNames {
			add(Requirement{ID: SecretID(n), Name: "secret " + n, Detail: "cannot read it: " + err.Error(), Fix: "gaiaflow prod-local status"})
		}
		return reqs, nil
	}
	for _, n := range secretNames {
		where := "named in " + strings.Join(named[n], ", ")
		if slices.Contains(missing, n) {
			add(Requirement{ID: SecretID(n), Name: "secret " + n, Detail: where + "; missing in namespace " + minikube.TaskNamespace,
				Fix: "gaiaflow prod-local create-secret --name " + n + " --from-env-file FILE", Remedy: RemedyCreateSecret})
			continue
		}
		add(Requirement{ID: SecretID(n), Name: "secret " + n, Ready: true, Detail: where + "; exists in namespace " + minikube.TaskNamespace})
	}
	return reqs, nil
}

func secretsNone() Requirement {
	return Requirement{ID: IDSecrets, Name: "secrets", Ready: true, Detail: "no DAG names a secret (create_task(secrets=[...]))"}
}

// checkAirflowKubeconfig: the file exists with mode 0600 and points at the
// API server's current address on the profile's network.
func checkAirflowKubeconfig(env ProdLocalEnv, prof minikube.Profile) Requirement {
	r := Requirement{ID: IDAirflowKubeconfig, Name: "airflow kubeconfig", Fix: fixConfig, Remedy: RemedyClusterConfig}
	conn, ok, err := minikube.ReadConnection(env.State)
	if err != nil || !ok {
		r.Detail = "not written yet"
		return r
	}
	st, err := os.Stat(conn.Kubeconfig)
	if err != nil {
		r.Detail = conn.Kubeconfig + " is missing"
		return r
	}
	if st.Mode().Perm()&0o077 != 0 {
		r.Detail = fmt.Sprintf("%s has mode %04o; it holds a client key and must be 0600", conn.Kubeconfig, st.Mode().Perm())
		return r
	}
	server, err := minikube.ServerOf(conn.Kubeconfig, conn.Context)
	if err != nil {
		r.Detail = err.Error()
		return r
	}
	if server != prof.APIServerURL() {
		r.Detail = fmt.Sprintf("%s points at %s, but the API server is now at %s", conn.Kubeconfig, server, prof.APIServerURL())
		return r
	}
	r.Ready, r.Fix, r.Remedy = true, "", ""
	r.Detail = fmt.Sprintf("%s (API server %s on network %s)", conn.Kubeconfig, server, conn.Network)
	return r
}

// checkClusterImage: dockerize recorded a task image for the cluster, and
// the cluster's runtime has it.
func checkClusterImage(ctx context.Context, env ProdLocalEnv) Requirement {
	r := Requirement{ID: IDClusterImage, Name: "task image in the cluster", Fix: fixDockerize, Remedy: RemedyDockerizeCluster}
	image, missing := clusterTaskImage(env.State)
	if missing != "" {
		r.Detail = missing
		return r
	}
	images, err := env.Cluster.Images(ctx)
	if err != nil {
		r.Detail = "cannot list the cluster's images: " + err.Error()
		return r
	}
	if !minikube.HasImage(images, image) {
		r.Detail = image + " was built but is not in the cluster (was the cluster recreated?)"
		return r
	}
	r.Ready, r.Fix, r.Remedy = true, "", ""
	r.Detail = image + " is in the cluster"
	return r
}

// clusterTaskImage is the task image dockerize recorded for the cluster (either
// provider records it under "minikube"), or why there is none.
func clusterTaskImage(st *project.State) (image, missing string) {
	ti, ok, err := st.TaskImage("minikube")
	switch {
	case err != nil:
		return "", err.Error()
	case !ok:
		return "", "no task image built for the cluster yet"
	}
	return ti.Image, ""
}
