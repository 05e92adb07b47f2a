// Command pause is the pod sandbox's process for the real node (e2e/k8snode):
// it holds the pod's namespaces open and does nothing else. Kubernetes' own
// pause image cannot be pulled here (no container registry), so build.sh
// builds this one into a FROM-scratch image that the node's containerd uses
// as its sandbox image.
//
// As PID 1 of a pod that shares its process namespace it also reaps orphaned
// children, as the upstream program does.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range sigs {
		if sig != syscall.SIGCHLD {
			os.Exit(0)
		}
		reap()
	}
}

// reap collects every exited child without blocking.
func reap() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
