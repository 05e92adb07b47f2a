package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/gaiaflow/gaiaflow/e2e/k8snode"
	"github.com/gaiaflow/gaiaflow/e2e/kit"
	"github.com/gaiaflow/gaiaflow/services/registrytest"
)

// The prod step's names: the namespace a cluster admin made for the team,
// the pull secret of the registry, and the Airflow that runs in the cluster.
const (
	prodNamespace  = "gaiaflow-prod"
	prodPullSecret = "e2e-regcred"
	prodUser       = "gaiaflow-e2e-prod-user"
	xcomMarker     = "GAIAFLOW-E2E-XCOM "
)

// stackRefs is what the prod step reads of the local stack.
type stackRefs struct {
	creds      *creds
	mlflowURL  string
	s3URL      string
	experiment string
	dag        string
}

// prodOnRealNode is step 6q, run while the stack is linked to the node (its
// MLflow and MinIO published at the node's host address): a registry on
// loopback that wants a password; [prod] names it, the node's context and a
// namespace; mode check prod names every missing item; a wrong password
// fails prod dockerize with one line and records nothing; then prod
// dockerize pushes, prod create-secret makes the pull secret and the
// example's secret (its MLflow and MinIO endpoints and keys: the DAG holds
// none), mode set prod passes without --force. Airflow itself then runs in
// the cluster, as a pod with a service account allowed to manage pods in the
// namespace, and `airflow dags test` runs the example DAG: each task a pod
// that the node pulls from the registry by the recorded digest. MLflow,
// MinIO and the XCom chain are checked as in the other modes; no password,
// token or secret value shows anywhere gaiaflow writes.
func (h *harness) prodOnRealNode(ctx context.Context, node *k8snode.Node, s stackRefs) {
	t := h.t
	password := randomHex(t, 16)
	token := "e2e-token-" + randomHex(t, 12) // a value of the task secret, for the leak checks
	reg := registrytest.Start(t, registrytest.WithBasicAuth("gaiaflow-e2e", password))
	untrust, err := node.TrustRegistry(reg.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer untrust()

	// This machine's Docker credentials, as `docker login` writes them.
	writeDockerConfig := func(dir, pass string) {
		auth := base64.StdEncoding.EncodeToString([]byte("gaiaflow-e2e:" + pass))
		cfg := fmt.Sprintf(`{"auths": {%q: {"auth": %q}}}`, reg.Host, auth)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	goodConfig, badConfig := filepath.Join(h.work, "docker-good"), filepath.Join(h.work, "docker-bad")
	writeDockerConfig(goodConfig, password)
	writeDockerConfig(badConfig, "not-"+password)
	baseEnv := h.env
	defer func() { h.env = baseEnv }()
	withDockerConfig := func(dir string) { h.env = append(append([]string{}, baseEnv...), "DOCKER_CONFIG="+dir) }

	toml := filepath.Join(h.project, "gaiaflow.toml")
	if err := kit.Configure(toml, map[string]map[string]string{"prod": {
		"registry":    kit.Quote(reg.Host + "/e2e"),
		"kubeconfig":  kit.Quote(node.Kubeconfig),
		"context":     kit.Quote(node.Context),
		"namespace":   kit.Quote(prodNamespace),
		"pull_secret": kit.Quote(prodPullSecret),
	}}); err != nil {
		t.Fatal(err)
	}
	// A node an earlier run used keeps its namespace: start without it.
	if out, err := node.RunKubectl(ctx, "delete", "namespace", prodNamespace, "--ignore-not-found", "--wait=true"); err != nil {
		t.Fatalf("kubectl delete namespace: %v\n%s", err, out)
	}

	withDockerConfig(goodConfig)
	if ready, missing := h.modeCheck(ctx, "prod"); ready ||
		!contains(missing, "pushed") || !contains(missing, "namespace") ||
		!contains(missing, "secret/"+runSecret) || !contains(missing, "secret/"+prodPullSecret) {
		t.Fatalf("before the prod steps: ready %v, missing %v; want pushed, the namespace and both secrets missing", ready, missing)
	}
	if r := h.run(ctx, h.p("mode", "set", "prod")...); r.code == 0 {
		t.Fatalf("mode set prod passed before anything was pushed:\n%s%s", r.stdout, r.stderr)
	}

	// A wrong password: one clear line, exit 1, nothing recorded.
	record := filepath.Join(h.project, "dags", "gaiaflow_prod.json")
	withDockerConfig(badConfig)
	r := h.run(ctx, h.p("prod", "dockerize")...)
	errLines := nonEmptyLines(r.stderr)
	if r.code != 1 || len(errLines) == 0 || !strings.Contains(errLines[0], reg.Host) || !strings.Contains(strings.ToLower(r.stderr), "credentials") {
		t.Errorf("prod dockerize with a wrong password: exit %d, want 1 and an error naming %s and the credentials:\n%s", r.code, reg.Host, r.stderr)
	}
	if _, err := os.Stat(record); err == nil {
		t.Errorf("a failed push left %s behind", record)
	}

	// The namespace is the cluster admin's to make.
	if out, err := node.RunKubectl(ctx, "create", "namespace", prodNamespace); err != nil {
		t.Fatalf("kubectl create namespace: %v\n%s", err, out)
	}
	withDockerConfig(goodConfig)
	var argvLeaks []string
	stopWatch := watchArgv(password, &argvLeaks)
	h.must(25*time.Minute, h.p("prod", "dockerize")...)
	var dep struct {
		Image, Digest, Namespace string
		PullSecret               string `json:"pull_secret"`
	}
	data, err := os.ReadFile(record)
	if err != nil || json.Unmarshal(data, &dep) != nil || !strings.HasPrefix(dep.Digest, "sha256:") || !strings.HasPrefix(dep.Image, reg.Host+"/e2e/") {
		t.Fatalf("prod dockerize recorded %s (%v)", data, err)
	}
	if got := registryDigest(t, reg, dep.Image); got != dep.Digest {
		t.Fatalf("the registry has %s as %s, the record says %s", dep.Image, got, dep.Digest)
	}
	h.must(time.Minute, h.p("prod", "create-secret", "--pull")...)
	envFile := filepath.Join(h.work, "prod.env")
	// What a prod user whose object store the pods cannot reach under the
	// MLflow server's name for it sets: artifacts through the tracking server
	// (this stack's MLflow names MinIO http://minio:9000 in presigned URLs).
	podEnv := fmt.Sprintf("MLFLOW_TRACKING_URI=http://%s:%d\nMLFLOW_S3_ENDPOINT_URL=http://%s:%d\nMLFLOW_ENABLE_PROXY_MULTIPART_DOWNLOAD=false\nAWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\nLOGNAME=%s\nE2E_TOKEN=%s\n",
		node.HostIP, h.ports["mlflow"], node.HostIP, h.ports["minio"], s.creds.S3AccessKey, s.creds.S3SecretKey, prodUser, token)
	if err := os.WriteFile(envFile, []byte(podEnv), 0o600); err != nil {
		t.Fatal(err)
	}
	h.must(time.Minute, h.p("prod", "create-secret", "--name", runSecret, "--from-env-file", envFile)...)
	stopWatch()
	if ready, missing := h.modeCheck(ctx, "prod"); !ready {
		t.Fatalf("after prod dockerize and create-secret, prod still misses %v", missing)
	}
	status := h.must(time.Minute, h.p("prod", "status", "-o", "json")...)
	if !strings.Contains(status.stdout, dep.Digest) || !strings.Contains(status.stdout, prodNamespace) {
		t.Errorf("prod status -o json names neither the digest nor the namespace:\n%s", status.stdout)
	}
	h.must(10*time.Minute, h.p("mode", "set", "prod")...)
	// In prod the local stack publishes MLflow and MinIO on loopback only:
	// a production cluster has its own. Here they stand in for those, so
	// the stack goes back to prod_local, linked to the node, and the
	// in-cluster Airflow below runs the DAG in prod (its own GAIAFLOW_MODE).
	h.must(10*time.Minute, h.p("mode", "set", "prod_local")...)
	h.requireHealthy()

	// Airflow in the cluster runs the example DAG.
	arts, err := s3List(ctx, s.s3URL, s.creds.S3AccessKey, s.creds.S3SecretKey, "mlflow", "")
	if err != nil {
		t.Fatalf("list the mlflow bucket: %v", err)
	}
	modelsBefore := countSuffix(arts, "/MLmodel")
	logs := h.airflowInCluster(ctx, node, s.dag)
	xcoms := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), xcomMarker); ok {
			var x struct {
				Task  string          `json:"task"`
				Value json.RawMessage `json:"value"`
			}
			if err := json.Unmarshal([]byte(rest), &x); err == nil {
				xcoms[x.Task] = string(x.Value)
			}
		}
	}
	id := h.checkMLflowResults(ctx, func(task string) (string, error) {
		v, ok := xcoms[task]
		if !ok {
			return "", fmt.Errorf("no return value of %s in the in-cluster Airflow (has %d)", task, len(xcoms))
		}
		return v, nil
	}, s.mlflowURL, s.experiment)
	got, err := mlflowGetRun(ctx, s.mlflowURL, id)
	if err != nil {
		t.Fatalf("MLflow: %v", err)
	}
	if user := got.tag("mlflow.user"); user != prodUser {
		t.Errorf("MLflow: run %s was logged by %q, not by the prod secret's LOGNAME %q", id, user, prodUser)
	}
	arts, err = s3List(ctx, s.s3URL, s.creds.S3AccessKey, s.creds.S3SecretKey, "mlflow", "")
	if err != nil {
		t.Fatalf("list the mlflow bucket: %v", err)
	}
	if n := countSuffix(arts, "/MLmodel"); n <= modelsBefore {
		t.Errorf("s3://mlflow holds %d logged models, as before the prod run: the pods wrote nothing to MinIO", n)
	}

	// Every task pod's image came from the registry, by the recorded digest.
	pulled := 0
	for _, e := range h.events(ctx, node, prodNamespace, "Pulled") {
		if strings.Contains(e, dep.Image+"@"+dep.Digest) || strings.Contains(e, reg.Host) {
			pulled++
			t.Logf("event: %s", e)
		}
	}
	if pulled == 0 {
		t.Errorf("no pod of namespace %s pulled %s@%s from the registry", prodNamespace, dep.Image, dep.Digest)
	}

	// Nothing gaiaflow wrote holds a password, token or secret value.
	leaks := map[string]string{"the registry password": password, "the task secret's token": token}
	for what, v := range leaks {
		if strings.Contains(h.transcript.String(), v) {
			t.Errorf("%s appears in gaiaflow's output", what)
		}
		for _, dir := range []string{h.stateDir(), h.project} {
			if f := grepTree(t, dir, v); f != "" {
				t.Errorf("%s is written in %s", what, f)
			}
		}
		for _, svc := range []string{"airflow", "mlflow"} {
			if out := h.run(ctx, h.p("dev", "logs", svc, "--tail", "2000")...); strings.Contains(out.stdout+out.stderr, v) {
				t.Errorf("%s appears in the %s logs", what, svc)
			}
		}
	}
	if len(argvLeaks) > 0 {
		t.Errorf("the registry password was on a command line: %v", argvLeaks)
	}

	// A digest deleted from the registry is seen as missing.
	deleteManifest(t, reg, dep.Image, dep.Digest)
	if ready, missing := h.modeCheck(ctx, "prod"); ready || !contains(missing, "pushed") {
		t.Errorf("after the manifest was deleted: ready %v, missing %v; want pushed missing", ready, missing)
	}
}

