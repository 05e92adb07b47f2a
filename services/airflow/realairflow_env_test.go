package airflow

// The integration tests (TestRealAirflow...) share one real Airflow, started
// by airflowtest on first use and stopped by TestMain after the last test.

import (
	"os"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/airflow/airflowtest"
)

const (
	realUser      = "admin"
	realPassword  = "gaiaflow-test-password"
	generatedDAGs = airflowtest.GeneratedDAGs
)

var sharedAirflow = &airflowtest.Shared{Options: airflowtest.Options{
	User:     realUser,
	Password: realPassword,
	DAGFiles: airflowtest.TestDAGs(),
}}

func TestMain(m *testing.M) {
	code := m.Run()
	sharedAirflow.Stop()
	os.Exit(code)
}

// realAirflowEnv is the shared Airflow with the client constructors the tests use.
type realAirflowEnv struct{ *airflowtest.Env }

// realAirflow returns the shared Airflow, starting it on first use. It skips
// the test when Airflow is not installed, or fails it in CI
// (GAIAFLOW_REQUIRE_AIRFLOW=1; see services/testenv).
func realAirflow(t *testing.T) realAirflowEnv {
	t.Helper()
	return realAirflowEnv{sharedAirflow.Get(t)}
}

// client returns a client logged in as the known user.
func (e realAirflowEnv) client(t *testing.T) *Client {
	t.Helper()
	return e.clientWith(t, Config{Username: realUser, Password: realPassword})
}

func (e realAirflowEnv) clientWith(t *testing.T, cfg Config) *Client {
	t.Helper()
	cfg.BaseURL = e.BaseURL
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
