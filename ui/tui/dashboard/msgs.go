package dashboard

import (
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// Messages come in families; Update routes a whole family to one handler
// file, so no single Update grows with every feature.

type backendMsg interface{ backendFamily() }
type airflowMsg interface{ airflowFamily() }
type logMsg interface{ logFamily() }
type taskMsg interface{ taskFamily() }

// Backend state.
type (
	snapshotMsg struct {
		snap tui.Snapshot
		err  error
	}
	changedMsg    struct{}
	changesClosed struct{}
	retryMsg      struct{ attempt int }
)

func (snapshotMsg) backendFamily()   {}
func (changedMsg) backendFamily()    {}
func (changesClosed) backendFamily() {}
func (retryMsg) backendFamily()      {}

// Airflow reads.
type (
	dagsMsg struct {
		list tui.DAGList
		err  error
	}
	runsMsg struct {
		dag  string
		runs []tui.Run
		err  error
	}
	tisMsg struct {
		dag, run string
		tis      []tui.TaskInstance
		err      error
	}
	pollMsg struct{ gen int }
)

func (dagsMsg) airflowFamily() {}
func (runsMsg) airflowFamily() {}
func (tisMsg) airflowFamily()  {}
func (pollMsg) airflowFamily() {}

// Log streams and what is done with their lines.
type (
	logLinesMsg struct {
		stream int
		lines  []tui.LogLine
		done   bool
		err    error
	}
	copiedMsg struct{ n int }
	savedMsg  struct {
		path string
		n    int
		err  error
	}
)

func (logLinesMsg) logFamily() {}
func (copiedMsg) logFamily()   {}
func (savedMsg) logFamily()    {}

// Tasks.
type (
	taskEventMsg struct {
		id int
		ev event.Event
	}
	taskDoneMsg struct {
		id  int
		err error
	}
	openedMsg struct {
		url string
		err error
	}
)

func (taskEventMsg) taskFamily() {}
func (taskDoneMsg) taskFamily()  {}
func (openedMsg) taskFamily()    {}
