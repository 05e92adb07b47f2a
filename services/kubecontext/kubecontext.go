// Package kubecontext drives a prod_local cluster gaiaflow did not create:
// kind, k3d, Docker Desktop's Kubernetes, a lab cluster — whatever a
// context of the user's kubeconfig names (cluster.provider = "kubeconfig"
// in gaiaflow.toml). It reads that kubeconfig and never writes it; it never
// starts, stops or deletes the cluster. What it writes is gaiaflow's own, in
// the project's state directory: the kubeconfig the Airflow containers use
// and the connection record the local stack reads (minikube.Connection,
// the same as the Minikube provider writes, so the stack needs no second
// path). Task images reach the node through the user's load command.
package kubecontext

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
	"github.com/gaiaflow/gaiaflow/services/project"
)

const scope = "cluster"

// Cluster is the cluster a kubeconfig context names.
type Cluster struct {
	Settings project.Cluster
	// File is the kubeconfig holding the context (resolved by New).
	File string
	// Kube builds a client from a kubeconfig and a context.
	Kube kube.Factory
	// Run runs the load command, sending its output line by line; nil runs
	// it with os/exec, without a shell.
	Run func(ctx context.Context, argv []string, out func(string)) error
	// ReportWait bounds the wait, after a load, for a node to report the
	// image; zero means 90 s.
	ReportWait time.Duration
}

// New returns the cluster the settings name, with File resolved as kubectl
// does: cluster.kubeconfig, else the first file of $KUBECONFIG, else
// ~/.kube/config.
func New(s project.Cluster, getenv func(string) string, f kube.Factory) (*Cluster, error) {
	file := s.Kubeconfig
	if file == "" {
		if list := getenv("KUBECONFIG"); list != "" {
			file = filepath.SplitList(list)[0]
		}
	}
	if file == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, errs.Failf("set cluster.kubeconfig in gaiaflow.toml", "no kubeconfig to read the context %q from: %v", s.Context, err)
		}
		file = filepath.Join(home, ".kube", "config")
	}
	if strings.HasPrefix(file, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			file = filepath.Join(home, file[2:])
		}
	}
	if s.Namespace == "" {
		s.Namespace = minikube.TaskNamespace
	}
	if f == nil {
		f = kube.NewClient
	}
	return &Cluster{Settings: s, File: file, Kube: f}, nil
}

// Name is how messages name the cluster.
func (c *Cluster) Name() string { return fmt.Sprintf("context %s of %s", c.Settings.Context, c.File) }

// Client is a client of the cluster, as the user's kubeconfig reaches it.
func (c *Cluster) Client() (kube.API, error) {
	if _, err := os.Stat(c.File); err != nil {
		return nil, errs.Failf("set cluster.kubeconfig in gaiaflow.toml to the file that holds the context", "kubeconfig %s: %v", c.File, err)
	}
	api, err := c.Kube(c.File, c.Settings.Context)
	if err != nil {
		return nil, errs.Wrap(errs.Failure, err, "check cluster.context in gaiaflow.toml (`kubectl config get-contexts` lists them)", "use %s", c.Name())
	}
	return api, nil
}

