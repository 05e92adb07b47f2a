package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/e2e/kit"
	engine "github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/stack"
)

// TestE2EFaultKillPostgresDuringStart is the case on the real
// programs (the image kit): postgres-airflow is killed (docker kill) while
// `dev start` waits for Airflow's components to be ready. The error's first
// line names postgres-airflow and its exit code; 20 s later no container of
// the project is restarting (nor has restarted); `dev status` says why; the
// next `dev start` brings every service up with the credentials of before.
// Airflow runs the kit's image as it is (extend_image = false): no runtime
// image is built, which keeps the case to a few minutes.
func TestE2EFaultKillPostgresDuringStart(t *testing.T) {
	h, _ := newHarness(t, "e2e-fault", "e2e_fault")
	h.project = filepath.Join(h.work, "proj")
	h.id = project.ID(h.name, h.project)
	credsFile := h.credentialsFile()
	ports, err := kit.FreePorts()
	if err != nil {
		t.Fatal(err)
	}
	h.step("init", func() {
		h.must(time.Minute, "--no-tui", "init", h.project, "--name", h.name, "--package", h.pkg,
			"--python", "3.11", "--author", "E2E", "--email", "e2e@example.com", "--no-examples")
		settings := kit.Settings(h.kit, ports)
		settings["services.airflow"]["extend_image"] = "false"
		if err := kit.Configure(filepath.Join(h.project, "gaiaflow.toml"), settings); err != nil {
			t.Fatal(err)
		}
	})
	t.Cleanup(func() {
		if t.Failed() {
			h.dumpFailure()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if r := h.run(ctx, h.p("dev", "cleanup", "--prune", "--yes")...); r.code != 0 {
			t.Logf("cleanup: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})

	c, err := engine.New(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var r result
	h.step("dev start, postgres-airflow killed while Airflow waits", func() {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// Killed once the api-server has started: the scheduler, the
		// dag-processor and the triggerer wait for it, and it for the
		// database.
		msgs, errc := c.ContainerEvents(ctx, stack.ProjectLabels(h.id))
		killed := make(chan struct{})
		go func() {
			defer close(killed)
			for {
				select {
				case ev := <-msgs:
					if ev.Labels[stack.LabelComponent] == "airflow-api-server" && ev.Action == "start" {
						docker(t, "kill", stack.ContainerName(h.id, "postgres-airflow"))
						return
					}
				case <-errc:
					return
				case <-ctx.Done():
					return
				}
			}
		}()
		sctx, scancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer scancel()
		r = h.run(sctx, h.p("dev", "start", "--wait", "15m")...)
		<-killed
		t.Logf("dev start: exit %d\nstderr:\n%s", r.code, r.stderr)
		first, _, _ := strings.Cut(r.stderr, "\n")
		if r.code != 1 || !strings.HasPrefix(first, "error: airflow: postgres-airflow was killed (exit code 137)") {
			t.Fatalf("want exit 1 and a first line naming postgres-airflow and its exit code:\n%s", first)
		}
		if strings.Contains(r.stderr, "Traceback") || strings.Contains(r.stderr, "sqlalchemy") {
			t.Errorf("the dependents' tracebacks are in the report:\n%s", r.stderr)
		}
	})
	creds, err := os.ReadFile(credsFile)
	if err != nil {
		t.Fatal(err)
	}
	h.step("20 s later, nothing restarts", func() {
		restarts := func() map[string]string {
			ids := strings.Fields(docker(t, "ps", "-aq", "--filter", "label=io.gaiaflow.project="+h.id))
			out := docker(t, append([]string{"inspect", "-f", "{{.Name}} {{.RestartCount}} {{.State.Status}}"}, ids...)...)
			m := map[string]string{}
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				name, rest, _ := strings.Cut(l, " ")
				m[name] = rest
			}
			return m
		}
		before := restarts()
		time.Sleep(20 * time.Second)
		after := restarts()
		for name, st := range after {
			if strings.HasSuffix(st, "restarting") || st != before[name] {
				t.Errorf("%s: %s, then %s 20 s later", name, before[name], st)
			}
		}
		t.Logf("20 s after the failed start: %v", after)
		st := h.run(context.Background(), h.p("-o", "json", "dev", "status")...)
		var v stack.StatusView
		if err := json.Unmarshal([]byte(st.stdout), &v); err != nil {
			t.Fatalf("dev status: %v\n%s", err, st.stdout)
		}
		if a := v.Services[0]; a.Culprit != "postgres-airflow" || !strings.Contains(a.Reason, "was killed (exit code 137)") {
			t.Errorf("dev status, airflow: %s, culprit %q, reason %q", a.State, a.Culprit, a.Reason)
		}
	})
	h.step("the next dev start", func() {
		h.must(20*time.Minute, h.p("dev", "start", "--wait", "15m")...)
		h.requireHealthy()
		if now, _ := os.ReadFile(credsFile); !bytes.Equal(now, creds) {
			t.Error("credentials.json changed")
		}
	})
	t.Logf("finished in %s", time.Since(h.start).Round(time.Second))
}
