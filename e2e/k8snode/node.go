// Package k8snode is the Go side of the real single-node Kubernetes in this
// directory (build.sh, node.sh, load-image.sh): it starts or finds the node,
// reads the env file node.sh writes, loads images into the node and makes a
// client-go config for it. Tests that need a real cluster use it; see
// README.md beside it.
package k8snode

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Env is what node.sh start exposes about a running node (its env file).
type Env struct {
	Dir              string // GAIAFLOW_REALNODE_DIR: node.sh's state directory
	Kubeconfig       string // GAIAFLOW_REALNODE_KUBECONFIG: an admin kubeconfig
	Context          string // GAIAFLOW_REALNODE_CONTEXT
	Node             string // GAIAFLOW_REALNODE_NODE: the node's name
	HostIP           string // GAIAFLOW_REALNODE_HOST_IP: the host as pods reach it
	PodSubnet        string // GAIAFLOW_REALNODE_POD_SUBNET
	ContainerdSocket string // GAIAFLOW_REALNODE_CONTAINERD_SOCKET
	// RegistryHosts is the node containerd's per-registry settings
	// (GAIAFLOW_REALNODE_REGISTRY_HOSTS): see TrustRegistry.
	RegistryHosts string
	LoadImage     string // GAIAFLOW_REALNODE_LOAD_IMAGE: load-image.sh IMAGE...
	Kubectl       string // GAIAFLOW_REALNODE_KUBECTL
	Crictl        string // GAIAFLOW_REALNODE_CRICTL
	// GAIAFLOW_REALNODE_XCOM_SIDECAR_IMAGES: the names the node holds the XCom
	// sidecar's image under.
	XComSidecarImages []string
}

// EnvFileVar names the variable .ci/run sets to the env file of the node it
// started, so tests use that node instead of starting their own.
const EnvFileVar = "GAIAFLOW_REALNODE_ENV"

// ParseEnv reads node.sh's env file format: KEY=VALUE lines.
func ParseEnv(r io.Reader) (Env, error) {
	kv := map[string]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return Env{}, fmt.Errorf("env file: not KEY=VALUE: %q", line)
		}
		kv[k] = v
	}
	if err := sc.Err(); err != nil {
		return Env{}, err
	}
	e := Env{
		Dir:               kv["GAIAFLOW_REALNODE_DIR"],
		Kubeconfig:        kv["GAIAFLOW_REALNODE_KUBECONFIG"],
		Context:           kv["GAIAFLOW_REALNODE_CONTEXT"],
		Node:              kv["GAIAFLOW_REALNODE_NODE"],
		HostIP:            kv["GAIAFLOW_REALNODE_HOST_IP"],
		PodSubnet:         kv["GAIAFLOW_REALNODE_POD_SUBNET"],
		ContainerdSocket:  kv["GAIAFLOW_REALNODE_CONTAINERD_SOCKET"],
		RegistryHosts:     kv["GAIAFLOW_REALNODE_REGISTRY_HOSTS"],
		LoadImage:         kv["GAIAFLOW_REALNODE_LOAD_IMAGE"],
		Kubectl:           kv["GAIAFLOW_REALNODE_KUBECTL"],
		Crictl:            kv["GAIAFLOW_REALNODE_CRICTL"],
		XComSidecarImages: strings.Fields(kv["GAIAFLOW_REALNODE_XCOM_SIDECAR_IMAGES"]),
	}
	for name, v := range map[string]string{
		"GAIAFLOW_REALNODE_KUBECONFIG": e.Kubeconfig, "GAIAFLOW_REALNODE_CONTEXT": e.Context,
		"GAIAFLOW_REALNODE_HOST_IP": e.HostIP, "GAIAFLOW_REALNODE_LOAD_IMAGE": e.LoadImage,
		"GAIAFLOW_REALNODE_CONTAINERD_SOCKET": e.ContainerdSocket,
	} {
		if v == "" {
			return Env{}, fmt.Errorf("env file: %s is missing", name)
		}
	}
	return e, nil
}

