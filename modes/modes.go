// Package modes knows the four execution modes a project moves through —
// dev, dev_docker, prod_local, prod — what each needs, and how to switch.
package modes

import (
	"slices"
	"strings"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// Mode is an execution mode of the project's DAG tasks.
type Mode string

// The modes, in the order a project moves through them.
const (
	Dev       Mode = "dev"
	DevDocker Mode = "dev_docker"
	ProdLocal Mode = "prod_local"
	Prod      Mode = "prod"
)

// All lists the modes in order.
func All() []Mode {
	out := make([]Mode, len(project.Modes))
	for i, m := range project.Modes {
		out[i] = Mode(m)
	}
	return out
}

// Parse checks a mode name; anything else is bad input listing the modes.
func Parse(s string) (Mode, error) {
	if slices.Contains(project.Modes, s) {
		return Mode(s), nil
	}
	return "", errs.Usagef("use one of: "+strings.Join(project.Modes, ", "), "unknown mode %q", s)
}

// Describe says in one line where a mode runs each task.
func (m Mode) Describe() string {
	switch m {
	case Dev:
		return "tasks run as Python in the Airflow containers"
	case DevDocker:
		return "tasks run in containers of the task image on the local Docker engine"
	case ProdLocal:
		return "tasks run as pods in the local Minikube cluster"
	case Prod:
		return "tasks run as pods in a real Kubernetes cluster"
	}
	return ""
}
