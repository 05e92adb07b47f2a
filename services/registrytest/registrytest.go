// Package registrytest runs a real container registry on loopback for tests:
// the distribution registry (github.com/distribution/distribution/v3), built
// from the Go module proxy at a pinned version and cached between runs. The
// Docker engine talks plain HTTP to registries on 127.0.0.0/8, so tests push
// to and ask it through the engine as a user's registry would be asked.
// Only tests import it.
package registrytest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Version is the registry's module version (go list -m -versions
// github.com/distribution/distribution/v3).
const Version = "v3.1.2"

const pkg = "github.com/distribution/distribution/v3/cmd/registry"

var built struct {
	once sync.Once
	bin  string
	err  error
}

// Binary returns the registry executable, building it once per machine
// (cached under the user's cache directory by version) and once per test
// binary at most.
func Binary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		dir := filepath.Join(cache, "gaiaflow-test", "registry-"+Version)
		bin := filepath.Join(dir, "registry")
		if _, err := os.Stat(bin); err == nil {
			built.bin = bin
			return
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			built.err = err
			return
		}
		// Into a temporary name first: a half-written binary is never cached.
		tmp, err := os.MkdirTemp(dir, "build")
		if err != nil {
			built.err = err
			return
		}
		defer os.RemoveAll(tmp)
		cmd := exec.Command("go", "install", "-trimpath", pkg+"@"+Version)
		cmd.Env = append(os.Environ(), "GOBIN="+tmp, "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go install %s@%s: %v\n%s", pkg, Version, err, out)
			return
		}
		if err := os.Rename(filepath.Join(tmp, "registry"), bin); err != nil {
			built.err = err
			return
		}
		built.bin = bin
	})
	if built.err != nil {
		t.Fatalf("build the test registry: %v", built.err)
	}
	return built.bin
}

// Registry is a running registry.
type Registry struct {
	// Host is host:port, the prefix of image names in it.
	Host string
}

// Start runs a registry on a free loopback port with its storage in a test
// directory; it stops when the test ends.
func Start(t testing.TB) *Registry {
	t.Helper()
	bin := Binary(t)
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	host := "127.0.0.1:" + strconv.Itoa(port)
	config := fmt.Sprintf("version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n"+
		"http:\n  addr: %s\nlog:\n  level: warn\n", filepath.Join(dir, "data"), host)
	cfgFile := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgFile, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", cfgFile)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		_ = logFile.Close()
	})
	r := &Registry{Host: host}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+host+"/v2/", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return r
			}
		}
		select {
		case err := <-exited:
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("the registry exited: %v\n%s", err, log)
		case <-ctx.Done():
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("the registry did not answer on %s: %v\n%s", host, err, log)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
