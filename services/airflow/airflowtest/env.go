package airflowtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
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

// Defaults of Options.
const (
	DefaultUser     = "admin"
	DefaultPassword = "gaiaflow-test-password"
	// DefaultStartTimeout bounds db migrate, start-up and the first parse
	// of the DAGs. That takes 15 s to a minute and a half on a 2-core
	// machine; CI machines are shared.
	DefaultStartTimeout = 5 * time.Minute
)

// Options say which Airflow to start.
type Options struct {
	// User and Password are the admin's (DefaultUser, DefaultPassword
	// when empty).
	User, Password string
	// Port is the port on 127.0.0.1 where tests reach the api-server
	// (through a proxy, see gate.go); 0 picks a free one.
	Port int
	// DAGFiles are written to the dags folder before Airflow starts, by
	// file name (see TestDAGs). Start returns once the dag processor has
	// parsed each of them: each is then the file of a DAG or of an import
	// error. So every file must define a DAG or fail to import, and
	// mention "airflow" and "dag" (the dag processor skips other files).
	DAGFiles map[string][]byte
	// StartTimeout bounds the start (DefaultStartTimeout when zero).
	StartTimeout time.Duration
	// Env are further KEY=VALUE variables of every Airflow process (see
	// GaiaflowStackEnv).
	Env []string
}

// Env is a running Airflow.
type Env struct {
	// BaseURL is where tests (and tasks) reach the api-server,
	// http://127.0.0.1:<Port>: a proxy that keeps changes made through
	// the public API from running alongside other requests (see gate.go).
	// The api-server itself listens on another port.
	BaseURL        string
	Port           int
	User, Password string
	// Home is the temporary AIRFLOW_HOME: airflow.db, logs/, and one
	// <process>.log per Airflow process.
	Home    string
	DAGsDir string
	// Timings say how long each phase of the start took.
	Timings []string

	procs    []*proc
	gate     *gate
	stopOnce sync.Once
}

type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{} // closed when the process has exited
	err  error         // its exit status, once done is closed
}

// Start starts an Airflow for one test and stops it when the test ends. It
// skips the test when Airflow is not installed, or fails it in CI (see
// services/testenv). Tests of one binary usually share one instance
// instead: see Shared.
func Start(tb testing.TB, opts Options) *Env {
	tb.Helper()
	env, err := start(findAirflow(tb), opts)
	if err != nil {
		tb.Fatalf("start a real Airflow: %v", err)
	}
	tb.Cleanup(env.Stop)
	return env
}

// installation is the Airflow that tests may use.
type installation struct {
	python  string // the venv's interpreter
	airflow string // the airflow executable beside it
}

// findAirflow skips or fails the test unless Airflow is installed (see
// services/testenv).
func findAirflow(tb testing.TB) installation {
	tb.Helper()
	return installation{python: testenv.Python(tb), airflow: testenv.Airflow(tb)}
}

