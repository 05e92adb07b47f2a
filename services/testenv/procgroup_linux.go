package testenv

import (
	"os"
	"os/exec"
	"syscall"
)

// SetProcessGroup puts the child in a process group of its own, so that
// SignalGroup reaches the workers it forks too. Pdeathsig asks the kernel to
// send SIGTERM if the test binary dies first (a go test timeout), so a
// crashed run does not leave a server (Airflow, MLflow) behind.
func SetProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// SignalGroup sends sig to the process group led by p.
func SignalGroup(p *os.Process, sig syscall.Signal) error {
	return syscall.Kill(-p.Pid, sig)
}
