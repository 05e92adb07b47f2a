package render

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// RunSymbol is a one-cell mark for an Airflow run or task state, so states
// differ without colour too (the grid is made of them).
func RunSymbol(state string) string {
	switch state {
	case "success":
		return "✓"
	case "failed", "upstream_failed":
		return "✗"
	case "running", "restarting", "deferred":
		return "▶"
	case "queued", "scheduled":
		return "○"
	case "up_for_retry", "up_for_reschedule":
		return "↻"
	case "skipped", "removed":
		return "»"
	}
	return "·"
}

// OverviewServiceColumns and OverviewServiceCells are a service's line on
// the overview: its name, its summed-up state naming the failing
// container, and where to open it.
func OverviewServiceColumns() []Column {
	return []Column{{Title: "SERVICE"}, {Title: "STATE", Cut: 3, Min: 11}, {Title: "URL", Cut: 1, Min: 21, Drop: 2}}
}

// OverviewServiceCells is a service's line on the overview.
func OverviewServiceCells(s tui.Service) []Cell {
	state, tone := ServiceState(s)
	where := s.URL
	if where == "" {
		where = strings.Join(s.Ports, ", ")
	}
	return []Cell{{Text: s.Name}, {Text: state, Tone: tone}, {Text: where, Tone: Muted}}
}

// OverviewDAGColumns and OverviewDAGCells are a DAG's line on the
// overview: its last run's state, age and duration, and what else to know
// (an import error, paused).
func OverviewDAGColumns() []Column {
	return []Column{{Title: "DAG"}, {Title: "LAST RUN"}, {Title: "STARTED", Drop: 3}, {Title: "TOOK", Drop: 2},
		{Title: "", Cut: 1, Min: 20, Max: 70, Drop: 4}}
}

// OverviewDAGCells is a DAG's line on the overview.
func OverviewDAGCells(d tui.DAG, now time.Time) []Cell {
	state := RunSymbol(d.LastRunState) + " " + RunState(d.LastRunState)
	started, took := "-", "-"
	if !d.LastRunStart.IsZero() {
		started = Age(now.Sub(d.LastRunStart)) + " ago"
		took = Duration(d.LastRunStart, d.LastRunEnd, now)
	}
	note, tone := "", Muted
	switch {
	case d.ImportError != "":
		note, tone = "✗ import error: "+firstLine(d.ImportError), Bad
		state = "✗ not imported"
	case d.Paused:
		note = "paused"
	}
	stateTone := RunTone(d.LastRunState)
	if d.ImportError != "" {
		stateTone = Bad
	}
	return []Cell{{Text: d.ID}, {Text: state, Tone: stateTone}, {Text: started, Tone: Muted}, {Text: took, Tone: Muted}, {Text: note, Tone: tone}}
}

// RankDAGs orders DAGs by how much they need a look: import errors, then
// failed last runs, then runs going on, then by how recently they ran;
// those that never ran last. It returns a new slice.
func RankDAGs(dags []tui.DAG) []tui.DAG {
	out := make([]tui.DAG, len(dags))
	copy(out, dags)
	rank := func(d tui.DAG) int {
		switch {
		case d.ImportError != "":
			return 0
		case d.LastRunState == "failed":
			return 1
		case d.LastRunState == "running" || d.LastRunState == "queued":
			return 2
		case d.LastRunStart.IsZero():
			return 4
		}
		return 3
	}
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := rank(out[i]), rank(out[j])
		if ri != rj {
			return ri < rj
		}
		return out[i].LastRunStart.After(out[j].LastRunStart)
	})
	return out
}

// DAGSummary counts what the DAG section's title says: "6 DAGs · 2 failed
// · 1 import error".
func DAGSummary(dags []tui.DAG) (string, Tone) {
	failed, broken, running := 0, 0, 0
	for _, d := range dags {
		switch {
		case d.ImportError != "":
			broken++
		case d.LastRunState == "failed":
			failed++
		case d.LastRunState == "running":
			running++
		}
	}
	parts := []string{fmt.Sprintf("%d DAGs", len(dags))}
	tone := Good
	if running > 0 {
		parts = append(parts, fmt.Sprintf("%d running", running))
		tone = Busy
	}
	if failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", failed))
		tone = Bad
	}
	if broken > 0 {
		parts = append(parts, plural(broken, "import error", "import errors"))
		tone = Bad
	}
	if len(dags) == 0 {
		tone = Muted
	}
	return strings.Join(parts, " · "), tone
}

// ServiceSummary is the services section's title: "3 of 4 healthy".
func ServiceSummary(svcs []tui.Service) (string, Tone) {
	enabled, healthy := 0, 0
	for _, s := range svcs {
		if s.State == tui.StateDisabled || !s.Enabled {
			continue
		}
		enabled++
		if s.State == tui.StateHealthy || s.State == tui.StateRunning {
			healthy++
		}
	}
	switch {
	case enabled == 0:
		return "none enabled", Muted
	case healthy == enabled:
		return fmt.Sprintf("all %d healthy", enabled), Good
	}
	return fmt.Sprintf("%d of %d healthy", healthy, enabled), Warn
}

// ModeSummary is the mode section's title: the current mode and whether it
// is ready, with how many items are missing.
func ModeSummary(ms tui.ModeStatus) (string, Tone) {
	switch {
	case ms.Checks == nil:
		return ms.Mode + " · not checked yet", Muted
	case ms.Ready():
		return ms.Mode + " · ready", Good
	}
	missing := 0
	for _, c := range ms.Checks {
		if !c.OK {
			missing++
		}
	}
	return ms.Mode + " · not ready: " + plural(missing, "item missing", "items missing"), Bad
}

// Problem is one thing that went wrong, as the overview lists it.
type Problem struct {
	Text string
	// Service is the service whose container it is; Failure the task
	// instance, when it is a failed task.
	Service string
	Failure *tui.Failure
}

// ContainerProblems are the containers that are not well: exited with an
// error or killed, failing their health check, restarting.
func ContainerProblems(svcs []tui.Service) []Problem {
	var out []Problem
	for _, s := range svcs {
		for _, c := range s.Containers {
			bad := false
			switch c.State {
			case tui.StateExited:
				bad = c.ExitCode != 0 || c.OOMKilled
			case tui.StateUnhealthy, tui.StateRestarting:
				bad = true
			}
			if bad {
				out = append(out, Problem{Service: s.Name, Text: ContainerSymbol(c) + " " + c.Name + " " + ContainerState(c)})
			}
		}
	}
	return out
}

// FailureProblem is a failed task as the overview lists it: "✗ etl ›
// train failed 3h ago: ValueError: bad shape".
func FailureProblem(f tui.Failure, now time.Time) Problem {
	task := f.TaskID
	if f.MapIndex >= 0 {
		task += fmt.Sprintf("[%d]", f.MapIndex)
	}
	text := "✗ " + f.DAGID + " › " + task + " failed"
	if !f.End.IsZero() {
		text += " " + Age(now.Sub(f.End)) + " ago"
	}
	if f.Try > 1 {
		text += fmt.Sprintf(" (try %d)", f.Try)
	}
	if f.Error != "" {
		text += ": " + f.Error
	}
	ff := f
	return Problem{Text: text, Failure: &ff}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
