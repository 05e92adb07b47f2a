// Package hostports answers whether a host port is free and, when it is not,
// who holds it, so a taken port can be named instead of failing later with
// "address already in use".
package hostports

import (
	"fmt"
	"net"
	"strconv"
)

// Free reports whether a TCP port can be bound both on 127.0.0.1 (where
// gaiaflow publishes ports) and on all interfaces (where another program may
// already listen). Any failure to bind counts as taken.
func Free(port int) bool {
	for _, host := range []string{"127.0.0.1", "0.0.0.0"} {
		l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return false
		}
		_ = l.Close()
	}
	return true
}

// Suggest returns the first free port after port, or 0.
func Suggest(port int, taken map[int]bool) int {
	for p := port + 1; p < port+200 && p <= 65535; p++ {
		if !taken[p] && Free(p) {
			return p
		}
	}
	return 0
}

// Owner names the process listening on a TCP port, where the platform lets
// us see it ("" when it does not).
func Owner(port int) string {
	pid, name := listener(port)
	if pid == 0 {
		return ""
	}
	if name == "" {
		return fmt.Sprintf("process %d", pid)
	}
	return fmt.Sprintf("%s (pid %d)", name, pid)
}
