package airflowtest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Shared is one Airflow shared by the tests of a test binary: the first test
// that calls Get starts it, later ones get the same one, and TestMain stops
// it after the last test:
//
//	var airflow = &airflowtest.Shared{Options: airflowtest.Options{DAGFiles: airflowtest.TestDAGs()}}
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		airflow.Stop()
//		os.Exit(code)
//	}
//
// A failed start is not retried: every later test fails with its error.
type Shared struct {
	Options Options

	mu   sync.Mutex
	inst *installation
	env  *Env
	err  error
}

// Get returns the shared Airflow, starting it on first use. It skips the test
// when Airflow is not installed, or fails it in CI (see services/testenv).
// When the test fails, the tails of Airflow's logs are added to its output.
func (s *Shared) Get(tb testing.TB) *Env {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inst == nil {
		// testenv.Airflow imports airflow in Python, which takes
		// seconds; once it has said yes, that holds for the binary.
		inst := findAirflow(tb)
		s.inst = &inst
	}
	if s.env == nil && s.err == nil {
		s.env, s.err = start(*s.inst, s.Options)
		if s.err == nil {
			// go test -v shows how long the shared start took.
			fmt.Printf("real Airflow ready at %s: %s (AIRFLOW_HOME %s)\n",
				s.env.BaseURL, strings.Join(s.env.Timings, ", "), s.env.Home)
		}
	}
	if s.err != nil {
		tb.Fatalf("start a real Airflow: %v", s.err)
	}
	env := s.env
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("Airflow logs:\n%s", env.LogTails(40))
		}
	})
	return env
}

// Stop stops the shared Airflow if it was started.
func (s *Shared) Stop() {
	s.mu.Lock()
	env := s.env
	s.mu.Unlock()
	if env != nil {
		env.Stop()
	}
}
