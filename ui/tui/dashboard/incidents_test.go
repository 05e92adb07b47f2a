package dashboard

import (
	"testing"

	"github.com/gaiaflow/gaiaflow/ui/tui"
)

func TestStoppedSince(t *testing.T) {
	svc := func(states ...tui.Container) []tui.Service {
		return []tui.Service{{Name: "airflow", Containers: states}}
	}
	healthy := tui.Container{Name: "postgres-airflow", State: tui.StateHealthy}
	killed := tui.Container{Name: "postgres-airflow", State: tui.StateExited, ExitCode: 137, Reason: "was killed (exit code 137)"}
	stopped := tui.Container{Name: "postgres-airflow", State: tui.StateStopped}
	looping := tui.Container{Name: "postgres-airflow", State: tui.StateRestarting, Reason: "keeps exiting"}
	for _, tc := range []struct {
		name       string
		prev, next []tui.Service
		want       string
	}{
		{"killed while up", svc(healthy), svc(killed), "airflow: postgres-airflow was killed (exit code 137)"},
		{"restarting in a loop", svc(healthy), svc(looping), "airflow: postgres-airflow keeps exiting"},
		{"stopped by a person", svc(healthy), svc(stopped), ""},
		{"down already", svc(killed), svc(killed), ""},
		{"nothing changed", svc(healthy), svc(healthy), ""},
	} {
		if got := stoppedSince(tc.prev, tc.next); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
