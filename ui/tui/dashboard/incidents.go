package dashboard

import (
	"strings"

	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// stoppedSince is the status line for containers that were up in the last
// snapshot and have stopped since, with the reason the backend gives —
// killed, crashed, restarting in a loop: a running stack losing a part is
// news a person must not have to spot in a table. "" when none did.
func stoppedSince(prev, next []tui.Service) string {
	up := map[string]bool{}
	for _, s := range prev {
		for _, c := range s.Containers {
			switch c.State {
			case tui.StateRunning, tui.StateHealthy, tui.StateStarting, tui.StateUnhealthy:
				up[s.Name+"/"+c.Name] = true
			}
		}
	}
	var lines []string
	for _, s := range next {
		for _, c := range s.Containers {
			down := c.State == tui.StateExited || c.State == tui.StateRestarting
			if down && c.Reason != "" && up[s.Name+"/"+c.Name] {
				lines = append(lines, s.Name+": "+c.Name+" "+c.Reason)
			}
		}
	}
	return strings.Join(lines, "; ")
}
