package fake

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/backendtest"
)

func TestFakeKeepsTheBackendContract(t *testing.T) {
	backendtest.Contract(t, New(Options{LogEvery: 1}))
	backendtest.Contract(t, New(Options{DockerDown: true}))
}

func TestFromEnv(t *testing.T) {
	o := FromEnv("1,noisy,fast,dockerdown,airflowdown,noproject,follow,healthy")
	if !o.Noisy || o.StepDelay != 0 || !o.DockerDown || !o.AirflowDown || !o.NoProject || o.LogEvery == 0 || !o.Healthy {
		t.Errorf("FromEnv = %+v", o)
	}
	if FromEnv("1").StepDelay == 0 {
		t.Error("the default fake has no visible progress")
	}
}

// TestFakeBuildAndClusterActions: the fake's checklists follow its build
// and cluster actions as the real ones follow the real commands, each
// missing item with the remedy the adapter would give it.
func TestFakeBuildAndClusterActions(t *testing.T) {
	ctx := context.Background()
	b := New(Options{})
	check := func(mode, id string) tui.Check {
		t.Helper()
		s, _ := b.Snapshot(ctx)
		for _, ms := range s.Modes {
			for _, c := range ms.Checks {
				if ms.Mode == mode && c.ID == id {
					return c
				}
			}
		}
		t.Fatalf("no check %s in %s", id, mode)
		return tui.Check{}
	}
	if c := check("dev_docker", modes.IDTaskImage); c.OK || c.Remedy != (tui.Remedy{Verb: tui.VerbBuildImage}) || c.Fix == "" {
		t.Errorf("before the build: %+v", c)
	}
	if err := b.Do(ctx, tui.Action{Verb: tui.VerbSetMode, Target: "dev_docker"}, event.Discard); err == nil || !strings.Contains(err.Error(), "dev_docker is not ready") {
		t.Errorf("set-mode to a mode that is not ready: %v", err)
	}
	var rec event.Recorder
	if err := b.Do(ctx, tui.Action{Verb: tui.VerbBuildImage, Target: "dev_docker"}, &rec); err != nil || len(rec.Events()) == 0 {
		t.Fatalf("build: %v, %d events", err, len(rec.Events()))
	}
	if c := check("dev_docker", modes.IDTaskImage); !c.OK {
		t.Errorf("after the build: %+v", c)
	}
	if c := check("prod_local", modes.IDClusterImage); c.Remedy.Verb != tui.VerbStartCluster {
		t.Errorf("the cluster's image while it is down: %+v", c)
	}
	if err := b.Do(ctx, tui.Action{Verb: tui.VerbBuildImage, Target: "prod_local"}, event.Discard); err == nil || !strings.Contains(err.Error(), "not running") {
		t.Errorf("build for a cluster that is down: %v", err)
	}
	if err := b.Do(ctx, tui.Action{Verb: tui.VerbStartCluster}, event.Discard); err != nil {
		t.Fatal(err)
	}
	if c := check("prod_local", modes.IDCluster); !c.OK {
		t.Errorf("after start: %+v", c)
	}
	if c := check("prod_local", modes.IDClusterImage); c.OK || c.Remedy.Verb != tui.VerbBuildImage {
		t.Errorf("the cluster's image once it runs: %+v", c)
	}
	if c := check("prod_local", modes.SecretID("mlflow-creds")); c.Remedy.Wizard != tui.WizardSecret {
		t.Errorf("the secret once the cluster runs: %+v", c)
	}
	if err := b.Do(ctx, tui.Action{Verb: tui.VerbBuildImage, Target: "prod_local"}, event.Discard); err != nil {
		t.Fatal(err)
	}
	if c := check("prod_local", modes.IDClusterImage); !c.OK {
		t.Errorf("after the build into the cluster: %+v", c)
	}
	if err := b.Do(ctx, tui.Action{Verb: tui.VerbDeleteCluster}, event.Discard); err != nil {
		t.Fatal(err)
	}
	if c := check("prod_local", modes.IDCluster); c.OK {
		t.Errorf("after delete: %+v", c)
	}
	if err := b.Do(ctx, tui.Action{Verb: tui.VerbStartCluster}, event.Discard); err != nil {
		t.Fatal(err)
	}
	if c := check("prod_local", modes.IDClusterImage); c.OK {
		t.Errorf("the image outlived the deleted cluster: %+v", c)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.Do(cctx, tui.Action{Verb: tui.VerbDeleteCluster}, event.Discard); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled delete: %v", err)
	}
}
