package core

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/stack"
)

// nothing is a core whose every edge fails the test when it is reached:
// what a use case refuses, it refuses before any side effect.
func nothing(t *testing.T, dir string) *Core {
	t.Helper()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	return New(Deps{Start: dir, Explicit: true,
		NewDocker: func() (*DockerClient, error) {
			t.Error("the Docker engine was reached")
			return nil, errors.New("no engine here")
		},
		NewMinikube: func() (minikube.Runner, error) {
			t.Error("minikube was reached")
			return nil, errors.New("no minikube here")
		},
	})
}

func demoDir(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gaiaflow.toml"), []byte("name = \"demo\"\npackage = \"demo\"\n"+extra), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestTargetFor(t *testing.T) {
	for m, want := range map[modes.Mode]string{modes.Dev: TargetDocker, modes.DevDocker: TargetDocker,
		modes.ProdLocal: TargetMinikube, modes.Prod: TargetDocker} {
		if got := TargetFor(m); got != want {
			t.Errorf("TargetFor(%s) = %s, want %s", m, got, want)
		}
	}
}

// Bad input to the stack's use cases is refused, as bad usage, before the
// engine is asked anything.
func TestStackInputIsCheckedFirst(t *testing.T) {
	c := nothing(t, demoDir(t, ""))
	ctx := context.Background()
	for name, err := range map[string]error{
		"no wait":      c.Start(ctx, StartOptions{}, event.Discard),
		"jupyter port": c.Start(ctx, StartOptions{Wait: time.Minute, JupyterPort: 70000}, event.Discard),
		"unknown":      c.Start(ctx, StartOptions{Wait: time.Minute, Services: []string{"airflo"}}, event.Discard),
		"stop unknown": c.Stop(ctx, StopOptions{Services: []string{"db"}}, event.Discard),
		"restart wait": c.Restart(ctx, StopOptions{}, StartOptions{Wait: -time.Second}, event.Discard),
		"empty DAG":    func() error { _, err := c.Trigger(ctx, " ", TriggerOptions{}, event.Discard); return err }(),
		"runs limit":   func() error { _, err := c.Runs(ctx, "d", -1); return err }(),
		"latest image": func() error {
			_, err := c.Dockerize(ctx, DockerizeOptions{Image: "demo:latest", Target: TargetMinikube}, event.Discard)
			return err
		}(),
		"log try":     func() error { _, _, err := c.TaskLog(ctx, "d", "r", "t", -1); return err }(),
		"logs tail":   c.Logs(ctx, stack.LogOptions{Tail: -5}, func(stack.LogLine) {}),
		"logs since":  c.Logs(ctx, stack.LogOptions{Since: "yesterday"}, func(stack.LogLine) {}),
		"logs ago":    c.Logs(ctx, stack.LogOptions{Since: "-10m"}, func(stack.LogLine) {}),
		"deps wait":   func() error { _, err := c.UpdateDeps(ctx, false, 0, event.Discard); return err }(),
		"secret name": c.CheckSecret(SecretRequest{Name: "Not_Valid", Pairs: []string{"A=1"}}),
		"secret key":  c.CheckSecret(SecretRequest{Name: "ok", Pairs: []string{"1A=1"}}),
		"secret pair": c.CheckSecret(SecretRequest{Name: "ok", Pairs: []string{"novalue"}}),
	} {
		if err == nil || errs.KindOf(err) != errs.Usage {
			t.Errorf("%s: %v (kind %v), want bad usage", name, err, errs.KindOf(err))
		}
	}
}

// "all", the original tool's word for every service, is none.
func TestServicesAll(t *testing.T) {
	if err := CheckServices([]string{"all"}); err != nil {
		t.Fatal(err)
	}
	if got := services([]string{"airflow", "all"}); got != nil {
		t.Errorf("services(airflow, all) = %v", got)
	}
	if got := services([]string{"airflow", "minio"}); len(got) != 2 {
		t.Errorf("services = %v", got)
	}
}

// A long-lived face (the dashboard) sees gaiaflow.toml's edits.
func TestProjectIsReadAgainWhenTheFileChanges(t *testing.T) {
	dir := demoDir(t, "")
	c := nothing(t, dir)
	p1, err := c.Project()
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := c.Project()
	if p1 != p2 {
		t.Error("an unchanged file was read again")
	}
	if err := os.WriteFile(filepath.Join(dir, "gaiaflow.toml"), []byte("name = \"demo\"\npackage = \"demo\"\nmode = \"prod\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p3, err := c.Project()
	if err != nil || p3.Config.Mode != "prod" {
		t.Errorf("after the edit: mode %q, %v", p3.Config.Mode, err)
	}
}

// mode set refuses, with what is missing, while the mode is not ready, and
// leaves gaiaflow.toml alone; --force sets it with a warning.
func TestSetModeRefusesUntilReady(t *testing.T) {
	dir := demoDir(t, "")
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	c := New(Deps{Start: dir, Explicit: true,
		NewDocker: func() (*DockerClient, error) { return nil, errors.New("no engine here") }})
	ctx := context.Background()
	_, err := c.SetMode(ctx, modes.DevDocker, SetModeOptions{}, event.Discard)
	var nr *NotReadyError
	if !errors.As(err, &nr) || len(nr.Readiness.Missing()) != 1 || nr.Error() != "dev_docker is not ready: 1 of 1 requirements are missing" {
		t.Fatalf("err = %v", err)
	}
	if p, _ := c.Project(); p.Config.Mode != "dev" {
		t.Fatalf("mode = %s after a refusal", p.Config.Mode)
	}
	var rec event.Recorder
	res, err := c.SetMode(ctx, modes.DevDocker, SetModeOptions{Force: true}, &rec)
	if err != nil || !res.Forced || res.Recreated {
		t.Fatalf("forced: %+v, %v", res, err)
	}
	warned := false
	for _, e := range rec.Events() {
		warned = warned || e.Kind == event.Warn
	}
	if p, _ := c.Project(); p.Config.Mode != "dev_docker" || !warned {
		t.Errorf("mode %s, warned %v", p.Config.Mode, warned)
	}
}

// An empty cleanup plan removes nothing and says so.
func TestCleanupOfNothing(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	c := New(Deps{Start: demoDir(t, ""), Explicit: true})
	var rec event.Recorder
	if err := c.Cleanup(context.Background(), &stack.CleanupPlan{}, &rec); err != nil {
		t.Fatal(err)
	}
	if ev := rec.Events(); len(ev) != 1 || ev[0].Message == "" {
		t.Errorf("events %+v", ev)
	}
}

// What the engine takes as --since passes the check.
func TestCheckLogsAcceptsDurationsAndTimes(t *testing.T) {
	for _, since := range []string{"", "10m", "1h30m", "2026-12-01T09:00:00Z", "2026-12-01T09:00:00", "2026-12-01", "1733000000", "1733000000.5"} {
		if err := CheckLogs(stack.LogOptions{Since: since, Tail: -1}); err != nil {
			t.Errorf("--since %q: %v", since, err)
		}
	}
}
