package tui

import (
	"context"
	"errors"
	"time"

	"github.com/gaiaflow/gaiaflow/services/event"
)

// Backend is everything the dashboard reads and does. It is deliberately
// narrow: one cheap snapshot of the project and its stack plus a change
// signal, the Airflow reads, one log stream, and one way to run an action.
// Implementations must be safe for concurrent use.
type Backend interface {
	// Snapshot returns the project, the connectivity of Docker, Minikube and
	// Airflow, the services with their containers, and every mode with its
	// readiness checklist. It must be cheap (served from what the backend
	// already knows): the dashboard calls it after every change signal.
	// A backend that cannot reach Docker still returns a snapshot, with
	// Docker.OK false and the reason in Docker.Detail.
	Snapshot(ctx context.Context) (Snapshot, error)

	// Changes returns a channel that receives a value whenever Snapshot would
	// return something new (a Docker event, a mode switch, a connectivity
	// change). Values may be coalesced; the channel is closed when ctx ends.
	// Nothing is sent while nothing changes: an idle dashboard stays idle.
	Changes(ctx context.Context) <-chan struct{}

	// DAGs lists the DAGs Airflow knows and the files it failed to import.
	DAGs(ctx context.Context) (DAGList, error)
	// Runs lists up to limit runs of a DAG, newest first.
	Runs(ctx context.Context, dagID string, limit int) ([]Run, error)
	// TaskInstances lists the task instances of one run.
	TaskInstances(ctx context.Context, dagID, runID string) ([]TaskInstance, error)
	// Grid reads up to runs of a DAG's newest runs with their task
	// instances: the shape of Airflow's grid view.
	Grid(ctx context.Context, dagID string, runs int) (Grid, error)
	// Failures lists what went wrong lately in Airflow, newest first, at
	// most limit: the failed task instances of the newest failed runs,
	// each with the first error line of its log.
	Failures(ctx context.Context, limit int) ([]Failure, error)

	// Experiments lists the MLflow experiments, most recently changed first.
	Experiments(ctx context.Context) ([]Experiment, error)
	// MLflowRuns lists MLflow runs, newest first: an experiment's, or those
	// a DAG run's task logged (see MLflowQuery).
	MLflowRuns(ctx context.Context, q MLflowQuery) (MLflowRunList, error)
	// MLflowRun reads one run whole: params, metrics with their history,
	// and the artifacts at its root.
	MLflowRun(ctx context.Context, runID string) (MLflowRunDetail, error)
	// MLflowArtifacts lists a run's artifacts under path ("" the root).
	MLflowArtifacts(ctx context.Context, runID, path string) ([]Artifact, error)

	// Logs streams the lines of a service's containers or of a task
	// instance's attempt. The channel is closed when the source has nothing
	// more to give (no Follow) or when ctx ends; cancelling ctx is how the
	// dashboard stops a stream it no longer shows.
	Logs(ctx context.Context, src LogSource, q LogQuery) (<-chan LogLine, error)

	// Do runs one action to its end, reporting progress to r, and returns its
	// outcome. Cancelling ctx cancels the action. The dashboard runs it in the
	// background as a task; the headless face calls the same services.
	Do(ctx context.Context, a Action, r event.Reporter) error
}

// ErrUnavailable is what a Backend returns (wrapped) for a read whose source
// is not reachable or not there yet (Airflow down, no project). The dashboard
// shows the message and keeps running.
var ErrUnavailable = errors.New("unavailable")

// Snapshot is the state the header, the services panel and the mode panel draw.
type Snapshot struct {
	Project  Project
	Docker   Conn
	Minikube Conn
	Airflow  Conn
	Services []Service
	// Mode is the project's current execution mode.
	Mode string
	// Modes lists every mode, in the order a project moves through them,
	// with what it needs.
	Modes []ModeStatus
}

// Project says which project the dashboard looks at.
type Project struct {
	// Found is false when no gaiaflow.toml was found: the dashboard then
	// offers the init wizard.
	Found bool
	Name  string
	Dir   string
	// Problem is set when a project was found but could not be loaded.
	Problem string
}

// Conn is the connectivity of one dependency.
type Conn struct {
	OK bool
	// Detail says what is reachable ("unix:///var/run/docker.sock, 28.5")
	// or, when not OK, why not and what to do.
	Detail string
	// Unknown is true when the backend has not looked (yet), or the
	// dependency does not apply (Minikube in dev mode).
	Unknown bool
}

// State is the life-cycle state of a container or a service.
type State string

