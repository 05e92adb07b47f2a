package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sversion "k8s.io/apimachinery/pkg/version"
	fakediscovery "k8s.io/client-go/discovery/fake"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/yaml"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube/kubetest"
	"github.com/gaiaflow/gaiaflow/services/minikube/minikubetest"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// plHarness is a machine for prod-local commands: a project, a HOME whose
// ~/.kube/config and $KUBECONFIG file belong to the user, a stand-in
// minikube first on PATH, and client-go's fake clientset as the cluster.
type plHarness struct {
	t         *testing.T
	dir       string
	standIn   *minikubetest.StandIn
	kube      *fake.Clientset
	userFiles map[string][]byte
	stdin     string
	terminal  bool
}

func newPL(t *testing.T) *plHarness {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_STATE_HOME", filepath.Join(home, "state"))
	h := &plHarness{t: t, userFiles: map[string][]byte{
		filepath.Join(home, ".kube", "config"):  []byte("apiVersion: v1\nkind: Config\ncurrent-context: work # mine\n"),
		filepath.Join(home, "other.kubeconfig"): []byte("apiVersion: v1\nkind: Config\ncurrent-context: other\n"),
	}}
	for f, data := range h.userFiles {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("KUBECONFIG", filepath.Join(home, "other.kubeconfig"))
	h.standIn = minikubetest.New(t, "gaiaflow-demo")
	t.Setenv("PATH", h.standIn.Bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	h.dir = newProjectDir(t, goodToml)
	h.kube = fake.NewClientset(&corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "gaiaflow-demo"},
		Status: corev1.NodeStatus{
			Capacity: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("4015084Ki"),
				corev1.ResourcePods: resource.MustParse("110")},
			Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("4015084Ki")},
			Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}},
		},
	})
	h.kube.Discovery().(*fakediscovery.FakeDiscovery).FakedServerVersion = &k8sversion.Info{GitVersion: "v1.34.0"}
	t.Cleanup(h.checkUntouched)
	return h
}

func (h *plHarness) run(args ...string) result {
	h.t.Helper()
	var out, errb bytes.Buffer
	a := h.app(&out, &errb)
	var r result
	r.code = a.Run(args)
	r.out, r.err = out.String(), errb.String()
	return r
}

// app is an App on the harness's machine writing to out and errb.
func (h *plHarness) app(out, errb io.Writer) *App {
	a := NewApp(strings.NewReader(h.stdin), out, errb)
	a.Cwd = h.dir
	a.IsTerminal = func(any) bool { return h.terminal }
	a.NewKube = func(path, context string) (kube.API, error) {
		if filepath.Base(path) != minikube.HostKubeconfigFile || context != "gaiaflow-demo" {
			h.t.Errorf("kube client for %s context %s", path, context)
		}
		if _, err := os.Stat(path); err != nil {
			h.t.Errorf("kube client for a missing kubeconfig: %v", err)
		}
		return kubetest.FromClientset(h.kube), nil
	}
	return a
}

func (h *plHarness) state() *project.State {
	h.t.Helper()
	p, err := project.Open(h.dir, true)
	if err != nil {
		h.t.Fatal(err)
	}
	st, err := p.State()
	if err != nil {
		h.t.Fatal(err)
	}
	return st
}

// checkUntouched: the user's kubeconfigs are unchanged byte for byte, and
// minikube only ever ran with KUBECONFIG in the state directory.
func (h *plHarness) checkUntouched() {
	for f, want := range h.userFiles {
		got, err := os.ReadFile(f)
		if err != nil || !bytes.Equal(got, want) {
			h.t.Errorf("%s changed (%v):\n%s", f, err, got)
		}
	}
	for _, c := range h.standIn.Calls() {
		if !strings.HasPrefix(c.Kubeconfig, os.Getenv("XDG_STATE_HOME")) || filepath.Base(c.Kubeconfig) != minikube.HostKubeconfigFile {
			h.t.Errorf("minikube %v ran with KUBECONFIG=%s", c.Args, c.Kubeconfig)
		}
	}
}

func (r result) ok(t *testing.T, what string) result {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", what, r.code, r.out, r.err)
	}
	return r
}

