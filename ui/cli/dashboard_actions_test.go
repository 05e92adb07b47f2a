package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/build/buildtest"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/minikube/minikubetest"
	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/adapter"
)

// checksOf returns the checklist of mode m in the dashboard's snapshot,
// by the checks' IDs.
func checksOf(t *testing.T, be tui.Backend, m modes.Mode) map[string]tui.Check {
	t.Helper()
	s, err := be.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, ms := range s.Modes {
		if ms.Mode == string(m) {
			out := map[string]tui.Check{}
			for _, c := range ms.Checks {
				out[c.ID] = c
			}
			return out
		}
	}
	t.Fatalf("no mode %s in %+v", m, s.Modes)
	return nil
}

// TestRealDockerStandInMinikubeDashboardBuildsTheTaskImage drives the
// dashboard's build key through the backend runDashboard builds, on the
// real engine (a locally built Python base; no registry is reachable) and
// the stand-in minikube (no cluster can run here): for dev_docker it is
// `dev dockerize`, the image named by build.image, recorded so the mode is
// ready; for prod_local it is `prod-local dockerize`, which also runs
// `minikube image load`. The build's progress reaches the action's
// reporter, nothing is printed, and the project is left as it was.
func TestRealDockerStandInMinikubeDashboardBuildsTheTaskImage(t *testing.T) {
	c := buildtest.Client(t)
	base := buildtest.PythonBase(t, c)
	h := newPL(t)
	buildtest.WriteProject(t, h.dir, base)
	image := "gaiaflow-test/dash-build:0.1.0"
	appendFile(t, filepath.Join(h.dir, "gaiaflow.toml"), fmt.Sprintf("image = %q\n", image))
	t.Cleanup(func() { _ = c.RemoveImage(context.Background(), image, docker.RemoveImageOptions{Force: true}) })
	before := buildtest.TreeState(t, h.dir)

	var out, errb bytes.Buffer
	a := h.app(&out, &errb)
	defer a.close()
	be := adapter.New(a.Core())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	if ch := checksOf(t, be, modes.DevDocker)[modes.IDTaskImage]; ch.OK || ch.Remedy != (tui.Remedy{Verb: tui.VerbBuildImage}) {
		t.Fatalf("dev_docker's task image before the build: %+v", ch)
	}
	var rec event.Recorder
	if err := be.Do(ctx, tui.Action{Verb: tui.VerbBuildImage, Target: "dev_docker"}, &rec); err != nil {
		t.Fatalf("build-image dev_docker: %v\nevents %+v", err, rec.Events())
	}
	if ok, err := c.ImageExists(ctx, image); !ok || err != nil {
		t.Fatalf("%s is not on the engine (%v)", image, err)
	}
	var steps int
	var built bool
	for _, e := range rec.Events() {
		if e.Scope == build.Scope && e.Kind == event.Step && e.State == build.StateStep {
			steps++
		}
		if e.Scope == build.Scope && e.Kind == event.Done && e.State == build.StateBuilt {
			built = true
		}
	}
	if steps < 2 || !built {
		t.Errorf("%d build steps reported, built reported %v: %+v", steps, built, rec.Events())
	}
	if ch := checksOf(t, be, modes.DevDocker)[modes.IDTaskImage]; !ch.OK || ch.Detail != image {
		t.Errorf("dev_docker's task image after the build: %+v", ch)
	}

	// prod_local: the cluster's image; the stand-in plays a running cluster.
	h.standIn.Running()
	h.standIn.Answer("image_load", minikubetest.Answer{})
	rec = event.Recorder{}
	if err := be.Do(ctx, tui.Action{Verb: tui.VerbBuildImage, Target: "prod_local"}, &rec); err != nil {
		t.Fatalf("build-image prod_local: %v\nevents %+v", err, rec.Events())
	}
	var load []string
	for _, call := range h.standIn.Calls() {
		if call.Key() == "image_load" {
			load = call.Args
		}
	}
	if !slices.Contains(load, image) || !slices.Contains(load, "gaiaflow-demo") {
		t.Errorf("`minikube image load` ran as %q, calls %+v", load, h.standIn.Calls())
	}
	ti, ok, err := h.state().TaskImage(build.TargetMinikube)
	if err != nil || !ok || ti.Image != image {
		t.Errorf("recorded for minikube: %+v %v %v", ti, ok, err)
	}
	if !slices.ContainsFunc(rec.Events(), func(e event.Event) bool { return e.Message == "loading "+image+" into the cluster" }) {
		t.Errorf("the load is not among the events: %+v", rec.Events())
	}

	if after := buildtest.TreeState(t, h.dir); !maps.Equal(before, after) {
		t.Errorf("the builds changed the project:\nbefore %v\nafter  %v", before, after)
	}
	if out.Len()+errb.Len() != 0 {
		t.Errorf("the backend printed:\n%s%s", out.String(), errb.String())
	}
}

