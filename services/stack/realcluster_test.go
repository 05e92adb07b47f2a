package stack

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/stack/stacktest"
)

// TestRealDockerStackProdLocalStandInMinikubeNetwork switches a running
// stack to prod_local and back on the real engine. No cluster can run here:
// a labelled bridge network stands in for the Minikube profile's network,
// with a stand-in container on it playing the cluster node, and its gateway
// plays what host.minikube.internal resolves to.
func TestRealDockerStackProdLocalStandInMinikubeNetwork(t *testing.T) {
	c := realDocker(t)
	ctx := context.Background()
	base := standin(t, c, nil)
	// Airflow's processes run as the official image's user, which is what
	// the kubeconfig's owner and mode must suit.
	airflowImg := userImage(t, c, base, fmt.Sprintf("%d:0", airflowUID))

	standInNet := fmt.Sprintf("gftest-minikube-standin-%d", os.Getpid())
	netID, err := c.CreateNetwork(ctx, standInNet, map[string]string{stacktest.Label: "minikube-network-standin"})
	if err != nil {
		t.Fatal(err)
	}
	node := ""
	// Registered before the fixture, so it runs after the fixture's cleanup
	// has removed the stack's containers from the network.
	t.Cleanup(func() {
		if node != "" {
			_ = c.RemoveContainer(context.Background(), node)
		}
		if err := c.RemoveNetwork(context.Background(), netID); err != nil {
			t.Errorf("remove the stand-in network: %v", err)
		}
	})
	gateway := bridgeGateway(t, netID)
	nodeName := standInNet + "-node"
	node, err = c.CreateContainer(ctx, docker.ContainerSpec{Name: nodeName, Image: base, Cmd: []string{"server", "/data"},
		Env: []string{"MINIO_ROOT_USER=u", "MINIO_ROOT_PASSWORD=p"}, Network: standInNet,
		Labels: map[string]string{stacktest.Label: "minikube-node-standin"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.StartContainer(ctx, node); err != nil {
		t.Fatal(err)
	}

	f := newRealFixture(t, images{airflow: airflowImg, postgres: base, mlflow: base, minio: base, jupyter: base})
	if err := f.start(StartOptions{Services: []string{"airflow", "mlflow"}}); err != nil {
		t.Fatalf("start in dev: %v", err)
	}
	devIDs := f.ids()

	// `prod-local start` records the cluster; `mode set prod_local` switches.
	st, err := f.p.State()
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig := "apiVersion: v1\nkind: Config\n# stand-in for the Airflow kubeconfig\n"
	conn := minikube.Connection{Profile: "gaiaflow-gftest", Context: "gaiaflow-gftest", Network: standInNet,
		APIServer: "https://" + nodeName + ":8443", Kubeconfig: st.Path(minikube.AirflowKubeconfigFile),
		HostAlias: minikube.HostAlias, HostIP: gateway, Namespace: minikube.TaskNamespace}
	if err := os.WriteFile(conn.Kubeconfig, []byte(kubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := st.WriteJSON(minikube.ConnectionFile, conn, 0o600); err != nil {
		t.Fatal(err)
	}
	toml := realToml("gftest", images{airflowImg, base, base, base, base}, f.ports)
	f.reload("mode = \"prod_local\"\n" + toml)
	began := time.Now()
	if err := f.stack.SwitchMode(ctx, StartOptions{Wait: 2 * time.Minute}); err != nil {
		t.Fatalf("switch to prod_local: %v", err)
	}
	t.Logf("switch to prod_local: %v", time.Since(began))

	// Exactly the containers the mode changes were recreated.
	plIDs := f.ids()
	for comp, id := range devIDs {
		changed := plIDs[comp] != id
		want := slices.Contains(airflowRunners, comp) || comp == "mlflow" || comp == "minio"
		if changed != want {
			t.Errorf("%s recreated = %v, want %v", comp, changed, want)
		}
	}
	for _, comp := range airflowRunners {
		info, err := c.InspectContainer(ctx, plIDs[comp])
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{NetworkName(f.p.ID()), standInNet}; !slices.Equal(info.Networks, sortedCopy(want)) {
			t.Errorf("%s is on %v, want %v", comp, info.Networks, want)
		}
	}
	api := fmt.Sprintf("http://127.0.0.1:%d", f.ports[0])
	var got struct {
		Kubeconfig string            `json:"kubeconfig"`
		Mode       string            `json:"mode"`
		FileUID    int               `json:"file_uid"`
		ProcessUID int               `json:"process_uid"`
		Env        map[string]string `json:"env"`
	}
	getJSON(t, api+"/standin/prod-local", &got)
	if got.Kubeconfig != kubeconfig || got.Mode != "600" || got.FileUID != airflowUID || got.ProcessUID != airflowUID {
		t.Errorf("kubeconfig inside the api-server: %+v", got)
	}
	wantEnv := map[string]string{
		"GAIAFLOW_K8S_NAMESPACE":              "default",
		"GAIAFLOW_POD_MLFLOW_TRACKING_URI":    fmt.Sprintf("http://host.minikube.internal:%d", f.ports[1]),
		"GAIAFLOW_POD_MLFLOW_S3_ENDPOINT_URL": fmt.Sprintf("http://host.minikube.internal:%d", f.ports[2]),
	}
	for k, v := range wantEnv {
		if got.Env[k] != v {
			t.Errorf("%s = %q, want %q", k, got.Env[k], v)
		}
	}
	// The api-server reaches the cluster's node by its name on the
	// network, and MLflow and MinIO answer on the gateway, as pods see them.
	for _, u := range []string{
		"http://" + nodeName + ":9000/minio/health/live",
		fmt.Sprintf("http://%s:%d/health", gateway, f.ports[1]),
		fmt.Sprintf("http://%s:%d/minio/health/live", gateway, f.ports[2]),
	} {
		if body := getText(t, api+"/standin/get?url="+url.QueryEscape(u)); strings.TrimSpace(body) != "200" {
			t.Errorf("GET %s from the api-server: %s", u, body)
		}
	}
	for _, comp := range []string{"mlflow", "minio"} {
		info, err := c.InspectContainer(ctx, plIDs[comp])
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range info.Ports {
			if p.HostIP != "127.0.0.1" && p.HostIP != gateway {
				t.Errorf("%s publishes %+v", comp, p)
			}
			if p.HostIP == gateway && p.ContainerPort == minioConsole {
				t.Errorf("the MinIO console is published for pods")
			}
		}
		if len(info.Ports) < 2 {
			t.Errorf("%s ports: %+v", comp, info.Ports)
		}
	}

	// `prod-local cleanup` detaches the stack; the next start joins again.
	if names, err := c.DisconnectProject(ctx, standInNet, f.p.ID()); err != nil || len(names) != len(airflowRunners) {
		t.Fatalf("detach: %v %v", names, err)
	}
	if err := f.start(StartOptions{Services: []string{"airflow"}}); err != nil {
		t.Fatalf("start after a detach: %v", err)
	}
	if info, err := c.InspectContainer(ctx, f.ids()["airflow-scheduler"]); err != nil || !slices.Contains(info.Networks, standInNet) {
		t.Errorf("after a detach and a start the scheduler is on %v (%v)", info.Networks, err)
	}

	// Back to dev: recreated once more, off the cluster's network, and
	// published on 127.0.0.1 only.
	f.reload(toml)
	if err := f.stack.SwitchMode(ctx, StartOptions{Wait: 2 * time.Minute}); err != nil {
		t.Fatalf("switch back to dev: %v", err)
	}
	for comp, id := range f.ids() {
		info, err := c.InspectContainer(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(info.Networks, standInNet) {
			t.Errorf("%s is still on the stand-in network", comp)
		}
		for _, p := range info.Ports {
			if p.HostIP != "127.0.0.1" {
				t.Errorf("%s still publishes %+v", comp, p)
			}
		}
	}
	if resp, err := http.Get(api + "/standin/prod-local"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("the api-server still runs in prod_local")
		}
	}
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// userImage returns base run as user, built once and removed after the test.
func userImage(t *testing.T, c *docker.Client, base, user string) string {
	t.Helper()
	df := "FROM " + base + "\nUSER " + user + "\n"
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	_ = tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(df)), ModTime: time.Unix(0, 0)})
	_, _ = tw.Write([]byte(df))
	_ = tw.Close()
	tag := base + "-user"
	if _, err := c.BuildImage(context.Background(), &buf, docker.BuildOptions{Tags: []string{tag},
		Labels: map[string]string{stacktest.Label: "stack-standin"}}, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.RemoveImage(context.Background(), tag, docker.RemoveImageOptions{}) })
	return tag
}

// bridgeGateway is the host's address on a bridge network: Docker names the
// bridge interface br-<first 12 characters of the network id>.
func bridgeGateway(t *testing.T, netID string) string {
	t.Helper()
	ifc, err := net.InterfaceByName("br-" + netID[:12])
	if err != nil {
		t.Fatalf("the stand-in network's bridge: %v", err)
	}
	addrs, err := ifc.Addrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if ip, ok := a.(*net.IPNet); ok && ip.IP.To4() != nil {
			return ip.IP.String()
		}
	}
	t.Fatalf("the stand-in network's bridge has no IPv4 address: %v", addrs)
	return ""
}

func getText(t *testing.T, u string) string {
	t.Helper()
	resp, err := (&http.Client{Timeout: 15 * time.Second}).Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(getText(t, u)), v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}
