package adapter

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// fakeHooks records what the adapter hands the CLI's build and cluster
// functions (the real ones are driven by ui/cli's dashboard tests, on the
// real engine and the stand-in minikube); each reports one event and
// returns err.
type fakeHooks struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (f *fakeHooks) record(ctx context.Context, p *project.Project, what string, r event.Reporter) error {
	f.mu.Lock()
	f.calls = append(f.calls, what+" "+filepath.Base(p.Dir))
	f.mu.Unlock()
	r.Report(event.Event{Kind: event.Step, Scope: "fake", Message: what})
	if err := ctx.Err(); err != nil {
		return err
	}
	return f.err
}

func (f *fakeHooks) wire(b *Backend) {
	b.Dockerize = func(ctx context.Context, p *project.Project, target string, r event.Reporter) error {
		return f.record(ctx, p, "dockerize "+target, r)
	}
	b.StartCluster = func(ctx context.Context, p *project.Project, r event.Reporter) error {
		return f.record(ctx, p, "start-cluster", r)
	}
	b.DeleteCluster = func(ctx context.Context, p *project.Project, r event.Reporter) error {
		return f.record(ctx, p, "delete-cluster", r)
	}
}

func (f *fakeHooks) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.calls
	f.calls = nil
	return out
}

// TestFakeHooksBuildImageBuildsWhatTheModeNeeds: build-image runs `prod-local
// dockerize` for prod_local and `dev dockerize` for every other mode, the
// mode being the action's target or else the project's.
func TestFakeHooksBuildImageBuildsWhatTheModeNeeds(t *testing.T) {
	b := wired(t, &fakeStack{status: demoStatus()}, &fakeAirflow{})
	var f fakeHooks
	f.wire(b)
	dir := filepath.Base(b.Start)
	ctx := context.Background()
	for target, want := range map[string]string{
		"dev_docker": "dockerize docker", "prod_local": "dockerize minikube",
		"dev": "dockerize docker", "prod": "dockerize docker", "": "dockerize docker", // the project is in dev
	} {
		var rec event.Recorder
		if err := b.Do(ctx, tui.Action{Verb: tui.VerbBuildImage, Target: target}, &rec); err != nil {
			t.Fatalf("%q: %v", target, err)
		}
		if got := f.Calls(); !reflect.DeepEqual(got, []string{want + " " + dir}) {
			t.Errorf("target %q: calls %q, want %q", target, got, want)
		}
		if ev := rec.Events(); len(ev) != 1 || ev[0].Message != want {
			t.Errorf("target %q: the hook's events did not reach the reporter: %+v", target, ev)
		}
	}
	if err := os.WriteFile(filepath.Join(b.Start, "gaiaflow.toml"), []byte("name = \"demo\"\npackage = \"demo\"\nmode = \"prod_local\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := b.Do(ctx, tui.Action{Verb: tui.VerbBuildImage}, event.Discard); err != nil {
		t.Fatal(err)
	}
	if got := f.Calls(); !reflect.DeepEqual(got, []string{"dockerize " + build.TargetMinikube + " " + dir}) {
		t.Errorf("no target, project in prod_local: calls %q", got)
	}
	err := b.Do(ctx, tui.Action{Verb: tui.VerbBuildImage, Target: "staging"}, event.Discard)
	if errs.KindOf(err) != errs.Usage || len(f.Calls()) != 0 {
		t.Errorf("an unknown mode: %v", err)
	}
}

// TestFakeHooksClusterVerbs: start-cluster and delete-cluster call their
// hooks with the project, pass the hook's error and the cancellation
// through, and signal a change when done (nothing else would: no Docker
// event follows a minikube command).
func TestFakeHooksClusterVerbs(t *testing.T) {
	b := wired(t, &fakeStack{status: demoStatus()}, &fakeAirflow{})
	var f fakeHooks
	f.wire(b)
	dir := filepath.Base(b.Start)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := b.Changes(ctx)
	for _, v := range []tui.Verb{tui.VerbStartCluster, tui.VerbDeleteCluster} {
		var rec event.Recorder
		if err := b.Do(ctx, tui.Action{Verb: v}, &rec); err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if got := f.Calls(); !reflect.DeepEqual(got, []string{string(v) + " " + dir}) {
			t.Errorf("%s: calls %q", v, got)
		}
		if len(rec.Events()) != 1 {
			t.Errorf("%s: events %+v", v, rec.Events())
		}
		select {
		case <-changes:
		case <-time.After(5 * time.Second):
			t.Errorf("%s: no change signalled", v)
		}
	}
	f.err = errors.New("minikube start failed")
	if err := b.Do(ctx, tui.Action{Verb: tui.VerbStartCluster}, event.Discard); !errors.Is(err, f.err) {
		t.Errorf("the hook's error: %v", err)
	}
	f.err = nil
	f.Calls()
	hookCtx, stop := context.WithCancel(ctx)
	b.StartCluster = func(ctx context.Context, p *project.Project, r event.Reporter) error {
		stop() // the person pressed c while it ran
		<-ctx.Done()
		return ctx.Err()
	}
	if err := b.Do(hookCtx, tui.Action{Verb: tui.VerbStartCluster}, event.Discard); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	cancel()
	for range changes {
	}
}
