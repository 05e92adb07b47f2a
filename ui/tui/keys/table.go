// Package keys owns the dashboard's one key table: every binding with its
// help text, the panels it applies to, and whether it changes anything
// (hidden by --read-only) or destroys something (asks first). The table
// drives dispatch, the footer, the ? screen, the generated docs/keys.md and
// the validation of remapped keys in config.toml.
package keys

import "github.com/gaiaflow/gaiaflow/ui/tui"

// Scope is where a binding applies: everywhere, or in one panel or view.
type Scope string

// The scopes. Runs and Tasks are the DAG panel drilled into a DAG and a
// run, Grid its runs × tasks view; Experiments, MLRuns and MLRun are the
// MLflow panel's three levels.
const (
	Global      Scope = "global"
	Overview    Scope = "overview"
	Services    Scope = "services"
	Mode        Scope = "mode"
	DAGs        Scope = "dags"
	Runs        Scope = "runs"
	Tasks       Scope = "tasks"
	Grid        Scope = "grid"
	Logs        Scope = "logs"
	Experiments Scope = "experiments"
	MLRuns      Scope = "mlflow-runs"
	MLRun       Scope = "mlflow-run"
)

// Scopes lists the scopes in the order help shows them.
func Scopes() []Scope {
	return []Scope{Global, Overview, Services, Mode, DAGs, Runs, Tasks, Grid, Logs, Experiments, MLRuns, MLRun}
}

// Title is the heading of a scope in help and docs.
func (s Scope) Title() string {
	switch s {
	case Global:
		return "Everywhere"
	case Overview:
		return "Overview"
	case Services:
		return "Services"
	case Mode:
		return "Mode"
	case DAGs:
		return "DAGs"
	case Runs:
		return "DAG runs"
	case Tasks:
		return "Task instances"
	case Grid:
		return "DAG grid (runs × tasks)"
	case Logs:
		return "Logs"
	case Experiments:
		return "MLflow experiments"
	case MLRuns:
		return "MLflow runs"
	case MLRun:
		return "MLflow run"
	}
	return string(s)
}

// Action names a binding. It is the key users write in config.toml's [keys].
type Action string

// Confirm says how a dangerous action asks before it runs.
type Confirm int

const (
	// NoConfirm runs at once.
	NoConfirm Confirm = iota
	// ConfirmYes asks y/n.
	ConfirmYes
	// ConfirmName asks the person to type the project's name.
	ConfirmName
)

// Binding is one row of the key table.
type Binding struct {
	Action Action
	// Keys are the default keys, in bubbletea's spelling ("ctrl+c", "shift+tab", "?").
	Keys []string
	// Help is the short text of the footer and the ? screen.
	Help string
	// Scopes are where the binding applies.
	Scopes []Scope
	// Mutates marks a binding that changes something; --read-only hides it.
	Mutates bool
	// Confirm is set on destructive bindings. They are never bound to a
	// bare ctrl+letter, which is too easy to hit by accident.
	Confirm Confirm
	// Verb is the backend action the binding runs, if it runs one directly.
	Verb tui.Verb
	// Wizard is the wizard the binding opens, if it opens one.
	Wizard tui.Wizard
	// Footer puts the binding in the footer of its scopes.
	Footer bool
}

// Dangerous reports whether the binding asks for confirmation.
func (b Binding) Dangerous() bool { return b.Confirm != NoConfirm }

// The actions.
const (
	Quit       Action = "quit"
	Help       Action = "help"
	NextPanel  Action = "panel.next"
	PrevPanel  Action = "panel.prev"
	GoOverview Action = "panel.overview"
	GoServices Action = "panel.services"
	GoMode     Action = "panel.mode"
	GoDAGs     Action = "panel.dags"
	GoLogs     Action = "panel.logs"
	GoMLflow   Action = "panel.mlflow"
	Up         Action = "cursor.up"
	Down       Action = "cursor.down"
	Left       Action = "cursor.left"
	Right      Action = "cursor.right"
	PageUp     Action = "cursor.page-up"
	PageDown   Action = "cursor.page-down"
	Top        Action = "cursor.top"
	Bottom     Action = "cursor.bottom"
	Open       Action = "open"
	Back       Action = "back"
	Refresh    Action = "refresh"
	TaskList   Action = "tasks.show"
	CancelTask Action = "tasks.cancel"

	StartAll      Action = "all.start"
	StopAll       Action = "all.stop"
	RestartAll    Action = "all.restart"
	DeleteVolumes Action = "all.delete-volumes"
	Cleanup       Action = "all.cleanup"
	InitWizard    Action = "wizard.init"
	Dockerize     Action = "wizard.dockerize"
	SecretWizard  Action = "wizard.secret"

	ServiceStart   Action = "service.start"
	ServiceStop    Action = "service.stop"
	ServiceRestart Action = "service.restart"
	ServiceOpen    Action = "service.browse"
	ServiceLogs    Action = "service.logs"

	SetMode       Action = "mode.set"
	BuildImage    Action = "mode.build-image"
	StartCluster  Action = "mode.start-cluster"
	DeleteCluster Action = "mode.delete-cluster"

	Trigger     Action = "dag.trigger"
	PauseToggle Action = "dag.pause"
	DAGGrid     Action = "dag.grid"
	TaskLog     Action = "task.log"
	TaskMLflow  Action = "task.mlflow"

	MLflowColumns Action = "mlflow.columns"
	MLflowBrowse  Action = "mlflow.browse"

	LogFollow Action = "log.follow"
	LogPause  Action = "log.pause"
	LogSearch Action = "log.search"
	LogFilter Action = "log.filter"
	LogNext   Action = "log.next-match"
	LogPrev   Action = "log.prev-match"
	LogRange  Action = "log.range"
	LogSelect Action = "log.select"
	LogCopy   Action = "log.copy"
	LogSave   Action = "log.save"
	LogWrap   Action = "log.wrap"
)

