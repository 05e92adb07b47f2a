package tui

import "testing"

func TestStateOfMapsTheStacksStates(t *testing.T) {
	for in, want := range map[string]State{
		"pulling": StatePulling, "building": StateBuilding, "creating": StateStarting,
		"starting": StateStarting, "created": StateCreated, "healthy": StateHealthy,
		"unhealthy": StateUnhealthy, "running": StateRunning, "restarting": StateRestarting,
		"completed": StateExited, "exited": StateExited, "dead": StateExited,
		"stopped": StateStopped, "paused": StateStopped, "not created": StateMissing,
		"partial": StatePartial, "disabled": StateDisabled,
		"something new": StateUnknown,
	} {
		if got := StateOf(in); got != want {
			t.Errorf("StateOf(%q) = %q, want %q", in, got, want)
		}
	}
}
