package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/airflow/airflowtest"
	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/adapter"
)

// TestRealNodeKubeconfigProvider runs gaiaflow's kubeconfig cluster provider
// against the real node (e2e/k8snode): mode check names what prod_local
// lacks, prod-local start connects (the node is never started or stopped
// by gaiaflow, which did not create it), and a task whose secret is
// missing fails within seconds, with Kubernetes' reason, in `dags trigger
// --wait` and in the dashboard's task log — not after the operator's two
// minutes. Airflow is real (airflowtest, from the test venv), with the
// bundled library, and runs the task's KubernetesPodOperator on this host.
func TestRealNodeKubeconfigProvider(t *testing.T) {
	node, root := realNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if len(node.XComSidecarImages) == 0 {
		t.Fatal("the node names no image it holds")
	}
	image := node.XComSidecarImages[0] // on the node already; the pod never gets to run it

	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir := t.TempDir()
	writeToml := func(airflowPort int) {
		toml := fmt.Sprintf("name = \"gfnode\"\npackage = \"gfnode\"\nmode = \"prod_local\"\n"+
			"[services.airflow]\nport = %d\n[cluster]\nprovider = \"kubeconfig\"\nkubeconfig = %q\ncontext = %q\nload_command = [%q, \"{image}\"]\n",
			airflowPort, node.Kubeconfig, node.Context, node.LoadImage)
		if err := os.WriteFile(filepath.Join(dir, "gaiaflow.toml"), []byte(toml), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeToml(8080)
	const secret = "gaiaflow-e2e-missing"
	dagFile := `from datetime import datetime

from airflow.sdk import DAG
from gaiaflow.core.create_task import create_task

with DAG(dag_id="needs_secret", schedule=None, start_date=datetime(2025, 1, 1), catchup=False):
    create_task(task_id="read_it", func_path="os:getcwd", secrets=["` + secret + `"], retries=0)
`
	if err := os.MkdirAll(filepath.Join(dir, "dags"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "dags", "needs_secret.py"), []byte(dagFile), 0o644); err != nil {
		t.Fatal(err)
	}

	c := core.New(core.Deps{Start: dir, Explicit: true})
	defer c.Close()
	v, err := c.CheckMode(ctx, modes.ProdLocal)
	if err != nil {
		t.Fatal(err)
	}
	missing := map[string]bool{}
	for _, q := range v.Missing() {
		missing[q.ID] = true
	}
	if v.Ready || !missing[modes.IDAirflowKubeconfig] || !missing[modes.IDClusterImage] || !missing[modes.SecretID(secret)] || missing[modes.IDCluster] {
		t.Fatalf("before start: %+v", v)
	}
	if _, err := c.StartCluster(ctx, core.ClusterStartOptions{}, event.Discard); err != nil {
		t.Fatalf("prod-local start with the kubeconfig provider: %v", err)
	}
	v, _ = c.CheckMode(ctx, modes.ProdLocal)
	for _, q := range v.Requirements {
		if q.ID == modes.IDAirflowKubeconfig && !q.Ready {
			t.Errorf("after start, the Airflow kubeconfig: %+v", q)
		}
	}
	p, err := c.Project()
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.State()
	if err != nil {
		t.Fatal(err)
	}
	creds, err := st.Credentials(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// A real Airflow on this host runs the task's operator with the
	// kubeconfig prod-local start wrote, as the stack's Airflow would.
	t.Setenv("PYTHONPATH", filepath.Join(root, "pylib", "src"))
	t.Setenv("GAIAFLOW_MODE", "prod_local")
	t.Setenv("GAIAFLOW_KUBECONFIG", st.Path("kubeconfig-airflow"))
	t.Setenv("GAIAFLOW_K8S_NAMESPACE", "default")
	t.Setenv("GAIAFLOW_IMAGE", image)
	af := airflowtest.Start(t, airflowtest.Options{User: creds.AirflowAdminUser, Password: creds.AirflowAdminPassword,
		DAGFiles: map[string][]byte{"needs_secret.py": []byte(dagFile)}})
	t.Cleanup(af.Stop)
	writeToml(af.Port)

	bin := filepath.Join(t.TempDir(), "gaiaflow")
	if out, err := goBuild(root, bin); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.CommandContext(ctx, bin, "--no-tui", "-p", dir, "dags", "trigger", "needs_secret", "--unpause", "--wait", "--timeout", "5m")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	began := time.Now()
	err = cmd.Run()
	took := time.Since(began)
	t.Logf("dags trigger --wait: %v after %s\n%s", err, took.Round(time.Second), tail(out.String(), 40))
	if err == nil {
		t.Fatal("a task whose secret is missing succeeded")
	}
	if !strings.Contains(out.String(), "CreateContainerConfigError") || !strings.Contains(out.String(), secret) {
		t.Errorf("the output does not name the reason (CreateContainerConfigError) and the secret %s", secret)
	}
	if took > 90*time.Second {
		t.Errorf("the task failed after %s; the operator's own startup timeout is 2 minutes", took.Round(time.Second))
	}

	// The dashboard's task log shows the same reason.
	be := adapter.New(c)
	runs, err := be.Runs(ctx, "needs_secret", 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs: %v %v", runs, err)
	}
	tis, err := be.TaskInstances(ctx, "needs_secret", runs[0].RunID)
	if err != nil || len(tis) != 1 {
		t.Fatalf("task instances: %v %v", tis, err)
	}
	lines, err := be.Logs(ctx, tui.LogSource{Task: &tis[0]}, tui.LogQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	for l := range lines {
		log.WriteString(l.Text + "\n")
	}
	if !strings.Contains(log.String(), "CreateContainerConfigError") {
		t.Errorf("the dashboard's task log lacks the pod's reason:\n%s", tail(log.String(), 30))
	}
}
