package airflowtest

import (
	"os"
	"os/exec"
	"syscall"
)

// setProcessGroup puts the child in a process group of its own, so that
// signalGroup reaches the workers it forks too. Pdeathsig asks the kernel to
// send SIGTERM if the test binary dies first (a go test timeout), so a
// crashed run does not leave an Airflow behind.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// signalGroup sends sig to the process group led by p.
func signalGroup(p *os.Process, sig syscall.Signal) error {
	return syscall.Kill(-p.Pid, sig)
}
