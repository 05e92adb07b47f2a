//go:build !unix

package airflowtest

import (
	"os"
	"os/exec"
	"syscall"
)

// Airflow does not run natively here; these only keep the tests compiling.

func setProcessGroup(cmd *exec.Cmd) {}

func signalGroup(p *os.Process, sig syscall.Signal) error { return p.Kill() }
