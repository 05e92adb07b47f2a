package kube

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/version"
	fakediscovery "k8s.io/client-go/discovery/fake"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/gaiaflow/gaiaflow/services/minikube/kube/kubetest"
	"github.com/gaiaflow/gaiaflow/services/minikube/minikubetest"
)

func TestFakeClientsetDescribe(t *testing.T) {
	cs := fake.NewClientset(&corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "gaiaflow-demo"},
		Status: corev1.NodeStatus{
			Capacity: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("4015084Ki"),
				corev1.ResourcePods: resource.MustParse("110")},
			Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("3800m"), corev1.ResourceMemory: resource.MustParse("3900000Ki")},
			Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}},
		},
	})
	cs.Discovery().(*fakediscovery.FakeDiscovery).FakedServerVersion = &version.Info{GitVersion: "v1.34.0"}
	info, err := Describe(context.Background(), kubetest.FromClientset(cs))
	if err != nil {
		t.Fatal(err)
	}
	if info.KubernetesVersion != "v1.34.0" || len(info.Nodes) != 1 {
		t.Fatalf("info %+v", info)
	}
	n := info.Nodes[0]
	if !n.Ready || n.CPU != "4" || n.MemoryBytes != 4015084*1024 || n.Pods != 110 || n.AllocatableCPU != "3800m" {
		t.Errorf("node %+v", n)
	}
}

func TestFakeClientsetRecentTaskPods(t *testing.T) {
	now := time.Now()
	pod := func(name string, age time.Duration, phase corev1.PodPhase, labels map[string]string, st []corev1.ContainerStatus) *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", Labels: labels, CreationTimestamp: metav1.NewTime(now.Add(-age))},
			Status:     corev1.PodStatus{Phase: phase, ContainerStatuses: st},
		}
	}
	kpo := func(task string) map[string]string {
		return map[string]string{"kubernetes_pod_operator": "True", "dag_id": "train", "task_id": task, "run_id": "manual__2026-11-26", "try_number": "1"}
	}
	cs := fake.NewClientset(
		pod("old", time.Hour, corev1.PodSucceeded, kpo("load"), nil),
		pod("new", time.Minute, corev1.PodPending, kpo("train"), []corev1.ContainerStatus{{Name: "base",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImageNeverPull"}}}}),
		pod("mid", 10*time.Minute, corev1.PodFailed, kpo("eval"), []corev1.ContainerStatus{{Name: "base",
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled"}}}}),
		pod("not-a-task", 0, corev1.PodRunning, map[string]string{"app": "x"}, nil),
	)
	pods, err := RecentTaskPods(context.Background(), kubetest.FromClientset(cs), 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(pods) != 2 || pods[0].Name != "new" || pods[1].Name != "mid" {
		t.Fatalf("pods %+v", pods)
	}
	if pods[0].Reason != "ErrImageNeverPull" || pods[0].Phase != "Pending" || pods[0].Task != "train" || pods[0].DAG != "train" {
		t.Errorf("new = %+v", pods[0])
	}
	if pods[1].Reason != "OOMKilled" {
		t.Errorf("mid = %+v", pods[1])
	}
}

// NewClient reads only the file it is given: a broken ~/.kube/config and
// $KUBECONFIG do not matter.
func TestNewClientReadsOnlyItsFile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	broken := filepath.Join(home, ".kube", "config")
	if err := os.MkdirAll(filepath.Dir(broken), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(broken, []byte("{not yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", broken)
	s := minikubetest.New(t, "gaiaflow-demo")
	f := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(f, []byte(s.Kubeconfig(minikubetest.LinuxServer, false)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewClient(f, "gaiaflow-demo"); err != nil {
		t.Fatal(err)
	}
	if _, err := NewClient(f, "nope"); err == nil {
		t.Error("unknown context accepted")
	}
}

// The fake clientset stands in for the cluster through kubetest.
var _ API = (*kubetest.Clientset)(nil)