func TestStandInMinikubeProdLocalJourney(t *testing.T) {
	h := newPL(t)
	h.standIn.Absent()

	r := h.run("prod-local", "status").ok(t, "status before start")
	if !strings.Contains(r.out, "cluster     gaiaflow-demo: absent") {
		t.Errorf("status:\n%s", r.out)
	}

	r = h.run("prod-local", "start").ok(t, "start")
	for _, w := range []string{"starting cluster gaiaflow-demo (driver docker, 4 CPUs, 4g memory)", "Done! kubectl is now configured", "Airflow kubeconfig for gaiaflow-demo written to", "kubectl: KUBECONFIG="} {
		if !strings.Contains(r.out, w) {
			t.Errorf("start output lacks %q:\n%s", w, r.out)
		}
	}
	st := h.state()
	fi, err := os.Stat(st.Path(minikube.AirflowKubeconfigFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("airflow kubeconfig: %v %v", fi, err)
	}

	r = h.run("prod-local", "status", "-o", "json").ok(t, "status -o json")
	var v core.ClusterStatus
	if err := json.Unmarshal([]byte(r.out), &v); err != nil {
		t.Fatalf("%v\n%s", err, r.out)
	}
	if v.State != "running" || v.KubernetesVersion != "v1.34.0" || len(v.Nodes) != 1 || v.Nodes[0].CPU != "4" ||
		v.Connection == nil || v.Connection.Network != "gaiaflow-demo" || v.Connection.HostIP != minikubetest.HostIP || len(v.Problems) != 0 {
		t.Errorf("status = %+v", v)
	}
	r = h.run("prod-local", "status").ok(t, "status")
	for _, w := range []string{"gaiaflow-demo: running", "kubernetes  v1.34.0", "4 CPUs, 3.8 GiB memory, 110 pods", "host.minikube.internal = " + minikubetest.HostIP, "task pods   none"} {
		if !strings.Contains(r.out, w) {
			t.Errorf("status lacks %q:\n%s", w, r.out)
		}
	}

	r = h.run("prod-local", "create-config").ok(t, "create-config")
	if strings.TrimSpace(r.out) != st.Path(minikube.AirflowKubeconfigFile) {
		t.Errorf("create-config stdout %q, want only the path", r.out)
	}
	if !strings.Contains(r.err, "written to") {
		t.Errorf("create-config progress on stderr:\n%s", r.err)
	}

	envFile := filepath.Join(t.TempDir(), "creds.env")
	if err := os.WriteFile(envFile, []byte("# creds\nAWS_SECRET_ACCESS_KEY=\"journey-VALUE-2\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = h.run("prod-local", "create-secret", "--name", "mlflow-creds", "--data", "AWS_ACCESS_KEY_ID=journey-VALUE-1", "--from-env-file", envFile).ok(t, "create-secret")
	if !strings.Contains(r.out, "created secret mlflow-creds in namespace default with 2 keys: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY") {
		t.Errorf("create-secret:\n%s", r.out)
	}
	sec, err := h.kube.CoreV1().Secrets("default").Get(t.Context(), "mlflow-creds", metav1.GetOptions{})
	if err != nil || string(sec.Data["AWS_SECRET_ACCESS_KEY"]) != "journey-VALUE-2" || sec.Labels["io.gaiaflow.project"] == "" {
		t.Fatalf("secret %+v %v", sec, err)
	}

	r = h.run("prod-local", "create-secret", "--name", "mlflow-creds", "--data", "AWS_ACCESS_KEY_ID=journey-VALUE-1")
	if r.code != 1 || !strings.Contains(r.err, "secret mlflow-creds already exists in namespace default") || !strings.Contains(r.err, "hint: pass --update") {
		t.Errorf("second create: %d\n%s", r.code, r.err)
	}
	r = h.run("prod-local", "create-secret", "--name", "mlflow-creds", "--update", "--data", "AWS_ACCESS_KEY_ID=journey-VALUE-3", "--data", "REGION=eu", "-o", "json").ok(t, "update")
	var ch kube.SecretChange
	if err := json.Unmarshal([]byte(r.out), &ch); err != nil {
		t.Fatalf("%v\n%s", err, r.out)
	}
	if ch.Action != "updated" || strings.Join(ch.Added, ",") != "REGION" || strings.Join(ch.Changed, ",") != "AWS_ACCESS_KEY_ID" || strings.Join(ch.Removed, ",") != "AWS_SECRET_ACCESS_KEY" {
		t.Errorf("change %+v", ch)
	}

	r = h.run("prod-local", "create-secret", "--name", "db", "--data", "PASSWORD=journey-VALUE-4", "--dry-run", "-o", "yaml").ok(t, "dry-run")
	var m kube.Manifest
	if err := yaml.Unmarshal([]byte(r.out), &m); err != nil || m.StringData["PASSWORD"] != kube.Redacted || m.Kind != "Secret" {
		t.Errorf("dry-run yaml (%v):\n%s", err, r.out)
	}
	if _, err := h.kube.CoreV1().Secrets("default").Get(t.Context(), "db", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("dry run created the secret: %v", err)
	}

	r = h.run("prod-local", "stop").ok(t, "stop")
	if !strings.Contains(r.out, "cluster gaiaflow-demo stopped") {
		t.Errorf("stop:\n%s", r.out)
	}
	h.standIn.Answer("start", minikubetest.Answer{Stdout: "* Restarting existing docker container\n", After: map[string]minikubetest.Answer{"status": h.standIn.Status("running")}})
	r = h.run("prod-local", "restart").ok(t, "restart")
	if !strings.Contains(r.out, "Restarting existing docker container") {
		t.Errorf("restart:\n%s", r.out)
	}

	r = h.run("prod-local", "cleanup")
	if r.code != 2 || !strings.Contains(r.err, "hint: pass --yes") {
		t.Errorf("cleanup without --yes and without a terminal: %d\n%s", r.code, r.err)
	}
	h.terminal, h.stdin = true, "n\n"
	r = h.run("prod-local", "cleanup").ok(t, "cleanup, declined")
	if !strings.Contains(r.out, "nothing was deleted") || strings.Contains(strings.Join(h.standIn.Keys(), " "), "delete") {
		t.Errorf("declined cleanup:\n%s\ncalls %v", r.out, h.standIn.Keys())
	}
	h.terminal, h.stdin = false, ""
	r = h.run("prod-local", "cleanup", "--yes").ok(t, "cleanup")
	if !strings.Contains(r.out, "cluster gaiaflow-demo cleaned up") {
		t.Errorf("cleanup:\n%s", r.out)
	}
	if _, err := os.Stat(st.Path(minikube.AirflowKubeconfigFile)); !os.IsNotExist(err) {
		t.Errorf("airflow kubeconfig left behind: %v", err)
	}
	if keys := h.standIn.Keys(); keys[len(keys)-1] != "delete" {
		t.Errorf("calls %v", keys)
	}
}

func TestStandInMinikubeProdLocalMissingBinary(t *testing.T) {
	h := newPL(t)
	t.Setenv("PATH", t.TempDir())
	for _, args := range [][]string{{"prod-local", "start"}, {"prod-local", "status"}, {"prod-local", "stop"}, {"prod-local", "create-config"}, {"prod-local", "cleanup", "--yes"}} {
		r := h.run(args...)
		if r.code != 1 || !strings.Contains(r.err, "error: no `minikube` executable on PATH") ||
			!strings.Contains(r.err, "hint: install minikube (https://minikube.sigs.k8s.io/docs/start/)") {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.err)
		}
	}
	r := h.run("mode", "check", "prod_local")
	if r.code != 1 || !strings.Contains(r.out, "MISSING  minikube") || !strings.Contains(r.out, "fix: install minikube") {
		t.Errorf("mode check: %d\n%s\n%s", r.code, r.out, r.err)
	}
}

func TestStandInMinikubeProdLocalStartFailure(t *testing.T) {
	h := newPL(t)
	h.standIn.Absent()
	h.standIn.StartFails()
	r := h.run("prod-local", "start")
	if r.code != 1 || !strings.Contains(r.err, "error: minikube start failed (exit 29): X Exiting due to RSRC_INSUFFICIENT_CONTAINER_MEMORY") ||
		!strings.Contains(r.err, "hint: read minikube's message above") {
		t.Errorf("exit %d\n%s", r.code, r.err)
	}
}

func TestStandInMinikubeProdLocalStatusStopped(t *testing.T) {
	h := newPL(t)
	h.standIn.Stopped()
	r := h.run("prod-local", "status").ok(t, "status")
	if !strings.Contains(r.out, "gaiaflow-demo: stopped (host Stopped") || strings.Contains(r.out, "task pods") {
		t.Errorf("status:\n%s", r.out)
	}
	r = h.run("prod-local", "create-secret", "--name", "x", "--data", "A=stopped-VALUE")
	if r.code != 1 || !strings.Contains(r.err, "the Minikube cluster gaiaflow-demo is not running (stopped)") {
		t.Errorf("create-secret on a stopped cluster: %d\n%s", r.code, r.err)
	}
}

func TestStandInMinikubeProdLocalStatusPods(t *testing.T) {
	h := newPL(t)
	h.standIn.Running()
	h.run("prod-local", "create-config").ok(t, "create-config")
	_, _ = h.kube.CoreV1().Pods("default").Create(t.Context(), &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "train-model-x1", Namespace: "default", CreationTimestamp: metav1.Now(),
			Labels: map[string]string{"kubernetes_pod_operator": "True", "dag_id": "train", "task_id": "fit", "try_number": "1"}},
		Status: corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{{Name: "base",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImageNeverPull"}}}}},
	}, metav1.CreateOptions{})
	r := h.run("prod-local", "status").ok(t, "status")
	if !strings.Contains(r.out, "task pods   newest first:") || !strings.Contains(r.out, "ErrImageNeverPull") || !strings.Contains(r.out, "default/train-model-x1") {
		t.Errorf("status:\n%s", r.out)
	}
}

func TestOutputYAMLOnlyWhereAllowed(t *testing.T) {
	h := newPL(t)
	h.standIn.Running()
	r := h.run("prod-local", "status", "-o", "yaml")
	if r.code != 2 || !strings.Contains(r.err, `unknown output format "yaml"`) || !strings.Contains(r.err, "hint: use -o text or -o json") {
		t.Errorf("status -o yaml: %d\n%s", r.code, r.err)
	}
	r = h.run("prod-local", "create-secret", "--name", "x", "--data", "A=b", "--dry-run", "-o", "xml")
	if r.code != 2 || !strings.Contains(r.err, "hint: use -o text, -o json or -o yaml") {
		t.Errorf("create-secret -o xml: %d\n%s", r.code, r.err)
	}
	r = h.run("prod-local", "create-secret", "--name", "x", "--data", "A=b", "--dry-run", "-o", "json").ok(t, "dry-run json")
	var m kube.Manifest
	if err := json.Unmarshal([]byte(r.out), &m); err != nil || m.StringData["A"] != kube.Redacted {
		t.Errorf("%v\n%s", err, r.out)
	}
}

func TestFakeClientsetModeSetProdLocalChecksFirst(t *testing.T) {
	h := newPL(t)
	h.standIn.Running()
	writeFile(t, filepath.Join(h.dir, "dags", "train.py"), "create_task(task_id='fit', secrets=['mlflow-creds'])\n")

	r := h.run("mode", "set", "prod_local")
	if r.code != 1 || !strings.Contains(r.err, "prod_local is not ready: 3 of 5 requirements are missing") ||
		!strings.Contains(r.err, "MISSING  airflow kubeconfig") || !strings.Contains(r.err, "MISSING  secret mlflow-creds") {
		t.Fatalf("mode set: %d\n%s", r.code, r.err)
	}
	if data, _ := os.ReadFile(filepath.Join(h.dir, "gaiaflow.toml")); strings.Contains(string(data), "prod_local") {
		t.Error("mode changed although not ready")
	}
	// -o json names each item by its stable ID and says which gaiaflow
	// action fixes it (exit 1: something is missing).
	r = h.run("mode", "check", "prod_local", "-o", "json")
	var missing core.Readiness
	if err := json.Unmarshal([]byte(r.out), &missing); err != nil || r.code != 1 {
		t.Fatalf("mode check -o json: exit %d, %v\n%s", r.code, err, r.out)
	}
	remedies := map[string]modes.Remedy{}
	for _, req := range missing.Requirements {
		if !req.Ready {
			remedies[req.ID] = req.Remedy
		}
	}
	if want := map[string]modes.Remedy{modes.IDAirflowKubeconfig: modes.RemedyClusterConfig, modes.IDClusterImage: modes.RemedyDockerizeCluster,
		modes.SecretID("mlflow-creds"): modes.RemedyClusterConfig}; !maps.Equal(remedies, want) {
		t.Errorf("missing items and their remedies %v, want %v", remedies, want)
	}

	h.run("prod-local", "create-config").ok(t, "create-config")
	h.run("prod-local", "create-secret", "--name", "mlflow-creds", "--data", "A=mode-VALUE").ok(t, "create-secret")
	st := h.state()
	if err := st.SetTaskImage(project.TaskImage{Image: "demo:0.1.0", Target: "minikube"}); err != nil {
		t.Fatal(err)
	}
	r = h.run("mode", "check", "prod_local", "-o", "json").ok(t, "mode check")
	var v core.Readiness
	if err := json.Unmarshal([]byte(r.out), &v); err != nil || !v.Ready || len(v.Requirements) != 5 {
		t.Fatalf("%v %+v", err, v)
	}
	h.run("mode", "set", "prod_local").ok(t, "mode set")
	r = h.run("mode", "check").ok(t, "mode check of the current mode")
	if !strings.Contains(r.out, "prod_local: ready") || !regexp.MustCompile(`(?m)^  ok +secret mlflow-creds +named in train.py`).MatchString(r.out) {
		t.Errorf("mode check:\n%s", r.out)
	}
}

func TestModeSetForce(t *testing.T) {
	h := newPL(t)
	r := h.run("mode", "set", "prod", "--force").ok(t, "mode set prod --force")
	if !strings.Contains(r.err, "warning: setting prod although it is not ready") || !strings.Contains(r.err, "MISSING  task image") {
		t.Errorf("stderr:\n%s", r.err)
	}
	if data, _ := os.ReadFile(filepath.Join(h.dir, "gaiaflow.toml")); !strings.Contains(string(data), `mode = "prod"`) {
		t.Errorf("mode not set:\n%s", data)
	}
	// dev needs nothing beyond the stack: set and check succeed.
	h.run("mode", "set", "dev").ok(t, "mode set dev")
	r = h.run("mode", "check").ok(t, "mode check dev")
	if !strings.Contains(r.out, "dev: ready") {
		t.Errorf("%s", r.out)
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
