package kube

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
)

// The tests below run the real client, from the kubeconfig file through
// clientcmd and client-go's REST client, against the fake API server.

const secretPath = "/api/v1/namespaces/default/secrets/mlflow-credentials"

func TestFakeAPIServerKubeconfigCredentials(t *testing.T) {
	for _, tc := range []struct {
		auth, token string
		check       func(seenRequest) bool
	}{
		{certFiles, "", func(r seenRequest) bool { return r.ClientCN == "minikube-user" && r.Authorization == "" }},
		{certEmbedded, "", func(r seenRequest) bool { return r.ClientCN == "minikube-user" && r.Authorization == "" }},
		{tokenAuth, "fake-token-0123", func(r seenRequest) bool { return r.ClientCN == "" && r.Authorization == "Bearer fake-token-0123" }},
		{execPlugin, "exec-token-4567", func(r seenRequest) bool { return r.ClientCN == "" && r.Authorization == "Bearer exec-token-4567" }},
	} {
		t.Run(tc.auth, func(t *testing.T) {
			f := newFakeAPIServer(t)
			f.token = tc.token
			api, err := NewClient(f.kubeconfig(tc.auth), "gaiaflow-demo")
			if err != nil {
				t.Fatal(err)
			}
			if rc := api.(*restAPI).rc; rc.Client.Timeout != requestTimeout {
				t.Errorf("timeout %v, want %v", rc.Client.Timeout, requestTimeout)
			}
			v, err := api.ServerVersion(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if v.GitVersion != "v1.34.0" {
				t.Errorf("version %+v", v)
			}
			seen := f.seen()
			if len(seen) != 1 || seen[0].Path != "/version" || seen[0].UserAgent != "gaiaflow" || !tc.check(seen[0]) {
				t.Errorf("requests %+v", seen)
			}
		})
	}
}

func TestFakeAPIServerDescribe(t *testing.T) {
	f := newFakeAPIServer(t)
	node := func(name, cpu string, ready corev1.ConditionStatus) corev1.Node {
		return corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
			Status: corev1.NodeStatus{
				Capacity: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse("4015084Ki"),
					corev1.ResourcePods: resource.MustParse("110")},
				Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("3800m"), corev1.ResourceMemory: resource.MustParse("3900000Ki")},
				Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}},
			}}
	}
	f.nodes = []corev1.Node{node("gaiaflow-demo-m02", "2", corev1.ConditionFalse), node("gaiaflow-demo", "4", corev1.ConditionTrue)}
	info, err := Describe(context.Background(), f.client())
	if err != nil {
		t.Fatal(err)
	}
	want := ClusterInfo{KubernetesVersion: "v1.34.0", Nodes: []Node{
		{Name: "gaiaflow-demo", Ready: true, CPU: "4", MemoryBytes: 4015084 * 1024, Pods: 110, AllocatableCPU: "3800m", AllocatableMemoryBytes: 3900000 * 1024},
		{Name: "gaiaflow-demo-m02", Ready: false, CPU: "2", MemoryBytes: 4015084 * 1024, Pods: 110, AllocatableCPU: "3800m", AllocatableMemoryBytes: 3900000 * 1024},
	}}
	if info.KubernetesVersion != want.KubernetesVersion || !slices.Equal(info.Nodes, want.Nodes) {
		t.Errorf("info %+v\nwant %+v", info, want)
	}
	if seen := f.seen(); len(seen) != 2 || seen[1].Path != "/api/v1/nodes" {
		t.Errorf("requests %v", seen)
	}
}

