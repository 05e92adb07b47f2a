package kubecontext

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube"
	"github.com/gaiaflow/gaiaflow/services/minikube/kube/kubetest"
	"github.com/gaiaflow/gaiaflow/services/project"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestNewResolvesTheKubeconfigAsKubectlDoes(t *testing.T) {
	home, _ := os.UserHomeDir()
	for _, c := range []struct {
		set  string
		env  map[string]string
		want string
	}{
		{"/etc/k.yaml", map[string]string{"KUBECONFIG": "/a:/b"}, "/etc/k.yaml"},
		{"", map[string]string{"KUBECONFIG": "/a" + string(os.PathListSeparator) + "/b"}, "/a"},
		{"", nil, filepath.Join(home, ".kube", "config")},
		{"~/kind.yaml", nil, filepath.Join(home, "kind.yaml")},
	} {
		cl, err := New(project.Cluster{Provider: "kubeconfig", Kubeconfig: c.set, Context: "x"}, env(c.env), nil)
		if err != nil || cl.File != c.want || cl.Settings.Namespace != "default" {
			t.Errorf("%q %v: file %q namespace %q (%v), want %q", c.set, c.env, cl.File, cl.Settings.Namespace, err, c.want)
		}
	}
}

// The load command runs without a shell, {image} in any argument replaced;
// its output comes as log events; a failure names the command and the
// setting.
func TestLoadImage(t *testing.T) {
	var got []string
	cl := &Cluster{Settings: project.Cluster{Context: "kind-x", LoadCommand: []string{"kind", "load", "docker-image", "{image}", "--label=src:{image}"}},
		Run: func(_ context.Context, argv []string, out func(string)) error {
			got = argv
			out("Image: loaded")
			return nil
		}}
	var rec event.Recorder
	if err := cl.LoadImage(context.Background(), "demo:1", &rec); err != nil {
		t.Fatal(err)
	}
	if want := []string{"kind", "load", "docker-image", "demo:1", "--label=src:demo:1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("argv %q, want %q", got, want)
	}
	logged := false
	for _, e := range rec.Events() {
		logged = logged || (e.Kind == event.Log && e.Message == "Image: loaded")
	}
	if !logged {
		t.Errorf("the command's output is not among the events: %+v", rec.Events())
	}
	// No cluster to ask (no kubeconfig here): the load still succeeds,
	// with a warning that says the nodes could not be read, at once.
	warned := false
	for _, e := range rec.Events() {
		warned = warned || (e.Kind == event.Warn && strings.Contains(e.Message, "nodes could not be read"))
	}
	if !warned {
		t.Errorf("no warning that the nodes could not be read: %+v", rec.Events())
	}
	cl.Run = func(context.Context, []string, func(string)) error { return errors.New("exit status 1") }
	err := cl.LoadImage(context.Background(), "demo:1", event.Discard)
	if err == nil || !strings.Contains(err.Error(), "load demo:1 into context kind-x") || !strings.Contains(err.Error(), "with kind") {
		t.Errorf("err = %v", err)
	}
	// The real runner: no shell, so a ; is an argument, not a second command.
	cl.Run = nil
	cl.Settings.LoadCommand = []string{"echo", "{image};", "touch", filepath.Join(t.TempDir(), "pwned")}
	rec = event.Recorder{}
	if err := cl.LoadImage(context.Background(), "demo:1", &rec); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cl.Settings.LoadCommand[3]); err == nil {
		t.Error("the load command went through a shell")
	}
}

// A kubeconfig of the user's, with a token file and a CA file, as a
// self-built node's: the Airflow kubeconfig holds the one context with
// both embedded, the server as the containers reach it (and the
// certificate's name kept for TLS), mode 0600; the connection record names
// it, with the node's address for pods. The user's file is left as it was.
func TestConnectWritesTheAirflowKubeconfig(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.crt")
	token := filepath.Join(dir, "token")
	must(t, os.WriteFile(ca, []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), 0o600))
	must(t, os.WriteFile(token, []byte("s3cr3t-token\n"), 0o600))
	user := filepath.Join(dir, "config")
	userConfig := `apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority: ` + ca + `
- name: other
  cluster:
    server: https://other:6443
users:
- name: admin
  user:
    tokenFile: ` + token + `
contexts:
- name: lab
  context: {cluster: lab, user: admin}
- name: other
  context: {cluster: other, user: admin}
current-context: other
`
	must(t, os.WriteFile(user, []byte(userConfig), 0o600))
	cs := fake.NewClientset(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"},
		Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "10.1.2.1"}}}})
	var asked []string
	cl, err := New(project.Cluster{Provider: "kubeconfig", Kubeconfig: user, Context: "lab", APIServer: "https://10.1.2.1:6443",
		LoadCommand: []string{"x", "{image}"}}, env(nil), func(path, context string) (kube.API, error) {
		asked = append(asked, path+" "+context)
		return kubetest.FromClientset(cs), nil
	})
	must(t, err)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	p := projectIn(t)
	st, err := p.State()
	must(t, err)
	conn, err := cl.Connect(context.Background(), st, event.Discard)
	must(t, err)
	if conn.HostIP != "10.1.2.1" || conn.HostAlias != "10.1.2.1" || conn.Context != "lab" || conn.Network != "" || conn.APIServer != "https://10.1.2.1:6443" {
		t.Errorf("connection %+v", conn)
	}
	if len(asked) == 0 || asked[0] != user+" lab" {
		t.Errorf("the client was built for %q", asked)
	}
	fi, err := os.Stat(conn.Kubeconfig)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("Airflow kubeconfig: %v %v", fi, err)
	}
	cfg, err := clientcmd.LoadFromFile(conn.Kubeconfig)
	must(t, err)
	if cfg.CurrentContext != "lab" || len(cfg.Contexts) != 1 || len(cfg.Clusters) != 1 {
		t.Errorf("not the one context: %+v", cfg)
	}
	c := cfg.Clusters[cfg.Contexts["lab"].Cluster]
	if c.Server != "https://10.1.2.1:6443" || c.TLSServerName != "127.0.0.1" || len(c.CertificateAuthorityData) == 0 || c.CertificateAuthority != "" {
		t.Errorf("cluster %+v", c)
	}
	if a := cfg.AuthInfos[cfg.Contexts["lab"].AuthInfo]; a.Token != "s3cr3t-token" || a.TokenFile != "" {
		t.Errorf("token not embedded: %+v", a)
	}
	rec, ok, err := minikube.ReadConnection(st)
	if err != nil || !ok || rec != conn {
		t.Errorf("record %+v %v %v", rec, ok, err)
	}
	after, _ := os.ReadFile(user)
	if string(after) != userConfig {
		t.Error("the user's kubeconfig was changed")
	}
	must(t, cl.Disconnect(context.Background(), st, nil, event.Discard))
	if _, ok, _ := minikube.ReadConnection(st); ok {
		t.Error("the record survived Disconnect")
	}
	if _, err := os.Stat(conn.Kubeconfig); err == nil {
		t.Error("the Airflow kubeconfig survived Disconnect")
	}
}

func projectIn(t *testing.T) *project.Project {
	t.Helper()
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "gaiaflow.toml"), []byte("name = \"demo\"\npackage = \"demo\"\n"), 0o644))
	p, err := project.Open(dir, true)
	must(t, err)
	return p
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
