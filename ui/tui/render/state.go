// Package render turns the dashboard's domain state into text, cells and
// styles with pure functions: no model, no I/O, no clock (times are passed
// in). Each function is table-tested; the panels only arrange what it returns.
package render

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/theme"
)

// Tone is the semantic colour of something.
type Tone int

// The tones, mapped onto the palette by Style.
const (
	Plain Tone = iota
	Muted
	Good
	Busy
	Warn
	Bad
)

// Style returns the style of a tone.
func Style(st theme.Styles, t Tone) lipgloss.Style {
	switch t {
	case Muted:
		return st.Muted
	case Good:
		return st.OK
	case Busy:
		return st.Busy
	case Warn:
		return st.Warn
	case Bad:
		return st.Bad
	}
	return st.Base
}

// ContainerTone is the colour of a container's state.
func ContainerTone(c tui.Container) Tone {
	switch c.State {
	case tui.StateHealthy, tui.StateRunning:
		return Good
	case tui.StateStarting, tui.StateCreated, tui.StatePulling, tui.StateBuilding:
		return Busy
	case tui.StateRestarting:
		return Warn
	case tui.StateUnhealthy:
		return Bad
	case tui.StateExited:
		if c.ExitCode == 0 && !c.OOMKilled {
			if c.OneShot {
				return Good
			}
			return Muted
		}
		return Bad
	}
	return Muted
}

// Symbol is a one-cell mark for a state, so states differ without colour too.
func Symbol(s tui.State) string {
	switch s {
	case tui.StateHealthy, tui.StateRunning:
		return "●"
	case tui.StateStarting, tui.StateCreated:
		return "◌"
	case tui.StatePulling:
		return "↓"
	case tui.StateBuilding:
		return "⚙"
	case tui.StateRestarting:
		return "↻"
	case tui.StateUnhealthy, tui.StateExited:
		return "✗"
	case tui.StatePartial:
		return "◐"
	}
	return "○"
}

// ContainerSymbol is Symbol, with a finished one-shot container marked done.
func ContainerSymbol(c tui.Container) string {
	if c.State == tui.StateExited && c.OneShot && c.ExitCode == 0 {
		return "✓"
	}
	return Symbol(c.State)
}

// ContainerState is a container's state in words: "healthy",
// "exited (137, OOM killed)", "restarting (3×)".
func ContainerState(c tui.Container) string {
	switch c.State {
	case tui.StateExited:
		var extra []string
		extra = append(extra, fmt.Sprint(c.ExitCode))
		if c.OOMKilled {
			extra = append(extra, "OOM killed")
		}
		if c.OneShot && c.ExitCode == 0 {
			return "done (0)"
		}
		return "exited (" + strings.Join(extra, ", ") + ")"
	case tui.StateRestarting:
		if c.RestartCount > 0 {
			return fmt.Sprintf("restarting (%d×)", c.RestartCount)
		}
	case tui.StateUnknown:
		return "unknown"
	}
	return string(c.State)
}

// ServiceState is a service's state as its row shows it: the summary both
// faces print (Service.State, from services/stack.Summarize) and, when a
// container makes the service not healthy, that container and its state:
// "✗ unhealthy: minio exited (137, OOM killed)". Pull and build progress
// shows instead while it runs.
func ServiceState(s tui.Service) (string, Tone) {
	if p := s.Progress; p != nil {
		st := tui.StatePulling
		if p.Phase == "building" {
			st = tui.StateBuilding
		}
		text := Symbol(st) + " " + p.Phase
		if p.Total > 0 {
			text += fmt.Sprintf(" %d%%", p.Current*100/p.Total)
		}
		return text, Busy
	}
	text := Symbol(s.State) + " " + stateWord(s.State)
	if s.Culprit != "" {
		for _, c := range s.Containers {
			if c.Name == s.Culprit {
				text += ": " + c.Name
				if cs := ContainerState(c); cs != stateWord(s.State) {
					text += " " + cs
				}
				break
			}
		}
	}
	return text, ServiceTone(s.State)
}

// ServiceTone is the colour of a service's summed-up state.
func ServiceTone(st tui.State) Tone {
	switch st {
	case tui.StateHealthy, tui.StateRunning:
		return Good
	case tui.StateStarting, tui.StateCreated, tui.StatePulling, tui.StateBuilding:
		return Busy
	case tui.StatePartial, tui.StateRestarting:
		return Warn
	case tui.StateUnhealthy, tui.StateExited:
		return Bad
	}
	return Muted
}

func stateWord(st tui.State) string {
	if st == tui.StateUnknown {
		return "unknown"
	}
	return string(st)
}

// RunTone is the colour of an Airflow run or task-instance state.
func RunTone(state string) Tone {
	switch state {
	case "success":
		return Good
	case "failed", "upstream_failed":
		return Bad
	case "running", "restarting", "deferred":
		return Busy
	case "up_for_retry", "up_for_reschedule":
		return Warn
	case "queued", "scheduled":
		return Plain
	}
	return Muted
}

// RunState is an Airflow state in words; empty is "none".
func RunState(state string) string {
	if state == "" {
		return "none"
	}
	return strings.ReplaceAll(state, "_", " ")
}
