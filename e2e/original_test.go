package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/e2e/kit"
	"github.com/gaiaflow/gaiaflow/scaffold/originaltest"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// Names in the original template's DAG and in the probe DAG this test adds.
const (
	originalDAG  = "change_your_dag_name_here_create_task_dag"
	originalFile = "dags/change_me_task_factory_dag.py"
	probeDAG     = "gaiaflow_e2e_probe"
	// jupyterUID owns the project whose JupyterLab the test checks: no user
	// of the Jupyter image has it.
	jupyterUID = 4321
)

// probeDAGFile is the user's own DAG beside the template's: with no mode=,
// it follows the project's, and its tasks report (through XCom) what the
// project's .env and data/ look like from a task.
const probeDAGFile = `from datetime import datetime

from airflow import DAG
from gaiaflow.core.create_task import create_task

with DAG("gaiaflow_e2e_probe", schedule=None, start_date=datetime(2025, 1, 1), catchup=False,
         description="what a task sees of .env and data/", tags=["probe"]) as dag:
    create_task(task_id="dotenv", func_path="os:getenv", func_args=["J_MLFLOW_TRACKING_URI"], dag=dag)
    create_task(task_id="data_relative", func_path="os.path:isfile", func_args=["data/add_your_data_here"], dag=dag)
    create_task(task_id="data_original", func_path="os.path:isfile",
                func_args=["/opt/airflow/data/add_your_data_here"], dag=dag)
`

// TestE2EOriginalTemplateProjects takes projects the original tool's
// template made (conda and pixi, with and without its examples) through
// `gaiaflow init --adopt`, then runs the template's own DAG on a real stack
// of the image kit's images, in dev and then in dev_docker, with their conda
// and pixi dependencies installed from PyPI ([build] conda_source = "pypi").
// As the original's docs teach, moving to dev_docker means editing the
// DAG's MODE and image; until the stack is in dev_docker that DAG fails to
// import, saying why (gaiaflow dags errors). Afterwards every file of the
// project is as it was, but for the new gaiaflow.toml and that edit.
// JupyterLab is checked on one project, owned by a uid no image user has.
//
// GAIAFLOW_E2E_ORIGINAL names the variants to run (comma-separated, as
// originaltest names them, or "all"); the default, for CI's time budget,
// runs conda-no-examples (with the JupyterLab checks) and pixi-no-examples,
// which between them cover both environment managers and both package
// layouts (top level and src/); pixi's manifest brings TensorFlow along.
// The examples' variants add TensorFlow to conda's and import it in every
// task (see e2e/README.md for the times).
func TestE2EOriginalTemplateProjects(t *testing.T) {
	h, keepOnFailure := newHarness(t, "my-package", originaltest.Package)
	want := os.Getenv("GAIAFLOW_E2E_ORIGINAL")
	if want == "" {
		want = "conda-no-examples,pixi-no-examples"
	}
	var variants []originaltest.Variant
	for _, v := range originaltest.Variants {
		if want == "all" || slices.Contains(strings.Split(want, ","), v.String()) {
			variants = append(variants, v)
		}
	}
	if len(variants) == 0 {
		t.Fatalf("GAIAFLOW_E2E_ORIGINAL=%q names no variant of %v", want, originaltest.Variants)
	}

	// Every project's stack and images go at the end: the builds of later
	// projects reuse the layers of earlier ones with the same dependencies.
	var projects []*harness
	t.Cleanup(func() {
		if t.Failed() && os.Getenv("GAIAFLOW_E2E_KEEP") == "1" {
			keepOnFailure()
			return
		}
		for _, p := range projects {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			r := p.run(ctx, p.p("dev", "cleanup", "--prune", "--yes")...)
			cancel()
			if r.code != 0 {
				t.Logf("cleanup of %s: exit %d\n%s%s", p.project, r.code, r.stdout, r.stderr)
			}
		}
	})
	for i, v := range variants {
		p := *h
		p.project = filepath.Join(h.work, v.String(), originaltest.Package)
		p.id = project.ID(h.name, p.project)
		projects = append(projects, &p)
		ok := t.Run(v.String(), func(t *testing.T) {
			p.t = t
			p.runOriginal(v, i == 0)
		})
		if !ok {
			break
		}
	}
	t.Logf("%d projects of the original template in %s", len(variants), time.Since(h.start).Round(time.Second))
}

