package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Body checks of HTTP readiness probes. Airflow's health endpoint answers
// 200 even when a component is down, so its body decides.
const (
	checkAirflowDB           = "airflow:metadatabase"
	checkAirflowScheduler    = "airflow:scheduler"
	checkAirflowDagProcessor = "airflow:dag_processor"
	checkAirflowTriggerer    = "airflow:triggerer"
)

// Prober makes one readiness probe of a published port. It returns nil when
// the component is ready, else why not.
type Prober interface {
	Probe(ctx context.Context, hostPort int, path, check string) error
}

// HTTPProber probes over HTTP on a host address (127.0.0.1, where the stack
// publishes its ports).
type HTTPProber struct {
	Host   string
	Client *http.Client
}

// NewHTTPProber returns a prober of 127.0.0.1 with a short timeout per probe.
func NewHTTPProber() *HTTPProber {
	return &HTTPProber{Host: "127.0.0.1", Client: &http.Client{Timeout: 3 * time.Second}}
}

// Probe implements Prober.
func (p *HTTPProber) Probe(ctx context.Context, hostPort int, path, check string) error {
	url := "http://" + net.JoinHostPort(p.Host, strconv.Itoa(hostPort)) + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := p.Client.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	return CheckBody(check, body)
}

// CheckBody applies a named body check to a probe's response.
func CheckBody(check string, body []byte) error {
	if check == "" {
		return nil
	}
	key, ok := airflowHealthKey(check)
	if !ok {
		return fmt.Errorf("unknown check %q", check)
	}
	var health map[string]*struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(body, &health); err != nil {
		return fmt.Errorf("the health of Airflow is not JSON: %w", err)
	}
	c, ok := health[key]
	switch {
	case !ok || c == nil:
		return fmt.Errorf("the health of Airflow does not report the %s yet", key)
	case c.Status != "healthy":
		return fmt.Errorf("the health of Airflow reports the %s as %q", key, c.Status)
	}
	return nil
}

// airflowHealthKey is the component of Airflow's health body that check
// reads.
func airflowHealthKey(check string) (string, bool) {
	switch check {
	case checkAirflowDB:
		return "metadatabase", true
	case checkAirflowScheduler:
		return "scheduler", true
	case checkAirflowDagProcessor:
		return "dag_processor", true
	case checkAirflowTriggerer:
		return "triggerer", true
	}
	return "", false
}

// probeBackoff spaces the readiness probes of one container: tight at
// first, when a container that starts quickly is about to answer, then
// growing to the longest pause, for one that boots for a while (Airflow's
// api-server) and would otherwise be probed for nothing.
type probeBackoff struct{ pause, longest time.Duration }

// The first pause is this fraction of the longest; each next one is half as
// long again.
const probeFirstFraction = 5

func newProbeBackoff(longest time.Duration) *probeBackoff {
	return &probeBackoff{pause: longest / probeFirstFraction, longest: longest}
}

// next returns the pause before the next probe.
func (b *probeBackoff) next() time.Duration {
	p := b.pause
	b.pause = min(b.pause*3/2, b.longest)
	return p
}
