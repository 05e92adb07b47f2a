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

// newHarness skips unless GAIAFLOW_E2E=1, then makes the scratch directory,
// builds (or finds) the image kit and the gaiaflow binary, and gives the
// binary a state and config directory of its own. Calling keep makes the
// scratch directory outlive the test (GAIAFLOW_E2E_KEEP after a failure).
func newHarness(t *testing.T, name, pkg string) (h *harness, keep func()) {
	t.Helper()
	if os.Getenv("GAIAFLOW_E2E") != "1" {
		t.Skip("the end-to-end suite runs with GAIAFLOW_E2E=1 (make e2e); it needs root and a Docker daemon")
	}
	h = &harness{t: t, start: time.Now(), name: name, pkg: pkg}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	h.root = root
	// Not t.TempDir: with GAIAFLOW_E2E_KEEP=1 a failed run keeps its project
	// and state (the credentials) next to the stack it leaves running.
	h.work, err = os.MkdirTemp("", "gaiaflow-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	kept := false
	t.Cleanup(func() {
		if kept {
			t.Logf("kept: projects and state under %s", h.work)
			return
		}
		_ = os.RemoveAll(h.work)
	})

	h.step("image kit", func() {
		img, err := kit.Build(context.Background(), root, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		h.kit = img
		for k, v := range h.kit {
			t.Logf("kit %s=%s", k, v)
		}
	})

	h.step("build gaiaflow", func() {
		h.bin = os.Getenv("GAIAFLOW_E2E_BIN") // a prebuilt binary, for trying the suite on another build
		if h.bin != "" {
			return
		}
		h.bin = filepath.Join(h.work, "gaiaflow")
		out, err := goBuild(root, h.bin)
		if err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	})

	h.env = append(os.Environ(),
		"XDG_STATE_HOME="+filepath.Join(h.work, "state"),
		"XDG_CONFIG_HOME="+filepath.Join(h.work, "config"),
		"NO_COLOR=1",
	)
	return h, func() { kept = true }
}

// credentialsFile is the project's credentials.json in the binary's state
// directory.
func (h *harness) credentialsFile() string {
	return filepath.Join(h.work, "state", "gaiaflow", "projects", h.id, "credentials.json")
}

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
	// transcript is everything every run of the binary printed, for the
	// checks that no secret was ever printed.
	transcript strings.Builder
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
	h.transcript.WriteString(out.String())
	h.transcript.WriteString(errb.String())
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
