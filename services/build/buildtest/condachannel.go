package buildtest

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/docker"
)

// CondaPackage is a noarch: python conda package for a test channel: one
// module, Module/__init__.py, holding Source.
type CondaPackage struct {
	Name, Version string
	Module        string
	Source        string
	Depends       []string
}

// tarPackage makes the .tar.bz2 from a folder holding info/ and
// site-packages/. Go's standard library reads bzip2 but cannot write it, so
// the test's Python does (tarfile), as it is there for the other tests.
const tarPackage = `
import sys, tarfile
src, out = sys.argv[1], sys.argv[2]
with tarfile.open(out, "w:bz2") as t:
    for name in ("info", "site-packages"):
        t.add(src + "/" + name, arcname=name)
`

// CondaChannel writes a conda channel holding pkgs into a new folder and
// returns it: the packages in noarch/, and an empty repodata.json in the
// linux subdirectories a solver asks for. py is a Python interpreter.
func CondaChannel(t testing.TB, py string, pkgs ...CondaPackage) string {
	t.Helper()
	dir := t.TempDir()
	work := t.TempDir()
	records := map[string]any{}
	for _, p := range pkgs {
		root := filepath.Join(work, p.Name)
		module := filepath.Join(root, "site-packages", p.Module, "__init__.py")
		write(t, module, []byte(p.Source))
		sum := sha256.Sum256([]byte(p.Source))
		rel := "site-packages/" + p.Module + "/__init__.py"
		index := map[string]any{"name": p.Name, "version": p.Version, "build": "py_0", "build_number": 0,
			"depends": orEmpty(p.Depends), "noarch": "python", "subdir": "noarch", "license": "MIT"}
		paths := map[string]any{"paths_version": 1, "paths": []any{map[string]any{
			"_path": rel, "path_type": "hardlink", "sha256": hex.EncodeToString(sum[:]), "size_in_bytes": len(p.Source)}}}
		writeJSON(t, filepath.Join(root, "info", "index.json"), index)
		writeJSON(t, filepath.Join(root, "info", "paths.json"), paths)
		writeJSON(t, filepath.Join(root, "info", "link.json"), map[string]any{"noarch": map[string]any{"type": "python"}, "package_metadata_version": 1})
		write(t, filepath.Join(root, "info", "files"), []byte(rel+"\n"))
		file := p.Name + "-" + p.Version + "-py_0.tar.bz2"
		out := filepath.Join(dir, "noarch", file)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		if b, err := exec.Command(py, "-c", tarPackage, root, out).CombinedOutput(); err != nil {
			t.Fatalf("make the package %s: %v\n%s", file, err, b)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		sha := sha256.Sum256(data)
		md := md5.Sum(data)
		rec := map[string]any{}
		for k, v := range index {
			rec[k] = v
		}
		rec["sha256"], rec["md5"], rec["size"] = hex.EncodeToString(sha[:]), hex.EncodeToString(md[:]), len(data)
		records[file] = rec
	}
	writeJSON(t, filepath.Join(dir, "noarch", "repodata.json"),
		map[string]any{"info": map[string]any{"subdir": "noarch"}, "packages": records, "packages.conda": map[string]any{}, "repodata_version": 1})
	for _, sub := range []string{"linux-64", "linux-aarch64"} {
		writeJSON(t, filepath.Join(dir, sub, "repodata.json"),
			map[string]any{"info": map[string]any{"subdir": sub}, "packages": map[string]any{}, "packages.conda": map[string]any{}, "repodata_version": 1})
	}
	return dir
}

// ServeChannel serves dir over HTTP at the address containers on the
// engine's default bridge network reach this host by (the engine's bridge
// gateway: docker0's for the machine's daemon, another for a second engine
// with its own bridge), for as long as the test runs, and returns the
// channel's URL.
func ServeChannel(t testing.TB, c *docker.Client, dir string) string {
	t.Helper()
	return serveOnBridge(t, c, http.FileServer(http.Dir(dir)))
}

// serveOnBridge serves h on the engine's bridge gateway (see ServeChannel)
// until the test ends and returns its URL, ending in a slash.
func serveOnBridge(t testing.TB, c *docker.Client, h http.Handler) string {
	t.Helper()
	host, err := c.BridgeGateway(context.Background())
	if err != nil {
		missing(t, "the engine's default bridge ("+err.Error()+")")
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("serve on the bridge: %v", err)
	}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + l.Addr().String() + "/"
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func write(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeJSON(t testing.TB, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	write(t, path, data)
}
