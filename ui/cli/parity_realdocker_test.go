package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/stack"
	"github.com/gaiaflow/gaiaflow/services/stack/stacktest"
	"github.com/gaiaflow/gaiaflow/services/testenv"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// Cleanup's scope, on the real engine: the dashboard's cleanup key removes
// exactly what `dev cleanup --prune` says it would remove (containers,
// network and volumes labelled with the project; the stand-in images are
// not the project's and stay), and `dev cleanup --prune --yes` removes the
// same from the same stack started again.
func TestRealDockerParityCleanupScope(t *testing.T) {
	testenv.RequireDocker(t)
	c, err := docker.New(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	img := stacktest.Image(t, c, nil)
	dir, state := stacktest.Project(t, "gfparity", img, ""), t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	env := map[string]string{"XDG_STATE_HOME": state}
	ctx := context.Background()
	left := func(id string) int {
		cs, _ := c.ListContainers(ctx, stack.ProjectLabels(id))
		ns, _ := c.ListNetworks(ctx, stack.ProjectLabels(id))
		vs, _ := c.ListVolumes(ctx, stack.ProjectLabels(id))
		return len(cs) + len(ns) + len(vs)
	}
	var ids []string
	for _, face := range []string{"dashboard", "cli"} {
		if r := runIn(t, dir, state, "dev", "start", "-s", "minio", "-s", "mlflow", "--wait", "2m"); r.code != 0 {
			t.Fatalf("dev start: exit %d\n%s\n%s", r.code, r.out, r.err)
		}
		// Headless, without --yes, it refuses before it asks the engine.
		r := runIn(t, dir, state, "dev", "cleanup", "--prune")
		if r.code != 2 || !strings.Contains(r.err, "hint: pass --yes") {
			t.Fatalf("cleanup --prune without --yes: exit %d\n%s", r.code, r.err)
		}
		var v stack.StatusView
		if r := runIn(t, dir, state, "-o", "json", "dev", "status"); r.code != 0 || json.Unmarshal([]byte(r.out), &v) != nil {
			t.Fatalf("dev status: exit %d\n%s", r.code, r.out)
		}
		id := v.ID
		ids = append(ids, id)
		t.Cleanup(func() { removeAll(c, id) })
		summary := fmt.Sprintf("%d labelled resources", left(id))
		if left(id) < 5 { // containers, a network, volumes
			t.Fatalf("%s: %s before cleanup", face, summary)
		}
		if face == "dashboard" {
			be, _ := dashboardOf(t, dir, env)
			if err := be.Do(ctx, tui.Action{Verb: tui.VerbCleanup}, event.Discard); err != nil {
				t.Fatalf("the dashboard's cleanup: %v", err)
			}
		} else if r := runIn(t, dir, state, "dev", "cleanup", "--prune", "--yes"); r.code != 0 {
			t.Fatalf("cleanup --prune --yes: exit %d\n%s", r.code, r.err)
		}
		if n := left(id); n != 0 {
			t.Errorf("%s: %d labelled resources left after cleanup of %s", face, n, summary)
		}
		if ok, _ := c.ImageExists(ctx, img); !ok {
			t.Errorf("%s: the stand-in image %s, not the project's, was removed", face, img)
		}
	}
	if ids[0] != ids[1] {
		t.Errorf("two project ids: %v", ids)
	}
}

func removeAll(c *docker.Client, id string) {
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
}

// A failed start reads the same in both faces, root cause first: the
// command's error line and the failed task the dashboard shows.
func TestRealDockerParityStartFailure(t *testing.T) {
	testenv.RequireDocker(t)
	c, err := docker.New(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Cleanup(stacktest.RemoveImages)
	img := stacktest.Image(t, c, map[string]string{"STANDIN_POSTGRES_EXIT": "3"})
	dir, state := stacktest.Project(t, "gfparityfail", img, ""), t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	r := runIn(t, dir, state, "dev", "start", "-s", "airflow", "--wait", "1m")
	cliMsg, cliHint := stderrLines(t, r)
	var v stack.StatusView
	if st := runIn(t, dir, state, "-o", "json", "dev", "status"); json.Unmarshal([]byte(st.out), &v) == nil {
		t.Cleanup(func() { removeAll(c, v.ID) })
	}
	if r.code != 1 || !strings.HasPrefix(cliMsg, "airflow: postgres-airflow exited with code 3") {
		t.Fatalf("dev start: exit %d\n%s", r.code, r.err)
	}
	be, _ := dashboardOf(t, dir, map[string]string{"XDG_STATE_HOME": state})
	err = be.Do(context.Background(), tui.Action{Verb: tui.VerbStart, Target: "airflow"}, event.Discard)
	if err == nil || err.Error() != cliMsg {
		t.Errorf("the dashboard's start failed with %q, the command with %q", err, cliMsg)
	}
	if h := errs.HintOf(err); h != cliHint {
		t.Errorf("hints differ: dashboard %q, command %q", h, cliHint)
	}
}