// The states the dashboard colours. Backends map their own states onto these.
const (
	StateUnknown    State = ""
	StatePulling    State = "pulling"
	StateBuilding   State = "building"
	StateCreated    State = "created"
	StateStarting   State = "starting"
	StateRunning    State = "running" // up, no health check
	StateHealthy    State = "healthy"
	StateUnhealthy  State = "unhealthy"
	StateRestarting State = "restarting"
	StateExited     State = "exited" // see ExitCode
	StateStopped    State = "stopped"
	StateMissing    State = "not created"
	// A service only (Service.State): some containers up, some stopped;
	// disabled in gaiaflow.toml.
	StatePartial  State = "partial"
	StateDisabled State = "disabled"
)

// Service is one service of the stack and its containers.
type Service struct {
	Name    string
	Enabled bool
	// State sums up the containers: the summary `gaiaflow dev status`
	// prints (services/stack.Summarize), mapped onto the dashboard's
	// states. Culprit names the container that makes it not healthy.
	State   State
	Culprit string
	// Reason says, in words, why the culprit is not healthy.
	Reason string
	// URL is where a person opens the service; empty when it has none.
	URL   string
	Image string
	// Ports are the published host ports, as "127.0.0.1:8080->8080".
	Ports      []string
	Containers []Container
	// Progress is set while the backend pulls or builds the service's images.
	Progress *Progress
}

// Container is one container of a service.
type Container struct {
	Name  string
	Image string
	State State
	// ExitCode is meaningful with StateExited.
	ExitCode     int
	OOMKilled    bool
	RestartCount int
	// Started is when the container last started; zero when not running.
	Started time.Time
	Ports   []string
	// OneShot marks a container expected to exit 0 (an init container).
	OneShot bool
	// Reason says why a container that should run does not: how it
	// exited, that it keeps restarting, that a failed start left it stopped.
	Reason string
}

// Progress is pull or build progress.
type Progress struct {
	Phase   string // "pulling", "building"
	Current int64
	Total   int64 // 0 when unknown
	Message string
}

// ModeStatus is one mode and its readiness checklist.
type ModeStatus struct {
	Mode        string
	Description string
	// Checks is nil when the mode was not checked, and empty when it needs
	// nothing (dev): the mode panel shows "?" for the one, ready for the other.
	Checks []Check
}

// Ready reports whether every check of the mode passes.
func (m ModeStatus) Ready() bool {
	for _, c := range m.Checks {
		if !c.OK {
			return false
		}
	}
	return true
}

// Check is one item of a readiness checklist.
type Check struct {
	// ID says what the item checks: stable, unique in its checklist
	// (modes.Requirement's ID), unlike Name, which is for people.
	ID     string
	Name   string // "task image", "cluster", ...
	OK     bool
	Detail string // what is missing, or what is there
	// Fix says what a person does about a missing item outside the
	// dashboard: a command or a step. The mode panel shows it when no key
	// of the dashboard applies.
	Fix string
	// Remedy is the dashboard's own way to make the check pass, if it has
	// one; the mode panel shows the key bound to it, and that key does it.
	Remedy Remedy
}

// Remedy is what the dashboard does to fix a check: run one of its actions
// (Verb), or open one of its wizards (Wizard). The zero value is none.
type Remedy struct {
	Verb   Verb
	Wizard Wizard
}

// DAGList is the DAGs and the import errors.
type DAGList struct {
	DAGs         []DAG
	ImportErrors []ImportError
}

// DAG is one DAG as Airflow reports it.
type DAG struct {
	ID     string
	Paused bool
	// LastRunState is the state of the latest run; empty when it never ran.
	LastRunState string
	LastRunStart time.Time
	// LastRunEnd is when the latest run ended; zero while it runs.
	LastRunEnd time.Time
	// LastRunID names the latest run.
	LastRunID string
	// NextRun is the next scheduled logical date; zero when not scheduled.
	NextRun time.Time
	// ImportError is set when the DAG's file failed to import.
	ImportError string
	Schedule    string
	File        string
}

// ImportError is a DAG file Airflow could not import.
type ImportError struct {
	File    string
	Message string
	Time    time.Time
}

// Run is one DAG run.
type Run struct {
	DAGID       string
	RunID       string
	State       string // queued, running, success, failed
	Type        string // scheduled, manual, backfill
	LogicalDate time.Time
	Start       time.Time
	End         time.Time // zero while running
}

// TaskInstance is one task instance of a run.
type TaskInstance struct {
	DAGID    string
	RunID    string
	TaskID   string
	MapIndex int // -1 when not mapped
	State    string
	Try      int
	Start    time.Time
	End      time.Time
	Operator string
}

// Grid is a DAG's newest runs and their task instances.
type Grid struct {
	DAGID string
	// Runs are newest first: the grid's columns.
	Runs []Run
	// Tasks are the task ids in the order the runs ran them: the rows.
	Tasks []string
	// Cells[t][r] is task Tasks[t] in run Runs[r]; a zero TaskInstance
	// (empty TaskID) where the run has no such task.
	Cells [][]TaskInstance
}

