package minikube

import (
	"time"

	"github.com/gaiaflow/gaiaflow/services/project"
)

// ConnectionFile is the state file holding the last Connection.
const ConnectionFile = "prod-local.json"

// TaskNamespace is the namespace task pods and their secrets live in.
const TaskNamespace = "default"

// Connection is everything the local stack needs to run tasks in the
// cluster (mode prod_local). `prod-local start` and `create-config` write it;
// the stack reads it with ReadConnection and joins its containers to
// Network, mounts Kubeconfig, and gives pods HostAlias as the address of
// MLflow and MinIO (publishing their ports on HostIP too, as pods reach the
// host through that gateway).
type Connection struct {
	Profile string `json:"profile"`
	// Context is the kubeconfig context to use (minikube names it after the profile).
	Context string `json:"context"`
	// Network is the docker network of the profile.
	Network string `json:"network"`
	// APIServer is the API server's URL on Network.
	APIServer string `json:"api_server"`
	// Kubeconfig is the host path of the Airflow containers' kubeconfig (mode 0600).
	Kubeconfig string `json:"kubeconfig"`
	// HostAlias is the name pods resolve to the host (host.minikube.internal).
	HostAlias string `json:"host_alias"`
	// HostIP is what HostAlias resolves to inside the cluster: the gateway of
	// Network. Empty when it could not be read.
	HostIP string `json:"host_ip,omitempty"`
	// Namespace is where task pods and their secrets live.
	Namespace         string    `json:"namespace"`
	KubernetesVersion string    `json:"kubernetes_version,omitempty"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// ReadConnection returns the last Connection written for the project; false
// when there is none (the cluster was never configured, or was cleaned up).
func ReadConnection(st *project.State) (Connection, bool, error) {
	var c Connection
	ok, err := st.ReadJSON(ConnectionFile, &c)
	return c, ok, err
}
