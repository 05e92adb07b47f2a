package faults

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
)

// TestRealDockerFaultDaemonRestartDuringStart restarts the Docker daemon
// (a private one, see privateDaemon) in each phase of `dev start`: right
// after a container is created, right after one starts, and while the
// stack waits for readiness. The start fails with exit 1 and a message
// that names the engine, and once the daemon is back the next start brings
// the stack up with its data.
func TestRealDockerFaultDaemonRestartDuringStart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		phase, component, action string
	}{
		{"create", "airflow-init", "create"},
		{"start", "postgres-mlflow", "start"},
		{"readiness", "airflow-api-server", "start"},
	} {
		t.Run(tc.phase, func(t *testing.T) {
			t.Parallel()
			d := startPrivateDaemon(t)
			f := newFixture(t, d, "gfdaemon-"+tc.phase, map[string]string{"STANDIN_API_SERVER_DELAY": "5s"})
			before := f.prepareFresh()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			restarted := f.onEvent(ctx, func(ev docker.ContainerEvent) bool {
				return component(ev) == tc.component && ev.Action == tc.action
			}, func(docker.ContainerEvent) { d.Restart() })
			r := f.run("dev", "start", "--wait", "2m")
			waitFor(t, restarted, "the daemon's restart")
			t.Logf("exit %d after %v; stderr:\n%s", r.code, r.took.Round(time.Millisecond), r.stderr)
			if r.code != 1 || !strings.Contains(r.firstError(), "Docker engine") {
				t.Fatalf("want exit 1 and a first error line naming the Docker engine:\n%s", r)
			}
			f.checkAfter(before)
		})
	}
}