// modeCheck runs `mode check MODE -o json` and returns whether the mode is
// ready and the IDs of the missing items.
func (h *harness) modeCheck(ctx context.Context, mode string) (bool, []string) {
	t := h.t
	t.Helper()
	r := h.run(ctx, h.p("-o", "json", "mode", "check", mode)...)
	var v struct {
		Ready        bool `json:"ready"`
		Requirements []struct {
			ID     string `json:"id"`
			Ready  bool   `json:"ready"`
			Detail string `json:"detail"`
		} `json:"requirements"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("mode check %s -o json: exit %d, %v\n%s%s", mode, r.code, err, r.stdout, r.stderr)
	}
	var missing []string
	for _, q := range v.Requirements {
		if !q.Ready {
			missing = append(missing, q.ID)
			t.Logf("mode check %s: %s missing: %s", mode, q.ID, q.Detail)
		}
	}
	if (r.code == 0) != v.Ready {
		t.Errorf("mode check %s exits %d with ready=%v", mode, r.code, v.Ready)
	}
	t.Logf("mode check %s: ready %v, missing %v", mode, v.Ready, missing)
	return v.Ready, missing
}

// airflowInCluster runs Airflow as a pod of the prod namespace — the
// project's Airflow runtime image, loaded onto the node as a cluster's
// Airflow image would be installed — with a service account that may manage
// pods there, and `airflow dags test DAG` in it (SQLite, in the pod). It
// waits for the pod to succeed and returns its log, which ends with the
// tasks' XCom return values (xcomMarker lines).
func (h *harness) airflowInCluster(ctx context.Context, node *k8snode.Node, dag string) string {
	t := h.t
	image := strings.TrimSpace(docker(t, "ps", "--filter", "label=io.gaiaflow.project="+h.id,
		"--filter", "name=airflow-scheduler", "--format", "{{.Image}}"))
	if image == "" || strings.Contains(image, "\n") {
		t.Fatalf("the stack's Airflow image: %q", image)
	}
	if err := node.LoadImages(ctx, image); err != nil {
		t.Fatalf("load %s onto the node: %v", image, err)
	}
	server := apiServer(t, node)
	host, port, ok := strings.Cut(strings.TrimPrefix(server, "https://"), ":")
	if !ok {
		t.Fatalf("the API server %q has no port", server)
	}
	dagFile := filepath.Join(h.project, "dags", "example_pipeline.py")
	record := filepath.Join(h.project, "dags", "gaiaflow_prod.json")
	if out, err := node.RunKubectl(ctx, "-n", prodNamespace, "create", "configmap", "dags",
		"--from-file="+dagFile, "--from-file="+record); err != nil {
		t.Fatalf("kubectl create configmap: %v\n%s", err, out)
	}
	dump := `import json
from airflow.models.xcom import XComModel
from airflow.utils.session import create_session
with create_session() as s:
    for x in s.query(XComModel).filter(XComModel.dag_id == "` + dag + `", XComModel.key == "return_value"):
        print("` + xcomMarker + `" + json.dumps({"task": x.task_id, "value": XComModel.deserialize_value(x)}))
`
	script := "set -e\nairflow db migrate >/dev/null\nairflow dags test " + dag + "\npython - <<'PY'\n" + dump + "PY\n"
	manifest := `apiVersion: v1
kind: ServiceAccount
metadata: {name: airflow, namespace: ` + prodNamespace + `}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: airflow-pods, namespace: ` + prodNamespace + `}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [create, get, list, watch, delete, patch]
- apiGroups: [""]
  resources: [pods/log]
  verbs: [get]
- apiGroups: [""]
  resources: [pods/exec]
  verbs: [create, get]
- apiGroups: [""]
  resources: [events]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: airflow-pods, namespace: ` + prodNamespace + `}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: airflow-pods}
