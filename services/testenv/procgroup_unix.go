//go:build unix && !linux

package testenv

import (
	"os"
	"os/exec"
	"syscall"
)

// SetProcessGroup puts the child in a process group of its own, so that
// SignalGroup reaches the workers it forks too.
func SetProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// SignalGroup sends sig to the process group led by p.
func SignalGroup(p *os.Process, sig syscall.Signal) error {
	return syscall.Kill(-p.Pid, sig)
}