func TestFakeAPIServerRecentTaskPods(t *testing.T) {
	f := newFakeAPIServer(t)
	created := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	pod := func(name, ns string, age time.Duration, labels map[string]string) corev1.Pod {
		return corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels, CreationTimestamp: metav1.NewTime(created.Add(-age))},
			Status: corev1.PodStatus{Phase: corev1.PodRunning}}
	}
	kpo := func(task string) map[string]string {
		return map[string]string{"kubernetes_pod_operator": "True", "dag_id": "train", "task_id": task, "run_id": "manual__1", "try_number": "2"}
	}
	f.pods = []corev1.Pod{
		pod("load", "default", time.Hour, kpo("load")),
		pod("fit", "ml", time.Minute, kpo("fit")),
		pod("coredns", "kube-system", 0, map[string]string{"k8s-app": "kube-dns"}),
	}
	pods, err := RecentTaskPods(context.Background(), f.client(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(pods) != 2 || pods[0].Name != "fit" || pods[0].Namespace != "ml" || pods[0].Task != "fit" || pods[0].Try != "2" ||
		!pods[0].Created.Equal(created.Add(-time.Minute)) || pods[1].Name != "load" {
		t.Errorf("pods %+v", pods)
	}
	seen := f.seen()
	if len(seen) != 1 || seen[0].Path != "/api/v1/pods" || !slices.Equal(seen[0].Query["labelSelector"], []string{TaskPodSelector}) {
		t.Errorf("requests %+v", seen)
	}
}

func TestFakeAPIServerCreateSecret(t *testing.T) {
	f := newFakeAPIServer(t)
	var rec event.Recorder
	ch, err := ApplySecret(context.Background(), f.client(), spec(false), &rec)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Action != ActionCreated || !slices.Equal(ch.Added, sortedKeys(values)) {
		t.Errorf("change %+v", ch)
	}
	s := f.secret("default", "mlflow-credentials")
	if s == nil || s.Type != corev1.SecretTypeOpaque || s.Labels["app.kubernetes.io/managed-by"] != "gaiaflow" || len(s.Data) != len(values) {
		t.Fatalf("stored %+v", s)
	}
	for k, v := range values {
		if string(s.Data[k]) != v {
			t.Errorf("data[%s] wrong", k)
		}
	}
	seen := f.seen()
	if len(seen) != 2 || seen[0].String() != "GET "+secretPath || seen[1].String() != "POST /api/v1/namespaces/default/secrets" {
		t.Fatalf("requests %v", seen)
	}
	// As client-go's typed client: protobuf, written by field manager gaiaflow.
	if post := seen[1]; !slices.Equal(post.Query["fieldManager"], []string{"gaiaflow"}) || post.ContentType != "application/vnd.kubernetes.protobuf" {
		t.Errorf("create %+v", post)
	}
	noValues(t, "events", eventsText(&rec))
}

// Someone else changes the secret between our read and our update: the
// update is refused (409), read again and retried on the new version.
func TestFakeAPIServerUpdateRetriesOnConflict(t *testing.T) {
	f := newFakeAPIServer(t)
	f.putSecret(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "mlflow-credentials", Namespace: "default", Labels: map[string]string{"team": "ml"}},
		Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"DB_PASSWORD": []byte("previous-LEAK5")}})
	f.answerNext("PUT "+secretPath, func(w http.ResponseWriter) {
		s := f.secret("default", "mlflow-credentials").DeepCopy()
		s.Data["OTHER"] = []byte("meanwhile-LEAK7")
		f.putSecret(s)
		f.status(w, apierrors.NewConflict(secretsResource, "mlflow-credentials", errors.New("the object has been modified")))
	})
	var rec event.Recorder
	ch, err := ApplySecret(context.Background(), f.client(), spec(true), &rec)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Action != ActionUpdated || !slices.Equal(ch.Changed, []string{"DB_PASSWORD"}) || !slices.Equal(ch.Removed, []string{"OTHER"}) {
		t.Errorf("change %+v", ch)
	}
	s := f.secret("default", "mlflow-credentials")
	if len(s.Data) != len(values) || string(s.Data["DB_PASSWORD"]) != values["DB_PASSWORD"] || s.Labels["team"] != "ml" {
		t.Errorf("stored: labels %v, %d keys", s.Labels, len(s.Data))
	}
	var got []string
	for _, r := range f.seen() {
		got = append(got, r.String())
		if r.Method == http.MethodPut && !slices.Equal(r.Query["fieldManager"], []string{"gaiaflow"}) {
			t.Errorf("update without field manager: %v", r.Query)
		}
	}
	if want := []string{"GET " + secretPath, "PUT " + secretPath, "GET " + secretPath, "PUT " + secretPath}; !slices.Equal(got, want) {
		t.Errorf("requests %v\nwant %v", got, want)
	}
	text := eventsText(&rec)
	noValues(t, "events", text)
	for _, old := range []string{"previous-LEAK5", "meanwhile-LEAK7"} {
		if strings.Contains(text, old) {
			t.Errorf("old value %s in events", old)
		}
	}
}