// TrustRegistry lets the node pull from a registry serving plain HTTP on
// loopback (host:port), as a cluster's admin configures an internal
// registry: containerd reads the file at every pull, so no restart is
// needed. The returned func removes it.
func (e Env) TrustRegistry(hostPort string) (func(), error) {
	if e.RegistryHosts == "" {
		return nil, fmt.Errorf("this node has no registry settings directory (GAIAFLOW_REALNODE_REGISTRY_HOSTS): restart it with the current node.sh")
	}
	dir := filepath.Join(e.RegistryHosts, hostPort)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	hosts := fmt.Sprintf("server = \"http://%s\"\n\n[host.\"http://%s\"]\n  capabilities = [\"pull\", \"resolve\"]\n", hostPort, hostPort)
	if err := os.WriteFile(filepath.Join(dir, "hosts.toml"), []byte(hosts), 0o644); err != nil {
		return nil, err
	}
	return func() { _ = os.RemoveAll(dir) }, nil
}

// ReadEnv reads the env file at path.
func ReadEnv(path string) (Env, error) {
	f, err := os.Open(path)
	if err != nil {
		return Env{}, err
	}
	defer f.Close()
	return ParseEnv(f)
}

// Node is a running node and whether this process started it.
type Node struct {
	Env
	root    string
	started bool
}

// Started reports whether Start started the node (and Stop should stop it).
func (n *Node) Started() bool { return n.started }

// Start returns the node .ci/run started (EnvFileVar), else the node running
// in node.sh's state directory, else starts one: build.sh (cached) and
// node.sh start, a cold build takes minutes, a cached one about 15 s. root is
// the repository root; node.sh's progress goes to progress.
func Start(ctx context.Context, root string, progress io.Writer) (*Node, error) {
	if path := os.Getenv(EnvFileVar); path != "" {
		env, err := ReadEnv(path)
		if err != nil {
			return nil, fmt.Errorf("%s=%s: %w", EnvFileVar, path, err)
		}
		return &Node{Env: env, root: root}, nil
	}
	n := &Node{root: root}
	if err := n.script(ctx, progress, nil, "status"); err != nil {
		n.started = true
	}
	var out bytes.Buffer
	if err := n.script(ctx, progress, &out, "start"); err != nil {
		return nil, err
	}
	env, err := ParseEnv(&out)
	if err != nil {
		return nil, fmt.Errorf("node.sh start: %w", err)
	}
	n.Env = env
	return n, nil
}

// Stop stops the node if Start started it, undoing its host changes.
func (n *Node) Stop(ctx context.Context, progress io.Writer) error {
	if !n.started {
		return nil
	}
	return n.script(ctx, progress, nil, "stop")
}

func (n *Node) script(ctx context.Context, progress, stdout io.Writer, arg string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(n.root, "e2e", "k8snode", "node.sh"), arg)
	cmd.Dir = n.root
	var errb bytes.Buffer
	cmd.Stderr = io.MultiWriter(&errb, progress)
	cmd.Stdout = stdout
	if err := cmd.Run(); err != nil {
		if arg == "status" {
			return err
		}
		return fmt.Errorf("e2e/k8snode/node.sh %s: %w\n%s", arg, err, lastLines(errb.String(), 60))
	}
	return nil
}

// LoadImages copies images from the Docker daemon into the node's containerd.
func (e Env) LoadImages(ctx context.Context, images ...string) error {
	cmd := exec.CommandContext(ctx, e.LoadImage, images...)
	cmd.Env = append(os.Environ(), "GAIAFLOW_REALNODE_CONTAINERD_SOCKET="+e.ContainerdSocket)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("load %s into the node: %w\n%s", strings.Join(images, " "), err, out)
	}
	return nil
}

// RunKubectl runs the node's kubectl with the admin kubeconfig and returns
// its stdout; an error carries its stderr.
func (e Env) RunKubectl(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, e.Kubectl, append([]string{"--kubeconfig", e.Kubeconfig, "--context", e.Context}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// RESTConfig is a client-go config for the node's admin user.
func (e Env) RESTConfig() (*rest.Config, error) {
	rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: e.Kubeconfig}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: e.Context}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", e.Kubeconfig, err)
	}
	return cfg, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
