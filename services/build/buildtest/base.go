package buildtest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/testenv"
)

// CABundle is the host's CA bundle. This network intercepts TLS, so images
// that use pip need it, and PIP_CERT/REQUESTS_CA_BUNDLE pointing at it.
const CABundle = "/etc/ssl/certs/ca-certificates.crt"

// baseRecipe is everything that makes the Python base image; its hash is the
// image's tag. Change the version when the steps below change.
const (
	baseRecipeVersion = "1"
	baseSuite         = "bookworm"
	basePackages      = "python3,python3-venv,python3-pip"
	baseRepo          = "gaiaflow-test/python-base"
)

// Client returns a client of the test daemon, or skips (fails in CI).
func Client(t testing.TB) *docker.Client {
	t.Helper()
	testenv.RequireDocker(t)
	c, err := docker.New(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// missing skips the test, or fails it where Docker tests are required.
func missing(t testing.TB, what string) {
	t.Helper()
	switch strings.ToLower(os.Getenv("GAIAFLOW_REQUIRE_DOCKER")) {
	case "1", "true", "yes":
		t.Fatalf("%s is required to build test images here (GAIAFLOW_REQUIRE_DOCKER=1)", what)
	}
	t.Skipf("skipping: %s is needed to build the test images", what)
}

// PythonBase returns the tag of a Debian bookworm image with python3, venv
// and pip, and the host's CA bundle, building and importing it on first use
// (about two minutes; later calls take milliseconds).
func PythonBase(t testing.TB, c *docker.Client) string {
	t.Helper()
	ca, err := os.ReadFile(CABundle)
	if err != nil {
		missing(t, "the host CA bundle "+CABundle)
	}
	mirror := DebianMirror()
	sum := sha256.New()
	fmt.Fprintf(sum, "recipe %s\nsuite %s\npackages %s\nmirror %s\n", baseRecipeVersion, baseSuite, basePackages, mirror)
	sum.Write(ca)
	tag := baseRepo + ":" + hex.EncodeToString(sum.Sum(nil))[:12]

	ctx := context.Background()
	// Test binaries of several packages may ask at once: one builds, the
	// others wait and then find the image.
	unlock := lockFile(t, filepath.Join(os.TempDir(), "gaiaflow-test-python-base.lock"))
	defer unlock()
	if _, found, err := c.InspectImage(ctx, tag); err != nil {
		t.Fatal(err)
	} else if found {
		return tag
	}
	if os.Geteuid() != 0 {
		missing(t, "root (for debootstrap)")
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		missing(t, "debootstrap")
	}
	start := time.Now()
	root, err := os.MkdirTemp("", "gaiaflow-python-base-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(root)
	run(t, "debootstrap", "--variant=minbase", "--include="+basePackages, baseSuite, root, mirror)
	// The host's bundle replaces Debian's: it holds the CA that intercepts TLS here.
	if err := os.WriteFile(filepath.Join(root, "etc/ssl/certs/ca-certificates.crt"), ca, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, junk := range []string{"var/cache/apt/archives", "var/lib/apt/lists"} {
		matches, _ := filepath.Glob(filepath.Join(root, junk, "*"))
		for _, m := range matches {
			_ = os.RemoveAll(m)
		}
	}
	tarCmd := exec.Command("tar", "--numeric-owner", "-C", root, "-c", ".")
	rootfs, err := tarCmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	tarCmd.Stderr = os.Stderr
	if err := tarCmd.Start(); err != nil {
		t.Fatal(err)
	}
	_, importErr := c.ImportImage(ctx, rootfs, tag, []string{
		"ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"ENV LANG=C.UTF-8",
		"ENV PIP_CERT=" + CABundle,
		"ENV REQUESTS_CA_BUNDLE=" + CABundle,
		"ENV SSL_CERT_FILE=" + CABundle,
		"ENV PIP_DEFAULT_TIMEOUT=180",
		`CMD ["python3"]`,
	})
	_, _ = io.Copy(io.Discard, rootfs)
	if err := tarCmd.Wait(); err != nil {
		t.Fatalf("tar the root file system: %v", err)
	}
	if importErr != nil {
		t.Fatal(importErr)
	}
	t.Logf("built the Python base image %s in %s", tag, time.Since(start).Round(time.Second))
	return tag
}

// DebianMirror is the Debian mirror apt uses on this machine
// (GAIAFLOW_DEBIAN_MIRROR overrides it).
func DebianMirror() string {
	if m := os.Getenv("GAIAFLOW_DEBIAN_MIRROR"); m != "" {
		return m
	}
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*.sources")
	for _, f := range files {
		if m := mirrorFromDeb822(f); m != "" {
			return m
		}
	}
	if m := mirrorFromList("/etc/apt/sources.list"); m != "" {
		return m
	}
	return "http://deb.debian.org/debian"
}

// mirrorFromDeb822 finds the URI of a stanza for the Debian suite (not security).
func mirrorFromDeb822(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	for _, stanza := range strings.Split(string(data), "\n\n") {
		var uris, suites string
		for _, line := range strings.Split(stanza, "\n") {
			if v, ok := strings.CutPrefix(line, "URIs:"); ok {
				uris = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(line, "Suites:"); ok {
				suites = v
			}
		}
		for _, s := range strings.Fields(suites) {
			if s == baseSuite && uris != "" {
				return strings.Fields(uris)[0]
			}
		}
	}
	return ""
}

// mirrorFromList finds a one-line `deb URL bookworm ...` entry.
func mirrorFromList(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 3 && fields[0] == "deb" && fields[2] == baseSuite && !strings.HasPrefix(fields[1], "[") {
			return fields[1]
		}
	}
	return ""
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, tail(string(out), 40))
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func lockFile(t testing.TB, path string) func() {
	t.Helper()
	l := flock.New(path)
	if err := l.Lock(); err != nil {
		t.Fatalf("lock %s: %v", path, err)
	}
	return func() { _ = l.Unlock() }
}
