package stack

import (
	"context"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/minikube"
)

var airflowRunners = []string{"airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"}

func testLink() *ClusterLink {
	return &ClusterLink{Network: "gaiaflow-demo", Kubeconfig: []byte("apiVersion: v1\nkind: Config\n"),
		Namespace: "tasks", HostAlias: "host.minikube.internal", HostIP: "192.168.58.1"}
}

func prodLocalInput() Input {
	in := testInput("prod_local")
	in.Cluster = testLink()
	return in
}

// fileAt returns n's file copied to the absolute path abs, or nil.
func fileAt(n *Node, abs string) *docker.File {
	for i, f := range n.Files {
		if path.Join("/", n.FilesDir, f.Name) == abs {
			return &n.Files[i]
		}
	}
	return nil
}

// Pods of a kubeconfig cluster reach MLflow at the host's address: MLflow
// must accept it as a Host header, and only when linked.
func TestPlanProdLocalMLflowAcceptsThePodsHost(t *testing.T) {
	in := prodLocalInput()
	in.Cluster.HostAlias = "10.244.77.1"
	in.Cluster.HostIP = "10.244.77.1"
	hosts := strings.Split(env(BuildPlan(in).Node("mlflow"))["MLFLOW_SERVER_ALLOWED_HOSTS"], ",")
	if !slices.Contains(hosts, "10.244.77.1:*") || !slices.Contains(hosts, "10.244.77.1") || !slices.Contains(hosts, "mlflow:*") {
		t.Errorf("linked: allowed hosts %v", hosts)
	}
	if n := len(hosts); n != len(mlflowAllowedHosts)+2 {
		t.Errorf("linked: %d allowed hosts, want the %d defaults and the address twice: %v", n, len(mlflowAllowedHosts), hosts)
	}
	dev := strings.Split(env(BuildPlan(testInput("dev")).Node("mlflow"))["MLFLOW_SERVER_ALLOWED_HOSTS"], ",")
	if slices.Contains(dev, "10.244.77.1:*") || len(dev) != len(mlflowAllowedHosts) {
		t.Errorf("dev: allowed hosts %v", dev)
	}
}

func TestPlanProdLocalJoinsAirflowToTheCluster(t *testing.T) {
	plan := BuildPlan(prodLocalInput())
	for _, c := range airflowRunners {
		n := plan.Node(c)
		if !slices.Equal(n.Spec.ExtraNetworks, []string{"gaiaflow-demo"}) || n.Spec.Network != plan.Network {
			t.Errorf("%s: network %q, extra networks %v", c, n.Spec.Network, n.Spec.ExtraNetworks)
		}
		e := env(n)
		want := map[string]string{
			"GAIAFLOW_MODE":                       "prod_local",
			"GAIAFLOW_KUBECONFIG":                 "/opt/airflow/gaiaflow/kube/config",
			"GAIAFLOW_K8S_NAMESPACE":              "tasks",
			"GAIAFLOW_POD_MLFLOW_TRACKING_URI":    "http://host.minikube.internal:5000",
			"GAIAFLOW_POD_MLFLOW_S3_ENDPOINT_URL": "http://host.minikube.internal:9000",
			// The Airflow containers' own addresses stay those of the stack.
			"MLFLOW_TRACKING_URI":    "http://mlflow:5000",
			"MLFLOW_S3_ENDPOINT_URL": "http://minio:9000",
		}
		for k, v := range want {
			if e[k] != v {
				t.Errorf("%s: %s = %q, want %q", c, k, e[k], v)
			}
		}
		for k, v := range e {
			if strings.Contains(v, "192.168.") {
				t.Errorf("%s: %s = %q holds an address", c, k, v)
			}
		}
		kc := fileAt(n, KubeconfigPath)
		if kc == nil || string(kc.Data) != "apiVersion: v1\nkind: Config\n" || kc.Mode != 0o600 || kc.UID != airflowUID {
			t.Errorf("%s: kubeconfig file = %+v", c, kc)
		}
		for _, m := range n.Spec.Mounts {
			if strings.Contains(m.Target, "kube") {
				t.Errorf("%s: the kubeconfig is mounted, not copied: %+v", c, m)
			}
		}
	}
	// The api-server keeps its passwords file.
	if api := plan.Node("airflow-api-server"); fileAt(api, secretPath(secretAirflowPasswords)) == nil {
		t.Errorf("api-server files: %+v", api.Files)
	}
	// Nothing else joins the cluster or gets the kubeconfig.
	for _, n := range plan.Nodes {
		if slices.Contains(airflowRunners, n.Component) {
			continue
		}
		if len(n.Spec.ExtraNetworks) > 0 || fileAt(n, KubeconfigPath) != nil {
			t.Errorf("%s joins the cluster: %v %+v", n.Component, n.Spec.ExtraNetworks, n.Files)
		}
	}
	// The migration does not depend on the mode.
	if configHash(plan.Node("airflow-init"), "x") != configHash(BuildPlan(testInput("dev")).Node("airflow-init"), "x") {
		t.Error("airflow-init changes with prod_local")
	}
}

