package cli

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gaiaflow/gaiaflow/pylib"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/testenv"
)

type result struct {
	out, err string
	code     int
	dockers  int // how many Docker clients were built
}

// run executes gaiaflow in-process in dir with an isolated environment.
func run(t *testing.T, dir string, args ...string) result {
	t.Helper()
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	return runWith(t, dir, map[string]string{"XDG_STATE_HOME": state, "HOME": state}, args...)
}

// runWith executes gaiaflow in-process in dir, with env overriding the
// process's environment as App.Getenv reads it. It changes nothing global,
// so parallel goroutines may use it.
func runWith(t *testing.T, dir string, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := NewApp(strings.NewReader(""), &out, &errb)
	a.Cwd = dir
	a.Getenv = func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	var r result
	real := a.NewDocker
	a.NewDocker = func() (*docker.Client, error) { r.dockers++; return real() }
	a.IsTerminal = func(any) bool { return false }
	r.code = a.Run(args)
	r.out, r.err = out.String(), errb.String()
	return r
}

func newProjectDir(t *testing.T, toml string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gaiaflow.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const goodToml = "name = \"demo\"\npackage = \"demo\"\n"

// Every command and flag has help, and --help works everywhere.
func TestEveryCommandHasHelp(t *testing.T) {
	root := newRoot(NewApp(nil, io.Discard, io.Discard))
	var walk func(c *cobra.Command)
	count := 0
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		count++
		path := strings.Fields(c.CommandPath())[1:]
		t.Run(strings.Join(append([]string{"gaiaflow"}, path...), " "), func(t *testing.T) {
			if strings.TrimSpace(c.Short) == "" {
				t.Errorf("%s has no short help", c.CommandPath())
			}
			c.Flags().VisitAll(func(f *pflag.Flag) {
				if strings.TrimSpace(f.Usage) == "" {
					t.Errorf("%s --%s has no help", c.CommandPath(), f.Name)
				}
			})
			r := run(t, t.TempDir(), append(path, "--help")...)
			if r.code != 0 {
				t.Fatalf("exit %d, stderr %q", r.code, r.err)
			}
			desc := c.Long
			if desc == "" {
				desc = c.Short
			}
			if !strings.Contains(r.out, "Usage:") || !strings.Contains(r.out, desc[:10]) {
				t.Errorf("help output lacks usage or description:\n%s", r.out)
			}
			if r.dockers != 0 {
				t.Errorf("--help built %d Docker clients", r.dockers)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	// The command tree: root, init, mode(+set, check), dev(9), prod-local(8), dags(8), doctor, version, completion,
	// plus library (wheel, install), prod (dockerize, create-secret, status) and mlflow (experiments, runs).
	if count != 1+1+3+10+9+9+3+3+4+3 {
		t.Errorf("walked %d commands; the tree changed, update this count deliberately", count)
	}
}

func TestExitCodesAndErrors(t *testing.T) {
	proj := newProjectDir(t, goodToml)
	bad := newProjectDir(t, "name = \"demo\"\npackage = \"demo\"\n\n[services.airflow]\nport = 70000\n")
	unknown := newProjectDir(t, "name = \"demo\"\npackage = \"demo\"\nfoo = 1\n")
	empty := t.TempDir()
	tests := []struct {
		name string
		dir  string
		args []string
		code int
		want []string // substrings of stderr
	}{
		{"unknown subcommand", proj, []string{"--no-tui", "dev", "frobnicate"}, 2, []string{`error: unknown command "frobnicate" for "gaiaflow dev"`, "hint: run 'gaiaflow dev --help'"}},
		{"unknown top command", proj, []string{"frobnicate"}, 2, []string{"error: unknown command"}},
		{"unknown flag", proj, []string{"dev", "start", "--bogus"}, 2, []string{"unknown flag: --bogus", "hint:"}},
		{"bad output format", proj, []string{"-o", "yaml", "version"}, 2, []string{`unknown output format "yaml"`}},
		{"too many args", proj, []string{"dags", "runs", "a", "b"}, 2, []string{"takes one DAG id"}},
		{"bad port", bad, []string{"mode"}, 2, []string{"gaiaflow.toml:5:1: port 70000 is out of range", "hint: fix gaiaflow.toml"}},
		{"unknown key", unknown, []string{"mode"}, 2, []string{"gaiaflow.toml:3:1: unknown key \"foo\""}},
		{"no project", empty, []string{"mode"}, 2, []string{"no gaiaflow.toml", "hint:", "gaiaflow init"}},
		{"bad mode", proj, []string{"mode", "set", "staging"}, 2, []string{`unknown mode "staging"`, "hint: use one of: dev, dev_docker, prod_local, prod"}},
		{"explicit path without project", proj, []string{"-p", empty, "mode"}, 2, []string{"has no gaiaflow.toml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.dir, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, tt.code, r.err)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.err, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.err)
				}
			}
			if strings.Contains(r.err, "goroutine") || strings.Contains(r.err, "panic") {
				t.Errorf("stack trace in stderr:\n%s", r.err)
			}
			lines := strings.Split(strings.TrimSpace(r.err), "\n")
			if len(lines) > 2 && tt.name != "unknown flag" {
				t.Errorf("more than an error and a hint line:\n%s", r.err)
			}
		})
	}
}

func TestDebugShowsTheChain(t *testing.T) {
	r := run(t, t.TempDir(), "--debug", "mode")
	if r.code != 2 || !strings.Contains(r.err, "debug: ") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.err)
	}
}

