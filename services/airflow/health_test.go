package airflow

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestParseHealth(t *testing.T) {
	const (
		H = StatusHealthy
		U = StatusUnhealthy
		N = StatusNotDeployed
	)
	tests := []struct {
		name        string
		body        string
		want        [4]ComponentStatus // metadatabase, scheduler, triggerer, dag_processor
		wantHealthy bool
	}{
		{
			name: "all up, triggerer never ran (Airflow 3.3 shape)",
			body: `{"metadatabase":{"status":"healthy"},
				"scheduler":{"status":"healthy","latest_scheduler_heartbeat":"2026-11-26T18:25:27.611080+00:00"},
				"triggerer":{"status":null,"latest_triggerer_heartbeat":null},
				"dag_processor":{"status":"healthy","latest_dag_processor_heartbeat":"2026-11-26T18:25:24.875576+00:00"}}`,
			want:        [4]ComponentStatus{H, H, N, H},
			wantHealthy: true,
		},
		{
			name: "optional components null",
			body: `{"metadatabase":{"status":"healthy"},"scheduler":{"status":"healthy","latest_scheduler_heartbeat":null},
				"triggerer":null,"dag_processor":null}`,
			want:        [4]ComponentStatus{H, H, N, N},
			wantHealthy: true,
		},
		{
			name:        "optional components absent",
			body:        `{"metadatabase":{"status":"healthy"},"scheduler":{"status":"healthy"}}`,
			want:        [4]ComponentStatus{H, H, N, N},
			wantHealthy: true,
		},
		{
			name: "scheduler stopped",
			body: `{"metadatabase":{"status":"healthy"},
				"scheduler":{"status":"unhealthy","latest_scheduler_heartbeat":"2026-11-26T18:26:50.769348+00:00"},
				"triggerer":{"status":null,"latest_triggerer_heartbeat":null},
				"dag_processor":{"status":"unhealthy","latest_dag_processor_heartbeat":"2026-11-26T18:26:47.667584+00:00"}}`,
			want:        [4]ComponentStatus{H, U, N, U},
			wantHealthy: false,
		},
		{
			name:        "database down",
			body:        `{"metadatabase":{"status":"unhealthy"},"scheduler":{"status":"unhealthy"},"triggerer":{"status":"unhealthy"},"dag_processor":{"status":"unhealthy"}}`,
			want:        [4]ComponentStatus{U, U, U, U},
			wantHealthy: false,
		},
		{
			name:        "required components missing",
			body:        `{"triggerer":{"status":"healthy"}}`,
			want:        [4]ComponentStatus{U, U, H, N},
			wantHealthy: false,
		},
		{
			name:        "unknown status word",
			body:        `{"metadatabase":{"status":"healthy"},"scheduler":{"status":"starting"}}`,
			want:        [4]ComponentStatus{H, U, N, N},
			wantHealthy: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseHealth([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if h.Healthy != tt.wantHealthy {
				t.Errorf("Healthy = %v, want %v", h.Healthy, tt.wantHealthy)
			}
			names := [4]string{Metadatabase, Scheduler, Triggerer, DagProcessor}
			if len(h.Components) != 4 {
				t.Fatalf("components = %+v", h.Components)
			}
			for i, c := range h.Components {
				if c.Name != names[i] || c.Status != tt.want[i] {
					t.Errorf("component %d = %s %s, want %s %s", i, c.Name, c.Status, names[i], tt.want[i])
				}
			}
		})
	}
}

func TestParseHealthHeartbeats(t *testing.T) {
	h, err := ParseHealth(readTestdata(t, "health_api_only.json"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := h.Component(Scheduler)
	if want := time.Date(2026, 11, 26, 18, 26, 50, 769348000, time.UTC); s.LatestHeartbeat == nil || !s.LatestHeartbeat.Equal(want) {
		t.Errorf("scheduler heartbeat = %v, want %v", s.LatestHeartbeat, want)
	}
	if tr, _ := h.Component(Triggerer); tr.LatestHeartbeat != nil {
		t.Errorf("triggerer heartbeat = %v, want none", tr.LatestHeartbeat)
	}
	if m, _ := h.Component(Metadatabase); m.LatestHeartbeat != nil {
		t.Errorf("metadatabase heartbeat = %v", m.LatestHeartbeat)
	}
	naive, err := ParseHealth([]byte(`{"metadatabase":{"status":"healthy"},"scheduler":{"status":"healthy","latest_scheduler_heartbeat":"2026-01-02T03:04:05.5"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := naive.Component(Scheduler); s.LatestHeartbeat == nil || !s.LatestHeartbeat.Equal(time.Date(2026, 1, 2, 3, 4, 5, 500000000, time.UTC)) {
		t.Errorf("naive heartbeat = %v", s.LatestHeartbeat)
	}
}

func TestParseHealthRejectsWhatIsNotHealth(t *testing.T) {
	for _, body := range []string{``, `<html>`, `{}`, `[]`, `{"metadatabase":"ok"}`} {
		if _, err := ParseHealth([]byte(body)); !errors.Is(err, ErrBadResponse) {
			t.Errorf("ParseHealth(%q) err = %v, want ErrBadResponse", body, err)
		}
	}
}

func TestHealthAndVersionNeedNoToken(t *testing.T) {
	f := newFakeAirflow(t)
	f.handleOpen("GET /api/v2/monitor/health", serveFile(t, "health_api_only.json"))
	f.handleOpen("GET /api/v2/version", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"version": "3.3.2", "git_version": nil})
	})
	c := f.client(t)
	h, err := c.Health(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if h.Healthy {
		t.Errorf("Healthy = true for a stopped scheduler")
	}
	v, err := c.Version(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != "3.3.2" || v.GitVersion != "" {
		t.Errorf("version = %+v", v)
	}
	if f.loginCount() != 0 {
		t.Errorf("logged in for health/version")
	}
	for _, a := range f.authHeaders() {
		if a != "" {
			t.Errorf("sent Authorization %q", a)
		}
	}
}
