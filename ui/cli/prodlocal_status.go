package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gaiaflow/gaiaflow/services/core"
)

func runProdLocalStatus(ctx context.Context, a *App) error {
	v, err := a.Core().ClusterStatus(ctx)
	if err != nil {
		return err
	}
	return a.Emit(v, func(w io.Writer) { printProdLocalStatus(w, v, time.Now()) })
}

func printProdLocalStatus(w io.Writer, v core.ClusterStatus, now time.Time) {
	what := v.Profile
	if v.Provider == "kubeconfig" {
		what = "context " + v.Profile
	}
	fmt.Fprintf(w, "cluster     %s: %s", what, v.State)
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
		on := ""
		if c.Network != "" {
			on = " on network " + c.Network
		}
		fmt.Fprintf(w, "airflow     kubeconfig %s (API server %s%s)\n", c.Kubeconfig, c.APIServer, on)
		host := c.HostAlias
		if c.HostIP != "" && c.HostIP != c.HostAlias {
			host += " = " + c.HostIP
		}
		fmt.Fprintf(w, "pods        reach the host as %s; namespace %s\n", host, c.Namespace)
	} else if v.State != core.ClusterAbsent {
		fmt.Fprintln(w, "airflow     no kubeconfig yet: run `gaiaflow prod-local create-config`")
	}
	for _, p := range v.Problems {
		fmt.Fprintf(w, "problem     %s\n", p)
	}
	if v.Provider != "kubeconfig" && !v.Minikube.Running() || v.Provider == "kubeconfig" && v.State != "running" {
		if v.State == core.ClusterAbsent || v.State == core.ClusterStopped {
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
