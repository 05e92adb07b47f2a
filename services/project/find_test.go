package project

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

func writeProject(t *testing.T, dir, name string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data := []byte("name = \"" + name + "\"\npackage = \"pkg\"\n")
	if err := os.WriteFile(filepath.Join(dir, FileName), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFindWalksUp(t *testing.T) {
	root := t.TempDir()
	writeProject(t, root, "demo")
	deep := filepath.Join(root, "src", "pkg", "sub")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := Open(deep, false)
	if err != nil {
		t.Fatal(err)
	}
	if p.Dir != root || p.Config.Name != "demo" {
		t.Errorf("Open = %s %q, want %s demo", p.Dir, p.Config.Name, root)
	}
}

func TestFindExplicitDoesNotWalkUp(t *testing.T) {
	root := t.TempDir()
	writeProject(t, root, "demo")
	sub := filepath.Join(root, "sub")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Find(sub, true)
	if !errors.Is(err, ErrNotFound) || errs.KindOf(err) != errs.Usage {
		t.Fatalf("Find(explicit sub) = %v, want ErrNotFound usage error", err)
	}
	if errs.HintOf(err) == "" {
		t.Error("no hint")
	}
}

func TestFindNothing(t *testing.T) {
	_, err := Find(t.TempDir(), false)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
}

func TestIDSeparatesSameNameProjects(t *testing.T) {
	a, b := ID("demo", "/home/u/a/demo"), ID("demo", "/home/u/b/demo")
	if a == b {
		t.Fatalf("same id %q for different paths", a)
	}
	if a != ID("demo", "/home/u/a/demo/") {
		t.Error("id depends on a trailing slash")
	}
	if len(a) != len("demo-")+8 {
		t.Errorf("id %q: want name plus 8 hex digits", a)
	}
}
