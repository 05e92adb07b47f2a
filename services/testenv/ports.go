package testenv

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// portLease is how long a port handed out by FreePorts stays reserved for the
// test that took it: long enough for a stack to be created and its ports
// published by the engine, which binds them only when a container starts.
const portLease = 15 * time.Minute

// FreePorts returns n distinct TCP ports on 127.0.0.1 that nothing listens on
// now and that no other test process has taken in the last portLease.
//
// A port the kernel hands out for a listen on :0 is free only until someone
// binds it; tests that publish container ports bind them much later, so two
// tests running at once (go test runs packages in parallel, and the fault
// suite runs several stacks) could be given the same port and one would fail
// with "port is already allocated". Each port taken is recorded as a file
// created with O_EXCL in a directory shared by every test process of the
// machine, so no two tests get it while the lease lasts.
func FreePorts(n int) ([]int, error) {
	dir := filepath.Join(os.TempDir(), "gaiaflow-test-ports")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("port reservations: %w", err)
	}
	var ports []int
	for tries := 0; len(ports) < n; tries++ {
		if tries > 100*n {
			return nil, errors.New("no free port found that no other test holds")
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("pick a free port: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		if reserve(filepath.Join(dir, strconv.Itoa(port))) {
			ports = append(ports, port)
		}
	}
	return ports, nil
}

// FreePort returns one port as FreePorts does.
func FreePort() (int, error) {
	ports, err := FreePorts(1)
	if err != nil {
		return 0, err
	}
	return ports[0], nil
}

// reserve takes the lease file, or an expired one, and reports whether it did.
func reserve(path string) bool {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err == nil {
		_ = f.Close()
		return true
	}
	st, serr := os.Stat(path)
	if serr != nil || time.Since(st.ModTime()) < portLease {
		return false
	}
	// Expired: whoever removes it first takes it again.
	if os.Remove(path) != nil {
		return false
	}
	return reserve(path)
}
