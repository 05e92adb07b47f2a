package airflow

// The integration tests (TestRealAirflow...) share one real Airflow started
// here on first use: a temporary AIRFLOW_HOME with SQLite, the simple auth
// manager with a known user, LocalExecutor, and api-server, scheduler and
// dag-processor as child processes in their own process groups. TestMain
// stops them after the last test.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/testenv"
)

const (
	realUser     = "admin"
	realPassword = "gaiaflow-test-password"
	// realStartDeadline bounds db migrate, start-up and the first parse of
	// the DAGs. It takes about 15 s on an idle 2-core machine; CI machines
	// are shared.
	realStartDeadline = 5 * time.Minute
	// generatedDAGs is how many DAGs testdata/dags/many_dags.py makes.
	generatedDAGs = 1000
)

// brokenDAG is a DAG file with a syntax error. It lives here rather than in
// testdata/dags so that linters of the repository's Python never see it. It
// names "airflow" and "dag": the dag processor skips files that mention
// neither (its safe-mode heuristic), and those never get an import error.
const brokenDAG = `from airflow.sdk import dag

def broken_dag(:
    pass
`

// realAirflowEnv is the running Airflow.
type realAirflowEnv struct {
	home    string
	baseURL string
	procs   []*airflowProc
	timings []string // how long each phase of the start took
}

type airflowProc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{} // closed when the process has exited
	err  error         // its exit status, once done is closed
}

var (
	// realMu guards the shared Airflow: the first test to need it starts
	// it, and a failed start is not retried.
	realMu  sync.Mutex
	realBin string
	realEnv *realAirflowEnv
	realErr error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if realEnv != nil {
		realEnv.stop()
	}
	os.Exit(code)
}

// realAirflow returns the shared Airflow, starting it on first use. It skips
// the test when Airflow is not installed, or fails it in CI
// (GAIAFLOW_REQUIRE_AIRFLOW=1; see services/testenv).
func realAirflow(t *testing.T) *realAirflowEnv {
	t.Helper()
	realMu.Lock()
	defer realMu.Unlock()
	if realBin == "" {
		// testenv.Airflow imports airflow in Python, which takes
		// seconds; once it has said yes, that holds for the package.
		realBin = testenv.Airflow(t)
	}
	if realEnv == nil && realErr == nil {
		realEnv, realErr = startRealAirflow(realBin)
		if realErr == nil {
			// go test -v shows how long the shared start took.
			fmt.Printf("real Airflow ready at %s: %s (AIRFLOW_HOME %s)\n",
				realEnv.baseURL, strings.Join(realEnv.timings, ", "), realEnv.home)
		}
	}
	if realErr != nil {
		t.Fatalf("start a real Airflow: %v", realErr)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Airflow logs:\n%s", realEnv.logTails(40))
		}
	})
	return realEnv
}

// client returns a client logged in as the known user.
func (e *realAirflowEnv) client(t *testing.T) *Client {
	t.Helper()
	return e.clientWith(t, Config{Username: realUser, Password: realPassword})
}