subjects:
- {kind: ServiceAccount, name: airflow, namespace: ` + prodNamespace + `}
---
apiVersion: v1
kind: Pod
metadata: {name: airflow-dags-test, namespace: ` + prodNamespace + `}
spec:
  serviceAccountName: airflow
  restartPolicy: Never
  containers:
  - name: airflow
    image: ` + image + `
    imagePullPolicy: Never
    command: ["/bin/sh", "-c", ` + jsonString(script) + `]
    env:
    - {name: GAIAFLOW_MODE, value: prod}
    # No Services on this node: the API server is reached where it listens.
    - {name: KUBERNETES_SERVICE_HOST, value: "` + host + `"}
    - {name: KUBERNETES_SERVICE_PORT, value: "` + port + `"}
    - {name: AIRFLOW_HOME, value: /tmp/airflow}
    - {name: AIRFLOW__DATABASE__SQL_ALCHEMY_CONN, value: "sqlite:////tmp/airflow/airflow.db"}
    - {name: AIRFLOW__CORE__DAGS_FOLDER, value: /opt/gaiaflow/dags}
    - {name: AIRFLOW__CORE__LOAD_EXAMPLES, value: "False"}
    - {name: AIRFLOW__CORE__EXECUTOR, value: LocalExecutor}
    volumeMounts:
    - {name: dags, mountPath: /opt/gaiaflow/dags}
  volumes:
  - name: dags
    configMap: {name: dags}
