package stack

import (
	"fmt"

	"github.com/gaiaflow/gaiaflow/services/docker"
)

// containerReason says, in words, why a container in state is not what
// it should be; "" when it is.
func containerReason(info docker.ContainerInfo, state, detail string) string {
	switch state {
	case StateExited:
		return exitText(info.ExitCode, info.OOMKilled)
	case StateRestarting:
		return fmt.Sprintf("keeps exiting (last %s) and restarting (%d restarts)", exitText(info.ExitCode, info.OOMKilled), info.RestartCount)
	case StateUnhealthy:
		if detail != "" {
			return "not ready: " + detail
		}
		return "its health check keeps failing"
	}
	return ""
}

// recorded corrects a stopped container's status with what gaiaflow
// recorded when it stopped it: one a failed start left stopped failed, for
// the reason the start gave, whatever code `docker stop` left; one `dev
// stop` stopped was stopped, even if it had to be killed.
func recorded(cs ContainerStatus, rec stopRecord, oneShot bool) ContainerStatus {
	switch cs.State {
	case StateStopped, StateExited:
	default:
		return cs // it runs again, or is on its way
	}
	if !rec.Failed {
		if !oneShot {
			cs.State, cs.Reason, cs.ExitCode = StateStopped, "", nil
		}
		return cs
	}
	code := rec.ExitCode
	cs.State, cs.ExitCode = StateExited, &code
	cs.Reason = rec.Reason + "; the failed start left it stopped"
	return cs
}