func (e *realAirflowEnv) clientWith(t *testing.T, cfg Config) *Client {
	t.Helper()
	cfg.BaseURL = e.baseURL
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func startRealAirflow(bin string) (env *realAirflowEnv, err error) {
	home, err := os.MkdirTemp("", "gaiaflow-airflow-")
	if err != nil {
		return nil, err
	}
	env = &realAirflowEnv{home: home}
	defer func() {
		if err != nil {
			tails := env.logTails(40)
			env.stop()
			err = fmt.Errorf("%w\n%s", err, tails)
		}
	}()

	dags := filepath.Join(home, "dags")
	if err := copyDAGs(dags); err != nil {
		return env, err
	}
	// Pre-seeded: the api-server keeps existing entries and generates
	// passwords only for users missing from the file.
	passwords := filepath.Join(home, "passwords.json")
	seed, _ := json.Marshal(map[string]string{realUser: realPassword})
	if err := os.WriteFile(passwords, seed, 0o600); err != nil {
		return env, err
	}
	port, err := freePort()
	if err != nil {
		return env, err
	}
	env.baseURL = fmt.Sprintf("http://127.0.0.1:%d", port)
	vars := airflowEnv(home, dags, passwords, env.baseURL)

	ctx, cancel := context.WithTimeout(context.Background(), realStartDeadline)
	defer cancel()
	phase := time.Now()
	lap := func(name string) {
		env.timings = append(env.timings, fmt.Sprintf("%s %s", name, time.Since(phase).Round(100*time.Millisecond)))
		phase = time.Now()
	}

	migrate := exec.CommandContext(ctx, bin, "db", "migrate")
	migrate.Env = vars
	if out, err := migrate.CombinedOutput(); err != nil {
		_ = os.WriteFile(filepath.Join(home, "migrate.log"), out, 0o644)
		return env, fmt.Errorf("airflow db migrate: %w\n%s", err, lastLines(out, 30))
	}
	lap("db migrate")

	for _, args := range [][]string{
		{"api-server", "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--workers", "1"},
		// Task logs are read from the shared AIRFLOW_HOME, so the
		// scheduler needs no log server (and no port of its own).
		{"scheduler", "--skip-serve-logs"},
		{"dag-processor"},
	} {
		if err := env.spawn(bin, args, vars); err != nil {
			return env, err
		}
	}

	c, err := New(Config{BaseURL: env.baseURL, Username: realUser, Password: realPassword, Timeout: 10 * time.Second})
	if err != nil {
		return env, err
	}
	if err := env.waitFor(ctx, "healthy", func() (bool, string) {
		h, err := c.Health(ctx)
		if err != nil {
			return false, err.Error()
		}
		dp, _ := h.Component(DagProcessor)
		return h.Healthy && dp.Status == StatusHealthy, fmt.Sprintf("%+v", h.Components)
	}); err != nil {
		return env, err
	}
	lap("healthy")
	if err := env.waitFor(ctx, "DAGs parsed", func() (bool, string) {
		dags, err := c.ListDAGs(ctx)
		if err != nil {
			return false, err.Error()
		}
		ids := make([]string, 0, len(dags))
		for _, d := range dags {
			ids = append(ids, d.ID)
		}
		importErrors, err := c.ListImportErrors(ctx)
		if err != nil {
			return false, err.Error()
		}
		state := fmt.Sprintf("%d DAGs, %d import errors", len(dags), len(importErrors))
		return slices.Contains(ids, "ok_dag") && slices.Contains(ids, "fail_dag") &&
			len(dags) >= generatedDAGs+2 && len(importErrors) > 0, state
	}); err != nil {
		return env, err
	}
	lap("DAGs parsed")
	return env, nil
}

// airflowEnv is the environment of every Airflow process: the caller's,
// without any Airflow settings it may carry, plus ours.
func airflowEnv(home, dags, passwords, baseURL string) []string {
	var vars []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AIRFLOW") {
			vars = append(vars, kv)
		}
	}
	return append(vars,
		"AIRFLOW_HOME="+home,
		"AIRFLOW__CORE__DAGS_FOLDER="+dags,
		"AIRFLOW__CORE__LOAD_EXAMPLES=False",
		"AIRFLOW__CORE__EXECUTOR=LocalExecutor",
		"AIRFLOW__CORE__PARALLELISM=4",
		"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=sqlite:///"+filepath.Join(home, "airflow.db"),
		"AIRFLOW__CORE__AUTH_MANAGER=airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
		"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="+realUser+":admin",
		"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="+passwords,
		// Tasks run by the scheduler talk to the api-server's execution
		// API; both must sign and check tokens with the same secret.
		"AIRFLOW__CORE__EXECUTION_API_SERVER_URL="+baseURL+"/execution/",
		"AIRFLOW__API__BASE_URL="+baseURL,
		// 64 bytes or more, or PyJWT warns that it is too short for
		// the HS512 tokens the api-server signs.
		"AIRFLOW__API_AUTH__JWT_SECRET=gaiaflow-test-jwt-secret-0123456789abcdef0123456789abcdef0123456789",
		"AIRFLOW__API__SECRET_KEY=gaiaflow-test-api-secret",
		// All DAG files exist before the dag processor starts, so its
		// first pass finds them; re-parsing the 1,000 generated DAGs
		// would only load the machine.
		"AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=5",
		"AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL=600",
	)
}

// copyDAGs fills the dags folder: the files of testdata/dags and brokenDAG.
func copyDAGs(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join("testdata", "dags", "*.py"))
	if err != nil {
		return err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "broken_dag.py"), []byte(brokenDAG), 0o644)
}

// spawn starts `airflow args...` in its own process group, its output in
// <home>/<name>.log.
func (e *realAirflowEnv) spawn(bin string, args, vars []string) error {
	name := args[0]
	logPath := filepath.Join(e.home, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = vars
	cmd.Dir = e.home
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return fmt.Errorf("start airflow %s: %w", name, err)
	}
	p := &airflowProc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		_ = logFile.Close()
		close(p.done)
	}()
	e.procs = append(e.procs, p)
	return nil
}

// waitFor polls ready every half second until it says yes, a process dies
// or ctx ends; the error then carries ready's last word.
func (e *realAirflowEnv) waitFor(ctx context.Context, what string, ready func() (bool, string)) error {
	last := ""
	for {
		ok, state := ready()
		if ok {
			return nil
		}
		last = state
		for _, p := range e.procs {
			select {
			case <-p.done:
				return fmt.Errorf("waiting until %s: airflow %s exited: %v", what, p.name, p.err)
			default:
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting until %s: %w; last seen: %s", what, ctx.Err(), last)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// stop ends every process group: SIGTERM, then SIGKILL for those still
// there after 20 s. The temporary AIRFLOW_HOME goes too, unless
// GAIAFLOW_KEEP_AIRFLOW_HOME is set.
func (e *realAirflowEnv) stop() {
	var wg sync.WaitGroup
	for _, p := range e.procs {
		wg.Go(func() {
			_ = signalGroup(p.cmd.Process, syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(20 * time.Second):
				_ = signalGroup(p.cmd.Process, syscall.SIGKILL)
				<-p.done
			}
			// Children left behind by a parent that exited first.
			_ = signalGroup(p.cmd.Process, syscall.SIGKILL)
		})
	}
	wg.Wait()
	if os.Getenv("GAIAFLOW_KEEP_AIRFLOW_HOME") != "" {
		fmt.Printf("kept AIRFLOW_HOME %s\n", e.home)
		return
	}
	_ = os.RemoveAll(e.home)
}

// logTails returns the last n lines of each process's log.
func (e *realAirflowEnv) logTails(n int) string {
	var b strings.Builder
	names := []string{"migrate.log"}
	for _, p := range e.procs {
		names = append(names, filepath.Base(p.log))
	}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(e.home, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		fmt.Fprintf(&b, "--- %s (last %d lines) ---\n%s\n", name, n, lastLines(data, n))
	}
	return b.String()
}

func lastLines(data []byte, n int) string {
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
