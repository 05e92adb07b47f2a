package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
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

// freePorts picks n distinct free TCP ports on 127.0.0.1.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("pick a free port: %v", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		_ = l.Close()
	}
	return ports
}

// buildKit runs e2e/images/build.sh and returns its NAME=TAG lines.
func buildKit(t *testing.T, root string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(root, "e2e", "images", "build.sh"))
	cmd.Dir = root
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("e2e/images/build.sh: %v\n%s", err, tail(errb.String(), 60))
	}
	kit := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "="); ok {
			kit[k] = v
		}
	}
	for _, want := range []string{"python", "postgres", "airflow", "mlflow", "minio", "jupyter"} {
		if kit[want] == "" {
			t.Fatalf("e2e/images/build.sh printed no %s= line; it printed:\n%s", want, out)
		}
	}
	return kit
}

var tableRe = regexp.MustCompile(`^\[([^\]]+)\]\s*$`)

// configure rewrites the generated gaiaflow.toml so the stack runs on the
// kit's images and on free ports. It sets values in the tables init wrote
// and fails if one is missing, so a change of the template shows up here.
func configure(t *testing.T, path string, set map[string]map[string]string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	done := map[string]bool{}
	var table string
	lines := strings.Split(string(data), "\n")
	var out []string
	flush := func() {
		keys := make([]string, 0, len(set[table]))
		for k := range set[table] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if v := set[table][k]; !done[table+"."+k] {
				out = append(out, fmt.Sprintf("%s = %s", k, v))
				done[table+"."+k] = true
			}
		}
	}
	for _, line := range lines {
		if m := tableRe.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			// Keys not present in the previous table go at its end,
			// before the blank lines that end it.
			blanks := 0
			for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
				out = out[:len(out)-1]
				blanks++
			}
			flush()
			for ; blanks > 0; blanks-- {
				out = append(out, "")
			}
			table = m[1]
			out = append(out, line)
			continue
		}
		if k, _, ok := strings.Cut(line, "="); ok {
			key := strings.TrimSpace(k)
			if v, ok := set[table][key]; ok {
				out = append(out, fmt.Sprintf("%s = %s", key, v))
				done[table+"."+key] = true
				continue
			}
		}
		out = append(out, line)
	}
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
		out = out[:len(out)-1]
	}
	flush()
	for tbl, kv := range set {
		for k := range kv {
			if !done[tbl+"."+k] {
				t.Fatalf("%s has no [%s] table for %s", path, tbl, k)
			}
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

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