// Failure is one thing that went wrong in Airflow: a failed task instance.
type Failure struct {
	DAGID, RunID, TaskID string
	MapIndex             int
	Try                  int
	// End is when the try ended.
	End time.Time
	// Error is the first line of its log that says what failed; empty
	// when the log could not be read or says nothing of it.
	Error string
}

// Experiment is one MLflow experiment.
type Experiment struct {
	ID         string
	Name       string
	LastUpdate time.Time
	// URL is the experiment's page in MLflow's UI.
	URL string
}

// MLflowQuery selects MLflow runs: an experiment's, or, with DAGID and
// RunID, those tagged with that DAG run (TaskID narrows them to one task's;
// see the README's "MLflow runs of a DAG run"). Limit 0 means the
// backend's default.
type MLflowQuery struct {
	ExperimentID string
	DAGID        string
	RunID        string
	TaskID       string
	Limit        int
}

// MLflowRunList is the runs a query found.
type MLflowRunList struct {
	Runs []MLflowRun
	// Widened says no run was tagged with the task asked for, so Runs are
	// those of its whole DAG run.
	Widened bool
	// MetricKeys are the runs' metric keys, sorted.
	MetricKeys []string
}

// MLflowRun is one MLflow run as a list shows it.
type MLflowRun struct {
	ID           string
	Name         string
	ExperimentID string
	// Status is MLflow's: RUNNING, SCHEDULED, FINISHED, FAILED, KILLED.
	Status  string
	Start   time.Time
	End     time.Time // zero while it runs
	Metrics map[string]float64
	// Task is the Airflow task that logged it ("dag › task"), from its
	// tags; empty when untagged.
	Task string
	// URL is the run's page in MLflow's UI.
	URL string
}

// MLflowRunDetail is one run whole.
type MLflowRunDetail struct {
	Run       MLflowRun
	Params    []Param
	Metrics   []MetricSeries
	Tags      []Param
	Artifacts []Artifact
	// ArtifactURI is where the run's artifacts are stored.
	ArtifactURI string
}

// Param is a key and its value (a parameter or a tag).
type Param struct {
	Key, Value string
}

// MetricSeries is a metric's latest value and its history, oldest first.
type MetricSeries struct {
	Key     string
	Last    float64
	History []float64
}

// Artifact is a file or directory among a run's artifacts.
type Artifact struct {
	// Path is relative to the run's artifact root ("model/MLmodel").
	Path string
	Dir  bool
	Size int64
}

// LogSource is what to stream logs of: a service, or a task instance attempt.
type LogSource struct {
	Service string
	Task    *TaskInstance
}

// Title names the source in one short line.
func (s LogSource) Title() string {
	if s.Task != nil {
		return s.Task.DAGID + " › " + s.Task.TaskID
	}
	return s.Service
}

// LogQuery narrows a log stream.
type LogQuery struct {
	Follow bool
	// Since keeps lines newer than now-Since; 0 for no limit.
	Since time.Duration
	// Tail starts with the last Tail lines; 0 for all.
	Tail int
}

// LogLine is one line of a log.
type LogLine struct {
	Time      time.Time
	Container string // which container of the service wrote it
	Stderr    bool
	Text      string
}

// Verb is what an action does.
type Verb string

// The actions of the dashboard. Target says on what.
const (
	VerbStart         Verb = "start"          // Target: a service
	VerbStop          Verb = "stop"           // Target: a service
	VerbRestart       Verb = "restart"        // Target: a service
	VerbStartAll      Verb = "start-all"      //
	VerbStopAll       Verb = "stop-all"       //
	VerbRestartAll    Verb = "restart-all"    //
	VerbDeleteVolumes Verb = "delete-volumes" // stop everything and delete the project's volumes
	VerbCleanup       Verb = "cleanup"        // remove the project's containers, networks, volumes, images
	VerbTrigger       Verb = "trigger"        // Target: a DAG id
	VerbPause         Verb = "pause"          // Target: a DAG id
	VerbUnpause       Verb = "unpause"        // Target: a DAG id
	VerbSetMode       Verb = "set-mode"       // Target: a mode
	VerbBuildImage    Verb = "build-image"    // Target: the mode whose task image to build (default: the current one)
	VerbStartCluster  Verb = "start-cluster"  // start Minikube
	VerbDeleteCluster Verb = "delete-cluster" // delete the Minikube profile
)

// Action is one thing the person asked for.
type Action struct {
	Verb   Verb
	Target string
}

// String is the action as a short title: "start airflow", "stop-all".
func (a Action) String() string {
	if a.Target == "" {
		return string(a.Verb)
	}
	return string(a.Verb) + " " + a.Target
}
