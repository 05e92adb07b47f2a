package faults

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/stack"
)

// onEvent runs do once, the first time a container event of the project
// matches, from a subscription made before it returns.
func (f *fixture) onEvent(ctx context.Context, match func(docker.ContainerEvent) bool, do func(docker.ContainerEvent)) <-chan struct{} {
	msgs, errc := f.c.ContainerEvents(ctx, stack.ProjectLabels(f.id))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case ev, ok := <-msgs:
				if !ok {
					return
				}
				if match(ev) {
					do(ev)
					return
				}
			case <-errc:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return done
}

func component(ev docker.ContainerEvent) string { return ev.Labels[stack.LabelComponent] }

// TestRealDockerFaultKillDuringStart kills a container of the stack in
// each phase of `dev start` on the machine's daemon (stand-in images): as
// soon as it is created (removed, before it starts), as soon as it started
// (killed), and while what depends on it waits to be ready (the database
// killed). The start fails with exit 1, its first line names the container
// and how it ended, nothing restarts in a loop after gaiaflow exits, and
// the next start brings the stack back with its data.
func TestRealDockerFaultKillDuringStart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		phase, component, action string
		victim                   string // killed when component's action comes; default component
		env                      map[string]string
		want                     string // in the first error line
	}{
		{phase: "create", component: "minio", action: "create", want: "minio"},
		{phase: "start", component: "postgres-mlflow", action: "start", want: "postgres-mlflow was killed (exit code 137)"},
		{phase: "readiness", component: "airflow-api-server", action: "start", victim: "postgres-airflow",
			// The api-server is slow to come up: the database dies while
			// Airflow waits for it.
			env:  map[string]string{"STANDIN_API_SERVER_DELAY": "4s"},
			want: "airflow: postgres-airflow was killed (exit code 137) after it was ready; airflow-api-server, airflow-scheduler, airflow-dag-processor, airflow-triggerer failed because of it"},
	} {
		t.Run(tc.phase, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, nil, "gfkill-"+tc.phase, tc.env)
			before := f.prepareFresh()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			killed := f.onEvent(ctx, func(ev docker.ContainerEvent) bool {
				return component(ev) == tc.component && ev.Action == tc.action
			}, func(ev docker.ContainerEvent) {
				switch {
				case tc.victim != "":
					f.docker("kill", stack.ContainerName(f.id, tc.victim))
				case tc.action == "create":
					f.docker("rm", "-f", ev.ID)
				default:
					f.docker("kill", ev.ID)
				}
			})
			r := f.run("dev", "start", "--wait", "2m")
			waitFor(t, killed, "the kill")
			if r.code != 1 || !strings.Contains(r.firstError(), tc.want) {
				t.Fatalf("want exit 1 and a first error line naming %q:\n%s", tc.want, r)
			}
			t.Logf("exit %d after %v; stderr:\n%s", r.code, r.took.Round(time.Millisecond), r.stderr)
			if tc.phase == "readiness" {
				// The dependents' own output is a consequence: left out.
				if strings.Contains(r.stderr, "standin scheduler") {
					t.Errorf("the dependents' output is shown:\n%s", r.stderr)
				}
				st := f.run("dev", "status")
				if !strings.Contains(st.stdout, "why: postgres-airflow was killed (exit code 137)") {
					t.Errorf("dev status does not say why:\n%s", st.stdout)
				}
			}
			f.noneRestarting(5 * time.Second)
			f.checkAfter(before)
		})
	}
}

// waitFor waits for a fault to have been injected.
func waitFor(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s never happened", what)
	}
}
