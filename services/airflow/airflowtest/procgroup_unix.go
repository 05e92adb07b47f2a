//go:build unix && !linux

package airflowtest

import (
	"os"
	"os/exec"
	"syscall"
)

// setProcessGroup puts the child in a process group of its own, so that
// signalGroup reaches the workers it forks too.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// signalGroup sends sig to the process group led by p.
func signalGroup(p *os.Process, sig syscall.Signal) error {
	return syscall.Kill(-p.Pid, sig)
}
