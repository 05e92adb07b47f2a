package cli

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/stack"
	"github.com/gaiaflow/gaiaflow/services/stack/stacktest"
	"github.com/gaiaflow/gaiaflow/services/testenv"
	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/adapter"
)

// TestRealDockerDashboardBackend drives the dashboard's backend as
// runDashboard builds it, on the real engine with stand-in images: start-all
// brings every service to healthy, a mode that is not ready is refused as
// `mode set` refuses it, and switching to a ready mode recreates the running
// Airflow with it, as `mode set` does.
func TestRealDockerDashboardBackend(t *testing.T) {
	testenv.RequireDocker(t)
	c, err := docker.New(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// TestMain removes the stand-in images: removing them here would take
	// the base image from under the next test of this binary.
	img := stacktest.Image(t, c, nil)
	dir, state := stacktest.Project(t, "gfdash", img, `mode = "prod"`), t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	var out, errb bytes.Buffer
	a := NewApp(strings.NewReader(""), &out, &errb)
	a.Cwd = dir
	defer a.close()
	be := adapter.New(a.Core())
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	p, err := a.Core().Project()
	if err != nil {
		t.Fatal(err)
	}
	id := p.ID()
	t.Cleanup(func() {
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

	if err := be.Do(ctx, tui.Action{Verb: tui.VerbStartAll}, event.Discard); err != nil {
		t.Fatalf("start-all: %v", err)
	}
	healthy := func(when string) {
		t.Helper()
		s, err := be.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, svc := range s.Services {
			for _, ctr := range svc.Containers {
				if ctr.State != tui.StateHealthy && !(ctr.OneShot && ctr.ExitCode == 0) {
					t.Errorf("%s: %s/%s is %s", when, svc.Name, ctr.Name, ctr.State)
				}
			}
		}
	}
	healthy("after start-all")

	airflowIDs := func() map[string]string {
		cs, _ := c.ListContainers(context.Background(), map[string]string{stack.LabelProject: id, stack.LabelService: "airflow"})
		m := map[string]string{}
		for _, ctr := range cs {
			m[ctr.Labels[stack.LabelComponent]] = ctr.ID
		}
		return m
	}
	before := airflowIDs()
	err = be.Do(ctx, tui.Action{Verb: tui.VerbSetMode, Target: "dev_docker"}, event.Discard)
	if err == nil || !strings.Contains(err.Error(), "dev_docker is not ready") {
		t.Errorf("set-mode dev_docker without a task image: %v", err)
	}
	var rec event.Recorder
	if err := be.Do(ctx, tui.Action{Verb: tui.VerbSetMode, Target: "dev"}, &rec); err != nil {
		t.Fatalf("set-mode dev: %v", err)
	}
	ev := rec.Events()
	if len(ev) == 0 || !strings.Contains(ev[len(ev)-1].Message, "Airflow was recreated with GAIAFLOW_MODE=dev") {
		t.Errorf("set-mode dev reported %+v", ev)
	}
	after := airflowIDs()
	for comp, old := range before {
		recreated := after[comp] != old
		if want := comp != "postgres-airflow" && comp != "airflow-init"; recreated != want {
			t.Errorf("%s recreated = %v, want %v", comp, recreated, want)
		}
	}
	s, _ := be.Snapshot(ctx)
	if s.Mode != "dev" {
		t.Errorf("mode after the switch = %q", s.Mode)
	}
	healthy("after the switch")
	if err := be.Do(ctx, tui.Action{Verb: tui.VerbCleanup}, event.Discard); err != nil {
		t.Fatalf("cleanup: %v", err)
	}
	if cs, _ := c.ListContainers(ctx, stack.ProjectLabels(id)); len(cs) != 0 {
		t.Errorf("%d containers left after cleanup", len(cs))
	}
	if out.Len()+errb.Len() != 0 {
		t.Errorf("the backend printed:\n%s%s", out.String(), errb.String())
	}
}
