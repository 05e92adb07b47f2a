package modes

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/project"
)

func TestDevDockerNeedsATaskImage(t *testing.T) {
	ctx := context.Background()
	st, err := project.OpenState(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	env := Env{State: st, ImageExists: func(_ context.Context, ref string) (bool, error) { return have[ref], nil }}

	needs := DevDocker.Needs(ctx, env)
	if len(needs) != 1 || needs[0].Status != Missing || !strings.Contains(needs[0].Hint, "gaiaflow dev dockerize") {
		t.Fatalf("without an image: %+v", needs)
	}
	err = Unmet(DevDocker, needs)
	if err == nil || !strings.Contains(err.Error(), "mode dev_docker needs a task image") || !strings.Contains(errs.HintOf(err), "--force") {
		t.Errorf("Unmet = %v (hint %q)", err, errs.HintOf(err))
	}

	if err := st.SetTaskImage(project.TaskImage{Image: "demo:0.1.0", Target: "docker", BuiltAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if n := DevDocker.Needs(ctx, env)[0]; n.Status != Missing || !strings.Contains(n.Detail, "no longer") {
		t.Errorf("recorded but removed: %+v", n)
	}
	have["demo:0.1.0"] = true
	if n := DevDocker.Needs(ctx, env)[0]; n.Status != Met || n.Detail != "demo:0.1.0" {
		t.Errorf("present: %+v", n)
	}
	if err := Unmet(DevDocker, DevDocker.Needs(ctx, env)); err != nil {
		t.Errorf("Unmet = %v", err)
	}
	env.ImageExists, env.EngineErr = nil, errors.New("no engine")
	if n := DevDocker.Needs(ctx, env)[0]; n.Status != Unknown || Unmet(DevDocker, []Need{n}) != nil {
		t.Errorf("without an engine: %+v", n)
	}
	if len(Dev.Needs(ctx, env)) != 0 {
		t.Error("dev needs something")
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
	sw := Switch{Env: Env{Project: p, State: st}, Force: true,
		AirflowRunning: func(context.Context, *project.Project) (bool, error) { return true, nil },
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
	// Not forced, the missing task image stops it before anything changes.
	sw.Force, recreatedWith = false, ""
	if _, _, err := Set(ctx, got, Dev, sw); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Set(ctx, got, DevDocker, sw); err == nil || recreatedWith != "dev" {
		t.Errorf("unforced switch without a task image: %v (last recreated with %q)", err, recreatedWith)
	}
}
