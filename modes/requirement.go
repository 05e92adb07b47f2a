package modes

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