func TestPlanProdLocalPublishesForPodsOnTheGatewayOnly(t *testing.T) {
	plan := BuildPlan(prodLocalInput())
	ports := func(c string) []string {
		var out []string
		for _, p := range plan.Node(c).Spec.Ports {
			out = append(out, fmt.Sprintf("%s:%d->%d", p.HostIP, p.HostPort, p.ContainerPort))
		}
		return out
	}
	want := map[string][]string{
		"mlflow":             {"127.0.0.1:5000->5000", "192.168.58.1:5000->5000"},
		"minio":              {"127.0.0.1:9000->9000", "127.0.0.1:9001->9001", "192.168.58.1:9000->9000"},
		"airflow-api-server": {"127.0.0.1:8080->8080"},
		"jupyter":            {"127.0.0.1:8895->8888"},
	}
	for c, w := range want {
		if got := ports(c); !slices.Equal(got, w) {
			t.Errorf("%s ports = %v, want %v", c, got, w)
		}
	}
	for _, n := range plan.Nodes {
		for _, p := range n.Spec.Ports {
			if p.HostIP != "127.0.0.1" && p.HostIP != "192.168.58.1" {
				t.Errorf("%s publishes on %q", n.Component, p.HostIP)
			}
		}
	}
}

func TestPlanOtherModesIgnoreTheCluster(t *testing.T) {
	for _, mode := range []string{"dev", "dev_docker", "prod"} {
		in := testInput(mode)
		in.Cluster = testLink()
		plan, plain := BuildPlan(in), BuildPlan(testInput(mode))
		for i, n := range plan.Nodes {
			if configHash(n, "x") != configHash(plain.Nodes[i], "x") {
				t.Errorf("%s: %s differs with a cluster link", mode, n.Component)
			}
			if len(n.Spec.ExtraNetworks) > 0 || fileAt(n, KubeconfigPath) != nil {
				t.Errorf("%s: %s joins the cluster", mode, n.Component)
			}
			for _, p := range n.Spec.Ports {
				if p.HostIP != "127.0.0.1" {
					t.Errorf("%s: %s publishes on %s", mode, n.Component, p.HostIP)
				}
			}
			e := env(n)
			for _, k := range []string{"GAIAFLOW_KUBECONFIG", "GAIAFLOW_POD_MLFLOW_TRACKING_URI", "GAIAFLOW_POD_MLFLOW_S3_ENDPOINT_URL"} {
				if _, ok := e[k]; ok {
					t.Errorf("%s: %s has %s", mode, n.Component, k)
				}
			}
			if strings.HasPrefix(n.Component, "airflow-") && n.Component != "airflow-init" && e["GAIAFLOW_K8S_NAMESPACE"] != "default" {
				t.Errorf("%s: %s namespace %q", mode, n.Component, e["GAIAFLOW_K8S_NAMESPACE"])
			}
		}
	}
}

