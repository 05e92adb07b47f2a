package adapter

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack"
	"github.com/gaiaflow/gaiaflow/services/stack/stacktest"
	"github.com/gaiaflow/gaiaflow/services/testenv"
	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/backendtest"
)

// standinProject writes a project whose every image is a stand-in, on free
// ports, and returns its directory.
func standinProject(t *testing.T, name, img string) string {
	t.Helper()
	return stacktest.Project(t, name, img, "")
}

// removeProject removes what the stack made for project id.
func removeProject(c *docker.Client, id string) {
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

// TestRealDockerAdapterShowsTheStandinStack wires the adapter to the real
// engine, as the CLI does, on a project whose images are stand-ins: start-all
// through Do brings the stack up while Changes (Docker's events) signals it,
// Snapshot then shows every service healthy, Logs streams the containers'
// lines (followed streams end with their context), stop-all stops them and
// cleanup removes them.
func TestRealDockerAdapterShowsTheStandinStack(t *testing.T) {
	testenv.RequireDocker(t)
	c, err := docker.New(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir := standinProject(t, "gfadapter", stacktest.Image(t, c, nil))
	p, err := project.Open(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeProject(c, p.ID()) })
	cc := core.New(core.Deps{Start: dir, Explicit: true})
	defer cc.Close()
	b := New(cc)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	s, err := b.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Docker.OK || len(s.Services) != 4 || s.Services[0].Containers[0].State != tui.StateMissing {
		t.Fatalf("before start: docker %+v, services %+v", s.Docker, s.Services)
	}

	changes := b.Changes(ctx)
	var rec event.Recorder
	began := time.Now()
	if err := b.Do(ctx, tui.Action{Verb: tui.VerbStartAll}, &rec); err != nil {
		t.Fatalf("start-all: %v", err)
	}
	t.Logf("start-all took %s", time.Since(began).Round(time.Millisecond))
	if len(rec.Events()) == 0 {
		t.Error("start-all reported no progress")
	}
	select {
	case <-changes:
	case <-time.After(10 * time.Second):
		t.Error("Changes said nothing while the stack started")
	}

	s, err = b.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range s.Services {
		if !svc.Enabled {
			continue
		}
		for _, ctr := range svc.Containers {
			if ctr.State != tui.StateHealthy && !(ctr.OneShot && ctr.State == tui.StateExited && ctr.ExitCode == 0) {
				t.Errorf("%s/%s is %s after start-all", svc.Name, ctr.Name, ctr.State)
			}
		}
	}
	if af := s.Services[0]; af.URL == "" || len(af.Ports) == 0 || len(af.Containers) < 4 {
		t.Errorf("airflow = %+v", af)
	}

	ch, err := b.Logs(ctx, tui.LogSource{Service: "airflow"}, tui.LogQuery{Tail: 3})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for l := range ch {
		lines = append(lines, l.Container+" | "+l.Text)
	}
	if !strings.Contains(strings.Join(lines, "\n"), "airflow-scheduler | standin scheduler") {
		t.Errorf("airflow's logs:\n%s", strings.Join(lines, "\n"))
	}

	t.Run("Contract", func(t *testing.T) { backendtest.Contract(t, b) })

	if err := b.Do(ctx, tui.Action{Verb: tui.VerbStop, Target: "jupyter"}, event.Discard); err != nil {
		t.Fatalf("stop jupyter: %v", err)
	}
	s, _ = b.Snapshot(ctx)
	// The JupyterLab container (after its one-shot setup, jupyter-deps).
	stopped := false
	for _, ctr := range s.Services[3].Containers {
		stopped = stopped || (ctr.Name == "jupyter" && ctr.State == tui.StateStopped)
	}
	if !stopped {
		t.Errorf("jupyter after stop = %+v", s.Services[3].Containers)
	}
	if err := b.Do(ctx, tui.Action{Verb: tui.VerbCleanup}, event.Discard); err != nil {
		t.Fatalf("cleanup: %v", err)
	}
	cs, _ := c.ListContainers(ctx, stack.ProjectLabels(p.ID()))
	if len(cs) != 0 {
		t.Errorf("%d containers left after cleanup", len(cs))
	}
}
