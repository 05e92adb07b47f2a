//go:build !unix

package testenv

import (
	"os"
	"os/exec"
	"syscall"
)

// Airflow and MLflow do not run natively here; these only keep the tests
// compiling.

func SetProcessGroup(cmd *exec.Cmd) {}

func SignalGroup(p *os.Process, sig syscall.Signal) error { return p.Kill() }
