package build

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// fakeEngine records builds and answers from scripted messages.
type fakeEngine struct {
	images   map[string]docker.ImageInfo
	messages []docker.BuildMessage // sent to every build
	fail     error                 // returned by every build
	builds   []fakeBuild
}

type fakeBuild struct {
	opts  docker.BuildOptions
	files map[string]string // name -> content ("<dir>" for directories, "-> target" for links)
	modes map[string]int64
}

func (f *fakeEngine) BuildImage(ctx context.Context, r io.Reader, opts docker.BuildOptions, on func(docker.BuildMessage)) (string, error) {
	fb := fakeBuild{opts: opts, files: map[string]string{}, modes: map[string]int64{}}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
		switch h.Typeflag {
		case tar.TypeDir:
			fb.files[h.Name] = "<dir>"
		case tar.TypeSymlink:
			fb.files[h.Name] = "-> " + h.Linkname
		default:
			data, err := io.ReadAll(tr)
			if err != nil {
				return "", err
			}
			fb.files[h.Name] = string(data)
		}
		fb.modes[h.Name] = h.Mode
	}
	f.builds = append(f.builds, fb)
	for _, m := range f.messages {
		on(m)
	}
	if f.fail != nil {
		return "", f.fail
	}
	id := "sha256:" + strings.Repeat("ab", 32)
	if f.images == nil {
		f.images = map[string]docker.ImageInfo{}
	}
	for _, t := range opts.Tags {
		f.images[t] = docker.ImageInfo{ID: id, Tags: []string{t}}
	}
	return id, nil
}

func (f *fakeEngine) InspectImage(ctx context.Context, ref string) (docker.ImageInfo, bool, error) {
	info, ok := f.images[ref]
	return info, ok, nil
}

func (f *fakeEngine) last(t *testing.T) fakeBuild {
	t.Helper()
	if len(f.builds) == 0 {
		t.Fatal("no build ran")
	}
	return f.builds[len(f.builds)-1]
}

// names lists a build's context entries that are files, sorted.
func (b fakeBuild) names() []string {
	var out []string
	for n, c := range b.files {
		if c != "<dir>" {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// writeTree writes files (path -> content) under dir; content "<dir>" makes a directory.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if content == "<dir>" {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// testProject is a small project in the scaffold's src layout.
func testProject(t *testing.T, extra map[string]string) *project.Project {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"gaiaflow.toml": "name = \"demo\"\npackage = \"demo\"\n",
		"pyproject.toml": `[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "demo"
version = "0.1.0"
dependencies = ["six==1.17.0"]
`,
		"src/demo/__init__.py": "def add(a, b):\n    return a + b\n",
		"dags/demo_dag.py":     "# a DAG\n",
	}
	for k, v := range extra {
		files[k] = v
	}
	writeTree(t, dir, files)
	return &project.Project{Dir: dir, Config: project.Default("demo", "demo")}
}

// fakeLibrary stands in for the bundled library: a wheel whose bytes are its name.
func fakeLibrary() Library {
	return Library{Version: "9.9.9", Wheel: func(w io.Writer) (string, error) {
		_, err := w.Write([]byte("wheel bytes"))
		return "gaiaflow-9.9.9-py3-none-any.whl", err
	}}
}

func isolateState(t *testing.T) {
	t.Helper()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
}
