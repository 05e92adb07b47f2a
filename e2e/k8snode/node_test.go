package k8snode

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseEnv(t *testing.T) {
	full := `GAIAFLOW_REALNODE_DIR=/var/lib/gaiaflow-realnode
GAIAFLOW_REALNODE_KUBECONFIG=/var/lib/gaiaflow-realnode/run/kubeconfig
GAIAFLOW_REALNODE_CONTEXT=gaiaflow-realnode
GAIAFLOW_REALNODE_NODE=gaiaflow-realnode
GAIAFLOW_REALNODE_HOST_IP=10.244.77.1
GAIAFLOW_REALNODE_POD_SUBNET=10.244.77.0/24
GAIAFLOW_REALNODE_CONTAINERD_SOCKET=/var/lib/gaiaflow-realnode/run/containerd/containerd.sock
GAIAFLOW_REALNODE_LOAD_IMAGE=/repo/e2e/k8snode/load-image.sh
GAIAFLOW_REALNODE_KUBECTL=/cache/bin/kubectl
GAIAFLOW_REALNODE_CRICTL=/cache/bin/crictl
GAIAFLOW_REALNODE_XCOM_SIDECAR_IMAGES=docker.io/library/alpine:3.24.2 alpine:latest
`
	tests := []struct {
		name    string
		in      string
		want    Env
		wantErr string
	}{
		{name: "full", in: full, want: Env{
			Dir:               "/var/lib/gaiaflow-realnode",
			Kubeconfig:        "/var/lib/gaiaflow-realnode/run/kubeconfig",
			Context:           "gaiaflow-realnode",
			Node:              "gaiaflow-realnode",
			HostIP:            "10.244.77.1",
			PodSubnet:         "10.244.77.0/24",
			ContainerdSocket:  "/var/lib/gaiaflow-realnode/run/containerd/containerd.sock",
			LoadImage:         "/repo/e2e/k8snode/load-image.sh",
			Kubectl:           "/cache/bin/kubectl",
			Crictl:            "/cache/bin/crictl",
			XComSidecarImages: []string{"docker.io/library/alpine:3.24.2", "alpine:latest"},
		}},
		{name: "missing host ip", in: strings.Replace(full, "GAIAFLOW_REALNODE_HOST_IP=10.244.77.1\n", "", 1),
			wantErr: "GAIAFLOW_REALNODE_HOST_IP is missing"},
		{name: "not key=value", in: full + "garbage\n", wantErr: `not KEY=VALUE: "garbage"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEnv(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
