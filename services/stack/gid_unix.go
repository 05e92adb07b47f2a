//go:build unix

package stack

import (
	"os"
	"strconv"
	"syscall"
)

// fileGID returns the group id owning path, or "" when it cannot be read.
func fileGID(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return ""
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return strconv.FormatUint(uint64(sys.Gid), 10)
	}
	return ""
}

// fileOwner returns the user and group owning path as "uid:gid", or "" when
// they cannot be read.
func fileOwner(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return ""
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return strconv.FormatUint(uint64(sys.Uid), 10) + ":" + strconv.FormatUint(uint64(sys.Gid), 10)
	}
	return ""
}
