package modes

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube/kubetest"
	"github.com/gaiaflow/gaiaflow/services/minikube/minikubetest"
	"github.com/gaiaflow/gaiaflow/services/project"
)

type fakeCluster struct {
	status  minikube.Status
	profile minikube.Profile
	images  []string
}

func (f *fakeCluster) Status(context.Context) (minikube.Status, error) { return f.status, nil }
func (f *fakeCluster) Describe(context.Context) (minikube.Profile, bool, error) {
	return f.profile, true, nil
}
func (f *fakeCluster) Images(context.Context) ([]string, error) { return f.images, nil }

const profile = "gaiaflow-demo"

func writeDAG(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readyEnv is a prod_local machine where everything is in place: a running
// cluster, the Airflow kubeconfig, the task image, and the secrets the DAGs name.
func readyEnv(t *testing.T) (ProdLocalEnv, *fakeCluster, *fake.Clientset) {
	t.Helper()
	st, err := project.OpenState(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := minikubetest.New(t, profile)
	host := st.Path(minikube.HostKubeconfigFile)
	if err := os.WriteFile(host, []byte(s.Kubeconfig(minikubetest.LinuxServer, true)), 0o600); err != nil {
		t.Fatal(err)
	}
	prof := minikube.Profile{Name: profile, NodeIP: minikubetest.NodeIP, APIServerPort: 8443, Network: profile, KubernetesVersion: "v1.34.0"}
	data, err := minikube.AirflowKubeconfig(host, profile, prof.APIServerURL())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(st.Path(minikube.AirflowKubeconfigFile), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := st.WriteJSON(minikube.ConnectionFile, minikube.Connection{Profile: profile, Context: profile, Network: profile,
		Kubeconfig: st.Path(minikube.AirflowKubeconfigFile)}, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := st.SetTaskImage(project.TaskImage{Image: "demo:0.1.0", Target: "minikube"}); err != nil {
		t.Fatal(err)
	}
	dags := t.TempDir()
	writeDAG(t, dags, "train.py", "t = create_task(task_id='train', func_path='demo.train:main',\n    secrets=[\"mlflow-creds\",\n             'db-creds'])\n")
	writeDAG(t, dags, "sub/eval.py", "create_task(task_id='eval', secrets=(\"mlflow-creds\",))\n# create_task(secrets=['commented-out'])\n")
	writeDAG(t, dags, "__pycache__/x.py", "create_task(secrets=['cached'])\n")
	cs := fake.NewClientset(
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "mlflow-creds", Namespace: "default"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db-creds", Namespace: "default"}},
	)
	fc := &fakeCluster{
		status:  minikube.Status{Profile: profile, State: minikube.StateRunning},
		profile: prof,
		images:  []string{"registry.k8s.io/pause:3.10", "docker.io/library/demo:0.1.0"},
	}
	env := ProdLocalEnv{Cluster: fc, Profile: profile, State: st, DAGsDir: dags,
		Kube: func(path, ctx string) (kube.API, error) {
			if path != host || ctx != profile {
				t.Errorf("client for %s %s", path, ctx)
			}
			return kubetest.FromClientset(cs), nil
		}}
	return env, fc, cs
}

func byName(reqs []Requirement) map[string]Requirement {
	m := map[string]Requirement{}
	for _, r := range reqs {
		m[r.Name] = r
	}
	return m
}

func names(reqs []Requirement) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Name)
	}
	return out
}

func TestFakeClusterProdLocalAllReady(t *testing.T) {
	env, _, _ := readyEnv(t)
	reqs, err := CheckProdLocal(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"minikube", "cluster", "airflow kubeconfig", "task image in the cluster", "secret db-creds", "secret mlflow-creds"}
	if !slices.Equal(names(reqs), want) {
		t.Fatalf("items %v, want %v", names(reqs), want)
	}
	if !AllReady(reqs) {
		t.Fatalf("not ready: %+v", reqs)
	}
	checkIDs(t, reqs)
	wantIDs := []string{IDMinikube, IDCluster, IDAirflowKubeconfig, IDClusterImage, "secret/db-creds", "secret/mlflow-creds"}
	for i, r := range reqs {
		if r.ID != wantIDs[i] || r.Remedy != "" {
			t.Errorf("item %d: ID %q remedy %q, want ID %q and no remedy", i, r.ID, r.Remedy, wantIDs[i])
		}
	}
	if d := byName(reqs)["secret mlflow-creds"].Detail; !strings.Contains(d, "sub/eval.py") || !strings.Contains(d, "train.py") {
		t.Errorf("detail %q", d)
	}
}

// checkIDs: every item has an ID, unique in its checklist, and a
// secret's is SecretID of the name it shows.
func checkIDs(t *testing.T, reqs []Requirement) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range reqs {
		if r.ID == "" || seen[r.ID] {
			t.Errorf("%s: ID %q is empty or not unique in %+v", r.Name, r.ID, reqs)
		}
		seen[r.ID] = true
		if name, ok := strings.CutPrefix(r.Name, "secret "); ok && r.ID != SecretID(name) {
			t.Errorf("%s has ID %q", r.Name, r.ID)
		}
	}
}

