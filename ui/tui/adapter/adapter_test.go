package adapter

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/backendtest"
)

var _ tui.Backend = (*Backend)(nil)

func TestSnapshotWithoutProject(t *testing.T) {
	b := &Backend{Start: t.TempDir()}
	s, err := b.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.Project.Found || s.Project.Problem != "" {
		t.Errorf("project = %+v", s.Project)
	}
	if _, err := b.DAGs(context.Background()); !errors.Is(err, tui.ErrUnavailable) {
		t.Errorf("DAGs err = %v", err)
	}
}

func TestSnapshotAndSetMode(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	if err := os.WriteFile(filepath.Join(dir, "gaiaflow.toml"), []byte("name = \"demo\"\npackage = \"demo\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := &Backend{Start: dir, Explicit: true}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := b.Changes(ctx)
	s, err := b.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Project.Found || s.Project.Name != "demo" || s.Mode != "dev" || len(s.Services) != 4 || len(s.Modes) != 4 {
		t.Fatalf("snapshot = %+v", s)
	}
	if s.Services[0].URL != "http://127.0.0.1:8080" {
		t.Errorf("airflow URL = %q", s.Services[0].URL)
	}
	var rec event.Recorder
	if err := b.Do(ctx, tui.Action{Verb: tui.VerbSetMode, Target: "dev_docker"}, &rec); err != nil {
		t.Fatal(err)
	}
	<-changes
	s, _ = b.Snapshot(ctx)
	if s.Mode != "dev_docker" {
		t.Errorf("mode = %q", s.Mode)
	}
	if len(rec.Events()) == 0 {
		t.Error("no progress reported")
	}
	if err := b.Do(ctx, tui.Action{Verb: tui.VerbStartAll}, &rec); err == nil || !strings.Contains(err.Error(), "not available yet") {
		t.Errorf("start-all err = %v", err)
	}
	cancel()
	if _, ok := <-changes; ok {
		t.Error("changes not closed with its context")
	}
}

func TestAdapterKeepsTheBackendContract(t *testing.T) {
	backendtest.Contract(t, &Backend{Start: t.TempDir()})
}
