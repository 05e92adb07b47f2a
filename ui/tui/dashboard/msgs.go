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
type mlflowMsg interface{ mlflowFamily() }

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
	gridMsg struct {
		dag  string
		grid tui.Grid
		err  error
	}
	failuresMsg struct {
		failures []tui.Failure
		err      error
	}
)

func (dagsMsg) airflowFamily()     {}
func (runsMsg) airflowFamily()     {}
func (tisMsg) airflowFamily()      {}
func (pollMsg) airflowFamily()     {}
func (gridMsg) airflowFamily()     {}
func (failuresMsg) airflowFamily() {}

// MLflow reads. Each carries the query it answers: an answer to a query
// the panel no longer shows is dropped.
type (
	experimentsMsg struct {
		exps []tui.Experiment
		err  error
	}
	mlRunsMsg struct {
		q    tui.MLflowQuery
		list tui.MLflowRunList
		err  error
	}
	mlRunMsg struct {
		id     string
		detail tui.MLflowRunDetail
		err    error
	}
	artifactsMsg struct {
		run, path string
		arts      []tui.Artifact
		err       error
	}
)

func (experimentsMsg) mlflowFamily() {}
func (mlRunsMsg) mlflowFamily()      {}
func (mlRunMsg) mlflowFamily()       {}
func (artifactsMsg) mlflowFamily()   {}

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
