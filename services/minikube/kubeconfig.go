package minikube

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// AirflowKubeconfig builds the kubeconfig the Airflow containers use from the
// one minikube keeps for the host, so both come from the same data: the same
// context, CA and client certificate, with the server replaced by the API
// server's address on the profile's network (server), which containers
// joined to that network reach on every platform. On macOS and Windows the
// host's kubeconfig points at a port forwarded to 127.0.0.1, which means
// nothing inside a container.
//
// The result is self-contained: certificate files the host kubeconfig names
// are read and embedded, because ~/.minikube is not mounted in containers.
// TLS verification stays on: minikube's API server certificate lists every
// control-plane node IP (kubernetes/minikube:pkg/minikube/bootstrapper/certs.go
// generateProfileCerts).
func AirflowKubeconfig(hostPath, context, server string) ([]byte, error) {
	cfg, err := clientcmd.LoadFromFile(hostPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("kubeconfig %s does not exist", hostPath)
	}
	if err != nil {
		return nil, fmt.Errorf("read kubeconfig %s: %w", hostPath, err)
	}
	kctx, ok := cfg.Contexts[context]
	if !ok {
		return nil, fmt.Errorf("kubeconfig %s has no context %q", hostPath, context)
	}
	cfg.CurrentContext = context
	if err := clientcmdapi.MinifyConfig(cfg); err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", hostPath, err)
	}
	if err := clientcmdapi.FlattenConfig(cfg); err != nil {
		return nil, fmt.Errorf("embed the certificates of %s: %w", hostPath, err)
	}
	cluster, ok := cfg.Clusters[kctx.Cluster]
	if !ok {
		return nil, fmt.Errorf("kubeconfig %s: context %q names a missing cluster %q", hostPath, context, kctx.Cluster)
	}
	cluster.Server = server
	// A token file is as meaningless inside a container as a certificate
	// file: its content goes into the copy, which is 0600 like the rest.
	for name, a := range cfg.AuthInfos {
		if a.TokenFile == "" {
			continue
		}
		tok, err := os.ReadFile(a.TokenFile)
		if err != nil {
			return nil, fmt.Errorf("kubeconfig %s: read the token of user %q: %w", hostPath, name, err)
		}
		a.Token, a.TokenFile = strings.TrimSpace(string(tok)), ""
	}
	// Where things came from is meaningless in the copy.
	for _, c := range cfg.Clusters {
		c.LocationOfOrigin = ""
	}
	for _, a := range cfg.AuthInfos {
		a.LocationOfOrigin = ""
	}
	for _, c := range cfg.Contexts {
		c.LocationOfOrigin = ""
	}
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return nil, fmt.Errorf("encode kubeconfig: %w", err)
	}
	return data, nil
}

// ServerOf returns the server of context in the kubeconfig at path.
func ServerOf(path, context string) (string, error) {
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		return "", fmt.Errorf("read kubeconfig %s: %w", path, err)
	}
	kctx, ok := cfg.Contexts[context]
	if !ok {
		return "", fmt.Errorf("kubeconfig %s has no context %q", path, context)
	}
	cl, ok := cfg.Clusters[kctx.Cluster]
	if !ok {
		return "", fmt.Errorf("kubeconfig %s: context %q names a missing cluster %q", path, context, kctx.Cluster)
	}
	return cl.Server, nil
}