func TestFakeAPIServerMissingNamespace(t *testing.T) {
	f := newFakeAPIServer(t)
	s := spec(false)
	s.Namespace = "ml"
	_, err := ApplySecret(context.Background(), f.client(), s, event.Discard)
	if err == nil || !strings.Contains(err.Error(), "namespace ml does not exist") {
		t.Fatalf("err = %v", err)
	}
}

func TestFakeAPIServerMissingSecrets(t *testing.T) {
	f := newFakeAPIServer(t)
	f.putSecret(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "default"}})
	missing, err := MissingSecrets(context.Background(), f.client(), "default", []string{"a", "b"})
	if err != nil || !slices.Equal(missing, []string{"b"}) {
		t.Errorf("%v %v", missing, err)
	}
}

// A 403 is forbidden whether its body is the API server's Status or a
// proxy's page, and its hint is to refresh the credentials.
func TestFakeAPIServerForbidden(t *testing.T) {
	const credsHint = "refresh the credentials with `gaiaflow prod-local create-config`"
	for _, tc := range []struct {
		name   string
		answer func(f *fakeAPIServer, w http.ResponseWriter)
	}{
		{"status", func(f *fakeAPIServer, w http.ResponseWriter) {
			f.status(w, apierrors.NewForbidden(secretsResource, "mlflow-credentials",
				errors.New(`User "minikube-user" cannot get resource "secrets" in API group "" in the namespace "default"`)))
		}},
		{"proxy page", func(_ *fakeAPIServer, w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte("<html>403 Forbidden</html>"))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPIServer(t)
			f.answerNext("GET "+secretPath, func(w http.ResponseWriter) { tc.answer(f, w) })
			_, err := MissingSecrets(context.Background(), f.client(), "default", []string{"mlflow-credentials"})
			if !apierrors.IsForbidden(err) || errs.HintOf(err) != credsHint || errs.KindOf(err) != errs.Failure {
				t.Errorf("err = %v, hint %q", err, errs.HintOf(err))
			}
			if !strings.Contains(err.Error(), "read secret mlflow-credentials in namespace default") {
				t.Errorf("err = %v", err)
			}

			f.answerNext("GET "+secretPath, func(w http.ResponseWriter) { tc.answer(f, w) })
			var rec event.Recorder
			_, err = ApplySecret(context.Background(), f.client(), spec(false), &rec)
			if err == nil || errs.HintOf(err) != credsHint {
				t.Errorf("apply: err = %v, hint %q", err, errs.HintOf(err))
			}
			noValues(t, "events", eventsText(&rec))
		})
	}
}

func TestFakeAPIServerUnauthorized(t *testing.T) {
	f := newFakeAPIServer(t)
	f.token = "another-token"
	api, err := NewClient(f.kubeconfig(tokenAuth), "gaiaflow-demo")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Describe(context.Background(), api)
	if !apierrors.IsUnauthorized(err) || !strings.Contains(errs.HintOf(err), "refresh the credentials") ||
		!strings.Contains(err.Error(), "ask the API server for its version") {
		t.Errorf("err = %v, hint %q", err, errs.HintOf(err))
	}
}

func TestFakeAPIServerErrorsAreScrubbed(t *testing.T) {
	f := newFakeAPIServer(t)
	f.failNext("POST /api/v1/namespaces/default/secrets", apierrors.NewBadRequest("admission webhook denied data "+values["DB_PASSWORD"]))
	var rec event.Recorder
	_, err := ApplySecret(context.Background(), f.client(), spec(false), &rec)
	if err == nil || !strings.Contains(err.Error(), "admission webhook denied data <redacted>") {
		t.Fatalf("err = %v", err)
	}
	for e := error(err); e != nil; e = errors.Unwrap(e) {
		noValues(t, "the error chain", e.Error())
	}
	noValues(t, "events", eventsText(&rec))
}

// A cluster that is not running refuses the connection: the hint is to start it.
func TestFakeAPIServerNotRunning(t *testing.T) {
	f := newFakeAPIServer(t)
	api := f.client()
	f.srv.Close()
	_, err := Describe(context.Background(), api)
	if err == nil || !strings.Contains(errs.HintOf(err), "start it with `gaiaflow prod-local start`") {
		t.Errorf("err = %v, hint %q", err, errs.HintOf(err))
	}
}