// writeConnection records a cluster for the fixture's project as `prod-local
// start` would, with its network on the fake engine.
func (f *fixture) writeConnection(hostIP string) minikube.Connection {
	f.t.Helper()
	st, err := f.p.State()
	if err != nil {
		f.t.Fatal(err)
	}
	conn := minikube.Connection{Profile: "gaiaflow-demo", Context: "gaiaflow-demo", Network: "gaiaflow-demo",
		APIServer: "https://192.168.58.2:8443", Kubeconfig: st.Path(minikube.AirflowKubeconfigFile),
		HostAlias: minikube.HostAlias, HostIP: hostIP, Namespace: minikube.TaskNamespace}
	if err := os.WriteFile(conn.Kubeconfig, []byte("kubeconfig v1\n"), 0o600); err != nil {
		f.t.Fatal(err)
	}
	if err := st.WriteJSON(minikube.ConnectionFile, conn, 0o600); err != nil {
		f.t.Fatal(err)
	}
	f.eng.networks[conn.Network] = docker.Resource{ID: "net-minikube", Name: conn.Network}
	return conn
}

const prodLocalToml = "mode = \"prod_local\"\n" + fakeToml

func TestStartProdLocalWithoutAClusterSaysWhatToDo(t *testing.T) {
	f := newFixture(t, prodLocalToml)
	err := f.start(StartOptions{Services: []string{"airflow"}})
	if err == nil || !strings.Contains(err.Error(), "no cluster is configured") {
		t.Fatalf("err = %v", err)
	}
	if h := errs.HintOf(err); !strings.Contains(h, "gaiaflow prod-local start") || !strings.Contains(h, "create-config") {
		t.Errorf("hint = %q", h)
	}
	if calls := f.eng.Calls(); len(calls) != 0 {
		t.Errorf("changed the engine: %v", calls)
	}
	// MinIO too needs the cluster's address; JupyterLab alone does not.
	if err := f.start(StartOptions{Services: []string{"minio"}}); err == nil {
		t.Error("minio started in prod_local without a cluster")
	}
	f.eng.behave["jupyter-deps"] = behaviour{exit: exitCode(0)}
	if err := f.start(StartOptions{Services: []string{"jupyter"}}); err != nil {
		t.Errorf("jupyter alone: %v", err)
	}
}

func TestStartProdLocalStaleCluster(t *testing.T) {
	for name, spoil := range map[string]func(f *fixture, c minikube.Connection){
		"network gone":       func(f *fixture, c minikube.Connection) { delete(f.eng.networks, c.Network) },
		"kubeconfig removed": func(f *fixture, c minikube.Connection) { _ = os.Remove(c.Kubeconfig) },
		"host address unknown": func(f *fixture, c minikube.Connection) {
			st, _ := f.p.State()
			c.HostIP = ""
			_ = st.WriteJSON(minikube.ConnectionFile, c, 0o600)
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, prodLocalToml)
			spoil(f, f.writeConnection("192.168.58.1"))
			err := f.start(StartOptions{Services: []string{"airflow"}})
			if err == nil || !strings.Contains(errs.HintOf(err), "gaiaflow prod-local") {
				t.Fatalf("err = %v, hint %q", err, errs.HintOf(err))
			}
			if calls := f.eng.Calls(); len(calls) != 0 {
				t.Errorf("changed the engine: %v", calls)
			}
		})
	}
}

// specOf returns the spec of the fake's container of a component.
func (f *fixture) specOf(component string) (docker.ContainerSpec, []docker.File) {
	f.eng.mu.Lock()
	defer f.eng.mu.Unlock()
	for _, c := range f.eng.containers {
		if c.spec.Labels[LabelComponent] == component {
			return c.spec, c.files
		}
	}
	f.t.Fatalf("no container for %s", component)
	return docker.ContainerSpec{}, nil
}

