package minikube

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Cluster states as gaiaflow reports them.
const (
	StateAbsent   = "absent"   // no such profile, or its node is gone
	StateRunning  = "running"  // host, kubelet and API server running
	StateStopped  = "stopped"  // host stopped
	StatePaused   = "paused"   // `minikube pause`
	StateStarting = "starting" // host running, Kubernetes not (yet) up
	StateStorage  = "insufficient-storage"
	StateError    = "error"
)

// exitProfileNotFound is minikube's ExGuestNotFound: `status` on a profile
// that does not exist prints a message (not the status JSON) and exits 85
// (kubernetes/minikube:pkg/minikube/mustload/mustload.go Partial,
// pkg/minikube/reason/exitcodes.go).
const exitProfileNotFound = 85

// Status is the state of one profile as `minikube status -o json` reports it.
type Status struct {
	Profile    string `json:"profile"`
	State      string `json:"state"`
	Host       string `json:"host,omitempty"`
	Kubelet    string `json:"kubelet,omitempty"`
	APIServer  string `json:"apiserver,omitempty"`
	Kubeconfig string `json:"kubeconfig,omitempty"`
	Nodes      int    `json:"nodes"`
	// ExitCode is minikube's bitmask: 1 host, 2 cluster, 4 kubeconfig not OK
	// (kubernetes/minikube:cmd/minikube/cmd/status.go exitCode).
	ExitCode int `json:"exit_code"`
}

// Running reports whether the cluster can take work.
func (s Status) Running() bool { return s.State == StateRunning }

// nodeStatus is one element of minikube's status JSON: a single object for
// one node, an array for several (status.go statusJSON keeps the object form
// for backwards compatibility).
type nodeStatus struct {
	Name       string
	Host       string
	Kubelet    string
	APIServer  string
	Kubeconfig string
	Worker     bool
}

// ParseStatus turns the output and exit code of `minikube status -o json`
// into a Status. stdout is parsed whatever the exit code, because a non-zero
// code is how minikube reports a stopped cluster.
func ParseStatus(profile string, stdout []byte, exitCode int) (Status, error) {
	st := Status{Profile: profile, ExitCode: exitCode}
	if exitCode == exitProfileNotFound {
		st.State = StateAbsent
		return st, nil
	}
	nodes, err := decodeNodes(stdout)
	if err != nil {
		return st, fmt.Errorf("minikube status exited %d without a status: %w", exitCode, err)
	}
	st.Nodes = len(nodes)
	// The control plane carries the API server and the kubeconfig state;
	// workers report Irrelevant there.
	cp := nodes[0]
	for _, n := range nodes {
		if !n.Worker {
			cp = n
			break
		}
	}
	st.Host, st.Kubelet, st.APIServer, st.Kubeconfig = cp.Host, cp.Kubelet, cp.APIServer, cp.Kubeconfig
	st.State = stateOf(nodes, cp)
	return st, nil
}

func decodeNodes(stdout []byte) ([]nodeStatus, error) {
	data := bytes.TrimSpace(stdout)
	var nodes []nodeStatus
	switch {
	case len(data) == 0:
		return nil, fmt.Errorf("empty output")
	case data[0] == '[':
		if err := json.Unmarshal(data, &nodes); err != nil {
			return nil, err
		}
	default:
		// Only the first JSON value: minikube may print notices after it.
		var one nodeStatus
		if err := json.NewDecoder(bytes.NewReader(data)).Decode(&one); err != nil {
			return nil, err
		}
		nodes = []nodeStatus{one}
	}
	if len(nodes) == 0 || nodes[0].Host == "" {
		return nil, fmt.Errorf("no node status in the output")
	}
	return nodes, nil
}

func stateOf(nodes []nodeStatus, cp nodeStatus) string {
	for _, n := range nodes {
		if n.Host == "InsufficientStorage" {
			return StateStorage
		}
	}
	switch {
	case cp.Host == "Nonexistent":
		return StateAbsent
	case cp.Host == "Stopped":
		return StateStopped
	case cp.APIServer == "Paused":
		return StatePaused
	case cp.Host == "Running" && cp.Kubelet == "Running" && cp.APIServer == "Running":
		return StateRunning
	case cp.Host == "Running" || cp.Host == "Starting":
		return StateStarting
	case strings.EqualFold(cp.Host, "Error"):
		return StateError
	}
	return StateError
}