// Reach asks the cluster for its version and nodes: whether it answers.
func (c *Cluster) Reach(ctx context.Context) (kube.ClusterInfo, error) {
	api, err := c.Client()
	if err != nil {
		return kube.ClusterInfo{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	info, err := kube.Describe(ctx, api)
	if err != nil {
		return kube.ClusterInfo{}, errs.Wrap(errs.Failure, err, "start the cluster, or check cluster.context in gaiaflow.toml", "%s does not answer", c.Name())
	}
	return info, nil
}

// Connect checks that the cluster answers, then writes what the local
// stack needs to run tasks in it: the Airflow containers' kubeconfig (the
// context alone, its certificates and token embedded, the server as the
// containers reach it; mode 0600) and the connection record. It is
// `prod-local start` and `create-config` for this provider.
func (c *Cluster) Connect(ctx context.Context, st *project.State, rep event.Reporter) (minikube.Connection, error) {
	rep.Report(event.Event{Kind: event.Step, Scope: scope, State: "connecting", Message: "asking " + c.Name()})
	info, err := c.Reach(ctx)
	if err != nil {
		return minikube.Connection{}, err
	}
	original, err := minikube.ServerOf(c.File, c.Settings.Context)
	if err != nil {
		return minikube.Connection{}, errs.Wrap(errs.Failure, err, "check cluster.context in gaiaflow.toml", "")
	}
	server := original
	if c.Settings.APIServer != "" {
		server = c.Settings.APIServer
	}
	data, err := minikube.AirflowKubeconfig(c.File, c.Settings.Context, server)
	if err != nil {
		return minikube.Connection{}, errs.Wrap(errs.Failure, err, "", "build the Airflow kubeconfig")
	}
	if server != original {
		// The API server's certificate names the address the user's
		// kubeconfig uses; the containers reach it elsewhere.
		if data, err = withServerName(data, original); err != nil {
			return minikube.Connection{}, err
		}
	}
	hostIP := c.Settings.HostAddress
	if hostIP == "" {
		for _, n := range info.Nodes {
			if n.InternalIP != "" {
				hostIP = n.InternalIP
				break
			}
		}
	}
	if hostIP == "" {
		return minikube.Connection{}, errs.Failf("set cluster.host_address in gaiaflow.toml to the IP address pods reach this machine at",
			"%s reports no node address to reach this machine from pods", c.Name())
	}
	conn := minikube.Connection{
		Profile:           c.Settings.Context,
		Context:           c.Settings.Context,
		Network:           c.Settings.Network,
		APIServer:         server,
		Kubeconfig:        st.Path(minikube.AirflowKubeconfigFile),
		HostAlias:         hostIP,
		HostIP:            hostIP,
		Namespace:         c.Settings.Namespace,
		KubernetesVersion: info.KubernetesVersion,
		UpdatedAt:         time.Now().UTC(),
	}
	unlock, err := st.Lock(ctx)
	if err != nil {
		return minikube.Connection{}, err
	}
	defer unlock()
	if err := project.WriteFileAtomic(conn.Kubeconfig, data, 0o600); err != nil {
		return minikube.Connection{}, err
	}
	if err := os.Chmod(conn.Kubeconfig, 0o600); err != nil {
		return minikube.Connection{}, fmt.Errorf("restrict %s: %w", conn.Kubeconfig, err)
	}
	if err := st.WriteJSON(minikube.ConnectionFile, conn, 0o600); err != nil {
		return minikube.Connection{}, err
	}
	rep.Report(event.Event{Kind: event.Done, Scope: scope, State: "configured",
		Message: fmt.Sprintf("Airflow kubeconfig for %s written to %s (API server %s; pods reach this machine at %s)",
			c.Name(), conn.Kubeconfig, server, hostIP)})
	return conn, nil
}

// withServerName sets the TLS server name of the only cluster of a
// kubeconfig to the host of original.
func withServerName(data []byte, original string) ([]byte, error) {
	u, err := url.Parse(original)
	if err != nil {
		return nil, fmt.Errorf("the kubeconfig's server %q: %w", original, err)
	}
	cfg, err := clientcmd.Load(data)
	if err != nil {
		return nil, err
	}
	for _, cl := range cfg.Clusters {
		cl.TLSServerName = u.Hostname()
	}
	return clientcmd.Write(*cfg)
}

// LoadImage puts a task image on the cluster's node(s) with the user's load
// command, {image} replaced by the image; its output comes as log events.
func (c *Cluster) LoadImage(ctx context.Context, image string, rep event.Reporter) error {
	argv := make([]string, len(c.Settings.LoadCommand))
	for i, a := range c.Settings.LoadCommand {
		argv[i] = strings.ReplaceAll(a, "{image}", image)
	}
	rep.Report(event.Event{Kind: event.Step, Scope: scope, State: "loading", Message: "loading " + image + " into the cluster"})
	run := c.Run
	if run == nil {
		run = execLines
	}
	out := func(line string) { rep.Report(event.Event{Kind: event.Log, Scope: scope, Message: line}) }
	if err := run(ctx, argv, out); err != nil {
		return errs.Wrap(errs.Failure, err, "check cluster.load_command in gaiaflow.toml; its output is above",
			"load %s into %s with %s", image, c.Name(), argv[0])
	}
	// The kubelet reports a node's images with its status, some seconds
	// later: wait for it, so what readiness reads next is true.
	deadline := time.Now().Add(c.reportWait())
	for {
		has, err := c.HasImage(ctx, image)
		if err == nil && has {
			break
		}
		if err != nil {
			rep.Report(event.Event{Kind: event.Warn, Scope: scope, Message: "the load command succeeded, but the cluster's nodes could not be read: " + err.Error()})
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			rep.Report(event.Event{Kind: event.Warn, Scope: scope, Message: fmt.Sprintf(
				"the load command succeeded, but no node reports %s after %s (a node lists only its 50 largest images)", image, c.reportWait())})
			break
		}
		time.Sleep(time.Second)
	}
	rep.Report(event.Event{Kind: event.Done, Scope: scope, State: "loaded", Message: "loaded " + image + " into the cluster"})
	return nil
}

// reportWait bounds the wait for the nodes to report a loaded image:
// ReportWait when set, else 90 s.
func (c *Cluster) reportWait() time.Duration {
	if c.ReportWait > 0 {
		return c.ReportWait
	}
	return 90 * time.Second
}

// execLines runs argv without a shell and sends its output line by line.
func execLines(ctx context.Context, argv []string, out func(string)) error {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			out(sc.Text())
		}
	}()
	err := cmd.Run()
	pw.Close()
	wg.Wait()
	return err
}

