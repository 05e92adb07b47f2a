package e2e

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/gaiaflow/gaiaflow/e2e/k8snode"
	"github.com/gaiaflow/gaiaflow/services/testenv"
)

// The label on everything the real-node tests create (namespaces, Docker
// images and containers), so cleanup removes only what they made.
const realNodeTestLabel = "io.gaiaflow.realnode.test"

// What the cncf-kubernetes provider's XCom sidecar runs
// (airflow/providers/cncf/kubernetes/utils/xcom_sidecar.py).
const xcomSidecarCmd = `trap "exit 0" INT; while true; do sleep 1; done;`

// TestRealNode runs pods on the real single-node Kubernetes of e2e/k8snode
// (etcd, kube-apiserver, controller-manager, scheduler, kubelet 1.34 and a
// containerd, all real). It runs only with GAIAFLOW_REALNODE=1 (.ci/run sets
// it and starts the node); then a node that cannot start fails the test.
func TestRealNode(t *testing.T) {
	ctx := context.Background()
	node, root := realNode(t)
	// It loads the engine's images into the node; the kubeconfig provider's
	// test, which shares realNode, uses no engine.
	testenv.RequireDocker(t) // and names the engine: CI runs this on more than one
	cfg, err := node.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	probe := buildProbeImage(t, root)
	begin := time.Now()
	if err := node.LoadImages(ctx, probe); err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded %s into the node in %s", probe, time.Since(begin).Round(100*time.Millisecond))

	t.Run("PodRunsLoadedImageAndReadsSecret", func(t *testing.T) {
		testPodRunsLoadedImageAndReadsSecret(t, node, cs, probe)
	})
	t.Run("MissingSecretShowsCreateContainerConfigError", func(t *testing.T) {
		testMissingSecretShowsCreateContainerConfigError(t, cs, probe)
	})
	t.Run("AirflowKubernetesPodOperatorPushesXCom", func(t *testing.T) {
		testAirflowKubernetesPodOperatorPushesXCom(t, root, node, cs, probe)
	})
}

// A real KubernetesPodOperator from the Airflow venv (cncf-kubernetes
// provider, do_xcom_push=True), run in-process by dag.test(), starts its pod
// on the node with the provider's default XCom sidecar image, streams the
// pod's log, reads the XCom through the sidecar, and deletes the pod.
func testAirflowKubernetesPodOperatorPushesXCom(t *testing.T, root string, node *k8snode.Node, cs kubernetes.Interface, probe string) {
	testenv.Airflow(t) // skips without Airflow, fails in CI (GAIAFLOW_REQUIRE_AIRFLOW=1)
	py := testenv.Python(t)
	ctx := context.Background()
	reply := "reply-" + randomHex(t, 8)
	url := runHostService(t, probe, node.HostIP, reply)
	ns := createTestNamespace(t, cs)
	secretValue := randomHex(t, 24)
	sum := sha256.Sum256([]byte(secretValue))
	wantHash := hex.EncodeToString(sum[:])
	if _, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "probe-secret", Labels: map[string]string{realNodeTestLabel: "true"}},
		StringData: map[string]string{"value": secretValue},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create secret: %v", err)
	}

	resultPath := filepath.Join(t.TempDir(), "result.json")
	cmd := exec.Command(py, filepath.Join(root, "e2e", "testdata", "realnode_kpo", "run.py"))
	cmd.Env = append(os.Environ(),
		"REALNODE_NAMESPACE="+ns, "REALNODE_IMAGE="+probe, "REALNODE_URL="+url,
		"REALNODE_SECRET=probe-secret", "REALNODE_KUBECONFIG="+node.Kubeconfig,
		"REALNODE_CONTEXT="+node.Context, "REALNODE_RESULT="+resultPath)
	begin := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("dag.test() took %s", time.Since(begin).Round(100*time.Millisecond))
	if err != nil {
		t.Fatalf("realnode_kpo/run.py: %v\n%s", err, tail(string(out), 80))
	}
	raw, err := os.ReadFile(resultPath)
	if err != nil {
		t.Fatalf("realnode_kpo/run.py wrote no result: %v\n%s", err, tail(string(out), 80))
	}
	var result struct {
		State        string            `json:"state"`
		TaskState    string            `json:"task_state"`
		XCom         map[string]string `json:"xcom"`
		SidecarImage string            `json:"sidecar_image"`
	}
	if err := json.Unmarshal(raw, &result); err != nil {
		t.Fatalf("result %q: %v", raw, err)
	}
	if result.State != "success" || result.TaskState != "success" {
		t.Fatalf("dag run %s, task %s; output:\n%s", result.State, result.TaskState, tail(string(out), 80))
	}
	if result.XCom["secret_sha256"] != wantHash || result.XCom["host_reply"] != reply {
		t.Errorf("XCom = %v, want secret_sha256 %s and host_reply %s", result.XCom, wantHash, reply)
	}
	if !strings.Contains(string(out), "secret-sha256="+wantHash) {
		t.Errorf("the operator did not stream the pod's log; output:\n%s", tail(string(out), 40))
	}
	// The node must hold the sidecar image under the name this provider uses;
	// a provider upgrade that changes it shows here first.
	if !sidecarNamed(node.XComSidecarImages, result.SidecarImage) {
		t.Errorf("the provider's XCom sidecar image is %q; the node has %v (e2e/k8snode/images/xcom-sidecar/names)",
			result.SidecarImage, node.XComSidecarImages)
	}
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err == nil && len(pods.Items) > 0 {
		t.Errorf("on_finish_action=delete_pod left %d pod(s)", len(pods.Items))
	}
}

