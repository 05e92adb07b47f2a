//go:build !unix

package dashboard

import "os"

// guardOutput cannot redirect the standard handles here; child processes
// started by gaiaflow do not inherit the console's output on Windows.
func guardOutput(out *os.File, _ string) (*os.File, func(), error) {
	return out, func() {}, nil
}
