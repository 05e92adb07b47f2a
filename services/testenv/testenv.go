// Package testenv tells tests which real dependencies they may use: a Docker
// daemon, a Python interpreter, an Airflow installation.
//
// On a laptop without one of them a test skips with a message naming what is
// missing. In CI (.ci/run sets GAIAFLOW_REQUIRE_DOCKER=1 and
// GAIAFLOW_REQUIRE_AIRFLOW=1) the same test fails instead, so a broken CI
// machine can never pass by skipping.
package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// required reports whether the environment variable name is set to a true value.
func required(name string) bool {
	switch strings.ToLower(os.Getenv(name)) {
	case "1", "true", "yes":
		return true
	}
	return false
}

// missing skips the test, or fails it when the requirement is enforced.
func missing(t testing.TB, env, what string) {
	t.Helper()
	if required(env) {
		t.Fatalf("%s is required here (%s=1) but is not available", what, env)
	}
	t.Skipf("skipping: %s is not available (set %s=1 to make this a failure)", what, env)
}

// DockerHost returns the address of the Docker daemon the tests use: DOCKER_HOST
// when set, else the default unix socket.
func DockerHost() string {
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		return h
	}
	return "unix:///var/run/docker.sock"
}

// RequireDocker skips or fails the test unless a Docker daemon answers, and
// logs which engine it is ("ran on Docker engine 29.8.1 (API 1.56) at ..."):
// the same tests run against more than one engine, and a failure must say
// which. CI's test log (e2e/testlog) prints that line beside each package.
func RequireDocker(t testing.TB) {
	t.Helper()
	host := DockerHost()
	v, err := EngineVersion(host)
	if err != nil {
		missing(t, "GAIAFLOW_REQUIRE_DOCKER", "a Docker daemon at "+host+" ("+err.Error()+")")
		return
	}
	t.Logf("%s %s (API %s, minimum %s) at %s", EngineMarker, v.Version, v.APIVersion, v.MinAPIVersion, host)
}

// EngineMarker starts the line RequireDocker logs; e2e/testlog looks for it.
const EngineMarker = "ran on Docker engine"

// Engine is what an engine says about itself at GET /version.
type Engine struct {
	Version       string `json:"Version"`
	APIVersion    string `json:"ApiVersion"`
	MinAPIVersion string `json:"MinAPIVersion"`
}

// EngineVersion asks the engine at host (unix:// or tcp://, without TLS) for
// its version, with a plain HTTP request: testenv sits below services/docker
// and must not import it.
func EngineVersion(host string) (Engine, error) {
	network, addr := "unix", strings.TrimPrefix(host, "unix://")
	if strings.HasPrefix(host, "tcp://") {
		network, addr = "tcp", strings.TrimPrefix(host, "tcp://")
	}
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{Timeout: 2 * time.Second}).DialContext(ctx, network, addr)
		},
	}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Get("http://docker/version")
	if err != nil {
		return Engine{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Engine{}, fmt.Errorf("GET /version: %s", resp.Status)
	}
	var v Engine
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return Engine{}, fmt.Errorf("GET /version: %w", err)
	}
	if v.Version == "" || v.APIVersion == "" {
		return Engine{}, fmt.Errorf("GET /version: no version in the answer")
	}
	return v, nil
}

// Python returns the Python interpreter tests should use: GAIAFLOW_PYTHON, else
// python3 from PATH. It skips or fails (GAIAFLOW_REQUIRE_AIRFLOW) when none runs.
func Python(t testing.TB) string {
	t.Helper()
	py := os.Getenv("GAIAFLOW_PYTHON")
	if py == "" {
		py = "python3"
	}
	path, err := exec.LookPath(py)
	if err != nil {
		missing(t, "GAIAFLOW_REQUIRE_AIRFLOW", "a Python interpreter ("+py+")")
		return ""
	}
	return path
}

// Airflow returns the path of the `airflow` executable that sits beside the
// interpreter from Python, after checking that it runs. It skips or fails
// (GAIAFLOW_REQUIRE_AIRFLOW) when Airflow is not installed there.
func Airflow(t testing.TB) string {
	t.Helper()
	py := Python(t)
	bin := filepath.Join(filepath.Dir(py), "airflow")
	if _, err := os.Stat(bin); err != nil {
		missing(t, "GAIAFLOW_REQUIRE_AIRFLOW", "Airflow beside "+py+" (set GAIAFLOW_PYTHON to a venv's python)")
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-c", "import airflow")
	if out, err := cmd.CombinedOutput(); err != nil {
		missing(t, "GAIAFLOW_REQUIRE_AIRFLOW", "an importable Airflow ("+strings.TrimSpace(string(out))+")")
		return ""
	}
	return bin
}

// MLflow returns the path of the `mlflow` executable that sits beside the
// interpreter from Python, after checking that its tracking server can be
// imported (mlflow-skinny has no server). It skips or fails
// (GAIAFLOW_REQUIRE_AIRFLOW: the same test venv provides both) when it is
// not installed there.
func MLflow(t testing.TB) string {
	t.Helper()
	py := Python(t)
	bin := filepath.Join(filepath.Dir(py), "mlflow")
	if _, err := os.Stat(bin); err != nil {
		missing(t, "GAIAFLOW_REQUIRE_AIRFLOW", "MLflow beside "+py+" (the venv of .ci/requirements.txt has it)")
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-c", "import mlflow.server")
	if out, err := cmd.CombinedOutput(); err != nil {
		missing(t, "GAIAFLOW_REQUIRE_AIRFLOW", "MLflow's tracking server (the full mlflow package, not mlflow-skinny: "+lastLine(out)+")")
		return ""
	}
	return bin
}

func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}
