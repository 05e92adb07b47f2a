package modes

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube/kubetest"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// registryStandIn answers Pushed from a set of references (the real
// registry client is tested against a real registry in services/registry).
type registryStandIn struct {
	has  map[string]bool
	err  error
	asks []string
}

func (r *registryStandIn) Pushed(_ context.Context, ref string) (bool, error) {
	r.asks = append(r.asks, ref)
	return r.has[ref], r.err
}

// contextStandIn is a kubeconfig context backed by client-go's fake clientset.
type contextStandIn struct {
	cs       *fake.Clientset
	reachErr error
}

func (c *contextStandIn) Name() string { return "context lab" }
func (c *contextStandIn) Reach(context.Context) (kube.ClusterInfo, error) {
	return kube.ClusterInfo{KubernetesVersion: "v1.34.0"}, c.reachErr
}
func (c *contextStandIn) HasImage(context.Context, string) (bool, error) { return false, nil }
func (c *contextStandIn) Client() (kube.API, error)                      { return kubetest.FromClientset(c.cs), nil }

const prodDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func prodEnv(t *testing.T) (ProdEnv, *registryStandIn, *contextStandIn) {
	t.Helper()
	dags := t.TempDir()
	writeDAG(t, dags, "train.py", "create_task(task_id='train', func_path='demo.train:main', secrets=['mlflow-creds'])\n")
	image := "registry.example.com/team/demo:0.1.0"
	reg := &registryStandIn{has: map[string]bool{image + "@" + prodDigest: true}}
	cl := &contextStandIn{cs: fake.NewClientset(
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ml"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "mlflow-creds", Namespace: "ml"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "regcred", Namespace: "ml"}},
	)}
	return ProdEnv{
		Settings:   project.Prod{Registry: "registry.example.com/team", Context: "lab", Namespace: "ml", PullSecret: "regcred"},
		Image:      image,
		Deployment: project.Deployment{Image: image, Digest: prodDigest, Package: "demo", PushedAt: time.Now()},
		Recorded:   true,
		Registry:   reg,
		Cluster:    cl,
		DAGsDir:    dags,
	}, reg, cl
}

func notReadyIDs(reqs []Requirement) []string {
	var ids []string
	for _, r := range reqs {
		if !r.Ready {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

func TestFakeClientsetProdAllReady(t *testing.T) {
	env, reg, _ := prodEnv(t)
	reqs, err := CheckProd(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	checkIDs(t, reqs)
	var ids []string
	for _, r := range reqs {
		ids = append(ids, r.ID)
	}
	want := []string{IDTaskImage, IDTag, IDPushed, IDProdContext, IDNamespace, "secret/mlflow-creds", "secret/regcred"}
	if !slices.Equal(ids, want) || !AllReady(reqs) {
		t.Fatalf("items %v (not ready %v), want %v all ready: %+v", ids, notReadyIDs(reqs), want, reqs)
	}
	// The registry is asked for the recorded digest, not for the tag, which
	// may have moved since.
	if want := []string{env.Deployment.Pinned()}; !slices.Equal(reg.asks, want) {
		t.Errorf("the registry was asked for %v, want %v", reg.asks, want)
	}
}

func TestFakeClientsetProdNamesEachMissingItem(t *testing.T) {
	tests := []struct {
		name   string
		change func(*ProdEnv, *registryStandIn, *contextStandIn)
		want   []string
		detail string
	}{
		{"no registry", func(e *ProdEnv, _ *registryStandIn, _ *contextStandIn) {
			e.Image, e.ImageErr = "", errors.New("no registry to push the task image to")
		}, []string{IDTaskImage, IDTag, IDPushed}, "no registry"},
		{"latest", func(e *ProdEnv, _ *registryStandIn, _ *contextStandIn) {
			e.Image = "registry.example.com/team/demo:latest"
		}, []string{IDTag, IDPushed}, "recorded push is registry.example.com/team/demo:0.1.0"},
		{"never pushed", func(e *ProdEnv, _ *registryStandIn, _ *contextStandIn) { e.Recorded = false },
			[]string{IDPushed}, "not pushed yet"},
		{"deleted from the registry", func(_ *ProdEnv, r *registryStandIn, _ *contextStandIn) { r.has = nil },
			[]string{IDPushed}, "no longer has"},
		{"registry refuses", func(_ *ProdEnv, r *registryStandIn, _ *contextStandIn) {
			r.err = errors.New("the registry refused the credentials")
		}, []string{IDPushed}, "refused the credentials"},
		{"no context", func(e *ProdEnv, _ *registryStandIn, _ *contextStandIn) { e.Cluster = nil },
			[]string{IDProdContext, IDNamespace, "secret/mlflow-creds", "secret/regcred"}, "names no context"},
		{"cluster down", func(_ *ProdEnv, _ *registryStandIn, c *contextStandIn) { c.reachErr = errors.New("connection refused") },
			[]string{IDProdContext, IDNamespace, "secret/mlflow-creds", "secret/regcred"}, "does not answer"},
		{"no namespace", func(e *ProdEnv, _ *registryStandIn, _ *contextStandIn) { e.Settings.Namespace = "tasks" },
			[]string{IDNamespace, "secret/mlflow-creds", "secret/regcred"}, "namespace tasks does not exist"},
		{"secrets missing", func(_ *ProdEnv, _ *registryStandIn, c *contextStandIn) {
			c.cs = fake.NewClientset(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ml"}})
		}, []string{"secret/mlflow-creds", "secret/regcred"}, "missing in namespace ml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, reg, cl := prodEnv(t)
			tt.change(&env, reg, cl)
			reqs, err := CheckProd(context.Background(), env)
			if err != nil {
				t.Fatal(err)
			}
			checkIDs(t, reqs)
			if got := notReadyIDs(reqs); !slices.Equal(got, tt.want) {
				t.Fatalf("not ready %v, want %v: %+v", got, tt.want, reqs)
			}
			found := false
			for _, r := range reqs {
				found = found || (!r.Ready && strings.Contains(r.Detail, tt.detail))
				if !r.Ready && r.ID == IDPushed && r.Remedy == RemedyPush && r.Fix != "gaiaflow prod dockerize" {
					t.Errorf("pushed: fix %q", r.Fix)
				}
			}
			if !found {
				t.Errorf("no missing item says %q: %+v", tt.detail, reqs)
			}
		})
	}
}

func TestProdSecretRemedies(t *testing.T) {
	env, _, cl := prodEnv(t)
	cl.cs = fake.NewClientset(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ml"}})
	reqs, err := CheckProd(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reqs {
		switch r.ID {
		case "secret/mlflow-creds":
			if r.Remedy != RemedyCreateProdSecret || !strings.Contains(r.Fix, "gaiaflow prod create-secret --name mlflow-creds") {
				t.Errorf("DAG secret: %+v", r)
			}
		case "secret/regcred":
			// Made from this machine's registry credentials: no wizard.
			if r.Remedy != "" || r.Fix != "gaiaflow prod create-secret --pull" {
				t.Errorf("pull secret: %+v", r)
			}
		}
	}
}