// TestRealDockerDashboardBuildCancels cancels the dashboard's build while a
// step of the project's own Dockerfile runs on the real engine: Do returns
// soon with the cancellation, and no image is left behind.
func TestRealDockerDashboardBuildCancels(t *testing.T) {
	c := buildtest.Client(t)
	base := buildtest.PythonBase(t, c)
	h := newPL(t)
	buildtest.WriteProject(t, h.dir, base)
	image := "gaiaflow-test/dash-cancel:0.1.0"
	appendFile(t, filepath.Join(h.dir, "gaiaflow.toml"), fmt.Sprintf("image = %q\n", image))
	// A step that takes long and differs per run, so no cache answers it.
	df := fmt.Sprintf("FROM %s\nRUN echo %d && sleep 120\n", base, time.Now().UnixNano())
	if err := os.WriteFile(filepath.Join(h.dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.RemoveImage(context.Background(), image, docker.RemoveImageOptions{Force: true}) })

	var out, errb bytes.Buffer
	a := h.app(&out, &errb)
	defer a.close()
	be := adapter.New(a.Core())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sleeping := make(chan struct{})
	var once bool
	rep := event.Func(func(e event.Event) {
		if !once && e.Scope == build.Scope && e.Kind == event.Step && strings.Contains(e.Message, "sleep 120") {
			once = true
			close(sleeping)
		}
	})
	done := make(chan error, 1)
	go func() { done <- be.Do(ctx, tui.Action{Verb: tui.VerbBuildImage, Target: "dev_docker"}, rep) }()
	select {
	case <-sleeping:
	case err := <-done:
		t.Fatalf("the build ended before its long step: %v", err)
	case <-time.After(5 * time.Minute):
		t.Fatal("the long step never started")
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want the cancellation", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the build did not stop within 30s of the cancel")
	}
	if ok, _ := c.ImageExists(context.Background(), image); ok {
		t.Error("a cancelled build left its image")
	}
}

// TestStandInMinikubeDashboardStartsAndDeletesTheCluster drives the
// dashboard's start and delete keys through the backend runDashboard builds,
// against the stand-in minikube (no cluster can run here): start is
// `prod-local start` (minikube start with the profile's flags and KUBECONFIG
// in the state directory, then the Airflow kubeconfig), delete is
// `prod-local cleanup` (minikube delete, the Airflow kubeconfig removed).
// ~/.kube/config and the user's KUBECONFIG file stay byte for byte.
func TestStandInMinikubeDashboardStartsAndDeletesTheCluster(t *testing.T) {
	h := newPL(t)
	h.standIn.Absent()
	var out, errb bytes.Buffer
	a := h.app(&out, &errb)
	defer a.close()
	be := adapter.New(a.Core())
	ctx := context.Background()

	if ch := checksOf(t, be, modes.ProdLocal)[modes.IDCluster]; ch.OK || ch.Remedy != (tui.Remedy{Verb: tui.VerbStartCluster}) {
		t.Fatalf("cluster before start: %+v", ch)
	}
	var rec event.Recorder
	if err := be.Do(ctx, tui.Action{Verb: tui.VerbStartCluster}, &rec); err != nil {
		t.Fatalf("start-cluster: %v", err)
	}
	var start minikubetest.Call
	for _, call := range h.standIn.Calls() {
		if call.Key() == "start" {
			start = call
		}
	}
	for _, want := range []string{"start", "-p", "gaiaflow-demo", "--driver=docker", "--cpus=4", "--memory=4g", "--keep-context", "--embed-certs"} {
		if !slices.Contains(start.Args, want) {
			t.Errorf("minikube start ran as %q, without %q", start.Args, want)
		}
	}
	if !strings.HasPrefix(start.Kubeconfig, os.Getenv("XDG_STATE_HOME")) {
		t.Errorf("minikube start ran with KUBECONFIG=%s", start.Kubeconfig)
	}
	if !slices.ContainsFunc(rec.Events(), func(e event.Event) bool {
		return strings.HasPrefix(e.Message, "Airflow kubeconfig for gaiaflow-demo written to")
	}) {
		t.Errorf("events %+v", rec.Events())
	}
	checks := checksOf(t, be, modes.ProdLocal)
	if !checks[modes.IDCluster].OK || !checks[modes.IDAirflowKubeconfig].OK {
		t.Errorf("after start: %+v", checks)
	}
	airflowKubeconfig := h.state().Path(minikube.AirflowKubeconfigFile)
	if _, err := os.Stat(airflowKubeconfig); err != nil {
		t.Fatal(err)
	}
	h.checkUntouched()

	rec = event.Recorder{}
	if err := be.Do(ctx, tui.Action{Verb: tui.VerbDeleteCluster}, &rec); err != nil {
		t.Fatalf("delete-cluster: %v", err)
	}
	if keys := h.standIn.Keys(); keys[len(keys)-1] != "delete" {
		t.Errorf("minikube calls %q, want a delete last", keys)
	}
	if _, err := os.Stat(airflowKubeconfig); !os.IsNotExist(err) {
		t.Errorf("the Airflow kubeconfig is still there (%v)", err)
	}
	if ev := rec.Events(); len(ev) == 0 || ev[len(ev)-1].Message != "cluster gaiaflow-demo cleaned up" {
		t.Errorf("events %+v", ev)
	}
	if ch := checksOf(t, be, modes.ProdLocal)[modes.IDCluster]; ch.OK {
		t.Errorf("cluster after delete: %+v", ch)
	}
	h.checkUntouched()
	if out.Len()+errb.Len() != 0 {
		t.Errorf("the backend printed:\n%s%s", out.String(), errb.String())
	}
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
