package stack

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// ModeProdLocal is the mode in which Airflow runs tasks as pods in the
// project's Minikube cluster.
const ModeProdLocal = "prod_local"

// Where the Airflow kubeconfig is copied in each Airflow container. It is
// copied, not bind-mounted: the copy belongs to Airflow's user with mode
// 0600 whatever the host file's owner, and a kubeconfig that `prod-local
// create-config` rewrites (atomically, so a bind mount would keep showing
// the old file) changes the containers' spec and so recreates them.
//
// KubeconfigPath is GAIAFLOW_KUBECONFIG in the Airflow containers.
const KubeconfigPath = "/opt/airflow/gaiaflow/kube/config"

// ClusterLink is how the local stack reaches the cluster in mode prod_local:
// the Airflow containers join Network (when there is one) and read Kubeconfig;
// pods reach MLflow and MinIO at HostAlias, which the cluster resolves to
// HostIP, where their ports are published too.
type ClusterLink struct {
	Network    string
	Kubeconfig []byte // the content of the Airflow kubeconfig
	Namespace  string
	HostAlias  string
	HostIP     string
}

// ClusterLinker returns the project's ClusterLink; false when the cluster
// was never configured for it.
type ClusterLinker func(ctx context.Context, st *project.State) (ClusterLink, bool, error)

// hintConfigure is what to do when the cluster's connection is missing or stale.
const hintConfigure = "run `gaiaflow prod-local start` (or `gaiaflow prod-local create-config` when the cluster runs), or switch with `gaiaflow mode set dev`"

// MinikubeLink is the default ClusterLinker: the Connection that `prod-local
// start` and `create-config` record in the state dir, and the kubeconfig it
// names.
func MinikubeLink(_ context.Context, st *project.State) (ClusterLink, bool, error) {
	conn, ok, err := minikube.ReadConnection(st)
	if err != nil || !ok {
		return ClusterLink{}, ok, err
	}
	if conn.HostIP == "" {
		return ClusterLink{}, false, errs.Failf(hintConfigure,
			"the address pods reach this machine at (%s) is not known for cluster %s", conn.HostAlias, conn.Profile)
	}
	data, err := os.ReadFile(conn.Kubeconfig)
	if errors.Is(err, fs.ErrNotExist) {
		return ClusterLink{}, false, errs.Failf(hintConfigure, "the Airflow kubeconfig %s is missing", conn.Kubeconfig)
	}
	if err != nil {
		return ClusterLink{}, false, err
	}
	link := ClusterLink{Network: conn.Network, Kubeconfig: data, Namespace: conn.Namespace,
		HostAlias: conn.HostAlias, HostIP: conn.HostIP}
	if link.HostAlias == "" {
		link.HostAlias = minikube.HostAlias
	}
	return link, true, nil
}

// needsCluster reports whether a start of these services in this mode
// needs the cluster: Airflow to run pods, MLflow and MinIO to be reachable
// from them.
func needsCluster(mode string, services []string) bool {
	if mode != ModeProdLocal {
		return false
	}
	for _, s := range services {
		if s == "airflow" || s == "mlflow" || s == "minio" {
			return true
		}
	}
	return false
}

// clusterLink reads the link a prod_local start needs and checks that its
// network is on the engine.
func (s *Stack) clusterLink(ctx context.Context, st *project.State) (*ClusterLink, error) {
	link, ok, err := s.o.ClusterLink(ctx, st)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.Failf(hintConfigure,
			"mode prod_local runs tasks in the project's Minikube cluster, but no cluster is configured for this project")
	}
	if link.HostIP == "" || len(link.Kubeconfig) == 0 {
		return nil, errs.Failf(hintConfigure, "the cluster's connection record is incomplete")
	}
	if link.Network == "" {
		// A cluster the Airflow containers reach without joining a
		// network (its API server on an address of this machine).
		return &link, nil
	}
	if _, err := s.eng.FindNetwork(ctx, link.Network); err != nil {
		if docker.IsNotFound(err) {
			return nil, errs.Failf(hintConfigure,
				"the cluster's docker network %s does not exist (is the cluster deleted?)", link.Network)
		}
		return nil, fmt.Errorf("find network %s: %w", link.Network, err)
	}
	return &link, nil
}

// podURL is a service's address as pods reach it.
func podURL(l *ClusterLink, port int) string { return fmt.Sprintf("http://%s:%d", l.HostAlias, port) }

// forPods publishes a container port on the cluster's gateway too, so pods
// reach it at HostAlias. Never 0.0.0.0.
func (b *builder) forPods(n *Node, containerPort, hostPort int) {
	if l := b.in.Cluster; l != nil {
		n.Spec.Ports = append(n.Spec.Ports, docker.PortBinding{ContainerPort: containerPort, HostIP: l.HostIP, HostPort: hostPort})
	}
}

// SwitchMode brings a running stack over to the project's (new) mode:
// Airflow, whose settings follow the mode, and MLflow and MinIO when they
// run, since pods reach them only in prod_local. Only containers whose spec
// changed are recreated.
func (s *Stack) SwitchMode(ctx context.Context, o StartOptions) error {
	o.Services = []string{"airflow"}
	for _, svc := range []string{"mlflow", "minio"} {
		running, err := s.Running(ctx, svc)
		if err != nil {
			return err
		}
		if running {
			o.Services = append(o.Services, svc)
		}
	}
	return s.Start(ctx, o)
}