func TestSwitchModeToProdLocalAndBack(t *testing.T) {
	f := newFixture(t, fakeToml)
	f.eng.behave["airflow-init"] = behaviour{exit: exitCode(0)}
	f.eng.behave["jupyter-deps"] = behaviour{exit: exitCode(0)}
	if err := f.start(StartOptions{}); err != nil {
		t.Fatal(err)
	}
	f.writeConnection("192.168.58.1")
	recreated := func() []string {
		var out []string
		for _, c := range f.eng.Calls() {
			if comp, ok := strings.CutPrefix(c, "create "); ok {
				out = append(out, comp)
			}
		}
		slices.Sort(out)
		return out
	}
	want := append(slices.Clone(airflowRunners), "minio", "mlflow")
	slices.Sort(want)
	ctx := context.Background()

	f.eng.resetCalls()
	f.reload(prodLocalToml)
	if err := f.stack.SwitchMode(ctx, StartOptions{Wait: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if got := recreated(); !slices.Equal(got, want) {
		t.Errorf("to prod_local recreated %v, want %v", got, want)
	}
	for _, c := range airflowRunners {
		spec, files := f.specOf(c)
		if !slices.Equal(spec.ExtraNetworks, []string{"gaiaflow-demo"}) {
			t.Errorf("%s extra networks %v", c, spec.ExtraNetworks)
		}
		ok := false
		for _, fl := range files {
			ok = ok || ("/"+fl.Name == KubeconfigPath && string(fl.Data) == "kubeconfig v1\n" && fl.Mode == 0o600)
		}
		if !ok {
			t.Errorf("%s files %+v", c, files)
		}
	}
	if spec, _ := f.specOf("mlflow"); len(spec.Ports) != 2 || spec.Ports[1].HostIP != "192.168.58.1" {
		t.Errorf("mlflow ports %+v", spec.Ports)
	}

	// A second switch (or start) changes nothing.
	f.eng.resetCalls()
	if err := f.stack.SwitchMode(ctx, StartOptions{Wait: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if got := recreated(); len(got) != 0 {
		t.Errorf("an unchanged switch recreated %v", got)
	}

	// A container detached from the cluster's network (as `prod-local
	// cleanup` does) is recreated, though its settings did not change.
	f.eng.mu.Lock()
	for _, c := range f.eng.containers {
		if c.spec.Labels[LabelComponent] == "airflow-scheduler" {
			c.detached = []string{"gaiaflow-demo"}
		}
	}
	f.eng.mu.Unlock()
	f.eng.resetCalls()
	if err := f.stack.SwitchMode(ctx, StartOptions{Wait: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if got := recreated(); !slices.Equal(got, []string{"airflow-scheduler"}) {
		t.Errorf("after a detach recreated %v", got)
	}

	// A refreshed kubeconfig recreates what reads it, and nothing else.
	st, _ := f.p.State()
	if err := os.WriteFile(st.Path(minikube.AirflowKubeconfigFile), []byte("kubeconfig v2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.eng.resetCalls()
	if err := f.stack.SwitchMode(ctx, StartOptions{Wait: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if got := recreated(); !slices.Equal(got, []string{"airflow-api-server", "airflow-dag-processor", "airflow-scheduler", "airflow-triggerer"}) {
		t.Errorf("a new kubeconfig recreated %v", got)
	}

	// Back to dev: detached, published on 127.0.0.1 only.
	f.eng.resetCalls()
	f.reload(fakeToml)
	if err := f.stack.SwitchMode(ctx, StartOptions{Wait: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if got := recreated(); !slices.Equal(got, want) {
		t.Errorf("back to dev recreated %v, want %v", got, want)
	}
	f.eng.mu.Lock()
	for _, c := range f.eng.containers {
		if len(c.spec.ExtraNetworks) > 0 {
			t.Errorf("%s still joins %v", c.name, c.spec.ExtraNetworks)
		}
		for _, p := range c.spec.Ports {
			if p.HostIP != "127.0.0.1" {
				t.Errorf("%s still publishes on %s", c.name, p.HostIP)
			}
		}
	}
	f.eng.mu.Unlock()
}

// A switch leaves stopped MLflow and MinIO stopped.
func TestSwitchModeStartsOnlyRunningServices(t *testing.T) {
	f := newFixture(t, fakeToml)
	f.eng.behave["airflow-init"] = behaviour{exit: exitCode(0)}
	if err := f.start(StartOptions{Services: []string{"airflow"}}); err != nil {
		t.Fatal(err)
	}
	f.writeConnection("192.168.58.1")
	f.reload(prodLocalToml)
	f.eng.resetCalls()
	if err := f.stack.SwitchMode(context.Background(), StartOptions{Wait: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	for _, c := range f.eng.Calls() {
		if strings.Contains(c, "mlflow") || strings.Contains(c, "minio") {
			t.Errorf("switch touched %s", c)
		}
	}
}
