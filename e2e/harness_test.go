package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/e2e/kit"
)

// harness holds what every step of the scenario shares: the binary, the
// environment it runs in, the project and its ports.
type harness struct {
	t       *testing.T
	bin     string // the gaiaflow binary built from this checkout
	root    string // repository root
	work    string // the test's scratch directory
	env     []string
	project string // project directory
	id      string // project id (name + hash of the path)
	name    string
	pkg     string
	ports   map[string]int
	kit     map[string]string // image kit NAME=TAG
	start   time.Time
}

// step runs one named step and logs how long it took, so cold and warm runs
// can be compared from the test's output.
func (h *harness) step(name string, fn func()) {
	h.t.Helper()
	begin := time.Now()
	h.t.Logf("=== step %s: begin (%s since start)", name, time.Since(h.start).Round(time.Second))
	defer func() {
		h.t.Logf("=== step %s: %s (took %s)", name, outcome(h.t), time.Since(begin).Round(100*time.Millisecond))
	}()
	fn()
}

func outcome(t *testing.T) string {
	if t.Failed() {
		return "FAILED"
	}
	return "ok"
}

// result is one finished run of the binary.
type result struct {
	code   int
	stdout string
	stderr string
}

// run runs the binary with args and returns what it printed; it never fails
// the test by itself.
func (h *harness) run(ctx context.Context, args ...string) result {
	h.t.Helper()
	cmd := exec.CommandContext(ctx, h.bin, args...)
	cmd.Env = h.env
	cmd.Dir = h.work
	cmd.WaitDelay = 10 * time.Second
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		code = -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// must runs the binary and fails the test (printing its output) unless it
// exits 0.
func (h *harness) must(timeout time.Duration, args ...string) result {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	begin := time.Now()
	r := h.run(ctx, args...)
	h.t.Logf("gaiaflow %s: exit %d in %s", strings.Join(args, " "), r.code, time.Since(begin).Round(100*time.Millisecond))
	if r.code != 0 {
		h.t.Fatalf("gaiaflow %s: exit %d (timeout %s)\nstdout:\n%s\nstderr:\n%s",
			strings.Join(args, " "), r.code, timeout, tail(r.stdout, 80), tail(r.stderr, 80))
	}
	return r
}

// p prefixes args with the project flag and headless mode.
func (h *harness) p(args ...string) []string {
	return append([]string{"--no-tui", "-p", h.project}, args...)
}

// tail keeps the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("[... %d lines above]", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// dumpFailure prints what a developer needs to see why the stack failed:
// its status and the last lines of every service's log.
func (h *harness) dumpFailure() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st := h.run(ctx, h.p("dev", "status")...)
	h.t.Logf("--- gaiaflow dev status (exit %d):\n%s%s", st.code, st.stdout, st.stderr)
	for _, svc := range []string{"airflow", "mlflow", "minio", "jupyter"} {
		lg := h.run(ctx, h.p("dev", "logs", svc, "--tail", "100")...)
		h.t.Logf("--- gaiaflow dev logs %s --tail 100 (exit %d):\n%s%s", svc, lg.code, lg.stdout, tail(lg.stderr, 20))
	}
}

// docker runs the docker CLI (the test is tooling; gaiaflow itself uses the
// Engine API).
func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// newHarness is the harness of one end-to-end test, which is skipped
// unless GAIAFLOW_E2E=1.
func newHarness(t *testing.T, name, pkg string) *harness {
	t.Helper()
	if os.Getenv("GAIAFLOW_E2E") != "1" {
		t.Skip("the end-to-end suite runs with GAIAFLOW_E2E=1 (make e2e); it needs root and a Docker daemon")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, start: time.Now(), name: name, pkg: pkg, root: root}
}

// buildKit builds the image kit (a second when it is built already).
func (h *harness) buildKit() {
	img, err := kit.Build(context.Background(), h.root, io.Discard)
	if err != nil {
		h.t.Fatal(err)
	}
	h.kit = img
	for k, v := range h.kit {
		h.t.Logf("kit %s=%s", k, v)
	}
}

// buildBinary builds gaiaflow from this checkout into the test's scratch
// directory, unless GAIAFLOW_E2E_BIN names a prebuilt binary (to try the
// suite on another build).
func (h *harness) buildBinary() {
	if h.bin = os.Getenv("GAIAFLOW_E2E_BIN"); h.bin != "" {
		return
	}
	h.bin = filepath.Join(h.work, "gaiaflow")
	if out, err := goBuild(h.root, h.bin); err != nil {
		h.t.Fatalf("go build: %v\n%s", err, out)
	}
}
