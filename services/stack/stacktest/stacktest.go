// Package stacktest builds the stand-in images integration tests run the
// stack on: the static program of services/stack/internal/standin in a
// FROM scratch image, with variants whose environment tells it to start
// slowly, turn unhealthy or exit with a code. Only tests import it.
package stacktest

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/testenv"
)

// Label marks the images this package builds, so RemoveImages finds them.
const Label = "io.gaiaflow.test"

// standins is what this test binary built, by engine address (a test may
// run a private engine of its own). RemoveImages empties it, so that a
// later Image builds again rather than hand out a removed tag.
var standins struct {
	mu    sync.Mutex
	hosts map[string]*built
}

type built struct {
	base string
	tags map[string]bool
}

// Image returns a stand-in image whose behaviour env sets (see
// internal/standin), building the base image once per test binary.
func Image(t testing.TB, c *docker.Client, env map[string]string) string {
	t.Helper()
	ctx := context.Background()
	standins.mu.Lock()
	defer standins.mu.Unlock()
	if standins.hosts == nil {
		standins.hosts = map[string]*built{}
	}
	b := standins.hosts[c.Host]
	if b == nil {
		base, err := buildBase(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		b = &built{base: base, tags: map[string]bool{}}
		standins.hosts[c.Host] = b
	}
	if len(env) == 0 {
		return b.base
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var df strings.Builder
	df.WriteString("FROM " + b.base + "\n")
	for _, k := range keys {
		fmt.Fprintf(&df, "ENV %s=%s\n", k, env[k])
	}
	sum := sha256.Sum256([]byte(df.String()))
	tag := b.base + "-" + hex.EncodeToString(sum[:4])
	if b.tags[tag] {
		return tag
	}
	if _, err := c.BuildImage(ctx, tarFiles(map[string][]byte{"Dockerfile": []byte(df.String())}),
		docker.BuildOptions{Tags: []string{tag}, Labels: map[string]string{Label: "stack-standin"}}, nil); err != nil {
		t.Fatal(err)
	}
	b.tags[tag] = true
	return tag
}

// RemoveImages removes the images this test binary built on the default
// engine; call it from TestMain or a cleanup. It removes tags, so that an
// image another binary also tagged stays.
func RemoveImages() {
	standins.mu.Lock()
	defer standins.mu.Unlock()
	c, err := docker.New(os.Getenv)
	if err != nil {
		return
	}
	defer c.Close()
	b := standins.hosts[c.Host]
	if b == nil {
		return
	}
	ctx := context.Background()
	for tag := range b.tags {
		_ = c.RemoveImage(ctx, tag, docker.RemoveImageOptions{})
	}
	_ = c.RemoveImage(ctx, b.base, docker.RemoveImageOptions{})
	delete(standins.hosts, c.Host)
}

// buildBase builds the stand-in program into a FROM scratch image and
// returns its tag.
func buildBase(ctx context.Context, c *docker.Client) (string, error) {
	dir, err := os.MkdirTemp("", "gaiaflow-standin")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "standin")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin,
		"github.com/gaiaflow/gaiaflow/services/stack/internal/standin")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build standin: %v\n%s", err, out)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	// A tag per test binary: the packages' tests run in parallel, and
	// one binary's cleanup must not take another's images away.
	sum := sha256.Sum256(data)
	tag := fmt.Sprintf("gaiaflow-test/standin:%s-%d", hex.EncodeToString(sum[:6]), os.Getpid())
	dockerfile := "FROM scratch\nCOPY standin /standin\nCOPY standin /usr/bin/pg_isready\nENTRYPOINT [\"/standin\"]\nCMD [\"postgres\"]\n"
	_, err = c.BuildImage(ctx, tarFiles(map[string][]byte{"Dockerfile": []byte(dockerfile), "standin": data}),
		docker.BuildOptions{Tags: []string{tag}, Labels: map[string]string{Label: "stack-standin"}}, nil)
	return tag, err
}

func tarFiles(files map[string][]byte) *bytes.Buffer {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		_ = tw.WriteHeader(&tar.Header{Name: n, Mode: 0o755, Size: int64(len(files[n])), ModTime: time.Unix(0, 0)})
		_, _ = tw.Write(files[n])
	}
	_ = tw.Close()
	return &buf
}

// FreePorts returns n host ports free right now and reserved for this test
// (testenv.FreePorts).
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	ports, err := testenv.FreePorts(n)
	if err != nil {
		t.Fatal(err)
	}
	return ports
}

// Project writes a project into a new temporary directory whose every
// service runs the stand-in image img on free ports (Airflow's image as is:
// extend_image = false), with an empty dags/, and returns the directory.
// extra is appended to the top of gaiaflow.toml (e.g. `mode = "prod"`).
func Project(t testing.TB, name, img, extra string) string {
	t.Helper()
	ports := FreePorts(t, 5)
	dir := t.TempDir()
	toml := fmt.Sprintf(`name = %[7]q
package = "demo"
%[8]s
[services.airflow]
image = %[1]q
db_image = %[1]q
extend_image = false
port = %[2]d
[services.mlflow]
image = %[1]q
db_image = %[1]q
port = %[3]d
[services.minio]
image = %[1]q
port = %[4]d
console_port = %[5]d
[services.jupyter]
image = %[1]q
port = %[6]d
`, img, ports[0], ports[1], ports[2], ports[3], ports[4], name, extra)
	if err := os.WriteFile(filepath.Join(dir, "gaiaflow.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "dags"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// BuildableAirflow returns a stand-in of the Airflow image that builds like
// the real one and runs like the stand-ins: airflow, a stand-in of the Airflow
// image with Python and pip (services/build/buildtest), given the stand-in
// program as its entry point. Each call makes a new image (its id differs),
// so nothing built on it can come from an earlier run's build cache.
func BuildableAirflow(t testing.TB, c *docker.Client, airflow string) string {
	t.Helper()
	base := Image(t, c, nil)
	fresh := fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())
	df := fmt.Sprintf("FROM %s\nCOPY --from=%s /standin /standin\nENTRYPOINT [\"/standin\"]\nLABEL io.gaiaflow.test.fresh=%q\n",
		airflow, base, fresh)
	return Build(t, c, "airflow", map[string][]byte{"Dockerfile": []byte(df)})
}

// Build builds a test image from files (a Dockerfile among them, which may
// COPY --from the stand-in base, Image(t, c, nil)) and returns its tag,
// named for its content after the stand-in base and kind. RemoveImages
// removes it with the stand-ins.
func Build(t testing.TB, c *docker.Client, kind string, files map[string][]byte) string {
	t.Helper()
	base := Image(t, c, nil)
	sum := sha256.New()
	for _, n := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(sum, "%s %d\n", n, len(files[n]))
		sum.Write(files[n])
	}
	tag := base + "-" + kind + "-" + hex.EncodeToString(sum.Sum(nil)[:4])
	if _, err := c.BuildImage(context.Background(), tarFiles(files),
		docker.BuildOptions{Tags: []string{tag}, Labels: map[string]string{Label: "stack-standin"}}, nil); err != nil {
		t.Fatal(err)
	}
	standins.mu.Lock()
	defer standins.mu.Unlock()
	standins.hosts[c.Host].tags[tag] = true // Image made the entry
	return tag
}
