package modes

import "github.com/gaiaflow/gaiaflow/services/errs"

// Requirement is one thing a mode needs, checked on this machine.
type Requirement struct {
	// ID says what the item checks. It is stable across versions and
	// unique in its mode's checklist (see the ID constants and SecretID), so
	// scripts reading `mode check -o json` and the dashboard never match
	// Name, which is written for people and may change.
	ID     string `json:"id"`
	Name   string `json:"name"`
	Ready  bool   `json:"ready"`
	Detail string `json:"detail,omitempty"` // what was found
	Fix    string `json:"fix,omitempty"`    // what to do when not ready
	// Remedy names the gaiaflow action that Fix describes, when there is
	// one; empty when the fix is for a person to do (install minikube,
	// start Docker, edit gaiaflow.toml). The same item can need different
	// remedies: the cluster's task image needs the cluster started while
	// it is down, and a build once it runs.
	Remedy Remedy `json:"remedy,omitempty"`
}

// The IDs of the items the checks report.
const (
	// IDTaskImage is dev_docker's task image on the local engine, and
	// the image prod pushes ([prod] registry or image).
	IDTaskImage = "task-image"
	// prod_local's items; each secret a DAG names has its own (SecretID).
	IDMinikube          = "minikube"
	IDCluster           = "cluster"
	IDAirflowKubeconfig = "airflow-kubeconfig"
	IDClusterImage      = "cluster-image"
	IDSecrets           = "secrets" // no DAG names a secret
	// prod's items besides IDTaskImage (and IDProdContext, IDNamespace
	// and the secrets).
	IDTag    = "tag"
	IDPushed = "pushed"
)

// SecretID is the ID of the item checking the Kubernetes secret name.
func SecretID(name string) string { return "secret/" + name }

// Remedy names an action of gaiaflow that makes a missing item ready.
type Remedy string

// The remedies, each with the command that runs it.
const (
	RemedyDockerize        Remedy = "dockerize"          // gaiaflow dev dockerize
	RemedyDockerizeCluster Remedy = "dockerize-cluster"  // gaiaflow prod-local dockerize
	RemedyStartCluster     Remedy = "start-cluster"      // gaiaflow prod-local start
	RemedyClusterConfig    Remedy = "create-config"      // gaiaflow prod-local create-config
	RemedyCreateSecret     Remedy = "create-secret"      // gaiaflow prod-local create-secret
	RemedyPush             Remedy = "push"               // gaiaflow prod dockerize
	RemedyCreateProdSecret Remedy = "create-prod-secret" // gaiaflow prod create-secret
)

// AllReady reports whether every requirement is met.
func AllReady(reqs []Requirement) bool {
	for _, r := range reqs {
		if !r.Ready {
			return false
		}
	}
	return true
}

// NotReady is the error of mode m when some of reqs are missing: how many,
// with hint saying what to do.
func NotReady(m Mode, reqs []Requirement, hint string) error {
	missing := 0
	for _, r := range reqs {
		if !r.Ready {
			missing++
		}
	}
	return errs.Failf(hint, "%s is not ready: %d of %d requirements are missing", m, missing, len(reqs))
}
