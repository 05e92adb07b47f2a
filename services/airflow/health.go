package airflow

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// ComponentStatus is the health of one Airflow component.
type ComponentStatus string

// The statuses ParseHealth gives a component.
const (
	StatusHealthy   ComponentStatus = "healthy"
	StatusUnhealthy ComponentStatus = "unhealthy"
	// StatusNotDeployed: Airflow has never seen this component run (its
	// entry, or its status, is null).
	StatusNotDeployed ComponentStatus = "not_deployed"
)

// The components /monitor/health reports on, in the order Health lists them.
const (
	Metadatabase = "metadatabase"
	Scheduler    = "scheduler"
	Triggerer    = "triggerer"
	DagProcessor = "dag_processor"
)

// Component is the health of one part of Airflow.
type Component struct {
	Name   string          `json:"name"`
	Status ComponentStatus `json:"status"`
	// LatestHeartbeat is nil for the metadatabase and for components that
	// never ran.
	LatestHeartbeat *time.Time `json:"latest_heartbeat,omitempty"`
}

// Health is Airflow's health, read from /api/v2/monitor/health.
type Health struct {
	// Healthy is true when no component is unhealthy. Components that are
	// not deployed do not count against it.
	Healthy    bool        `json:"healthy"`
	Components []Component `json:"components"`
}

// Component returns the named component (Metadatabase, Scheduler, ...).
func (h Health) Component(name string) (Component, bool) {
	for _, c := range h.Components {
		if c.Name == name {
			return c, true
		}
	}
	return Component{}, false
}

// componentJSON is one entry of the health body. Each component names its
// heartbeat differently, so all the names are listed.
type componentJSON struct {
	Status                      *string `json:"status"`
	LatestSchedulerHeartbeat    *string `json:"latest_scheduler_heartbeat"`
	LatestTriggererHeartbeat    *string `json:"latest_triggerer_heartbeat"`
	LatestDagProcessorHeartbeat *string `json:"latest_dag_processor_heartbeat"`
}

// ParseHealth interprets the body of /api/v2/monitor/health.
//
// That endpoint answers 200 even when components are down, so the body is
// what counts. The metadatabase and the scheduler are always part of Airflow:
// missing or null, they are unhealthy. The triggerer and the dag processor
// are optional: a null entry or a null status means not deployed (Airflow
// 3.3 sends {"status": null, ...} for a triggerer that never ran). A status
// other than "healthy" is unhealthy.
func ParseHealth(body []byte) (Health, error) {
	var raw map[string]*componentJSON
	if err := json.Unmarshal(body, &raw); err != nil {
		return Health{}, fmt.Errorf("%w: health: %w", ErrBadResponse, err)
	}
	if len(raw) == 0 {
		return Health{}, fmt.Errorf("%w: health: no components in the answer", ErrBadResponse)
	}
	h := Health{Healthy: true}
	for _, name := range []string{Metadatabase, Scheduler, Triggerer, DagProcessor} {
		optional := name == Triggerer || name == DagProcessor
		c := Component{Name: name}
		entry := raw[name]
		switch {
		case entry == nil || entry.Status == nil:
			c.Status = StatusUnhealthy
			if optional {
				c.Status = StatusNotDeployed
			}
		case *entry.Status == string(StatusHealthy):
			c.Status = StatusHealthy
		default:
			c.Status = StatusUnhealthy
		}
		if entry != nil {
			c.LatestHeartbeat = parseHeartbeat(entry)
		}
		if c.Status == StatusUnhealthy {
			h.Healthy = false
		}
		h.Components = append(h.Components, c)
	}
	return h, nil
}

// parseHeartbeat reads whichever heartbeat the entry carries. Airflow writes
// them with Python's isoformat(), which is RFC 3339 when the time has a zone;
// a naive one is taken as UTC, and an unreadable one is dropped.
func parseHeartbeat(e *componentJSON) *time.Time {
	for _, s := range []*string{e.LatestSchedulerHeartbeat, e.LatestTriggererHeartbeat, e.LatestDagProcessorHeartbeat} {
		if s == nil || *s == "" {
			continue
		}
		if t, err := time.Parse(time.RFC3339Nano, *s); err == nil {
			return &t
		}
		if t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", *s, time.UTC); err == nil {
			return &t
		}
	}
	return nil
}

// Health asks Airflow how its components are. It needs no token.
func (c *Client) Health(ctx context.Context) (Health, error) {
	r := request{method: http.MethodGet, path: "/api/v2/monitor/health"}
	body, err := c.call(ctx, r)
	if err != nil {
		return Health{}, err
	}
	return ParseHealth(body)
}

// VersionInfo is the version of the Airflow that answers.
type VersionInfo struct {
	Version    string `json:"version"`
	GitVersion string `json:"git_version,omitempty"`
}

// Version returns Airflow's version. It needs no token, which makes it the
// cheapest "is the api-server up" probe.
func (c *Client) Version(ctx context.Context) (VersionInfo, error) {
	r := request{method: http.MethodGet, path: "/api/v2/version"}
	body, err := c.call(ctx, r)
	if err != nil {
		return VersionInfo{}, err
	}
	var v struct {
		Version    string  `json:"version"`
		GitVersion *string `json:"git_version"`
	}
	if err := decode(r, body, &v); err != nil {
		return VersionInfo{}, err
	}
	if v.Version == "" {
		return VersionInfo{}, fmt.Errorf("%w: %s %s: no version in the answer", ErrBadResponse, r.method, r.path)
	}
	return VersionInfo{Version: v.Version, GitVersion: deref(v.GitVersion)}, nil
}