// sidecarNamed reports whether the node's names include image as containerd
// sees it ("alpine:3.24.2" is docker.io/library/alpine:3.24.2).
func sidecarNamed(names []string, image string) bool {
	full := image
	first, _, hasSlash := strings.Cut(image, "/")
	switch {
	case !hasSlash:
		full = "docker.io/library/" + image
	case !strings.ContainsAny(first, ".:") && first != "localhost":
		full = "docker.io/" + image
	}
	for _, n := range names {
		if n == image || n == full {
			return true
		}
	}
	return false
}

// A pod from a locally loaded image (imagePullPolicy Never) reads a Secret as
// env, reaches a port a Docker container publishes on the host address pods
// see, and writes its XCom file, which is read back from the XCom sidecar the
// way the cncf-kubernetes operator reads it (exec cat).
func testPodRunsLoadedImageAndReadsSecret(t *testing.T, node *k8snode.Node, cs kubernetes.Interface, probe string) {
	ctx := context.Background()
	reply := "reply-" + randomHex(t, 8)
	url := runHostService(t, probe, node.HostIP, reply)
	ns := createTestNamespace(t, cs)

	// The value travels only in the request body and the pod's env.
	secretValue := randomHex(t, 24)
	sum := sha256.Sum256([]byte(secretValue))
	wantHash := hex.EncodeToString(sum[:])
	_, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "probe-secret", Labels: map[string]string{realNodeTestLabel: "true"}},
		StringData: map[string]string{"value": secretValue},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create secret: %v", err)
	}

	pod := probePod("probe", probe, url, "probe-secret")
	addXComSidecar(pod, node.XComSidecarImages)
	begin := time.Now()
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create pod: %v", err)
	}
	// The base container ends; the sidecar keeps the pod running until the
	// XCom is read, as with the operator.
	var base *corev1.ContainerStatus
	p := waitPod(t, cs, ns, pod.Name, 90*time.Second, func(p *corev1.Pod) bool {
		base = containerStatus(p, "base")
		return base != nil && base.State.Terminated != nil
	})
	t.Logf("pod's task finished in %s", time.Since(begin).Round(100*time.Millisecond))
	logs, err := cs.CoreV1().Pods(ns).GetLogs(pod.Name, &corev1.PodLogOptions{Container: "base"}).DoRaw(ctx)
	if err != nil {
		t.Fatalf("read the pod's log: %v", err)
	}
	t.Logf("pod log:\n%s", logs)
	if code := base.State.Terminated.ExitCode; code != 0 {
		t.Fatalf("the pod's task exited %d (%s)", code, base.State.Terminated.Reason)
	}
	for _, want := range []string{"secret-sha256=" + wantHash, "host-reply=" + reply} {
		if !strings.Contains(string(logs), want) {
			t.Errorf("the pod's log lacks %q", want)
		}
	}
	if s := containerStatus(p, "airflow-xcom-sidecar"); s == nil || s.State.Running == nil {
		t.Fatalf("the XCom sidecar is not running: %+v", s)
	}

	out, err := node.RunKubectl(ctx, "-n", ns, "exec", pod.Name, "-c", "airflow-xcom-sidecar", "--",
		"/bin/sh", "-c", "cat /airflow/xcom/return.json")
	if err != nil {
		t.Fatalf("read the XCom through the sidecar: %v", err)
	}
	var xcom map[string]string
	if err := json.Unmarshal(out, &xcom); err != nil {
		t.Fatalf("the XCom is not JSON: %v: %q", err, out)
	}
	if xcom["secret_sha256"] != wantHash || xcom["host_reply"] != reply {
		t.Errorf("XCom = %v, want secret_sha256 %s and host_reply %s", xcom, wantHash, reply)
	}
	// The operator's fallback kill (Debian's busybox has no pgrep): SIGINT to
	// every `sh`, and the sidecar's trap exits 0; then the pod completes. The
	// exec's own shell is an `sh` too and ends the same way (exit 130), as the
	// operator's does, so its error says nothing.
	_, _ = node.RunKubectl(ctx, "-n", ns, "exec", pod.Name, "-c", "airflow-xcom-sidecar", "--", "/bin/sh", "-c",
		`for f in /proc/[0-9]*/comm; do [ -O $f ] && read c < $f && [ "$c" = "sh" ] && pid=${f%/comm} && kill -2 ${pid##*/}; done`)
	waitPod(t, cs, ns, pod.Name, 30*time.Second, func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodSucceeded })
}