func start(inst installation, opts Options) (env *Env, err error) {
	bin := inst.airflow
	if opts.User == "" {
		opts.User = DefaultUser
	}
	if opts.Password == "" {
		opts.Password = DefaultPassword
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = DefaultStartTimeout
	}
	home, err := os.MkdirTemp("", "gaiaflow-airflow-")
	if err != nil {
		return nil, err
	}
	env = &Env{Home: home, DAGsDir: filepath.Join(home, "dags"), User: opts.User, Password: opts.Password}
	defer func() {
		if err != nil {
			tails := env.LogTails(40)
			env.Stop()
			err = fmt.Errorf("%w\n%s", err, tails)
		}
	}()

	if err := writeDAGs(env.DAGsDir, opts.DAGFiles); err != nil {
		return env, err
	}
	// Pre-seeded: the api-server keeps existing entries and generates
	// passwords only for users missing from the file.
	passwords := filepath.Join(home, "passwords.json")
	seed, err := json.Marshal(map[string]string{opts.User: opts.Password})
	if err != nil {
		return env, err
	}
	if err := os.WriteFile(passwords, seed, 0o600); err != nil {
		return env, err
	}
	apiPort, err := testenv.FreePort()
	if err != nil {
		return env, err
	}
	apiURL := fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	if env.gate, env.Port, err = openGate(opts.Port, apiURL); err != nil {
		return env, err
	}
	env.BaseURL = fmt.Sprintf("http://127.0.0.1:%d", env.Port)
	vars := append(airflowEnv(home, env.DAGsDir, passwords, env.BaseURL, opts.User), opts.Env...)

	ctx, cancel := context.WithTimeout(context.Background(), opts.StartTimeout)
	defer cancel()
	phase := time.Now()
	lap := func(name string) {
		env.Timings = append(env.Timings, fmt.Sprintf("%s %s", name, time.Since(phase).Round(100*time.Millisecond)))
		phase = time.Now()
	}

	migrate := exec.CommandContext(ctx, bin, "db", "migrate")
	migrate.Env = vars
	if out, err := migrate.CombinedOutput(); err != nil {
		_ = os.WriteFile(filepath.Join(home, "migrate.log"), out, 0o644)
		return env, fmt.Errorf("airflow db migrate: %w\n%s", err, lastLines(out, 30))
	}
	// In the default rollback-journal mode a reader blocks writers and
	// vice versa: with the scheduler, the dag processor, the api-server
	// and its execution API all on one file, a few runs at once made
	// Airflow answer "database is locked", or answer nothing for tens of
	// seconds, and tasks failed on timeouts. WAL lets readers go on while
	// one writer writes; the mode is stored in the file.
	wal := exec.CommandContext(ctx, inst.python, "-c",
		"import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA journal_mode=WAL').fetchone()[0])",
		filepath.Join(home, "airflow.db"))
	if out, err := wal.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "wal" {
		return env, fmt.Errorf("put airflow.db in WAL mode: %v: %s", err, out)
	}
	lap("db migrate")

	for _, args := range [][]string{
		{"api-server", "--host", "127.0.0.1", "--port", fmt.Sprint(apiPort), "--workers", "1"},
		// Task logs are read from the shared AIRFLOW_HOME, so the
		// scheduler needs no log server (and no port of its own).
		{"scheduler", "--skip-serve-logs"},
		{"dag-processor"},
	} {
		if err := env.spawn(bin, args, vars); err != nil {
			return env, err
		}
	}

	p := newProbe(env.BaseURL, opts.User, opts.Password)
	if err := env.waitFor(ctx, "healthy", func() (bool, string) { return p.healthy(ctx) }); err != nil {
		return env, err
	}
	lap("healthy")
	files := slices.Sorted(maps.Keys(opts.DAGFiles))
	if err := env.waitFor(ctx, "DAG files parsed", func() (bool, string) { return p.parsed(ctx, files) }); err != nil {
		return env, err
	}
	lap("DAGs parsed")
	return env, nil
}

// airflowEnv is the environment of every Airflow process: the caller's,
// without any Airflow settings it may carry, plus ours.
func airflowEnv(home, dags, passwords, baseURL, user string) []string {
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
		// SQLite lets one connection write at a time; the others wait
		// up to timeout seconds for the lock (5 by default), then fail
		// with "database is locked", which the api-server answers with
		// a 500. The database is in WAL mode (see start), so readers
		// never wait; 15 s covers writers on a busy 2-core machine.
		"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=sqlite:///"+filepath.Join(home, "airflow.db")+"?timeout=15",
		"AIRFLOW__CORE__AUTH_MANAGER=airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
		"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="+user+":admin",
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

// writeDAGs fills the dags folder.
func writeDAGs(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, data := range files {
		if name != filepath.Base(name) || !strings.HasSuffix(name, ".py") {
			return fmt.Errorf("DAG file %q: want a plain file name ending in .py", name)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// spawn starts `airflow args...` in its own process group, its output in
// <Home>/<name>.log.
func (e *Env) spawn(bin string, args, vars []string) error {
	name := args[0]
	logPath := filepath.Join(e.Home, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = vars
	cmd.Dir = e.Home
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	testenv.SetProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return fmt.Errorf("start airflow %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
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
func (e *Env) waitFor(ctx context.Context, what string, ready func() (bool, string)) error {
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

// Stop ends every process group: SIGTERM, then SIGKILL for those still
// there after 20 s. The temporary AIRFLOW_HOME goes too, unless
// GAIAFLOW_KEEP_AIRFLOW_HOME is set. Calling it again does nothing.
func (e *Env) Stop() {
	e.stopOnce.Do(func() {
		var wg sync.WaitGroup
		for _, p := range e.procs {
			wg.Go(func() {
				_ = testenv.SignalGroup(p.cmd.Process, syscall.SIGTERM)
				select {
				case <-p.done:
				case <-time.After(20 * time.Second):
					_ = testenv.SignalGroup(p.cmd.Process, syscall.SIGKILL)
					<-p.done
				}
				// Children left behind by a parent that exited first.
				_ = testenv.SignalGroup(p.cmd.Process, syscall.SIGKILL)
			})
		}
		wg.Wait()
		if e.gate != nil {
			e.gate.close()
		}
		if os.Getenv("GAIAFLOW_KEEP_AIRFLOW_HOME") != "" {
			fmt.Printf("kept AIRFLOW_HOME %s\n", e.Home)
			return
		}
		_ = os.RemoveAll(e.Home)
	})
}

// LogTails returns the last n lines of db migrate's output (when it failed)
// and of each process's log.
func (e *Env) LogTails(n int) string {
	var b strings.Builder
	names := []string{"migrate.log"}
	for _, p := range e.procs {
		names = append(names, filepath.Base(p.log))
	}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(e.Home, name))
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