// HasImage reports whether a node of the cluster holds image (as the
// kubelet reports a node's images; a short name matches its docker.io
// form).
func (c *Cluster) HasImage(ctx context.Context, image string) (bool, error) {
	api, err := c.Client()
	if err != nil {
		return false, err
	}
	nodes, err := api.ListNodes(ctx)
	if err != nil {
		return false, err
	}
	want := minikube.NormalizeImage(image)
	for _, n := range nodes {
		for _, img := range n.Status.Images {
			for _, name := range img.Names {
				if minikube.NormalizeImage(name) == want {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

// Disconnect detaches the stack's containers from cluster.network (when
// set) and removes the Airflow kubeconfig and the connection record. The
// cluster itself is left as it is: gaiaflow did not create it.
func (c *Cluster) Disconnect(ctx context.Context, st *project.State, detach minikube.DetachFunc, rep event.Reporter) error {
	if c.Settings.Network != "" && detach != nil {
		names, err := detach(ctx, c.Settings.Network)
		if err != nil {
			rep.Report(event.Event{Kind: event.Warn, Scope: scope, Message: fmt.Sprintf("could not detach the stack from network %s: %v", c.Settings.Network, err)})
		}
		for _, n := range names {
			rep.Report(event.Event{Kind: event.Step, Scope: scope, State: "detached", Message: fmt.Sprintf("detached %s from network %s", n, c.Settings.Network)})
		}
	}
	unlock, err := st.Lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	for _, f := range []string{minikube.AirflowKubeconfigFile, minikube.ConnectionFile} {
		if err := os.Remove(st.Path(f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", st.Path(f), err)
		}
	}
	rep.Report(event.Event{Kind: event.Done, Scope: scope, State: "disconnected",
		Message: fmt.Sprintf("the stack no longer uses %s; the cluster itself was left as it is", c.Name())})
	return nil
}
