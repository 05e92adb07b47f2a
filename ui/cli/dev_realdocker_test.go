package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/stack"
	"github.com/gaiaflow/gaiaflow/services/stack/stacktest"
	"github.com/gaiaflow/gaiaflow/services/testenv"
)

// runIn executes gaiaflow in dir with a fixed state directory, so that
// several commands act on one project as a person's would.
func runIn(t *testing.T, dir, state string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := NewApp(strings.NewReader(""), &out, &errb)
	a.Cwd = dir
	env := map[string]string{"XDG_STATE_HOME": state}
	a.Getenv = func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	a.IsTerminal = func(any) bool { return false }
	r := result{code: a.Run(args)}
	r.out, r.err = out.String(), errb.String()
	return r
}

// TestRealDockerDevCommands drives the dev commands end to end on the real
// engine, every image overridden by a stand-in: start brings every service
// to healthy, status -o json says so, logs print, mode set recreates a
// running Airflow, stop keeps the containers, cleanup refuses to act
// headless without --yes and with --prune --yes leaves nothing labelled.
func TestRealDockerDevCommands(t *testing.T) {
	testenv.RequireDocker(t)
	c, err := docker.New(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	img := stacktest.Image(t, c, nil)
	dir, state := stacktest.Project(t, "gfcli", img, ""), t.TempDir()
	t.Setenv("XDG_STATE_HOME", state) // project.State reads it
	var id string
	t.Cleanup(func() {
		if id == "" {
			return
		}
		ctx := context.Background()
		cs, _ := c.ListContainers(ctx, stack.ProjectLabels(id))
		for _, ctr := range cs {
			_ = c.RemoveContainer(ctx, ctr.ID)
		}
		_ = c.RemoveNetwork(ctx, stack.NetworkName(id))
		vs, _ := c.ListVolumes(ctx, stack.ProjectLabels(id))
		for _, v := range vs {
			_ = c.RemoveVolume(ctx, v.Name)
		}
	})

	r := runIn(t, dir, state, "dev", "start", "--wait", "2m")
	if r.code != 0 {
		t.Fatalf("dev start: exit %d\n%s\n%s", r.code, r.out, r.err)
	}
	if !strings.Contains(r.out, "airflow-scheduler     healthy") || !strings.Contains(r.out, "the stack is ready") {
		t.Errorf("dev start output:\n%s", r.out)
	}

	r = runIn(t, dir, state, "dev", "status", "-o", "json")
	var v stack.StatusView
	if err := json.Unmarshal([]byte(r.out), &v); err != nil || r.code != 0 {
		t.Fatalf("dev status -o json: exit %d, %v\n%s", r.code, err, r.out)
	}
	id = v.ID
	if !v.Healthy() {
		t.Errorf("not healthy: %s", r.out)
	}
	if strings.Contains(r.out, "credentials\": {") {
		t.Error("status prints credentials")
	}

	r = runIn(t, dir, state, "dev", "logs", "airflow", "--tail", "3")
	if r.code != 0 || !strings.Contains(r.out, "airflow-scheduler     | standin scheduler") {
		t.Errorf("dev logs airflow: exit %d\n%s%s", r.code, r.out, r.err)
	}

	airflowIDs := func() map[string]string {
		cs, _ := c.ListContainers(context.Background(), map[string]string{stack.LabelProject: id, stack.LabelService: "airflow"})
		m := map[string]string{}
		for _, ctr := range cs {
			m[ctr.Labels[stack.LabelComponent]] = ctr.ID
		}
		return m
	}
	before := airflowIDs()
	r = runIn(t, dir, state, "mode", "set", "dev_docker")
	if r.code != 1 || !strings.Contains(r.err, "dev_docker is not ready") {
		t.Errorf("mode set dev_docker without a task image: exit %d\n%s", r.code, r.err)
	}
	r = runIn(t, dir, state, "mode", "set", "dev_docker", "--force")
	if r.code != 0 || !strings.Contains(r.out, "Airflow was recreated with GAIAFLOW_MODE=dev_docker") {
		t.Fatalf("mode set --force: exit %d\n%s\n%s", r.code, r.out, r.err)
	}
	after := airflowIDs()
	for comp, old := range before {
		recreated := after[comp] != old
		if want := comp != "postgres-airflow" && comp != "airflow-init"; recreated != want {
			t.Errorf("%s recreated = %v, want %v", comp, recreated, want)
		}
	}

	r = runIn(t, dir, state, "dev", "stop")
	if r.code != 0 {
		t.Fatalf("dev stop: exit %d\n%s", r.code, r.err)
	}
	r = runIn(t, dir, state, "dev", "status")
	if !strings.Contains(r.out, "airflow  stopped") {
		t.Errorf("status after stop:\n%s", r.out)
	}

	r = runIn(t, dir, state, "dev", "cleanup")
	if r.code != 2 || !strings.Contains(r.err, "hint: pass --yes") {
		t.Errorf("cleanup without --yes, headless: exit %d\n%s", r.code, r.err)
	}
	r = runIn(t, dir, state, "dev", "cleanup", "--prune", "--yes")
	if r.code != 0 {
		t.Fatalf("cleanup --prune --yes: exit %d\n%s", r.code, r.err)
	}
	ctx := context.Background()
	cs, _ := c.ListContainers(ctx, stack.ProjectLabels(id))
	ns, _ := c.ListNetworks(ctx, stack.ProjectLabels(id))
	vs, _ := c.ListVolumes(ctx, stack.ProjectLabels(id))
	if len(cs)+len(ns)+len(vs) != 0 {
		t.Errorf("left after cleanup: %d containers, %d networks, %d volumes", len(cs), len(ns), len(vs))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("files were written into the project: %v", entries)
	}
}
