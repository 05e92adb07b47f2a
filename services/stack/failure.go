package stack

import (
	"fmt"
	"strings"
)

// Failure is why one container did not become ready: what a person needs
// to act without running anything else.
type Failure struct {
	Service      string   `json:"service"`
	Component    string   `json:"component"`
	Container    string   `json:"container"`
	Reason       string   `json:"reason"`
	State        string   `json:"state"` // the engine's: running, exited, restarting, ...
	Health       string   `json:"health,omitempty"`
	ExitCode     int      `json:"exit_code"`
	OOMKilled    bool     `json:"oom_killed"`
	RestartCount int      `json:"restart_count"`
	Logs         []string `json:"logs"` // the last lines of its output
}

// StartError is a start that did not bring every container up.
type StartError struct {
	Failures []Failure
	// Skipped are components not started because one they need failed.
	Skipped []string
	// TimedOut is set when the wait for readiness ran out.
	TimedOut bool
}

func (e *StartError) Error() string {
	if len(e.Failures) == 0 {
		return "the stack did not start"
	}
	f := e.Failures[0]
	msg := fmt.Sprintf("%s: %s %s", f.Service, f.Component, f.Reason)
	if n := len(e.Failures) - 1; n > 0 {
		others := make([]string, 0, n)
		for _, o := range e.Failures[1:] {
			others = append(others, o.Component)
		}
		msg += fmt.Sprintf(" (also failed: %s)", strings.Join(others, ", "))
	}
	return msg
}

// Hint says what to do next.
func (e *StartError) Hint() string {
	if len(e.Failures) == 0 {
		return ""
	}
	f := e.Failures[0]
	if f.OOMKilled {
		return "give Docker more memory, or start fewer services with -s"
	}
	if e.TimedOut {
		return "see `gaiaflow dev logs " + f.Service + "`; start again with a longer --wait if it is only slow"
	}
	return "see `gaiaflow dev logs " + f.Service + "` for the whole output"
}