// runOriginal is one project's run; withJupyter also checks JupyterLab.
func (h *harness) runOriginal(v originaltest.Variant, withJupyter bool) {
	t := h.t
	begin := time.Now()
	defer func() { t.Logf("%s took %s", v, time.Since(begin).Round(time.Second)) }()
	t.Cleanup(func() {
		if t.Failed() {
			h.dumpFailure()
		}
	})
	ports, err := kit.FreePorts()
	if err != nil {
		t.Fatal(err)
	}
	services := []string{"airflow"}
	if withJupyter {
		services = append(services, "jupyter")
	}
	var before map[string]string

	h.step(v.String()+" adopt", func() {
		originaltest.Render(t, h.project, v)
		if err := os.WriteFile(filepath.Join(h.project, "dags", "gaiaflow_e2e_probe.py"), []byte(probeDAGFile), 0o644); err != nil {
			t.Fatal(err)
		}
		if withJupyter {
			chownTree(t, h.project, jupyterUID)
		}
		before = originaltest.Snapshot(t, h.project)
		r := h.must(time.Minute, "--no-tui", "init", "--adopt", h.project)
		if !strings.Contains(r.stdout, "Wrote gaiaflow.toml") {
			t.Errorf("adopt said:\n%s", r.stdout)
		}
		settings := kit.Settings(h.kit, ports)
		settings["build"]["conda_source"] = kit.Quote(project.CondaPyPI)
		if err := kit.Configure(filepath.Join(h.project, project.FileName), settings); err != nil {
			t.Fatal(err)
		}
	})

	start := []string{"dev", "start", "--wait", "30m"}
	for _, s := range services {
		start = append(start, "-s", s)
	}
	h.step(v.String()+" dev start", func() {
		r := h.must(40*time.Minute, h.p(start...)...)
		// What the stack provides and git (no PyPI counterpart) are said once.
		if n := strings.Count(r.stderr+r.stdout, "as the stack provides them"); n != 1 {
			t.Errorf("the packages the stack provides were reported %d times:\n%s", n, tail(r.stderr, 40))
		}
		h.requireServicesHealthy(services)
	})
	af := h.airflowClient(ports)

	h.step(v.String()+" dev", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		for _, dag := range []string{originalDAG, probeDAG} {
			if err := af.waitDag(ctx, dag, time.Time{}); err != nil {
				t.Fatalf("Airflow: %v", err)
			}
			h.must(15*time.Minute, h.p("dags", "trigger", dag, "--unpause", "--wait", "--timeout", "10m")...)
		}
		h.checkOriginalRun(ctx, af, "Python")
		h.checkProbeRun(ctx, af, "Python")
	})

	if withJupyter {
		h.step(v.String()+" jupyter", func() { h.checkJupyter(ports) })
	}

	image := "my-package-task:v1"
	h.step(v.String()+" dev_docker", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		defer cancel()
		h.must(30*time.Minute, h.p("dev", "dockerize", "-i", image)...)
		// The original's docs: set MODE to dev_docker and name the image.
		editDAG(t, h.project, image)
		// On the dev stack the pinned dev_docker fails at parse time, saying why.
		h.waitImportError(ctx, af, "gaiaflow mode set dev_docker")
		h.must(15*time.Minute, h.p("mode", "set", "dev_docker")...)
		h.requireServicesHealthy(services)
		if err := af.waitNoImportErrors(ctx); err != nil {
			t.Fatalf("Airflow: %v", err)
		}
		parser := h.dagProcessorStarted()
		for _, dag := range []string{originalDAG, probeDAG} {
			if err := af.waitDag(ctx, dag, parser); err != nil {
				t.Fatalf("Airflow: %v", err)
			}
		}
		for _, dag := range []string{originalDAG, probeDAG} {
			h.must(15*time.Minute, h.p("dags", "trigger", dag, "--wait", "--timeout", "10m")...)
		}
		h.checkOriginalRun(ctx, af, "Docker")
		h.checkProbeRun(ctx, af, "Docker")
	})

	h.step(v.String()+" stop and compare", func() {
		h.must(10*time.Minute, h.p("dev", "stop")...)
		after := originaltest.Snapshot(t, h.project)
		edited := before[originalFile]
		before[originalFile] = editedDAG(edited, image)
		diff := originaltest.Diff(before, after)
		if !slices.Equal(diff, []string{"added " + project.FileName}) {
			t.Errorf("the project changed beyond gaiaflow.toml and the DAG edit: %v", diff)
		}
	})
}

// editedDAG is the template's DAG as a user edits it for dev_docker.
func editedDAG(src, image string) string {
	src = strings.Replace(src, `MODE = "dev"`, `MODE = "dev_docker"`, 1)
	return strings.ReplaceAll(src, `image="<your-image-name>"`, `image="`+image+`"`)
}

