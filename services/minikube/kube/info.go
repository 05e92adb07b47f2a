package kube

import (
	"context"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Node is one node's capacity and readiness.
type Node struct {
	Name        string `json:"name"`
	Ready       bool   `json:"ready"`
	InternalIP  string `json:"internal_ip,omitempty"`
	CPU         string `json:"cpu"`          // capacity, in cores
	MemoryBytes int64  `json:"memory_bytes"` // capacity
	Pods        int64  `json:"pods"`         // how many pods it takes
	// Allocatable is what is left for pods after the system's reservations.
	AllocatableCPU         string `json:"allocatable_cpu"`
	AllocatableMemoryBytes int64  `json:"allocatable_memory_bytes"`
}

// ClusterInfo is what the API server says about itself and its nodes.
type ClusterInfo struct {
	KubernetesVersion string `json:"kubernetes_version"`
	Nodes             []Node `json:"nodes"`
}

// Describe asks the API server for its version and its nodes.
func Describe(ctx context.Context, api API) (ClusterInfo, error) {
	var info ClusterInfo
	v, err := api.ServerVersion(ctx)
	if err != nil {
		return info, apiError(err, "ask the API server for its version")
	}
	info.KubernetesVersion = v.GitVersion
	nodes, err := api.ListNodes(ctx)
	if err != nil {
		return info, apiError(err, "list the cluster's nodes")
	}
	for _, n := range nodes {
		node := Node{
			Name:                   n.Name,
			CPU:                    n.Status.Capacity.Cpu().String(),
			MemoryBytes:            n.Status.Capacity.Memory().Value(),
			Pods:                   n.Status.Capacity.Pods().Value(),
			AllocatableCPU:         n.Status.Allocatable.Cpu().String(),
			AllocatableMemoryBytes: n.Status.Allocatable.Memory().Value(),
		}
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady {
				node.Ready = c.Status == corev1.ConditionTrue
			}
		}
		for _, a := range n.Status.Addresses {
			if a.Type == corev1.NodeInternalIP && node.InternalIP == "" {
				node.InternalIP = a.Address
			}
		}
		info.Nodes = append(info.Nodes, node)
	}
	slices.SortFunc(info.Nodes, func(a, b Node) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	return info, nil
}

// TaskPodSelector selects the pods KubernetesPodOperator runs: it labels
// every pod it creates kubernetes_pod_operator=True, beside dag_id, task_id,
// run_id and try_number.
const TaskPodSelector = "kubernetes_pod_operator=True"

// TaskPod is the pod of one task run.
type TaskPod struct {
	Name      string    `json:"name"`
	Namespace string    `json:"namespace"`
	DAG       string    `json:"dag_id"`
	Task      string    `json:"task_id"`
	Run       string    `json:"run_id"`
	Try       string    `json:"try_number"`
	Phase     string    `json:"phase"`
	Reason    string    `json:"reason,omitempty"` // why it waits or failed: ErrImageNeverPull, OOMKilled, ...
	Created   time.Time `json:"created"`
}

// RecentTaskPods lists the task pods of every namespace, newest first, at
// most limit of them. Pods whose operator deletes them when done only show
// while they run or, with keep_pod, after.
func RecentTaskPods(ctx context.Context, api API, limit int) ([]TaskPod, error) {
	list, err := api.ListPods(ctx, TaskPodSelector)
	if err != nil {
		return nil, apiError(err, "list the task pods")
	}
	pods := make([]TaskPod, 0, len(list))
	for _, p := range list {
		pods = append(pods, TaskPod{
			Name:      p.Name,
			Namespace: p.Namespace,
			DAG:       p.Labels["dag_id"],
			Task:      p.Labels["task_id"],
			Run:       p.Labels["run_id"],
			Try:       p.Labels["try_number"],
			Phase:     string(p.Status.Phase),
			Reason:    reasonOf(&p),
			Created:   p.CreationTimestamp.Time,
		})
	}
	slices.SortStableFunc(pods, func(a, b TaskPod) int { return b.Created.Compare(a.Created) })
	if limit > 0 && len(pods) > limit {
		pods = pods[:limit]
	}
	return pods, nil
}

// reasonOf says why a pod is not simply running or done.
func reasonOf(p *corev1.Pod) string {
	for _, cs := range append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		if w := cs.State.Waiting; w != nil && w.Reason != "" && w.Reason != "ContainerCreating" && w.Reason != "PodInitializing" {
			return w.Reason
		}
		if t := cs.State.Terminated; t != nil && t.ExitCode != 0 && t.Reason != "" {
			return t.Reason
		}
	}
	return p.Status.Reason
}
