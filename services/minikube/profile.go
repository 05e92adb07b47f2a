package minikube

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Profile is what minikube recorded about a profile when it created it: the
// subset of its ClusterConfig gaiaflow needs
// (kubernetes/minikube:pkg/minikube/config/types.go Profile, ClusterConfig,
// Node; printed by `minikube profile list -o json` as
// {"invalid":[...],"valid":[...]}, cmd/minikube/cmd/config/profile_list.go).
type Profile struct {
	Name              string `json:"name"`
	Driver            string `json:"driver"`
	KubernetesVersion string `json:"kubernetes_version"`
	// NodeIP and APIServerPort are the control plane's address on the
	// profile's network: what containers joined to Network connect to.
	NodeIP        string `json:"node_ip"`
	APIServerPort int    `json:"apiserver_port"`
	// Network is the docker network the docker driver put the node on.
	Network string `json:"network"`
}

// APIServerURL is the API server as containers on Network reach it.
func (p Profile) APIServerURL() string {
	return fmt.Sprintf("https://%s:%d", p.NodeIP, p.APIServerPort)
}

type profileList struct {
	Valid   []profileJSON `json:"valid"`
	Invalid []profileJSON `json:"invalid"`
}

type profileJSON struct {
	Name   string
	Config *struct {
		Driver           string
		Network          string
		KubernetesConfig struct {
			KubernetesVersion string
		}
		Nodes []struct {
			Name         string
			IP           string
			Port         int
			ControlPlane bool
		}
	}
}

// defaultAPIServerPort is minikube's `--apiserver-port` default.
const defaultAPIServerPort = 8443

// ParseProfiles finds name in the output of `minikube profile list -o json`.
// It returns false when minikube does not know the profile.
func ParseProfiles(stdout []byte, name string) (Profile, bool, error) {
	var list profileList
	data := bytes.TrimSpace(stdout)
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&list); err != nil {
		return Profile{}, false, fmt.Errorf("read minikube profile list: %w", err)
	}
	for _, p := range list.Valid {
		if p.Name != name || p.Config == nil {
			continue
		}
		out := Profile{
			Name:              p.Name,
			Driver:            p.Config.Driver,
			KubernetesVersion: p.Config.KubernetesConfig.KubernetesVersion,
			Network:           p.Config.Network,
		}
		if out.Network == "" {
			// The docker and podman drivers name the network after the profile
			// unless --network was given.
			out.Network = p.Name
		}
		for i, n := range p.Config.Nodes {
			if n.ControlPlane || i == 0 {
				out.NodeIP, out.APIServerPort = n.IP, n.Port
				if n.ControlPlane {
					break
				}
			}
		}
		if out.APIServerPort == 0 {
			out.APIServerPort = defaultAPIServerPort
		}
		return out, true, nil
	}
	return Profile{}, false, nil
}
