package faults

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack"
	"github.com/gaiaflow/gaiaflow/services/stack/stacktest"
	"github.com/gaiaflow/gaiaflow/services/testenv"
)

// bin is the gaiaflow binary under test, built once by TestMain.
var bin string

func TestMain(m *testing.M) {
	// The cases wait on the daemon, not on the CPU: unless told otherwise,
	// run more of them at once than there are cores.
	flag.Parse()
	if f := flag.Lookup("test.parallel"); f != nil && f.Value.String() == strconv.Itoa(runtime.GOMAXPROCS(0)) {
		_ = f.Value.Set("8")
	}
	dir, err := os.MkdirTemp("", "gaiaflow-faults")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "gaiaflow")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/gaiaflow/gaiaflow").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	stacktest.RemoveImages()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// fixture is one project of stand-in images on a daemon: the machine's,
// or a private one.
type fixture struct {
	t     *testing.T
	d     *privateDaemon // nil: the machine's daemon
	c     *docker.Client
	host  string
	dir   string // the project
	state string // XDG_STATE_HOME
	id    string
	toml  string
	http  *http.Client
}

// newFixture makes a project whose every service runs the stand-in image
// built with env (see services/stack/internal/standin) on d, or on the
// machine's daemon when d is nil.
func newFixture(t *testing.T, d *privateDaemon, name string, env map[string]string) *fixture {
	t.Helper()
	testenv.RequireDocker(t)
	f := &fixture{t: t, d: d, host: testenv.DockerHost(), state: t.TempDir(), http: &http.Client{Timeout: 10 * time.Second}}
	if d != nil {
		f.host, f.http = d.Host, d.HTTP()
	}
	c, err := docker.New(func(k string) string {
		if k == "DOCKER_HOST" {
			return f.host
		}
		return os.Getenv(k)
	})
	if err != nil {
		t.Fatal(err)
	}
	f.c = c
	t.Cleanup(func() { _ = c.Close() })
	img := stacktest.Image(t, c, env)
	f.dir = stacktest.Project(t, name, img, "")
	f.toml = filepath.Join(f.dir, project.FileName)
	f.id = project.ID(name, f.dir)
	t.Cleanup(f.removeAll)
	return f
}

// removeAll removes everything labelled with the project.
func (f *fixture) removeAll() {
	if f.d != nil && f.d.cmd == nil {
		return // the private daemon is down; it is removed whole
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	labels := stack.ProjectLabels(f.id)
	cs, _ := f.c.ListContainers(ctx, labels)
	for _, ctr := range cs {
		_ = f.c.RemoveContainer(ctx, ctr.ID)
	}
	ns, _ := f.c.ListNetworks(ctx, labels)
	for _, n := range ns {
		_ = f.c.RemoveNetwork(ctx, n.ID)
	}
	vs, _ := f.c.ListVolumes(ctx, labels)
	for _, v := range vs {
		_ = f.c.RemoveVolume(ctx, v.Name)
	}
	is, _ := f.c.ListImages(ctx, labels)
	for _, i := range is {
		_ = f.c.RemoveImage(ctx, i.ID, docker.RemoveImageOptions{Force: true})
	}
}

// command is gaiaflow with the fixture's environment, run in the private
// daemon's network namespace when there is one (its readiness probes go to
// the ports published there).
func (f *fixture) command(args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	if f.d != nil {
		cmd = f.d.Cmd(bin, args...)
	} else {
		cmd = exec.Command(bin, args...)
	}
	cmd.Dir = f.dir
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+f.state, "DOCKER_HOST="+f.host, "NO_COLOR=1")
	return cmd
}

// result is a finished gaiaflow run.
type result struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("exit %d after %v\nstdout:\n%s\nstderr:\n%s", r.code, r.took.Round(time.Millisecond), r.stdout, r.stderr)
}

// firstError is the first line of stderr that reports the error.
func (r result) firstError() string {
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(l, "error: ") {
			return l
		}
	}
	return ""
}