// A pod whose Secret does not exist never starts: its container waits with
// reason CreateContainerConfigError, within seconds. (gaiaflow has to show
// this to users rather than wait forever.)
func testMissingSecretShowsCreateContainerConfigError(t *testing.T, cs kubernetes.Interface, probe string) {
	ctx := context.Background()
	ns := createTestNamespace(t, cs)
	pod := probePod("no-secret", probe, "http://127.0.0.1:1/", "does-not-exist")
	begin := time.Now()
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create pod: %v", err)
	}
	var waiting *corev1.ContainerStateWaiting
	waitPod(t, cs, ns, pod.Name, 30*time.Second, func(p *corev1.Pod) bool {
		if s := containerStatus(p, "base"); s != nil && s.State.Waiting != nil {
			waiting = s.State.Waiting
			return waiting.Reason == "CreateContainerConfigError"
		}
		return false
	})
	t.Logf("CreateContainerConfigError after %s: %s", time.Since(begin).Round(100*time.Millisecond), waiting.Message)
	if !strings.Contains(waiting.Message, "does-not-exist") {
		t.Errorf("the message does not name the secret: %q", waiting.Message)
	}
}

// probePod is a pod running `probe pod` from the loaded image, with the
// secret's "value" key as PROBE_SECRET.
func probePod(name, image, url, secret string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{realNodeTestLabel: "true"}},
		Spec: corev1.PodSpec{
			RestartPolicy:                 corev1.RestartPolicyNever,
			TerminationGracePeriodSeconds: new(int64),
			Containers: []corev1.Container{{
				Name:            "base",
				Image:           image,
				ImagePullPolicy: corev1.PullNever,
				Args:            []string{"pod"},
				Env: []corev1.EnvVar{
					{Name: "PROBE_URL", Value: url},
					{Name: "PROBE_SECRET", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
						LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: "value",
					}}},
				},
			}},
		},
	}
}

// addXComSidecar adds what the operator adds with do_xcom_push: an emptyDir
// at /airflow/xcom in the base container and a sidecar with the provider's
// image name (the node holds a stand-in under it) and command.
func addXComSidecar(pod *corev1.Pod, sidecarImages []string) {
	image := "alpine:3.24.2"
	if len(sidecarImages) > 0 {
		image = sidecarImages[0]
	}
	mount := corev1.VolumeMount{Name: "xcom", MountPath: "/airflow/xcom"}
	pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{
		Name: "xcom", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}},
	})
	pod.Spec.Containers[0].VolumeMounts = append(pod.Spec.Containers[0].VolumeMounts, mount)
	pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{
		Name:            "airflow-xcom-sidecar",
		Image:           image,
		ImagePullPolicy: corev1.PullIfNotPresent,
		Command:         []string{"sh", "-c", xcomSidecarCmd},
		VolumeMounts:    []corev1.VolumeMount{mount},
	})
}

func containerStatus(p *corev1.Pod, name string) *corev1.ContainerStatus {
	for i := range p.Status.ContainerStatuses {
		if p.Status.ContainerStatuses[i].Name == name {
			return &p.Status.ContainerStatuses[i]
		}
	}
	return nil
}