func editDAG(t *testing.T, dir, image string) {
	t.Helper()
	path := filepath.Join(dir, originalFile)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(editedDAG(string(src), image)), st.Mode().Perm()); err != nil {
		t.Fatal(err)
	}
}

// chownTree gives the project to uid (and the group of the same number),
// as a project of a user without a counterpart in any image.
func chownTree(t *testing.T, dir string, uid int) {
	t.Helper()
	err := filepath.Walk(dir, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, uid)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (h *harness) airflowClient(ports kit.Ports) *airflow {
	h.t.Helper()
	c, err := readCreds(h.credentialsFile())
	if err != nil {
		h.t.Fatalf("read the project's credentials: %v", err)
	}
	return &airflow{base: fmt.Sprintf("http://127.0.0.1:%d", ports.Airflow), user: c.AirflowAdminUser, pass: c.AirflowAdminPassword}
}

// requireServicesHealthy fails unless `dev status -o json` shows each of
// services healthy.
func (h *harness) requireServicesHealthy(services []string) {
	h.t.Helper()
	r := h.must(time.Minute, h.p("-o", "json", "dev", "status")...)
	var st struct {
		Services []struct {
			Name  string `json:"name"`
			State string `json:"state"`
		} `json:"services"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		h.t.Fatalf("dev status -o json: %v\n%s", err, r.stdout)
	}
	for _, s := range st.Services {
		if slices.Contains(services, s.Name) && s.State != "healthy" {
			h.t.Fatalf("service %s is %s, not healthy", s.Name, s.State)
		}
	}
}

// checkOriginalRun checks the template DAG's newest run: both tasks
// succeeded with the mode's operator, and train's result came through the
// FromTask values preprocess returned.
func (h *harness) checkOriginalRun(ctx context.Context, af *airflow, operator string) {
	t := h.t
	run, err := af.latestRun(ctx, originalDAG)
	if err != nil || run.State != "success" {
		t.Fatalf("Airflow: newest run of %s: %+v %v", originalDAG, run, err)
	}
	tis, err := af.taskInstances(ctx, originalDAG, run.RunID)
	if err != nil || len(tis) != 2 {
		t.Fatalf("Airflow: task instances %+v %v", tis, err)
	}
	for _, ti := range tis {
		if ti.State != "success" || !strings.Contains(ti.Operator, operator) {
			t.Errorf("task %s: %s with %s, want success with a %s operator", ti.TaskID, ti.State, ti.Operator, operator)
		}
	}
	out, err := af.xcom(ctx, originalDAG, run.RunID, "change_group_id.train")
	var train struct {
		ModelURI string `json:"model_uri"`
	}
	if err != nil || json.Unmarshal([]byte(unquoteJSON(out)), &train) != nil || train.ModelURI != "path-to-best-model" {
		t.Errorf("train returned %s (%v)", out, err)
	}
	t.Logf("%s: run %s succeeded with %s operators", originalDAG, run.RunID, operator)
}

// checkProbeRun checks what the probe DAG's tasks saw: the project's .env
// (a variable the stack does not set) and data/ at the original's path and
// relative to the task's working directory.
func (h *harness) checkProbeRun(ctx context.Context, af *airflow, operator string) {
	t := h.t
	run, err := af.latestRun(ctx, probeDAG)
	if err != nil || run.State != "success" {
		t.Fatalf("Airflow: newest run of %s: %+v %v", probeDAG, run, err)
	}
	for task, want := range map[string]string{"dotenv": "http://localhost:5000", "data_relative": "true", "data_original": "true"} {
		out, err := af.xcom(ctx, probeDAG, run.RunID, task)
		if err != nil || unquoteJSON(out) != want {
			t.Errorf("%s in %s: the task returned %s (%v), want %s", task, operator, out, err, want)
		}
	}
}

// waitImportError waits until the template's DAG file fails to import
// because it pins a mode the stack is not set up for, and checks that
// `gaiaflow dags errors` shows the error with its fix.
func (h *harness) waitImportError(ctx context.Context, af *airflow, fix string) {
	t := h.t
	begin := time.Now()
	for {
		var ie struct {
			Errors []struct {
				Filename   string `json:"filename"`
				StackTrace string `json:"stack_trace"`
			} `json:"import_errors"`
		}
		if err := af.get(ctx, "/api/v2/importErrors", &ie); err == nil {
			for _, e := range ie.Errors {
				if strings.HasSuffix(e.Filename, "change_me_task_factory_dag.py") && strings.Contains(e.StackTrace, fix) {
					t.Logf("the pinned dev_docker showed as an import error after %s", time.Since(begin).Round(time.Second))
					r := h.must(time.Minute, h.p("dags", "errors")...)
					for _, want := range []string{"change_me_task_factory_dag.py", "pins mode='dev_docker'", "runs in mode 'dev'", fix} {
						if !strings.Contains(r.stdout, want) {
							t.Errorf("gaiaflow dags errors lacks %q:\n%s", want, r.stdout)
						}
					}
					return
				}
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no import error for the DAG that pins dev_docker on a dev stack after %s", time.Since(begin).Round(time.Second))
		case <-time.After(time.Second):
		}
	}
}

// waitNoImportErrors waits until Airflow reports no DAG file failing.
func (a *airflow) waitNoImportErrors(ctx context.Context) error {
	for {
		var ie struct {
			Total int `json:"total_entries"`
		}
		err := a.get(ctx, "/api/v2/importErrors", &ie)
		if err == nil && ie.Total == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("DAG files still fail to import (%d, %v): %w", ie.Total, err, ctx.Err())
		case <-time.After(time.Second):
		}
	}
}

// checkJupyter checks JupyterLab against the original template's needs:
// the kernel notebooks use imports the project's conda dependencies and
// package and keeps the stack's S3 keys after load_dotenv(), the
// notebooks' J_ variables point at the stack, and a notebook
// saved through JupyterLab lands in the project, owned by its owner.
func (h *harness) checkJupyter(ports kit.Ports) {
	t := h.t
	ctr := strings.TrimSpace(docker(t, "ps", "-q", "--filter", "label=io.gaiaflow.project="+h.id, "--filter", "label=io.gaiaflow.component=jupyter"))
	if ctr == "" {
		t.Fatal("no JupyterLab container")
	}
	kernel := `import json, os, subprocess, sys
spec = json.load(open(os.path.expanduser("~/.local/share/jupyter/kernels/python3/kernel.json")))
env = dict(os.environ, **spec["env"])
# The project's .env names keys of its own: the kernel keeps the stack's (from its file).
code = """import configparser, os, dotenv, mlflow, psycopg2, typer, my_package
dotenv.load_dotenv("/home/jovyan/work/.env")
stack = configparser.ConfigParser(interpolation=None)
stack.read(os.environ["AWS_SHARED_CREDENTIALS_FILE"])
assert os.environ.get("AWS_ACCESS_KEY_ID") == stack.get("default", "aws_access_key_id"), "the kernel's S3 key is not the stack's"
print('kernel ok')"""
sys.exit(subprocess.run([spec["argv"][0], "-c", code], env=env).returncode)
`
	if out := docker(t, "exec", ctr, "python3", "-c", kernel); !strings.Contains(out, "kernel ok") {
		t.Errorf("the kernel's environment: %s", out)
	}
	env := docker(t, "exec", ctr, "env")
	for _, want := range []string{"J_MLFLOW_TRACKING_URI=http://mlflow:5000", "J_MLFLOW_S3_ENDPOINT_URL=http://minio:9000"} {
		if !strings.Contains(env, want+"\n") {
			t.Errorf("JupyterLab's environment lacks %s", want)
		}
	}
	c, err := readCreds(h.credentialsFile())
	if err != nil {
		t.Fatal(err)
	}
	u := fmt.Sprintf("http://127.0.0.1:%d/api/contents/notebooks/gaiaflow-e2e.ipynb", ports.Jupyter)
	body := strings.NewReader(`{"type": "notebook", "format": "json", "content": {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}}`)
	req, _ := http.NewRequest(http.MethodPut, u, body)
	req.Header.Set("Authorization", "token "+c.JupyterToken)
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	saved := filepath.Join(h.project, "notebooks", "gaiaflow-e2e.ipynb")
	st, statErr := os.Stat(saved)
	if resp.StatusCode != http.StatusCreated || statErr != nil {
		t.Fatalf("saving a notebook: HTTP %d, %v", resp.StatusCode, statErr)
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); !ok || sys.Uid != jupyterUID {
		t.Errorf("the saved notebook is not the project owner's (uid %d): %+v", jupyterUID, st.Sys())
	}
	// The test saved it (and JupyterLab its checkpoint): they are not part
	// of the comparison afterwards.
	for _, p := range []string{saved, filepath.Join(h.project, "notebooks", ".ipynb_checkpoints")} {
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
	}
}