// Table returns the default key table, in the order help lists it. It is a
// function, not a variable, so nobody can change the defaults in place.
func Table() []Binding {
	g := []Scope{Global}
	svc := []Scope{Services}
	dagish := []Scope{DAGs, Runs, Grid}
	sideways := []Scope{Grid, Logs}
	mlflow := []Scope{Experiments, MLRuns, MLRun}
	return []Binding{
		{Action: Quit, Keys: []string{"q", "ctrl+c"}, Help: "quit", Scopes: g, Footer: true},
		{Action: Help, Keys: []string{"?"}, Help: "all keys", Scopes: g, Footer: true},
		{Action: NextPanel, Keys: []string{"tab"}, Help: "next panel", Scopes: g},
		{Action: PrevPanel, Keys: []string{"shift+tab"}, Help: "previous panel", Scopes: g},
		{Action: GoOverview, Keys: []string{"0"}, Help: "overview", Scopes: g},
		{Action: GoServices, Keys: []string{"1"}, Help: "services panel", Scopes: g},
		{Action: GoMode, Keys: []string{"2"}, Help: "mode panel", Scopes: g},
		{Action: GoDAGs, Keys: []string{"3"}, Help: "DAGs panel", Scopes: g},
		{Action: GoLogs, Keys: []string{"4"}, Help: "logs panel", Scopes: g},
		{Action: GoMLflow, Keys: []string{"5"}, Help: "MLflow panel", Scopes: g},
		{Action: Up, Keys: []string{"up", "k"}, Help: "move up", Scopes: g},
		{Action: Down, Keys: []string{"down", "j"}, Help: "move down", Scopes: g},
		{Action: Left, Keys: []string{"left", "h"}, Help: "move left / scroll left", Scopes: sideways},
		{Action: Right, Keys: []string{"right", "l"}, Help: "move right / scroll right", Scopes: sideways},
		{Action: PageUp, Keys: []string{"pgup", "ctrl+u"}, Help: "page up", Scopes: g},
		{Action: PageDown, Keys: []string{"pgdown", "ctrl+d"}, Help: "page down", Scopes: g},
		{Action: Top, Keys: []string{"home", "g"}, Help: "first line", Scopes: g},
		{Action: Bottom, Keys: []string{"end", "G"}, Help: "last line", Scopes: g},
		{Action: Open, Keys: []string{"enter"}, Help: "open", Scopes: g},
		{Action: Back, Keys: []string{"esc"}, Help: "back", Scopes: g},
		{Action: Refresh, Keys: []string{"ctrl+r"}, Help: "refresh now", Scopes: g},
		{Action: TaskList, Keys: []string{"T"}, Help: "tasks and their outcome", Scopes: g},
		{Action: CancelTask, Keys: []string{"c"}, Help: "cancel the running task", Scopes: g},

		{Action: StartAll, Keys: []string{"U"}, Help: "start all services", Scopes: g, Mutates: true, Verb: tui.VerbStartAll},
		{Action: StopAll, Keys: []string{"X"}, Help: "stop all services", Scopes: g, Mutates: true, Confirm: ConfirmYes, Verb: tui.VerbStopAll},
		{Action: RestartAll, Keys: []string{"R"}, Help: "restart all services", Scopes: g, Mutates: true, Confirm: ConfirmYes, Verb: tui.VerbRestartAll},
		{Action: DeleteVolumes, Keys: []string{"V"}, Help: "stop all and delete the project's volumes", Scopes: g, Mutates: true, Confirm: ConfirmName, Verb: tui.VerbDeleteVolumes},
		{Action: Cleanup, Keys: []string{"C"}, Help: "remove the project's containers, network, volumes and images", Scopes: g, Mutates: true, Confirm: ConfirmName, Verb: tui.VerbCleanup},
		{Action: InitWizard, Keys: []string{"i"}, Help: "create a project here (init wizard)", Scopes: g, Mutates: true, Wizard: tui.WizardInit},
		{Action: Dockerize, Keys: []string{"D"}, Help: "dockerize the package (wizard)", Scopes: g, Mutates: true, Wizard: tui.WizardDockerize},
		{Action: SecretWizard, Keys: []string{"E"}, Help: "create a Kubernetes secret (wizard)", Scopes: g, Mutates: true, Wizard: tui.WizardSecret},

		{Action: ServiceStart, Keys: []string{"u"}, Help: "start", Scopes: svc, Mutates: true, Verb: tui.VerbStart, Footer: true},
		{Action: ServiceStop, Keys: []string{"d"}, Help: "stop", Scopes: svc, Mutates: true, Verb: tui.VerbStop, Footer: true},
		{Action: ServiceRestart, Keys: []string{"r"}, Help: "restart", Scopes: svc, Mutates: true, Verb: tui.VerbRestart, Footer: true},
		{Action: ServiceOpen, Keys: []string{"o"}, Help: "open in browser", Scopes: svc, Footer: true},
		{Action: ServiceLogs, Keys: []string{"l"}, Help: "logs", Scopes: svc, Footer: true},

		{Action: SetMode, Keys: []string{"m"}, Help: "switch to this mode", Scopes: []Scope{Mode}, Mutates: true, Verb: tui.VerbSetMode, Footer: true},
		{Action: BuildImage, Keys: []string{"b"}, Help: "build the task image", Scopes: []Scope{Mode, Overview}, Mutates: true, Verb: tui.VerbBuildImage, Footer: true},
		{Action: StartCluster, Keys: []string{"P"}, Help: "start the Minikube cluster", Scopes: []Scope{Mode, Overview}, Mutates: true, Verb: tui.VerbStartCluster, Footer: true},
		{Action: DeleteCluster, Keys: []string{"K"}, Help: "delete the Minikube cluster", Scopes: []Scope{Mode}, Mutates: true, Confirm: ConfirmName, Verb: tui.VerbDeleteCluster},

		{Action: Trigger, Keys: []string{"t"}, Help: "trigger", Scopes: dagish, Mutates: true, Verb: tui.VerbTrigger, Footer: true},
		{Action: PauseToggle, Keys: []string{"p"}, Help: "pause/unpause", Scopes: dagish, Mutates: true, Footer: true},
		{Action: DAGGrid, Keys: []string{"v"}, Help: "runs × tasks grid / list", Scopes: dagish, Footer: true},
		{Action: TaskLog, Keys: []string{"l"}, Help: "task log", Scopes: []Scope{Tasks}, Footer: true},
		{Action: TaskMLflow, Keys: []string{"M"}, Help: "the MLflow runs it logged", Scopes: []Scope{Tasks, Grid}, Footer: true},

		{Action: MLflowColumns, Keys: []string{"m"}, Help: "choose metric columns", Scopes: []Scope{MLRuns}, Footer: true},
		{Action: MLflowBrowse, Keys: []string{"o"}, Help: "open in browser", Scopes: mlflow, Footer: true},

		{Action: LogFollow, Keys: []string{"f"}, Help: "follow", Scopes: []Scope{Logs}, Footer: true},
		{Action: LogPause, Keys: []string{" "}, Help: "pause", Scopes: []Scope{Logs}, Footer: true},
		{Action: LogSearch, Keys: []string{"/"}, Help: "search", Scopes: []Scope{Logs}, Footer: true},
		{Action: LogFilter, Keys: []string{"&"}, Help: "filter (regex)", Scopes: []Scope{Logs}, Footer: true},
		{Action: LogNext, Keys: []string{"n"}, Help: "next match", Scopes: []Scope{Logs}},
		{Action: LogPrev, Keys: []string{"N"}, Help: "previous match", Scopes: []Scope{Logs}},
		{Action: LogRange, Keys: []string{"t"}, Help: "since/tail preset", Scopes: []Scope{Logs}, Footer: true},
		{Action: LogSelect, Keys: []string{"v"}, Help: "start/end a selection", Scopes: []Scope{Logs}},
		{Action: LogCopy, Keys: []string{"y"}, Help: "copy selection or visible lines", Scopes: []Scope{Logs}, Footer: true},
		{Action: LogSave, Keys: []string{"w"}, Help: "save to a file", Scopes: []Scope{Logs}},
		{Action: LogWrap, Keys: []string{"W"}, Help: "wrap long lines", Scopes: []Scope{Logs}, Footer: true},
	}
}

// AppliesIn reports whether the binding applies in scope s (global bindings
// apply everywhere).
func (b Binding) AppliesIn(s Scope) bool {
	for _, x := range b.Scopes {
		if x == s || x == Global {
			return true
		}
	}
	return false
}
