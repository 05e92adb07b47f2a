package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gaiaflow/gaiaflow/e2e/k8snode"
	"github.com/gaiaflow/gaiaflow/e2e/kit"
)

// runSecret is the secret the example DAG names in the prod_local step, and
// runUser the LOGNAME it holds: MLflow tags each run with the user of the
// process that logged it (getpass reads LOGNAME first), so the tag proves
// the secret's value reached the task.
const (
	runSecret = "e2e-demo-run"
	runUser   = "gaiaflow-e2e-secret-user"
)

// prodLocalOnRealNode is step 6p: the project's prod_local cluster is the
// real node (cluster.provider = "kubeconfig", its load command the node's
// load-image.sh); before anything, mode check names every missing item;
// prod-local start, dockerize and create-secret make them ready; mode set
// prod_local; the example DAG, now naming a secret, runs every task as a
// pod on the node, with MLflow, MinIO and XCom checked as in the dev steps;
// mode set dev switches back.
func (h *harness) prodLocalOnRealNode(af *airflow, s stackRefs) {
	mlflowURL, experiment, dag := s.mlflowURL, s.experiment, s.dag
	t := h.t
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Minute)
	defer cancel()
	node, err := k8snode.Start(ctx, h.root, testWriter{t})
	if err != nil {
		t.Fatalf("the real node: %v", err)
	}
	defer func() {
		if err := node.Stop(context.Background(), testWriter{t}); err != nil {
			t.Errorf("stop the node: %v", err)
		}
	}()

	toml := filepath.Join(h.project, "gaiaflow.toml")
	if err := kit.Configure(toml, map[string]map[string]string{"cluster": {
		"provider":     kit.Quote("kubeconfig"),
		"kubeconfig":   kit.Quote(node.Kubeconfig),
		"context":      kit.Quote(node.Context),
		"load_command": "[" + kit.Quote(node.LoadImage) + ", " + kit.Quote("{image}") + "]",
	}}); err != nil {
		t.Fatal(err)
	}
	// The example DAG names a secret, as a user's would (create_task(secrets=...)).
	dagFile := filepath.Join(h.project, "dags", "example_pipeline.py")
	original, err := os.ReadFile(dagFile)
	if err != nil {
		t.Fatal(err)
	}
	named := strings.ReplaceAll(string(original), "create_task(\n", "create_task(\n            secrets=[\""+runSecret+"\"],\n")
	if strings.Count(named, runSecret) != 3 {
		t.Fatalf("the example DAG no longer has three create_task( calls to name the secret in:\n%s", original)
	}
	if err := os.WriteFile(dagFile, []byte(named), 0o644); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := os.WriteFile(dagFile, original, 0o644); err != nil {
			t.Errorf("restore the example DAG: %v", err)
		}
	}()

	// The node may be one an earlier run used (a developer's): its secret
	// would make the first check pass. gaiaflow's cleanup leaves a user's
	// cluster, secrets included, as it is.
	if out, err := node.RunKubectl(ctx, "delete", "secret", runSecret, "-n", "default", "--ignore-not-found"); err != nil {
		t.Fatalf("kubectl delete secret %s: %v\n%s", runSecret, err, out)
	}
	if ready, missing := h.modeCheck(ctx, "prod_local"); ready ||
		!contains(missing, "airflow-kubeconfig") || !contains(missing, "cluster-image") || !contains(missing, "secret/"+runSecret) {
		t.Fatalf("before prod-local start: ready %v, missing %v; want the kubeconfig, the image and the secret missing", ready, missing)
	}

	h.must(5*time.Minute, h.p("prod-local", "start")...)
	h.must(25*time.Minute, h.p("prod-local", "dockerize")...)
	secrets := filepath.Join(h.work, "run.env")
	if err := os.WriteFile(secrets, []byte("LOGNAME="+runUser+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.must(time.Minute, h.p("prod-local", "create-secret", "--name", runSecret, "--from-env-file", secrets)...)
	if ready, missing := h.modeCheck(ctx, "prod_local"); !ready {
		t.Fatalf("after start, dockerize and create-secret, prod_local still misses %v", missing)
	}

	h.must(10*time.Minute, h.p("mode", "set", "prod_local")...)
	h.requireHealthy()
	if err := af.waitDag(ctx, dag, h.dagProcessorStarted()); err != nil {
		t.Fatalf("Airflow: %v", err)
	}
	began := time.Now()
	h.must(25*time.Minute, h.p("dags", "trigger", dag, "--wait", "--timeout", "20m")...)
	t.Logf("the example DAG ran as pods in %s", time.Since(began).Round(time.Second))
	run := h.checkDagRun(ctx, af, dag, "KubernetesPod")
	mlflowRunID := h.checkMLflowRun(ctx, af, mlflowURL, experiment, dag, run)
	got, err := mlflowGetRun(ctx, mlflowURL, mlflowRunID)
	if err != nil {
		t.Fatalf("MLflow: %v", err)
	}
	if user := got.tag("mlflow.user"); user != runUser {
		t.Errorf("MLflow: run %s was logged by %q, not by the secret's LOGNAME %q: the secret did not reach the pod", mlflowRunID, user, runUser)
	}

	// Which pods ran, and where: the scheduler's events.
	out, err := node.RunKubectl(ctx, "get", "events", "-n", "default", "--field-selector", "reason=Scheduled", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var events struct {
		Items []struct {
			Involved struct {
				Name string `json:"name"`
			} `json:"involvedObject"`
			Message string    `json:"message"`
			Last    time.Time `json:"lastTimestamp"`
			Event   time.Time `json:"eventTime"`
		} `json:"items"`
	}
	if err := json.Unmarshal(out, &events); err != nil {
		t.Fatalf("kubectl get events: %v", err)
	}
	pods := 0
	for _, e := range events.Items {
		if strings.Contains(e.Message, node.Node) && strings.Contains(e.Involved.Name, "pipeline") {
			pods++
			t.Logf("pod %s: %s", e.Involved.Name, e.Message)
		}
	}
	if pods < 3 {
		t.Errorf("the scheduler placed %d pipeline pods on node %s, want at least 3", pods, node.Node)
	}

	// 6q. prod, while the stack is linked to the node: its MLflow and MinIO
	// are published where the node's pods reach this machine.
	h.step("6q prod on the real node", func() { h.prodOnRealNode(ctx, node, s) })

	h.must(10*time.Minute, h.p("mode", "set", "dev")...)
	h.requireHealthy()
	h.must(time.Minute, h.p("prod-local", "cleanup", "--yes")...)
}
