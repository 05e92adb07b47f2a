package stack

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gaiaflow/gaiaflow/services/docker"
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
	// Because names the failed component this one failed because of (a
	// database it needs that stopped); its own output is then a
	// consequence, not the cause.
	Because string `json:"because,omitempty"`
	// Stopped says the start left it stopped, so that it does not restart
	// in a loop; its logs are kept for `gaiaflow dev logs`.
	Stopped bool `json:"stopped,omitempty"`
}

// StartError is a start that did not bring every container up. Failures
// come root causes first: a component whose own failure explains the
// others', then those that failed because of one (Because set), each
// group in dependency order.
type StartError struct {
	Failures []Failure
	// Skipped are components not started because one they need failed.
	Skipped []string
	// TimedOut is set when the wait for readiness ran out.
	TimedOut bool
	// EngineLost is set when the Docker engine went away during the start
	// (stopped, restarted, unreachable): the failures are its doing.
	EngineLost bool
}

// Error names the first root cause, what failed because of it, and the
// other failures.
func (e *StartError) Error() string {
	if e.EngineLost {
		var stopped []string
		for _, f := range e.Failures {
			stopped = append(stopped, f.Component)
		}
		msg := "the Docker engine went away during the start (it stopped or restarted)"
		if len(stopped) > 0 {
			msg += "; cut off: " + strings.Join(stopped, ", ")
		}
		return msg
	}
	if len(e.Failures) == 0 {
		return "the stack did not start"
	}
	f := e.Failures[0]
	msg := fmt.Sprintf("%s: %s %s", f.Service, f.Component, f.Reason)
	var because, others []string
	for _, o := range e.Failures[1:] {
		if o.Because == f.Component {
			because = append(because, o.Component)
		} else {
			others = append(others, o.Component)
		}
	}
	if len(because) > 0 {
		msg += "; " + strings.Join(because, ", ") + " failed because of it"
	}
	if len(others) > 0 {
		msg += fmt.Sprintf(" (also failed: %s)", strings.Join(others, ", "))
	}
	return msg
}

// Hint says what to do next.
func (e *StartError) Hint() string {
	if len(e.Failures) == 0 && !e.EngineLost {
		return ""
	}
	if e.EngineLost {
		return engineHint
	}
	f := e.Failures[0]
	if f.OOMKilled {
		return "give Docker more memory, or start fewer services with -s"
	}
	if e.TimedOut && f.Because == "" && f.State == "running" {
		return "see `gaiaflow dev logs " + f.Service + "`; start again with a longer --wait if it is only slow"
	}
	return "see `gaiaflow dev logs " + f.Component + "` for its whole output, then `gaiaflow dev start` again"
}

// engineHint is what to do when the engine went away during a start.
const engineHint = docker.EngineHint + ": `gaiaflow dev start` starts what was stopped"

// engineGone names the engine as the cause of an error it caused by going
// away; a StartError says so itself.
func engineGone(err error) error {
	var se *StartError
	if errors.As(err, &se) {
		return err
	}
	return docker.Gone(err)
}
