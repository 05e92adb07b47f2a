// Package e2e is gaiaflow's end-to-end suite: the real binary drives a real
// stack (Airflow, MLflow, MinIO, JupyterLab and their databases) built from
// the image kit in e2e/images, through the journey a user takes.
//
// It runs only with GAIAFLOW_E2E=1 (`make e2e`; .ci/run sets it), as root
// with a Docker daemon. GAIAFLOW_E2E_KEEP=1 leaves the stack running after a
// failure for a closer look.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/e2e/kit"
	"github.com/gaiaflow/gaiaflow/services/project"
)

func TestE2EJourney(t *testing.T) {
	h, keepOnFailure := newHarness(t, "e2e-demo", "e2e_demo")
	h.project = filepath.Join(h.work, "proj")
	h.id = project.ID(h.name, h.project)
	credsFile := h.credentialsFile()
	dag := h.pkg + "_example_pipeline"

	ports, err := kit.FreePorts()
	if err != nil {
		t.Fatal(err)
	}
	h.ports = map[string]int{"airflow": ports.Airflow, "mlflow": ports.MLflow, "minio": ports.MinIO}
	airflowURL := fmt.Sprintf("http://127.0.0.1:%d", h.ports["airflow"])
	mlflowURL := fmt.Sprintf("http://127.0.0.1:%d", h.ports["mlflow"])
	s3URL := fmt.Sprintf("http://127.0.0.1:%d", h.ports["minio"])

	// 1. A project with the example pipeline, on the kit's images and free ports.
	h.step("1 init", func() {
		// The kit's Python is Debian bookworm's 3.11; the project must accept it.
		h.must(time.Minute, "--no-tui", "init", h.project, "--name", h.name, "--package", h.pkg,
			"--python", "3.11", "--author", "E2E", "--email", "e2e@example.com", "--examples")
		if err := kit.Configure(filepath.Join(h.project, "gaiaflow.toml"), kit.Settings(h.kit, ports)); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(h.project, "dags", "example_pipeline.py")); err != nil {
			t.Fatalf("init --examples wrote no example DAG: %v", err)
		}
	})

	// From here on a stack may exist: on failure show why, and always remove
	// it unless the step that does so ran or the developer wants to look.
	cleaned := false
	t.Cleanup(func() {
		if t.Failed() {
			h.dumpFailure()
		}
		if t.Failed() && os.Getenv("GAIAFLOW_E2E_KEEP") == "1" {
			keepOnFailure()
			return
		}
		if cleaned {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		r := h.run(ctx, h.p("dev", "cleanup", "--prune", "--yes")...)
		if r.code != 0 {
			t.Logf("cleanup after the test: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})

	// 2. Every service healthy.
	h.step("2 dev start", func() {
		h.must(40*time.Minute, h.p("dev", "start", "--wait", "30m")...)
		h.requireHealthy()
	})

	c, err := readCreds(credsFile)
	if err != nil {
		t.Fatalf("read the project's credentials: %v", err)
	}
	h.step("2b no secret in docker inspect", func() {
		h.checkNoSecretInInspect(credsFile)
		h.checkJupyterToken(ports.Jupyter, c.JupyterToken)
	})
	af := &airflow{base: airflowURL, user: c.AirflowAdminUser, pass: c.AirflowAdminPassword}
	experiment := h.name + "-example"
	var firstRunID string

	// 3. The example DAG in dev mode: Airflow says success, MLflow has the
	// run with its metrics, the S3 store holds data and artifacts.
	h.step("3 trigger in dev", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
		defer cancel()
		if err := af.waitDag(ctx, dag, time.Time{}); err != nil {
			t.Fatalf("Airflow: %v", err)
		}
		h.must(25*time.Minute, h.p("dags", "trigger", dag, "--unpause", "--wait", "--timeout", "20m")...)
		run := h.checkDagRun(ctx, af, dag, "")
		firstRunID = h.checkMLflowRun(ctx, af, mlflowURL, experiment, dag, run)

		data, err := s3List(ctx, s3URL, c.S3AccessKey, c.S3SecretKey, h.name+"-data", "example-pipeline/")
		if err != nil {
			t.Fatalf("list the data bucket: %v", err)
		}
		for _, want := range []string{"example-pipeline/train.csv", "example-pipeline/test.csv"} {
			if !contains(data, want) {
				t.Errorf("s3://%s-data holds %v, not %s", h.name, data, want)
			}
		}
		arts, err := s3List(ctx, s3URL, c.S3AccessKey, c.S3SecretKey, "mlflow", "")
		if err != nil {
			t.Fatalf("list the mlflow bucket: %v", err)
		}
		if !hasSuffix(arts, "/MLmodel") {
			t.Errorf("s3://mlflow holds no logged model (no MLmodel file) among %d objects: %v", len(arts), firstN(arts, 20))
		}
		t.Logf("s3://mlflow holds %d objects; s3://%s-data holds %v", len(arts), h.name, data)
		// Airflow imported the DAG and the package from the mounted project:
		// no bytecode cache may land in it.
		_ = filepath.WalkDir(h.project, func(path string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() && d.Name() == "__pycache__" {
				t.Errorf("the stack wrote %s into the project", path)
			}
			return nil
		})
	})

	// 4. The dashboard against the live stack, in mode dev: the overview,
	// the MLflow panel, the DAG's grid, its runs and tasks, and the logs.
	h.step("4 dashboard", func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		run, err := af.latestRun(ctx, dag)
		if err != nil {
			t.Fatalf("Airflow: %v", err)
		}
		tis, err := af.taskInstances(ctx, dag, run.RunID)
		if err != nil {
			t.Fatalf("Airflow: %v", err)
		}
		var tasks []string
		for _, ti := range tis {
			tasks = append(tasks, ti.TaskID)
		}
		logged, err := mlflowGetRun(ctx, mlflowURL, firstRunID)
		if err != nil {
			t.Fatalf("MLflow: %v", err)
		}
		accuracy, ok := logged.metric("test_accuracy")
		if !ok {
			t.Fatalf("MLflow: run %s has no test_accuracy", firstRunID)
		}
		h.checkDashboard(dashboardWant{dag: dag, run: run.RunID, tasks: tasks,
			experiment: experiment, mlRun: logged.Info.RunName, accuracy: accuracy})
	})

	// 5. Task images: the same DAG with each task in a container.
	h.step("5 dockerize and dev_docker", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
		defer cancel()
		h.must(25*time.Minute, h.p("dev", "dockerize")...)
		h.must(10*time.Minute, h.p("mode", "set", "dev_docker")...)
		h.requireHealthy()
		if err := af.waitDag(ctx, dag, h.dagProcessorStarted()); err != nil {
			t.Fatalf("Airflow: %v", err)
		}
		h.must(25*time.Minute, h.p("dags", "trigger", dag, "--wait", "--timeout", "20m")...)
		run := h.checkDagRun(ctx, af, dag, "Docker")
		id := h.checkMLflowRun(ctx, af, mlflowURL, experiment, dag, run)
		if id == firstRunID {
			t.Errorf("the dev_docker run logged into the dev run's MLflow run %s", id)
		}
		// Airflow was recreated for dev_docker; its task containers read the
		// S3 keys from a mounted file.
		h.checkNoSecretInInspect(credsFile)
	})

	// 6. Data survives a stop and a start.
	h.step("6 stop and start", func() {
		h.must(10*time.Minute, h.p("dev", "stop")...)
		h.must(40*time.Minute, h.p("dev", "start", "--wait", "30m")...)
		h.requireHealthy()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		run, err := mlflowGetRun(ctx, mlflowURL, firstRunID)
		if err != nil {
			t.Fatalf("MLflow lost the run of step 3 (%s) across stop and start: %v", firstRunID, err)
		}
		if _, ok := run.metric("test_accuracy"); !ok {
			t.Errorf("MLflow run %s lost its metrics across stop and start: %+v", firstRunID, run.Data.Metrics)
		}
	})

	// 6p. prod_local: the tasks as pods on the real node (e2e/k8snode), which
	// .ci/run starts; without GAIAFLOW_REALNODE=1 the step is left out.
	h.step("6p prod_local on the real node", func() {
		if os.Getenv("GAIAFLOW_REALNODE") != "1" {
			t.Log("GAIAFLOW_REALNODE is not 1: prod_local on the real node is left out (.ci/run sets it)")
			return
		}
		h.prodLocalOnRealNode(af, stackRefs{creds: c, mlflowURL: mlflowURL, s3URL: s3URL, experiment: experiment, dag: dag})
	})

	// 7. Cleanup leaves nothing of the project behind.
	h.step("7 cleanup --prune", func() {
		h.must(10*time.Minute, h.p("dev", "cleanup", "--prune", "--yes")...)
		cleaned = true
		label := "label=io.gaiaflow.project=" + h.id
		for _, kind := range [][]string{
			{"ps", "-a", "-q", "--filter", label},
			{"volume", "ls", "-q", "--filter", label},
			{"network", "ls", "-q", "--filter", label},
			{"image", "ls", "-q", "--filter", label},
		} {
			if out := strings.TrimSpace(docker(t, kind...)); out != "" {
				t.Errorf("after cleanup --prune, docker %s still lists:\n%s", strings.Join(kind, " "), out)
			}
		}
	})
	t.Logf("scenario finished in %s", time.Since(h.start).Round(time.Second))
}

// requireHealthy fails unless `dev status -o json` shows every enabled
// service healthy.
func (h *harness) requireHealthy() {
	h.t.Helper()
	r := h.must(time.Minute, h.p("-o", "json", "dev", "status")...)
	var st struct {
		Services []struct {
			Name    string `json:"name"`
			Enabled bool   `json:"enabled"`
			State   string `json:"state"`
		} `json:"services"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		h.t.Fatalf("dev status -o json: %v\n%s", err, r.stdout)
	}
	seen := map[string]bool{}
	for _, s := range st.Services {
		if !s.Enabled {
			continue
		}
		seen[s.Name] = true
		if s.State != "healthy" {
			h.t.Errorf("service %s is %s, not healthy", s.Name, s.State)
		}
	}
	for _, want := range []string{"airflow", "mlflow", "minio", "jupyter"} {
		if !seen[want] {
			h.t.Errorf("dev status shows no enabled service %s", want)
		}
	}
	if h.t.Failed() {
		h.t.FailNow()
	}
}

// dagProcessorStarted is when the project's dag-processor container last
// started: a DAG parsed after it was parsed by that process, with the
// settings (the mode among them) it runs with. The database keeps a DAG as
// the last process parsed it, so right after `mode set` the API still shows
// the old mode's operators for a while (the tasks themselves run what their
// worker parses).
func (h *harness) dagProcessorStarted() time.Time {
	h.t.Helper()
	out := strings.TrimSpace(docker(h.t, "inspect", "-f", "{{.State.StartedAt}}", h.id+"-airflow-dag-processor"))
	at, err := time.Parse(time.RFC3339Nano, out)
	if err != nil {
		h.t.Fatalf("the dag-processor's start time %q: %v", out, err)
	}
	return at
}

// checkDagRun checks, through Airflow's REST API, that the DAG's newest run
// and each of its tasks succeeded (with operators whose name holds operator,
// when given). It returns the run's id.
func (h *harness) checkDagRun(ctx context.Context, af *airflow, dag, operator string) string {
	h.t.Helper()
	run, err := af.latestRun(ctx, dag)
	if err != nil {
		h.t.Fatalf("Airflow: %v", err)
	}
	if run.State != "success" {
		h.t.Fatalf("Airflow: run %s of %s is %s after trigger --wait exited 0", run.RunID, dag, run.State)
	}
	tis, err := af.taskInstances(ctx, dag, run.RunID)
	if err != nil {
		h.t.Fatalf("Airflow: %v", err)
	}
	if len(tis) != 3 {
		h.t.Errorf("run %s has %d task instances, want 3: %+v", run.RunID, len(tis), tis)
	}
	for _, ti := range tis {
		if ti.State != "success" {
			h.t.Errorf("task %s of run %s is %s", ti.TaskID, run.RunID, ti.State)
		}
		if operator != "" && !strings.Contains(ti.Operator, operator) {
			h.t.Errorf("task %s ran with operator %q, want a %s operator", ti.TaskID, ti.Operator, operator)
		}
	}
	h.t.Logf("Airflow: run %s of %s succeeded: %+v", run.RunID, dag, tis)
	return run.RunID
}

// checkMLflowRun checks the FromTask chain through what each task left in
// MLflow: train logged a run with its parameters (among them the train_uri
// preprocess returned) and training metric, and evaluate, given the run id
// and the model through FromTask, logged its test scores into that same run,
// equal to what it returned. It returns the MLflow run id.
func (h *harness) checkMLflowRun(ctx context.Context, af *airflow, mlflowURL, experiment, dag, run string) string {
	h.t.Helper()
	return h.checkMLflowResults(ctx, func(task string) (string, error) { return af.xcom(ctx, dag, run, task) }, mlflowURL, experiment)
}

// checkMLflowResults is checkMLflowRun with the tasks' results (XCom
// return values, as JSON) read by xcom.
func (h *harness) checkMLflowResults(ctx context.Context, xcom func(task string) (string, error), mlflowURL, experiment string) string {
	h.t.Helper()
	trainOut, err := xcom("pipeline.train")
	if err != nil {
		h.t.Fatalf("Airflow: the train task's result: %v", err)
	}
	var train struct {
		RunID    string `json:"run_id"`
		ModelURI string `json:"model_uri"`
	}
	if err := json.Unmarshal([]byte(unquoteJSON(trainOut)), &train); err != nil || train.RunID == "" {
		h.t.Fatalf("Airflow: the train task returned %s (%v); want run_id and model_uri", trainOut, err)
	}
	evalOut, err := xcom("pipeline.evaluate")
	if err != nil {
		h.t.Fatalf("Airflow: the evaluate task's result: %v", err)
	}
	var scores struct {
		Accuracy *float64 `json:"accuracy"`
		F1       *float64 `json:"f1_macro"`
	}
	if err := json.Unmarshal([]byte(unquoteJSON(evalOut)), &scores); err != nil || scores.Accuracy == nil || scores.F1 == nil {
		h.t.Fatalf("Airflow: the evaluate task returned %s (%v); want accuracy and f1_macro", evalOut, err)
	}

	runs, err := mlflowRuns(ctx, mlflowURL, experiment)
	if err != nil {
		h.t.Fatalf("MLflow: %v", err)
	}
	var found *mlflowRun
	for i := range runs {
		if runs[i].Info.RunID == train.RunID {
			found = &runs[i]
		}
	}
	if found == nil {
		h.t.Fatalf("MLflow: experiment %s has %d runs, none is %s, the run train returned", experiment, len(runs), train.RunID)
	}
	if found.Info.Status != "FINISHED" {
		h.t.Errorf("MLflow: run %s is %s", train.RunID, found.Info.Status)
	}
	// train logs the train_uri it got from preprocess through FromTask.
	prepOut, err := xcom("pipeline.preprocess")
	if err != nil {
		h.t.Fatalf("Airflow: the preprocess task's result: %v", err)
	}
	var prep struct {
		TrainURI string `json:"train_uri"`
		TestURI  string `json:"test_uri"`
	}
	if err := json.Unmarshal([]byte(unquoteJSON(prepOut)), &prep); err != nil || prep.TrainURI == "" || prep.TestURI == "" {
		h.t.Fatalf("Airflow: the preprocess task returned %s (%v); want train_uri and test_uri", prepOut, err)
	}
	if got := found.param("train_uri"); got != prep.TrainURI {
		h.t.Errorf("FromTask: train received train_uri %q, preprocess returned %q", got, prep.TrainURI)
	}
	if found.param("model") != "logistic_regression" {
		h.t.Errorf("MLflow: run %s lacks train's params: %+v", train.RunID, found.Data.Params)
	}
	if v, ok := found.metric("train_accuracy"); !ok || v <= 0 || v > 1 {
		h.t.Errorf("MLflow: run %s train_accuracy = %v (present %v)", train.RunID, v, ok)
	}
	// evaluate logs into the run it received through FromTask: its scores
	// there prove the run id and the model URI arrived intact.
	if v, ok := found.metric("test_accuracy"); !ok || v != *scores.Accuracy {
		h.t.Errorf("MLflow: run %s test_accuracy = %v (present %v), evaluate returned %v", train.RunID, v, ok, *scores.Accuracy)
	}
	if v, ok := found.metric("test_f1_macro"); !ok || v != *scores.F1 {
		h.t.Errorf("MLflow: run %s test_f1_macro = %v (present %v), evaluate returned %v", train.RunID, v, ok, *scores.F1)
	}
	h.t.Logf("MLflow: run %s of %s: metrics %+v", train.RunID, experiment, found.Data.Metrics)
	return train.RunID
}

// unquoteJSON turns an XCom value that is a JSON string holding JSON into
// that JSON; any other value is returned as it is.
func unquoteJSON(v string) string {
	var s string
	if json.Unmarshal([]byte(v), &s) == nil {
		return s
	}
	return v
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func hasSuffix(list []string, suffix string) bool {
	for _, x := range list {
		if strings.HasSuffix(x, suffix) {
			return true
		}
	}
	return false
}

func firstN(list []string, n int) []string {
	if len(list) > n {
		return list[:n]
	}
	return list
}
