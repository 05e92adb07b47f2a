package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
)

// prodLocalStatusView is `prod-local status -o json`.
type prodLocalStatusView struct {
	Profile           string               `json:"profile"`
	State             string               `json:"state"`
	Minikube          minikube.Status      `json:"minikube"`
	KubernetesVersion string               `json:"kubernetes_version,omitempty"`
	Nodes             []kube.Node          `json:"nodes"`
	Pods              []kube.TaskPod       `json:"pods"`
	Connection        *minikube.Connection `json:"connection,omitempty"`
	// Problems are what could not be read; the status itself still printed.
	Problems []string `json:"problems,omitempty"`
}

// taskPodLimit is how many task pods status shows.
const taskPodLimit = 10

func runProdLocalStatus(ctx context.Context, a *App) error {
	pl, err := a.prodLocal()
	if err != nil {
		return err
	}
	st, err := pl.cluster.Status(ctx)
	if err != nil {
		return err
	}
	v := prodLocalStatusView{Profile: st.Profile, State: st.State, Minikube: st, Nodes: []kube.Node{}, Pods: []kube.TaskPod{}}
	if conn, ok, err := minikube.ReadConnection(pl.state); err != nil {
		v.Problems = append(v.Problems, err.Error())
	} else if ok {
		v.Connection = &conn
	}
	if st.Running() {
		v.Problems = append(v.Problems, describeCluster(ctx, a, pl, &v)...)
	}
	return a.Emit(v, func(w io.Writer) { printProdLocalStatus(w, v, time.Now()) })
}

// describeCluster fills in what the API server says; what fails becomes a
// problem line, not a failed command.
func describeCluster(ctx context.Context, a *App, pl *prodLocal, v *prodLocalStatusView) []string {
	cs, err := a.kubeClient(pl)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	info, err := kube.Describe(ctx, cs)
	if err != nil {
		return []string{err.Error()}
	}
	v.KubernetesVersion, v.Nodes = info.KubernetesVersion, info.Nodes
	if pods, err := kube.RecentTaskPods(ctx, cs, taskPodLimit); err != nil {
		problems = append(problems, err.Error())
	} else {
		v.Pods = pods
	}
	return problems
}

func printProdLocalStatus(w io.Writer, v prodLocalStatusView, now time.Time) {
	fmt.Fprintf(w, "cluster     %s: %s", v.Profile, v.State)
	if v.Minikube.Host != "" {
		fmt.Fprintf(w, " (host %s, kubelet %s, apiserver %s, kubeconfig %s)",
			v.Minikube.Host, v.Minikube.Kubelet, v.Minikube.APIServer, v.Minikube.Kubeconfig)
	}
	fmt.Fprintln(w)
	if v.KubernetesVersion != "" {
		fmt.Fprintf(w, "kubernetes  %s\n", v.KubernetesVersion)
	}
	for _, n := range v.Nodes {
		ready := "not ready"
		if n.Ready {
			ready = "ready"
		}
		fmt.Fprintf(w, "node        %s: %s, %s CPUs, %s memory, %d pods (allocatable %s CPUs, %s)\n",
			n.Name, ready, n.CPU, humanBytes(n.MemoryBytes), n.Pods, n.AllocatableCPU, humanBytes(n.AllocatableMemoryBytes))
	}
	if c := v.Connection; c != nil {
		fmt.Fprintf(w, "airflow     kubeconfig %s (API server %s on network %s)\n", c.Kubeconfig, c.APIServer, c.Network)
		host := c.HostAlias
		if c.HostIP != "" {
			host += " = " + c.HostIP
		}
		fmt.Fprintf(w, "pods        reach the host as %s; namespace %s\n", host, c.Namespace)
	} else if v.State != minikube.StateAbsent {
		fmt.Fprintln(w, "airflow     no kubeconfig yet: run `gaiaflow prod-local create-config`")
	}
	for _, p := range v.Problems {
		fmt.Fprintf(w, "problem     %s\n", p)
	}
	if !v.Minikube.Running() {
		if v.State == minikube.StateAbsent || v.State == minikube.StateStopped {
			fmt.Fprintln(w, "next        gaiaflow prod-local start")
		}
		return
	}
	if len(v.Pods) == 0 {
		fmt.Fprintln(w, "task pods   none (pods are deleted when their task ends, unless it keeps them)")
		return
	}
	fmt.Fprintln(w, "task pods   newest first:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  AGE\tDAG\tTASK\tTRY\tPHASE\tREASON\tPOD")
	for _, p := range v.Pods {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s/%s\n", age(now.Sub(p.Created)), dash(p.DAG), dash(p.Task), dash(p.Try),
			p.Phase, dash(p.Reason), p.Namespace, p.Name)
	}
	_ = tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// age is a duration as kubectl shows it: 45s, 12m, 3h, 2d.
func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// humanBytes prints a byte count in binary units with one decimal.
func humanBytes(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	s := fmt.Sprintf("%.1f", f)
	return strings.TrimSuffix(s, ".0") + " " + units[i]
}
