package modes

import "github.com/gaiaflow/gaiaflow/services/errs"

// Requirement is one thing a mode needs, checked on this machine.
type Requirement struct {
	Name   string `json:"name"`
	Ready  bool   `json:"ready"`
	Detail string `json:"detail,omitempty"` // what was found
	Fix    string `json:"fix,omitempty"`    // what to do when not ready
}

// AllReady reports whether every requirement is met.
func AllReady(reqs []Requirement) bool {
	for _, r := range reqs {
		if !r.Ready {
			return false
		}
	}
	return true
}

// NotReady is the error of mode m when some of reqs are missing: how many,
// with hint saying what to do.
func NotReady(m Mode, reqs []Requirement, hint string) error {
	missing := 0
	for _, r := range reqs {
		if !r.Ready {
			missing++
		}
	}
	return errs.Failf(hint, "%s is not ready: %d of %d requirements are missing", m, missing, len(reqs))
}