// run runs gaiaflow to its end.
func (f *fixture) run(args ...string) result {
	f.t.Helper()
	p := f.startProc(args...)
	return p.wait()
}

// proc is a running gaiaflow whose NDJSON events (-o json) can be waited for.
type proc struct {
	t       *testing.T
	cmd     *exec.Cmd
	began   time.Time
	stderr  bytes.Buffer
	mu      sync.Mutex
	stdout  bytes.Buffer
	events  []event.Event
	changed chan struct{}
	done    chan struct{}
	res     result
}

func (f *fixture) startProc(args ...string) *proc {
	f.t.Helper()
	p := &proc{t: f.t, cmd: f.command(args...), changed: make(chan struct{}), done: make(chan struct{})}
	p.cmd.Stderr = &p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		f.t.Fatal(err)
	}
	p.began = time.Now()
	if err := p.cmd.Start(); err != nil {
		f.t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			p.mu.Lock()
			p.stdout.Write(line)
			p.stdout.WriteByte('\n')
			var e event.Event
			if json.Unmarshal(line, &e) == nil && e.Kind != "" {
				p.events = append(p.events, e)
			}
			close(p.changed)
			p.changed = make(chan struct{})
			p.mu.Unlock()
		}
		err := p.cmd.Wait()
		p.res = result{code: p.cmd.ProcessState.ExitCode(), took: time.Since(p.began)}
		if err != nil && p.res.code < 0 {
			p.res.code = -1
		}
		p.mu.Lock()
		p.res.stdout, p.res.stderr = p.stdout.String(), p.stderr.String()
		p.mu.Unlock()
		close(p.done)
	}()
	return p
}

// waitEvent waits until an event matches, and returns it.
func (p *proc) waitEvent(what string, timeout time.Duration, match func(event.Event) bool) event.Event {
	p.t.Helper()
	deadline := time.After(timeout)
	seen := 0
	for {
		p.mu.Lock()
		evs, ch := p.events[seen:], p.changed
		p.mu.Unlock()
		for _, e := range evs {
			if match(e) {
				return e
			}
		}
		seen += len(evs)
		select {
		case <-ch:
		case <-p.done:
			p.t.Fatalf("gaiaflow ended before %s:\n%s", what, p.res)
		case <-deadline:
			p.t.Fatalf("no %s in %v", what, timeout)
		}
	}
}

func (p *proc) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

func (p *proc) wait() result {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(5 * time.Minute):
		_ = p.cmd.Process.Kill()
		<-p.done
		p.t.Fatalf("gaiaflow ran for 5 minutes:\n%s", p.res)
	}
	return p.res
}

// state is what a start event says: a component reached a state.
func state(component, st string) func(event.Event) bool {
	return func(e event.Event) bool { return e.Container == component && e.State == st }
}

// mustStart starts the stack and requires every service healthy.
func (f *fixture) mustStart(what string) {
	f.t.Helper()
	r := f.run("dev", "start", "--wait", "2m")
	if r.code != 0 {
		f.t.Fatalf("%s: dev start failed:\n%s", what, r)
	}
	f.requireHealthy(what)
}

func (f *fixture) requireHealthy(what string) {
	f.t.Helper()
	r := f.run("-o", "json", "dev", "status")
	var v stack.StatusView
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || r.code != 0 {
		f.t.Fatalf("%s: dev status: %v\n%s", what, err, r)
	}
	if !v.Healthy() {
		f.t.Fatalf("%s: not healthy:\n%s", what, r.stdout)
	}
}

// port is a service's host port in gaiaflow.toml.
func (f *fixture) port(service string) int {
	f.t.Helper()
	p, err := project.Open(f.dir, true)
	if err != nil {
		f.t.Fatal(err)
	}
	s, _ := p.Config.Service(service)
	return s.Port
}

