package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/e2e/kit"
)

// The floor's Airflow check passes only when every component is healthy,
// and the others on a 200 from their endpoint.
func TestFloorChecks(t *testing.T) {
	health := `{"metadatabase":{"status":"healthy"},"scheduler":{"status":"healthy"},` +
		`"triggerer":{"status":"healthy"},"dag_processor":{"status":"healthy"}}`
	serve := func(body string, code int) int {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(code)
			_, _ = w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		n, _ := strconv.Atoi(port)
		return n
	}
	c := &http.Client{Timeout: time.Second}
	checks := floorChecks(kit.Ports{Airflow: serve(health, 200), MLflow: serve("OK", 200),
		MinIO: serve("", 503), Jupyter: serve("{}", 200)})
	for name, want := range map[string]bool{"airflow": true, "mlflow": true, "minio": false, "jupyter": true} {
		if got := checks[name](c); got != want {
			t.Errorf("%s ready = %v, want %v", name, got, want)
		}
	}
	// A triggerer that never ran is not ready for dev start, nor here.
	noTriggerer := `{"metadatabase":{"status":"healthy"},"scheduler":{"status":"healthy"},` +
		`"triggerer":{"status":null},"dag_processor":{"status":"healthy"}}`
	if floorChecks(kit.Ports{Airflow: serve(noTriggerer, 200)})["airflow"](c) {
		t.Error("airflow ready without its triggerer")
	}
}
