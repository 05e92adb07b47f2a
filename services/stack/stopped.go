package stack

import (
	"maps"
	"time"

	"github.com/gaiaflow/gaiaflow/services/project"
)

// stopsFile records, in the state directory, which containers gaiaflow
// left stopped and why: those a failed start stopped (they kept failing)
// and those `dev stop` stopped. The engine cannot tell a container a
// person stopped from one that was killed, and `dev status` must.
const stopsFile = "stopped.json"

// stopRecord is one container gaiaflow left stopped, by container id.
type stopRecord struct {
	Component string    `json:"component"`
	Failed    bool      `json:"failed"` // a failed start left it stopped; else `dev stop` stopped it
	Reason    string    `json:"reason,omitempty"`
	ExitCode  int       `json:"exit_code,omitempty"`
	At        time.Time `json:"at"`
}

// readStops returns the records; a missing or unreadable file is none.
func readStops(st *project.State) map[string]stopRecord {
	m := map[string]stopRecord{}
	if ok, err := st.ReadJSON(stopsFile, &m); err != nil || !ok {
		return map[string]stopRecord{}
	}
	return m
}

// recordStops changes the records under the project lock, which the
// caller holds. It is best effort: a state directory that cannot be
// written (a full disk) costs `dev status` a reason, never a start or a
// stop its outcome.
func (s *Stack) recordStops(change func(map[string]stopRecord)) {
	st, err := s.p.State()
	if err != nil {
		return
	}
	old := readStops(st)
	m := maps.Clone(old)
	change(m)
	if !maps.Equal(old, m) {
		_ = st.WriteJSON(stopsFile, m, 0o600)
	}
}