func TestModeShowAndSet(t *testing.T) {
	dir := newProjectDir(t, "# keep this comment\n"+goodToml)
	r := run(t, dir, "mode", "-o", "json")
	if r.code != 0 {
		t.Fatalf("mode: %d %s", r.code, r.err)
	}
	var v modeView
	if err := json.Unmarshal([]byte(r.out), &v); err != nil || v.Mode != "dev" || len(v.Modes) != 4 {
		t.Fatalf("mode -o json = %q (%v)", r.out, err)
	}
	if dockerUp() {
		// dev_docker needs a task image; none was built.
		r = run(t, dir, "mode", "set", "dev_docker")
		if r.code != 1 || !strings.Contains(r.err, "dev_docker is not ready") || !strings.Contains(r.err, "MISSING  task image") ||
			!strings.Contains(r.err, "fix: build one with `gaiaflow dev dockerize`") {
			t.Fatalf("mode set without a task image: %d %s", r.code, r.err)
		}
	}
	r = run(t, dir, "mode", "set", "dev_docker", "--force")
	if r.code != 0 {
		t.Fatalf("mode set: %d %s", r.code, r.err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "gaiaflow.toml"))
	if !strings.Contains(string(data), `mode = "dev_docker"`) || !strings.HasPrefix(string(data), "# keep this comment\n") {
		t.Errorf("gaiaflow.toml after mode set:\n%s", data)
	}
	r = run(t, dir, "mode")
	if !strings.Contains(r.out, "mode: dev_docker") {
		t.Errorf("mode after set:\n%s", r.out)
	}
}

// A DAG of the original template pins mode dev: mode check lists it, and
// setting another mode says those tasks stay in dev.
func TestModeSetNamesDAGsPinnedToDev(t *testing.T) {
	dir := newProjectDir(t, goodToml)
	if err := os.MkdirAll(filepath.Join(dir, "dags"), 0o755); err != nil {
		t.Fatal(err)
	}
	dag := "MODE = \"dev\"\ncreate_task(task_id=\"a\", func_path=\"p:f\", mode=MODE)\n"
	if err := os.WriteFile(filepath.Join(dir, "dags", "change_me_task_factory_dag.py"), []byte(dag), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "mode", "check", "dev_docker")
	if !strings.Contains(r.out, "ok       dags/change_me_task_factory_dag.py pins mode dev") {
		t.Errorf("mode check: exit %d\n%s%s", r.code, r.out, r.err)
	}
	r = run(t, dir, "mode", "set", "dev_docker", "--force")
	if r.code != 0 || !strings.Contains(r.err, "note: dags/change_me_task_factory_dag.py pins mode dev: its tasks with mode=\"dev\" run in dev, not dev_docker") {
		t.Errorf("mode set: exit %d\n%s", r.code, r.err)
	}
}

func TestVersionJSON(t *testing.T) {
	r := run(t, t.TempDir(), "version", "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	var v versionView
	if err := json.Unmarshal([]byte(r.out), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.out)
	}
	if v.Version == "" || !strings.HasPrefix(v.GoVersion, "go") || v.Docker == nil {
		t.Errorf("version view = %+v", v)
	}
}

func TestStartupIsLazy(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"version", "--short"}, {"completion", "bash"}, {"completion", "zsh"}, {"completion", "fish"}, {"dev", "--help"}} {
		r := run(t, t.TempDir(), args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d %s", args, r.code, r.err)
		}
		if r.dockers != 0 {
			t.Errorf("%v built %d Docker clients", args, r.dockers)
		}
	}
	r := run(t, t.TempDir(), "completion", "bash")
	if !strings.Contains(r.out, "__start_gaiaflow") {
		t.Errorf("bash completion script looks wrong: %.200s", r.out)
	}
}

