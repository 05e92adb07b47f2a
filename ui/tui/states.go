package tui

import "github.com/gaiaflow/gaiaflow/services/stack"

// StateOf maps a state the stack names (services/stack: a container's
// state, or a service's summary from stack.Summarize) onto the dashboard's.
func StateOf(s string) State {
	switch s {
	case stack.StatePulling:
		return StatePulling
	case "building":
		return StateBuilding
	case stack.StateCreating, stack.StateStarting:
		return StateStarting
	case stack.StateCreated:
		return StateCreated
	case stack.StateHealthy:
		return StateHealthy
	case stack.StateUnhealthy:
		return StateUnhealthy
	case stack.StateRunning:
		return StateRunning
	case stack.StateRestarting:
		return StateRestarting
	case stack.StateCompleted, stack.StateExited, "dead":
		return StateExited
	case stack.StateStopped, "paused", "removing":
		return StateStopped
	case stack.StateNotCreated:
		return StateMissing
	case stack.StatePartial:
		return StatePartial
	case stack.StateDisabled:
		return StateDisabled
	}
	return StateUnknown
}
