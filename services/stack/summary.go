package stack

// The states of a container (ContainerStatus.State) and of a service
// (ServiceStatus.State), as both faces print them.
const (
	StatePulling    = "pulling"
	StateCreating   = "creating"
	StateCreated    = "created"
	StateStarting   = "starting"
	StateHealthy    = "healthy"
	StateUnhealthy  = "unhealthy"
	StateRunning    = "running" // up, no readiness check
	StateRestarting = "restarting"
	StateCompleted  = "completed" // a one-shot container that exited 0
	StateExited     = "exited"    // failed: see the exit code
	StateStopped    = "stopped"
	StateNotCreated = "not created"
	// A service only: some of its containers run and some are stopped.
	StatePartial = "partial"
	// A service only: disabled in gaiaflow.toml and not created.
	StateDisabled = "disabled"
)

// Summarize sums up a service's containers into the one state both faces
// show, and names the container that decides it when it is not healthy:
//
//   - every container not created: not created (disabled when the service is);
//   - any that failed (exited with an error, unhealthy, restarting): unhealthy;
//   - else any on its way up (pulling, creating, created, starting): starting;
//   - every one healthy, running or completed: healthy;
//   - every one stopped, not created or completed: stopped;
//   - else (some up, some stopped): partial.
//
// The deciding container of unhealthy is the worst: exited before
// unhealthy before restarting.
func Summarize(enabled bool, cs []ContainerStatus) (state, culprit string) {
	count := map[string]int{}
	for _, c := range cs {
		count[c.State]++
	}
	first := func(states ...string) string {
		for _, s := range states {
			for _, c := range cs {
				if c.State == s {
					return c.Component
				}
			}
		}
		return ""
	}
	n := len(cs)
	switch {
	case count[StateNotCreated] == n:
		if !enabled {
			return StateDisabled, ""
		}
		return StateNotCreated, ""
	case count[StateExited]+count[StateUnhealthy]+count[StateRestarting] > 0:
		return StateUnhealthy, first(StateExited, StateUnhealthy, StateRestarting)
	case count[StatePulling]+count[StateCreating]+count[StateCreated]+count[StateStarting] > 0:
		return StateStarting, first(StatePulling, StateCreating, StateCreated, StateStarting)
	case count[StateHealthy]+count[StateRunning]+count[StateCompleted] == n:
		return StateHealthy, ""
	case count[StateStopped]+count[StateNotCreated]+count[StateCompleted] == n:
		return StateStopped, ""
	}
	return StatePartial, first(StateStopped, StateNotCreated)
}
