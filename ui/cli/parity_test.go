package cli

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/airflow/airflowfake"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/stack"
	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/adapter"
	"github.com/gaiaflow/gaiaflow/ui/tui/render"
)

// The parity tests drive one use case through both faces, the CLI and the
// dashboard's backend, on the same core and the same world, and assert the
// same outcome: the faces cannot disagree where a person would see it.

// dashboardOf is the dashboard's backend over an App's core, as runDashboard
// builds it, on the project in dir.
func dashboardOf(t *testing.T, dir string, env map[string]string) (tui.Backend, *App) {
	t.Helper()
	a := NewApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	a.Cwd = dir
	a.Getenv = func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	t.Cleanup(a.close)
	return adapter.New(a.Core()), a
}

// stderrLines splits a command's stderr into its error and hint lines.
func stderrLines(t *testing.T, r result) (msg, hint string) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSpace(r.err), "\n") {
		switch {
		case strings.HasPrefix(l, "error: "):
			msg = strings.TrimPrefix(l, "error: ")
		case strings.HasPrefix(l, "hint: "):
			hint = strings.TrimPrefix(l, "hint: ")
		}
	}
	return msg, hint
}

// A paused DAG: triggered without waiting, both faces start the run and
// warn with the same words; the CLI's --wait refuses, since the run could
// never start.
func TestParityTriggerOfAPausedDAG(t *testing.T) {
	f := airflowfake.New(t)
	f.SetPaused("ok_dag", true)
	dir := fakeProject(t, f)
	state := t.TempDir()
	env := map[string]string{"XDG_STATE_HOME": state, "HOME": state}

	cli := runWith(t, dir, env, "dags", "trigger", "ok_dag")
	if cli.code != 0 || f.Triggers() != 1 {
		t.Fatalf("CLI: exit %d, %d runs; stderr:\n%s", cli.code, f.Triggers(), cli.err)
	}
	warning := strings.TrimPrefix(strings.TrimSpace(cli.err), "warning: ")
	if !strings.Contains(warning, "ok_dag is paused") {
		t.Fatalf("CLI stderr %q", cli.err)
	}

	be, _ := dashboardOf(t, dir, env)
	var rec event.Recorder
	if err := be.Do(context.Background(), tui.Action{Verb: tui.VerbTrigger, Target: "ok_dag"}, &rec); err != nil {
		t.Fatal(err)
	}
	if f.Triggers() != 2 {
		t.Fatalf("the dashboard did not trigger (%d runs)", f.Triggers())
	}
	var dashWarning string
	for _, e := range rec.Events() {
		if e.Kind == event.Warn {
			dashWarning = e.Message
		}
	}
	if dashWarning != warning {
		t.Errorf("the faces warn differently:\n CLI       %q\n dashboard %q", warning, dashWarning)
	}

	wait := runWith(t, dir, env, "dags", "trigger", "ok_dag", "--wait")
	if msg, _ := stderrLines(t, wait); wait.code != 1 || msg != "ok_dag is paused: its run would never start" || f.Triggers() != 2 {
		t.Errorf("--wait on a paused DAG: exit %d, %d runs, stderr:\n%s", wait.code, f.Triggers(), wait.err)
	}
}

// Airflow down, refusing the project's credentials, or without the DAG
// asked for: the CLI's error and hint lines are what the dashboard shows.
func TestParityAirflowErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().(*net.TCPAddr).Port
	l.Close()
	denied := airflowfake.New(t)
	denied.Deny()
	up := airflowfake.New(t)
	for _, c := range []struct {
		name        string
		port        int
		cli         []string
		dash        func(tui.Backend) error
		unavailable bool
		want        string
	}{
		{"down", closed, []string{"dags", "list"},
			func(b tui.Backend) error { _, err := b.DAGs(context.Background()); return err }, true, "Airflow is not reachable at"},
		{"unauthorized", denied.Port(), []string{"dags", "list"},
			func(b tui.Backend) error { _, err := b.DAGs(context.Background()); return err }, true, "rejected this project's credentials"},
		{"not found", up.Port(), []string{"dags", "runs", "nope"},
			func(b tui.Backend) error { _, err := b.Runs(context.Background(), "nope", 5); return err }, false, `no DAG "nope" in Airflow`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := newProjectDir(t, projectToml(c.port))
			state := t.TempDir()
			env := map[string]string{"XDG_STATE_HOME": state, "HOME": state}
			r := runWith(t, dir, env, c.cli...)
			msg, hint := stderrLines(t, r)
			if r.code != 1 || !strings.Contains(msg, c.want) || hint == "" {
				t.Fatalf("CLI: exit %d, stderr:\n%s", r.code, r.err)
			}
			be, _ := dashboardOf(t, dir, env)
			err := c.dash(be)
			if err == nil {
				t.Fatal("the dashboard read without an error")
			}
			shown := err.Error() + "; " + errs.HintOf(err)
			if !strings.Contains(shown, msg) || !strings.Contains(shown, hint) {
				t.Errorf("the faces explain differently:\n CLI       %s / %s\n dashboard %s", msg, hint, shown)
			}
			if unavailable := errors.Is(err, tui.ErrUnavailable); unavailable != c.unavailable {
				t.Errorf("unavailable = %v, want %v (the dashboard keeps running while Airflow is away)", unavailable, c.unavailable)
			}
		})
	}
}

