package modes

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/project"
)

func TestDevDockerNeedsATaskImage(t *testing.T) {
	ctx := context.Background()
	st, err := project.OpenState(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	env := DevDockerEnv{State: st, ImageExists: func(_ context.Context, ref string) (bool, error) { return have[ref], nil }}

	reqs := CheckDevDocker(ctx, env)
	if len(reqs) != 1 || reqs[0].Ready || !strings.Contains(reqs[0].Fix, "gaiaflow dev dockerize") || AllReady(reqs) ||
		reqs[0].ID != IDTaskImage || reqs[0].Remedy != RemedyDockerize {
		t.Fatalf("without an image: %+v", reqs)
	}
	if err := st.SetTaskImage(project.TaskImage{Image: "demo:0.1.0", Target: "docker", BuiltAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if r := CheckDevDocker(ctx, env)[0]; r.Ready || !strings.Contains(r.Detail, "no longer") || r.Remedy != RemedyDockerize {
		t.Errorf("recorded but removed: %+v", r)
	}
	have["demo:0.1.0"] = true
	if r := CheckDevDocker(ctx, env); !AllReady(r) || r[0].Detail != "demo:0.1.0" {
		t.Errorf("present: %+v", r)
	}
	env.ImageExists, env.EngineErr = nil, errors.New("no engine")
	// Starting the engine is for the person: no remedy of gaiaflow's.
	if r := CheckDevDocker(ctx, env)[0]; r.Ready || !strings.Contains(r.Detail, "no engine") || r.Remedy != "" || r.ID != IDTaskImage {
		t.Errorf("without an engine: %+v", r)
	}
}

func TestSetRecreatesARunningAirflow(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, project.FileName), []byte("# mine\nname = \"demo\"\npackage = \"demo\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Open(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := project.OpenState(t.TempDir())
	var recreatedWith string
	running := true
	sw := Switch{State: st,
		AirflowRunning: func(context.Context, *project.Project) (bool, error) { return running, nil },
		RecreateAirflow: func(_ context.Context, p *project.Project) error {
			recreatedWith = p.Config.Mode
			return nil
		}}
	got, recreated, err := Set(ctx, p, DevDocker, sw)
	if err != nil || !recreated || recreatedWith != "dev_docker" || got.Config.Mode != "dev_docker" {
		t.Fatalf("Set = %v, %v, %v (recreated with %q)", got.Config.Mode, recreated, err, recreatedWith)
	}
	data, _ := os.ReadFile(filepath.Join(dir, project.FileName))
	if !strings.HasPrefix(string(data), "# mine\n") {
		t.Errorf("gaiaflow.toml lost its comment:\n%s", data)
	}
	running, recreatedWith = false, ""
	got, recreated, err = Set(ctx, got, Dev, sw)
	if err != nil || recreated || recreatedWith != "" || got.Config.Mode != "dev" {
		t.Errorf("Set with Airflow stopped = %v, %v, %v", got.Config.Mode, recreated, err)
	}
}