// keep stores an object in MinIO's volume (the stand-in stores what is
// PUT), to tell afterwards that the data survived.
func (f *fixture) keep(key, value string) {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodPut, "http://127.0.0.1:"+strconv.Itoa(f.port("minio"))+"/mlflow/"+key, strings.NewReader(value))
	resp, err := f.http.Do(req)
	if err != nil {
		f.t.Fatalf("put %s: %v", key, err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		f.t.Fatalf("put %s: HTTP %d", key, resp.StatusCode)
	}
}

func (f *fixture) kept(key string) string {
	f.t.Helper()
	resp, err := f.http.Get("http://127.0.0.1:" + strconv.Itoa(f.port("minio")) + "/mlflow/" + key)
	if err != nil {
		f.t.Fatalf("get %s: %v", key, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// stateDir is the project's state directory.
func (f *fixture) stateDir() string {
	return filepath.Join(f.state, "gaiaflow", "projects", f.id)
}

// credentials are credentials.json's bytes, nil when it does not exist.
func (f *fixture) credentials() []byte {
	data, _ := os.ReadFile(filepath.Join(f.stateDir(), "credentials.json"))
	return data
}

// docker runs the docker CLI on the fixture's daemon.
func (f *fixture) docker(args ...string) string {
	f.t.Helper()
	cmd := exec.Command("docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+f.host)
	out, err := cmd.CombinedOutput()
	if err != nil {
		f.t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// containerID is the id of a component's container.
func (f *fixture) containerID(component string) string {
	return f.docker("ps", "-aq", "--filter", "name=^/"+stack.ContainerName(f.id, component)+"$")
}

// snapshot is what must survive a fault.
type snapshot struct {
	creds []byte
	key   string
}

// prepare starts the stack once, stores an object in its data, and
// returns what must survive.
func (f *fixture) prepare() snapshot {
	f.t.Helper()
	f.mustStart("the first start")
	s := snapshot{creds: f.credentials(), key: "kept-" + strconv.FormatInt(time.Now().UnixNano(), 36)}
	f.keep(s.key, "precious")
	return s
}

// prepareFresh is prepare, then every container removed (`dev cleanup`;
// the volumes and their data stay), so that the next start goes through
// every phase again: create, start, readiness.
func (f *fixture) prepareFresh() snapshot {
	f.t.Helper()
	s := f.prepare()
	if r := f.run("dev", "cleanup", "--yes"); r.code != 0 {
		f.t.Fatalf("dev cleanup: %s", r)
	}
	return s
}

// checkAfter checks what every fault must leave: no half-written file in
// the state directory, nothing unlabelled of the project on the daemon,
// then that the next start succeeds, with the credentials and the data of
// before.
func (f *fixture) checkAfter(before snapshot) {
	f.t.Helper()
	f.checkNoHalfWritten()
	f.checkLabelled()
	f.mustStart("the start after the fault")
	if before.creds != nil && !bytes.Equal(f.credentials(), before.creds) {
		f.t.Error("credentials.json changed")
	}
	if before.key != "" {
		if got := f.kept(before.key); got != "precious" {
			f.t.Errorf("the data in MinIO's volume was lost: %q", got)
		}
	}
}

// checkNoHalfWritten fails on a temporary file left in the state
// directory, or a JSON file there that does not parse.
func (f *fixture) checkNoHalfWritten() {
	f.t.Helper()
	entries, _ := os.ReadDir(f.stateDir())
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			f.t.Errorf("a half-written file is left in the state directory: %s", e.Name())
		}
		if strings.HasSuffix(e.Name(), ".json") {
			data, err := os.ReadFile(filepath.Join(f.stateDir(), e.Name()))
			if err == nil && !json.Valid(data) {
				f.t.Errorf("%s in the state directory is not valid JSON", e.Name())
			}
		}
	}
}

// checkLabelled fails on any container, volume or network named for the
// project that does not carry its label.
func (f *fixture) checkLabelled() {
	f.t.Helper()
	for _, kind := range []string{"container", "volume", "network"} {
		var lines string
		switch kind {
		case "container":
			lines = f.docker("ps", "-a", "--format", `{{.Names}} {{.Label "io.gaiaflow.project"}}`)
		case "volume":
			lines = f.docker("volume", "ls", "--format", `{{.Name}} {{.Label "io.gaiaflow.project"}}`)
		case "network":
			lines = f.docker("network", "ls", "--format", `{{.Name}} {{.Label "io.gaiaflow.project"}}`)
		}
		for _, l := range strings.Split(lines, "\n") {
			name, label, _ := strings.Cut(l, " ")
			if strings.HasPrefix(name, f.id) && label != f.id {
				f.t.Errorf("%s %s is not labelled with the project (%q)", kind, name, label)
			}
		}
	}
}

// noneRestarting fails if a container of the project restarts, or runs
// again on its own, during d after a failed start.
func (f *fixture) noneRestarting(d time.Duration) {
	f.t.Helper()
	time.Sleep(d)
	out := f.docker("ps", "-a", "--filter", "label=io.gaiaflow.project="+f.id, "--format", "{{.Names}} {{.Status}}")
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "Restarting") {
			f.t.Errorf("%v after the failed start a container restarts: %s", d, l)
		}
	}
}

// unlabelledContainers lists the daemon's containers without the project's
// label; on a private daemon there must be none.
func (f *fixture) unlabelledContainers() []string {
	f.t.Helper()
	var out []string
	for _, l := range strings.Split(f.docker("ps", "-a", "--format", `{{.Names}} {{.Label "io.gaiaflow.project"}}`), "\n") {
		if name, label, _ := strings.Cut(l, " "); name != "" && label != f.id {
			out = append(out, name)
		}
	}
	return out
}

// checkAllLabelled fails, on a private daemon (where everything is the
// test's), on any container, volume, network or image that is neither the
// project's (labelled) nor the engine's own nor a stand-in image.
func (f *fixture) checkAllLabelled() {
	f.t.Helper()
	if f.d == nil {
		f.t.Fatal("checkAllLabelled needs a private daemon")
	}
	if left := f.unlabelledContainers(); len(left) > 0 {
		f.t.Errorf("containers without the project's label: %v", left)
	}
	// The volumes every project shares carry gaiaflow's kind label instead
	// of a project's.
	for _, l := range strings.Split(f.docker("volume", "ls", "--format", `{{.Name}} {{.Label "io.gaiaflow.project"}} {{.Label "io.gaiaflow.kind"}}`), "\n") {
		fields := strings.Split(l, " ")
		if len(fields) < 3 || fields[0] == "" {
			continue
		}
		name, label, kind := fields[0], fields[1], fields[2]
		shared := (name == stack.PipCacheVolume && kind == "pip-cache") || (name == stack.JupyterEnvsVolume && kind == "jupyter-envs")
		if label != f.id && !shared {
			f.t.Errorf("volume %s is not the project's", name)
		}
	}
	for _, l := range strings.Split(f.docker("network", "ls", "--format", `{{.Name}} {{.Label "io.gaiaflow.project"}}`), "\n") {
		name, label, _ := strings.Cut(l, " ")
		if name != "" && name != "bridge" && name != "host" && name != "none" && label != f.id {
			f.t.Errorf("network %s is not the project's", name)
		}
	}
	// Tagged images: untagged ones are the engine's build cache.
	ids := strings.Fields(f.docker("image", "ls", "-q"))
	if len(ids) == 0 {
		return
	}
	inspect := append([]string{"image", "inspect", "-f", `{{.RepoTags}} {{index .Config.Labels "io.gaiaflow.project"}}{{index .Config.Labels "io.gaiaflow.test"}}`}, ids...)
	for _, l := range strings.Split(f.docker(inspect...), "\n") {
		tags, label, _ := strings.Cut(l, "] ")
		if label == "" {
			f.t.Errorf("image %s] is neither the project's nor a stand-in", tags)
		}
	}
}