// Every combination of container states is summed up once, by the stack,
// and both faces print that summary and its culprit: `dev status` and the
// services panel's row.
func TestParityServiceSummary(t *testing.T) {
	states := []string{stack.StateHealthy, stack.StateStarting, stack.StateCreated, stack.StateUnhealthy,
		stack.StateExited, stack.StateRestarting, stack.StateStopped, stack.StateCompleted, stack.StateNotCreated, stack.StateRunning}
	p := newProjectDir(t, goodToml)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	_, a := dashboardOf(t, p, nil)
	proj, err := a.Core().Project()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, first := range states {
		for _, second := range states {
			for _, enabled := range []bool{true, false} {
				cs := []stack.ContainerStatus{{Component: "airflow-one", State: first}, {Component: "airflow-two", State: second}}
				if first == stack.StateExited || first == stack.StateCompleted {
					cs[0].ExitCode = new(int)
				}
				ss := stack.ServiceStatus{Name: "airflow", Enabled: enabled, Containers: cs}
				ss.State, ss.Culprit = stack.Summarize(enabled, cs)
				v := &stack.StatusView{Project: "demo", Services: []stack.ServiceStatus{ss}}

				var out bytes.Buffer
				printStatus(&out, v)
				cliLine := strings.Fields(strings.Split(out.String(), "\n")[1])
				want := ss.State
				if ss.Culprit != "" {
					want += ": " + ss.Culprit
				}
				if got := strings.Join(cliLine[1:], " "); !strings.HasPrefix(got, want) {
					t.Errorf("%s+%s: dev status prints %q, want %q", first, second, got, want)
				}
				row, _ := render.ServiceState(adapter.Services(proj, v)[0])
				dashWant := ss.State
				if ss.Culprit != "" {
					dashWant += ": " + ss.Culprit
				}
				if !strings.Contains(row, dashWant) {
					t.Errorf("%s+%s (enabled %v): the panel shows %q, dev status %q", first, second, enabled, row, want)
				}
				n++
			}
		}
	}
	if n != len(states)*len(states)*2 {
		t.Fatalf("%d combinations", n)
	}
}

// mode set is refused while the mode lacks something, with the same words
// in both faces, and neither touches gaiaflow.toml.
func TestParityModeSetRefusal(t *testing.T) {
	dir := newProjectDir(t, goodToml)
	before, _ := os.ReadFile(filepath.Join(dir, "gaiaflow.toml"))
	state := t.TempDir()
	// No engine: dev_docker's task image cannot be there.
	env := map[string]string{"XDG_STATE_HOME": state, "HOME": state, "DOCKER_HOST": "unix://" + filepath.Join(state, "no.sock")}
	r := runWith(t, dir, env, "mode", "set", "dev_docker")
	msg, hint := stderrLines(t, r)
	if r.code != 1 || msg != "dev_docker is not ready: 1 of 1 requirements are missing" || !strings.Contains(hint, "--force") {
		t.Fatalf("CLI: exit %d, stderr:\n%s", r.code, r.err)
	}
	be, _ := dashboardOf(t, dir, env)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := be.Do(ctx, tui.Action{Verb: tui.VerbSetMode, Target: "dev_docker"}, event.Discard)
	if err == nil || err.Error() != msg {
		t.Errorf("the faces refuse differently:\n CLI       %s\n dashboard %v", msg, err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "gaiaflow.toml"))
	if !bytes.Equal(before, after) {
		t.Errorf("a refused mode set changed gaiaflow.toml:\n%s", after)
	}
}
