package main

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gaiaflow/gaiaflow/e2e/kit"
	"github.com/gaiaflow/gaiaflow/services/airflow"
)

// floorPoll is how often the floor's poller asks each service.
const floorPoll = 100 * time.Millisecond

// readyPoller asks the stack's published readiness endpoints every
// floorPoll from the host, independently of the tool that starts the
// stack, and records when each service first answered ready: the latest
// of those is the floor a start command cannot beat, the slowest service's
// own readiness.
type readyPoller struct {
	began time.Time
	stop  chan struct{}
	wg    sync.WaitGroup
	mu    sync.Mutex
	first map[string]time.Duration
}

// floorChecks are the endpoints and what makes each ready: the same
// conditions `dev start` waits for.
func floorChecks(p kit.Ports) map[string]func(*http.Client) bool {
	get := func(c *http.Client, port int, path string) ([]byte, bool) {
		resp, err := c.Get("http://127.0.0.1:" + strconv.Itoa(port) + path)
		if err != nil {
			return nil, false
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return body, err == nil && resp.StatusCode == http.StatusOK
	}
	status := func(port int, path string) func(*http.Client) bool {
		return func(c *http.Client) bool { _, ok := get(c, port, path); return ok }
	}
	return map[string]func(*http.Client) bool{
		"airflow": func(c *http.Client) bool {
			body, ok := get(c, p.Airflow, "/api/v2/monitor/health")
			if !ok {
				return false
			}
			h, err := airflow.ParseHealth(body)
			if err != nil {
				return false
			}
			// Every component healthy, the optional ones included: dev
			// start waits for each of them.
			for _, c := range h.Components {
				if c.Status != airflow.StatusHealthy {
					return false
				}
			}
			return true
		},
		"mlflow":  status(p.MLflow, "/health"),
		"minio":   status(p.MinIO, "/minio/health/live"),
		"jupyter": status(p.Jupyter, "/api"),
	}
}

func pollReady(p kit.Ports, began time.Time) *readyPoller {
	r := &readyPoller{began: began, stop: make(chan struct{}), first: map[string]time.Duration{}}
	for name, ready := range floorChecks(p) {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			c := &http.Client{Timeout: time.Second}
			tick := time.NewTicker(floorPoll)
			defer tick.Stop()
			for {
				if ready(c) {
					r.mu.Lock()
					r.first[name] = time.Since(r.began)
					r.mu.Unlock()
					return
				}
				select {
				case <-r.stop:
					return
				case <-tick.C:
				}
			}
		}()
	}
	return r
}

// floor stops the poller and returns when the last service first answered
// ready and which one it was; an error names a service that never did.
func (r *readyPoller) floor() (time.Duration, string, error) {
	close(r.stop)
	r.wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	var last time.Duration
	var which string
	for _, name := range []string{"airflow", "mlflow", "minio", "jupyter"} {
		at, ok := r.first[name]
		if !ok {
			return 0, "", fmt.Errorf("the floor's poller never saw %s ready", name)
		}
		if at > last {
			last, which = at, name
		}
	}
	return last, which, nil
}