func TestSummaryHeadless(t *testing.T) {
	dir := newProjectDir(t, goodToml)
	r := run(t, dir, "--no-tui", "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.err)
	}
	var v summaryView
	if err := json.Unmarshal([]byte(r.out), &v); err != nil || v.Project != "demo" || len(v.Services) != 4 {
		t.Fatalf("summary = %q (%v)", r.out, err)
	}
	if !strings.HasPrefix(v.ID, "demo-") {
		t.Errorf("id %q", v.ID)
	}
}

// TestRealDockerDoctorJSON runs doctor against the real Docker engine.
func TestRealDockerDoctorJSON(t *testing.T) {
	testenv.RequireDocker(t)
	r := run(t, newProjectDir(t, goodToml), "doctor", "-o", "json")
	var v doctorView
	if err := json.Unmarshal([]byte(r.out), &v); err != nil {
		t.Fatalf("doctor -o json is not JSON: %v\n%s\n%s", err, r.out, r.err)
	}
	if len(v.Checks) < 7 {
		t.Fatalf("only %d checks", len(v.Checks))
	}
	if v.Checks[0].Name != "docker" || v.Checks[0].Status != "ok" || !strings.Contains(v.Checks[0].Detail, "API 1.") {
		t.Errorf("docker check = %+v", v.Checks[0])
	}
	if (v.Status == "fail") != (r.code == 1) {
		t.Errorf("status %s but exit %d", v.Status, r.code)
	}
}

// TestBinaryExitCodes builds the real binary and checks the process's exit codes.
func TestBinaryExitCodes(t *testing.T) {
	bin := buildGaiaflow(t)
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"--no-tui", "dev", "frobnicate"}, 2},
		{[]string{"version", "--short"}, 0},
		{[]string{"mode"}, 2}, // no project in the temp dir
	} {
		cmd := exec.Command(bin, tc.args...)
		cmd.Dir = t.TempDir()
		cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+t.TempDir())
		out, _ := cmd.CombinedOutput()
		if got := cmd.ProcessState.ExitCode(); got != tc.code {
			t.Errorf("gaiaflow %v: exit %d, want %d\n%s", tc.args, got, tc.code, out)
		}
	}
}

func TestLibraryWheel(t *testing.T) {
	out := filepath.Join(t.TempDir(), "dist")
	r := run(t, t.TempDir(), "library", "wheel", "--out", out, "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	var v map[string]string
	if err := json.Unmarshal([]byte(r.out), &v); err != nil {
		t.Fatalf("%q: %v", r.out, err)
	}
	if v["version"] != pylib.Version() || filepath.Base(v["wheel"]) != pylib.WheelFilename() {
		t.Errorf("output %v", v)
	}
	zr, err := zip.OpenReader(v["wheel"])
	if err != nil {
		t.Fatalf("not a wheel: %v", err)
	}
	defer zr.Close()
	found := false
	for _, f := range zr.File {
		if f.Name == "gaiaflow/runner.py" {
			found = true
		}
	}
	if !found {
		t.Error("the wheel lacks gaiaflow/runner.py")
	}
}

// `gaiaflow library install` puts the bundled library into the project's
// .venv (a real venv of the test's Python), offline; without one it says
// what to do, exit 2.
func TestRealPythonLibraryInstall(t *testing.T) {
	py := testenv.Python(t)
	dir := newProjectDir(t, goodToml)
	if r := run(t, dir, "library", "install"); r.code != 2 || !strings.Contains(r.err, "no environment of the project was found") {
		t.Errorf("no environment: exit %d\n%s", r.code, r.err)
	}
	if out, err := exec.Command(py, "-m", "venv", filepath.Join(dir, ".venv")).CombinedOutput(); err != nil {
		t.Fatalf("venv: %v\n%s", err, out)
	}
	r := run(t, dir, "library", "install")
	if r.code != 0 || !strings.Contains(r.out, "installed gaiaflow "+pylib.Version()+" into .venv") {
		t.Fatalf("exit %d\n%s%s", r.code, r.out, r.err)
	}
	out, err := exec.Command(filepath.Join(dir, ".venv", "bin", "python"), "-c", "import gaiaflow; print(gaiaflow.__version__)").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != pylib.Version() {
		t.Errorf("import: %v %s", err, out)
	}
}

// dockerUp reports whether a Docker daemon answers at the tests' address.
func dockerUp() bool {
	host := testenv.DockerHost()
	network, addr := "unix", strings.TrimPrefix(host, "unix://")
	if strings.HasPrefix(host, "tcp://") {
		network, addr = "tcp", strings.TrimPrefix(host, "tcp://")
	}
	conn, err := net.DialTimeout(network, addr, 2*time.Second)
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}

// buildGaiaflow builds the real binary into a temporary directory.
func buildGaiaflow(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gaiaflow")
	build := exec.Command("go", "build", "-o", bin, "github.com/gaiaflow/gaiaflow")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
