// Package mlflowtest starts a real MLflow tracking server for tests: `mlflow
// server` from the test venv (the one with Airflow: .ci/requirements.txt
// pins mlflow at the stack's MLflow version), on a free port of 127.0.0.1,
// with a SQLite store and artifacts served from a temporary directory, as
// the stack's server serves them (--serve-artifacts). Log runs into it with
// Env.Python, which runs a script with MLflow's own Python client pointed at
// it — the way a pipeline logs.
//
// It is test support only: import it from _test.go files. It deliberately
// decides readiness with plain HTTP, not services/mlflow's client, so a bug
// in the client cannot hide behind the harness that tests it. Whether MLflow
// may be used at all is services/testenv's call: tests skip on a machine
// without it and fail in CI (GAIAFLOW_REQUIRE_AIRFLOW=1).
package mlflowtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/testenv"
)

// StartTimeout bounds the server's start (a database migration, then
// uvicorn): 5 to 20 s on a 2-core machine.
const StartTimeout = 3 * time.Minute

// Env is a running MLflow.
type Env struct {
	// BaseURL is the tracking server's root, http://127.0.0.1:<port>.
	BaseURL string
	// Home holds mlflow.db, artifacts/ and server.log.
	Home string

	python   string
	cmd      *exec.Cmd
	done     chan struct{}
	stopOnce sync.Once
}

// Shared is one MLflow shared by the tests of a test binary: the first
// Get starts it, TestMain's Stop ends it. A failed start is not retried.
type Shared struct {
	mu  sync.Mutex
	env *Env
	err error
}

// Get returns the shared MLflow, starting it on first use; it skips or
// fails the test when MLflow is not installed (see services/testenv).
func (s *Shared) Get(tb testing.TB) *Env {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.env == nil && s.err == nil {
		bin := testenv.MLflow(tb)
		s.env, s.err = start(testenv.Python(tb), bin)
		if s.err == nil {
			fmt.Printf("real MLflow ready at %s (home %s)\n", s.env.BaseURL, s.env.Home)
		}
	}
	if s.err != nil {
		tb.Fatalf("start a real MLflow: %v", s.err)
	}
	env := s.env
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("MLflow's log:\n%s", env.LogTail(40))
		}
	})
	return env
}

// Stop stops the shared MLflow if it was started.
func (s *Shared) Stop() {
	s.mu.Lock()
	env := s.env
	s.mu.Unlock()
	if env != nil {
		env.Stop()
	}
}

func start(python, bin string) (env *Env, err error) {
	home, err := os.MkdirTemp("", "gaiaflow-mlflow-")
	if err != nil {
		return nil, err
	}
	env = &Env{Home: home, python: python, done: make(chan struct{})}
	defer func() {
		if err != nil {
			tail := env.LogTail(30)
			env.Stop()
			err = fmt.Errorf("%w\n%s", err, tail)
		}
	}()
	port, err := testenv.FreePort()
	if err != nil {
		return env, err
	}
	env.BaseURL = fmt.Sprintf("http://127.0.0.1:%d", port)
	logFile, err := os.Create(filepath.Join(home, "server.log"))
	if err != nil {
		return env, err
	}
	// The stack's server, but on SQLite and a local directory: the same
	// --serve-artifacts proxy, so artifact listing goes the same way.
	cmd := exec.Command(bin, "server", "--host", "127.0.0.1", "--port", fmt.Sprint(port),
		"--backend-store-uri", "sqlite:///"+filepath.Join(home, "mlflow.db"),
		"--serve-artifacts", "--artifacts-destination", filepath.Join(home, "artifacts"),
		"--workers", "1", "--allowed-hosts", "127.0.0.1:*,localhost:*")
	cmd.Dir = home
	cmd.Env = serverEnv()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	testenv.SetProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return env, fmt.Errorf("start mlflow server: %w", err)
	}
	env.cmd = cmd
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close()
		close(env.done)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	hc := &http.Client{Timeout: 5 * time.Second}
	for {
		resp, err := hc.Get(env.BaseURL + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return env, nil
			}
		}
		select {
		case <-env.done:
			return env, errors.New("mlflow server exited during its start")
		case <-ctx.Done():
			return env, fmt.Errorf("mlflow server not healthy at %s within %s", env.BaseURL, StartTimeout)
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// serverEnv is the caller's environment without MLflow's own settings,
// which would point the server or the client elsewhere.
func serverEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MLFLOW_") {
			out = append(out, kv)
		}
	}
	return out
}

// Python runs a script with the venv's Python, MLFLOW_TRACKING_URI
// pointing at this server, and returns what it printed on stdout.
func (e *Env) Python(tb testing.TB, script string, args ...string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.python, append([]string{"-c", script}, args...)...)
	cmd.Env = append(serverEnv(), "MLFLOW_TRACKING_URI="+e.BaseURL)
	cmd.Dir = e.Home
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("python: %v\n%s", err, stderr.String())
	}
	return stdout.String()
}

// Stop ends the server and removes its home.
func (e *Env) Stop() {
	e.stopOnce.Do(func() {
		if e.cmd != nil && e.cmd.Process != nil {
			_ = testenv.SignalGroup(e.cmd.Process, syscall.SIGTERM)
			select {
			case <-e.done:
			case <-time.After(15 * time.Second):
				_ = testenv.SignalGroup(e.cmd.Process, syscall.SIGKILL)
				<-e.done
			}
			_ = testenv.SignalGroup(e.cmd.Process, syscall.SIGKILL) // workers left behind
		}
		_ = os.RemoveAll(e.Home)
	})
}

// LogTail is the last n lines of the server's log.
func (e *Env) LogTail(n int) string {
	data, err := os.ReadFile(filepath.Join(e.Home, "server.log"))
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