`
	file := filepath.Join(h.work, "airflow-in-cluster.yaml")
	if err := os.WriteFile(file, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := node.RunKubectl(ctx, "apply", "-f", file); err != nil {
		t.Fatalf("kubectl apply: %v\n%s", err, out)
	}
	began := time.Now()
	deadline := time.Now().Add(20 * time.Minute)
	phase := ""
	for time.Now().Before(deadline) {
		out, err := node.RunKubectl(ctx, "-n", prodNamespace, "get", "pod", "airflow-dags-test", "-o", "jsonpath={.status.phase}")
		if err == nil {
			phase = strings.TrimSpace(string(out))
		}
		if phase == "Succeeded" || phase == "Failed" {
			break
		}
		time.Sleep(3 * time.Second)
	}
	logs, _ := node.RunKubectl(ctx, "-n", prodNamespace, "logs", "airflow-dags-test")
	t.Logf("Airflow in the cluster: %s after %s; the end of its log:\n%s", phase, time.Since(began).Round(time.Second), tail(string(logs), 40))
	if phase != "Succeeded" {
		t.Fatalf("the in-cluster Airflow pod is %q", phase)
	}
	return string(logs)
}

// events lists the events of a namespace with a reason, as text.
func (h *harness) events(ctx context.Context, node *k8snode.Node, ns, reason string) []string {
	out, err := node.RunKubectl(ctx, "-n", ns, "get", "events", "--field-selector", "reason="+reason, "-o", "json")
	if err != nil {
		h.t.Fatalf("kubectl get events: %v\n%s", err, out)
	}
	var list struct {
		Items []struct {
			Involved struct {
				Name string `json:"name"`
			} `json:"involvedObject"`
			Message string `json:"message"`
		} `json:"items"`
	}
	if err := json.Unmarshal(out, &list); err != nil {
		h.t.Fatalf("kubectl get events: %v", err)
	}
	var lines []string
	for _, e := range list.Items {
		lines = append(lines, e.Involved.Name+": "+e.Message)
	}
	return lines
}

// stateDir is the project's state directory (the harness's XDG_STATE_HOME).
func (h *harness) stateDir() string {
	for _, kv := range h.env {
		if v, ok := strings.CutPrefix(kv, "XDG_STATE_HOME="); ok {
			return v
		}
	}
	h.t.Fatal("the harness sets no XDG_STATE_HOME")
	return ""
}

// apiServer is the server of the node's admin kubeconfig.
func apiServer(t interface{ Fatalf(string, ...any) }, node *k8snode.Node) string {
	cfg, err := clientcmd.LoadFromFile(node.Kubeconfig)
	if err != nil {
		t.Fatalf("read %s: %v", node.Kubeconfig, err)
	}
	c, ok := cfg.Contexts[node.Context]
	if !ok || cfg.Clusters[c.Cluster] == nil {
		t.Fatalf("%s has no context %s", node.Kubeconfig, node.Context)
	}
	return cfg.Clusters[c.Cluster].Server
}

// watchArgv samples every process's command line until stopped and records
// each that holds secret.
func watchArgv(secret string, leaks *[]string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
			procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
			for _, p := range procs {
				if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(secret)) {
					*leaks = append(*leaks, p)
				}
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// grepTree returns the first file under dir whose content holds s.
func grepTree(t interface{ Logf(string, ...any) }, dir, s string) string {
	found := ""
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || found != "" {
			return nil
		}
		if info, err := d.Info(); err != nil || info.Size() > 64<<20 || !info.Mode().IsRegular() {
			return nil
		}
		if b, err := os.ReadFile(path); err == nil && bytes.Contains(b, []byte(s)) {
			found = path
		}
		return nil
	})
	return found
}

// registryDigest asks the registry (with the test's own credentials) for
// the digest of an image's tag.
func registryDigest(t interface{ Fatalf(string, ...any) }, reg *registrytest.Registry, image string) string {
	repo, tag := splitImage(image, reg.Host)
	req, _ := http.NewRequest(http.MethodHead, "http://"+reg.Host+"/v2/"+repo+"/manifests/"+tag, nil)
	req.SetBasicAuth(reg.Username, reg.Password)
	req.Header.Set("Accept", "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("ask the registry: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the registry answers %s for %s", resp.Status, image)
	}
	return resp.Header.Get("Docker-Content-Digest")
}

// deleteManifest deletes a manifest from the registry by digest.
func deleteManifest(t interface{ Fatalf(string, ...any) }, reg *registrytest.Registry, image, digest string) {
	repo, _ := splitImage(image, reg.Host)
	req, _ := http.NewRequest(http.MethodDelete, "http://"+reg.Host+"/v2/"+repo+"/manifests/"+digest, nil)
	req.SetBasicAuth(reg.Username, reg.Password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("delete %s@%s: %v", image, digest, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("delete %s@%s: %s", image, digest, resp.Status)
	}
}

// splitImage splits host/repo:tag into repo and tag.
func splitImage(image, host string) (repo, tag string) {
	rest := strings.TrimPrefix(image, host+"/")
	i := strings.LastIndex(rest, ":")
	return rest[:i], rest[i+1:]
}

func countSuffix(list []string, suffix string) int {
	n := 0
	for _, s := range list {
		if strings.HasSuffix(s, suffix) {
			n++
		}
	}
	return n
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