// waitPod polls the pod until done returns true, failing the test with the
// pod's status after timeout.
func waitPod(t *testing.T, cs kubernetes.Interface, ns, name string, timeout time.Duration, done func(*corev1.Pod) bool) *corev1.Pod {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		p, err := cs.CoreV1().Pods(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err == nil && done(p) {
			return p
		}
		if time.Now().After(deadline) {
			status := "(none)"
			if p != nil {
				b, _ := json.MarshalIndent(p.Status, "", "  ")
				status = string(b)
			}
			t.Fatalf("pod %s/%s: condition not met after %s (last error %v); status:\n%s", ns, name, timeout, err, status)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// createTestNamespace makes a labelled namespace that the test's cleanup
// deletes with everything in it.
func createTestNamespace(t *testing.T, cs kubernetes.Interface) string {
	t.Helper()
	ns, err := cs.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "gaiaflow-realnode-test-", Labels: map[string]string{realNodeTestLabel: "true"}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	// Wait for the namespace's default service account: pods are refused until
	// the controller-manager has made it.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := cs.CoreV1().ServiceAccounts(ns.Name).Get(context.Background(), "default", metav1.GetOptions{})
		if err == nil {
			break
		}
		if !apierrors.IsNotFound(err) || time.Now().After(deadline) {
			t.Fatalf("namespace %s: no default service account: %v", ns.Name, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Cleanup(func() {
		zero := int64(0)
		err := cs.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete namespace %s: %v", ns.Name, err)
		}
	})
	return ns.Name
}

// buildProbeImage builds e2e/k8snode/probe into a FROM-scratch image on the
// Docker daemon, removed when the test ends.
func buildProbeImage(t *testing.T, root string) string {
	t.Helper()
	dir := t.TempDir()
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", filepath.Join(dir, "probe"), "./e2e/k8snode/probe")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build probe: %v\n%s", err, out)
	}
	dockerfile := "FROM scratch\nCOPY probe /probe\nENTRYPOINT [\"/probe\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	tag := "gaiaflow-realnode-probe:test-" + randomHex(t, 6)
	docker(t, "build", "-q", "--label", realNodeTestLabel+"=true", "-t", tag, dir)
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", tag).Run() })
	return tag
}

// runHostService runs the probe image as an HTTP server that Docker publishes
// on hostIP (the address pods reach the host on) and returns its URL.
func runHostService(t *testing.T, image, hostIP, reply string) string {
	t.Helper()
	port := freePort(t, hostIP)
	name := "gaiaflow-realnode-test-" + randomHex(t, 6)
	docker(t, "run", "-d", "--name", name, "--label", realNodeTestLabel+"=true",
		"-e", "PROBE_REPLY="+reply, "-p", fmt.Sprintf("%s:%d:8080", hostIP, port), image, "serve", ":8080")
	t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", name).Run() })
	return fmt.Sprintf("http://%s:%d/", hostIP, port)
}

func freePort(t *testing.T, ip string) int {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatalf("no free port on %s: %v", ip, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// testWriter sends a script's progress to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func TestSidecarNamedMatchesContainerdNames(t *testing.T) {
	names := []string{"docker.io/library/alpine:3.24.2"}
	for image, want := range map[string]bool{
		"alpine:3.24.2":                   true,
		"library/alpine:3.24.2":           true,
		"docker.io/library/alpine:3.24.2": true,
		"alpine:3.24.1":                   false,
		"quay.io/alpine:3.24.2":           false,
		"localhost:5000/alpine:3.24.2":    false,
	} {
		if got := sidecarNamed(names, image); got != want {
			t.Errorf("sidecarNamed(%v, %q) = %v, want %v", names, image, got, want)
		}
	}
}

// realNode returns the running real node (starting it when none runs) and
// the repository's root, and stops the node when the test ends if it
// started it. Without GAIAFLOW_REALNODE=1 the test is skipped; with it, a
// node that cannot start fails the test.
func realNode(t *testing.T) (*k8snode.Node, string) {
	t.Helper()
	if os.Getenv("GAIAFLOW_REALNODE") != "1" {
		t.Skip("runs on the real Kubernetes node with GAIAFLOW_REALNODE=1 (.ci/run sets it); needs root and Docker")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	node, err := k8snode.Start(context.Background(), root, testWriter{t})
	if err != nil {
		t.Fatalf("the real node did not start: %v", err)
	}
	t.Logf("node %s ready (%s; started here: %v)", node.Node, time.Since(begin).Round(100*time.Millisecond), node.Started())
	t.Cleanup(func() {
		if err := node.Stop(context.Background(), testWriter{t}); err != nil {
			t.Errorf("stop the node: %v", err)
		}
	})
	return node, root
}