func TestFakeClusterProdLocalItemByItem(t *testing.T) {
	tests := []struct {
		name     string
		mutate   func(*testing.T, *ProdLocalEnv, *fakeCluster, *fake.Clientset)
		notReady []string
		fix      string
		// remedy is that of every item not ready.
		remedy Remedy
	}{
		{"no minikube", func(_ *testing.T, e *ProdLocalEnv, _ *fakeCluster, _ *fake.Clientset) {
			e.Cluster, e.NoCluster = nil, minikube.ErrNotInstalled
		}, []string{"minikube", "cluster", "airflow kubeconfig", "task image in the cluster", "secret db-creds", "secret mlflow-creds"}, "install minikube", ""},
		{"stopped", func(_ *testing.T, _ *ProdLocalEnv, c *fakeCluster, _ *fake.Clientset) {
			c.status.State = minikube.StateStopped
		}, []string{"cluster", "airflow kubeconfig", "task image in the cluster", "secret db-creds", "secret mlflow-creds"}, "gaiaflow prod-local start", RemedyStartCluster},
		{"node moved", func(_ *testing.T, _ *ProdLocalEnv, c *fakeCluster, _ *fake.Clientset) {
			c.profile.NodeIP = "192.168.67.2"
		}, []string{"airflow kubeconfig"}, "gaiaflow prod-local create-config", RemedyClusterConfig},
		{"kubeconfig readable by others", func(t *testing.T, e *ProdLocalEnv, _ *fakeCluster, _ *fake.Clientset) {
			if err := os.Chmod(e.State.Path(minikube.AirflowKubeconfigFile), 0o644); err != nil {
				t.Fatal(err)
			}
		}, []string{"airflow kubeconfig"}, "gaiaflow prod-local create-config", RemedyClusterConfig},
		{"no kubeconfig", func(t *testing.T, e *ProdLocalEnv, _ *fakeCluster, _ *fake.Clientset) {
			if err := os.Remove(e.State.Path(minikube.ConnectionFile)); err != nil {
				t.Fatal(err)
			}
		}, []string{"airflow kubeconfig"}, "gaiaflow prod-local create-config", RemedyClusterConfig},
		{"no host kubeconfig", func(t *testing.T, e *ProdLocalEnv, _ *fakeCluster, _ *fake.Clientset) {
			if err := os.Remove(e.State.Path(minikube.HostKubeconfigFile)); err != nil {
				t.Fatal(err)
			}
		}, []string{"secret db-creds", "secret mlflow-creds"}, "gaiaflow prod-local create-config", RemedyClusterConfig},
		{"image not in cluster", func(_ *testing.T, _ *ProdLocalEnv, c *fakeCluster, _ *fake.Clientset) {
			c.images = c.images[:1]
		}, []string{"task image in the cluster"}, "gaiaflow prod-local dockerize", RemedyDockerizeCluster},
		{"secret missing", func(t *testing.T, _ *ProdLocalEnv, _ *fakeCluster, cs *fake.Clientset) {
			if err := cs.CoreV1().Secrets("default").Delete(context.Background(), "db-creds", metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
		}, []string{"secret db-creds"}, "gaiaflow prod-local create-secret --name db-creds", RemedyCreateSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, fc, cs := readyEnv(t)
			tt.mutate(t, &env, fc, cs)
			reqs, err := CheckProdLocal(context.Background(), env)
			if err != nil {
				t.Fatal(err)
			}
			var notReady []string
			for _, r := range reqs {
				if !r.Ready {
					notReady = append(notReady, r.Name)
					if r.Fix == "" || r.Detail == "" {
						t.Errorf("%s lacks a detail or a fix: %+v", r.Name, r)
					}
					if r.Remedy != tt.remedy {
						t.Errorf("%s: remedy %q, want %q", r.Name, r.Remedy, tt.remedy)
					}
				}
			}
			if !slices.Equal(notReady, tt.notReady) {
				t.Errorf("not ready %v, want %v\n%+v", notReady, tt.notReady, reqs)
			}
			if r := byName(reqs)[tt.notReady[0]]; !strings.Contains(r.Fix, tt.fix) {
				t.Errorf("fix %q, want %q", r.Fix, tt.fix)
			}
			checkIDs(t, reqs)
		})
	}
}

func TestFakeClusterProdLocalNoTaskImageRecord(t *testing.T) {
	env, _, _ := readyEnv(t)
	if err := os.Remove(env.State.Path("task-images.json")); err != nil {
		t.Fatal(err)
	}
	reqs, err := CheckProdLocal(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if r := byName(reqs)["task image in the cluster"]; r.Ready || !strings.Contains(r.Detail, "no task image built") {
		t.Errorf("%+v", r)
	}
}

func TestFakeClusterProdLocalNoSecretsNamed(t *testing.T) {
	env, _, _ := readyEnv(t)
	env.DAGsDir = filepath.Join(t.TempDir(), "no-dags-yet")
	env.Kube = func(string, string) (kube.API, error) { return nil, errors.New("must not be called") }
	reqs, err := CheckProdLocal(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if r := byName(reqs)["secrets"]; !r.Ready || !AllReady(reqs) {
		t.Errorf("%+v", reqs)
	}
}

func TestSecretsNamedInDAGs(t *testing.T) {
	dir := t.TempDir()
	writeDAG(t, dir, "a.py", "create_task(secrets=['one', \"two\"], env_vars={'x': 'y'})\n")
	writeDAG(t, dir, "b.py", "create_task(\n    task_id='b',\n    secrets=[\n        'two',  # shared\n    ],\n)\n")
	writeDAG(t, dir, "notes.txt", "secrets=['not-python']\n")
	writeDAG(t, dir, ".hidden/c.py", "create_task(secrets=['hidden'])\n")
	got, err := SecretsNamedInDAGs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !slices.Equal(got["one"], []string{"a.py"}) || !slices.Equal(got["two"], []string{"a.py", "b.py"}) {
		t.Errorf("got %v", got)
	}
}
