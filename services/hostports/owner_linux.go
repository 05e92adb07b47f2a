package hostports

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// listener finds the process with a listening socket on port by matching the
// socket inode from /proc/net/tcp{,6} with the fds under /proc/*/fd. Only
// processes we may inspect are found (all of them as root).
func listener(port int) (int, string) {
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		file, err := os.Open(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(file)
		sc.Scan() // header
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 || fields[3] != "0A" { // 0A = LISTEN
				continue
			}
			_, hexPort, ok := strings.Cut(fields[1], ":")
			if !ok {
				continue
			}
			if p, err := strconv.ParseInt(hexPort, 16, 32); err == nil && int(p) == port {
				inodes["socket:["+fields[9]+"]"] = true
			}
		}
		_ = file.Close()
	}
	if len(inodes) == 0 {
		return 0, ""
	}
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, proc := range procs {
		fds, err := os.ReadDir(filepath.Join(proc, "fd"))
		if err != nil {
			continue
		}
		for _, fd := range fds {
			target, err := os.Readlink(filepath.Join(proc, "fd", fd.Name()))
			if err != nil || !inodes[target] {
				continue
			}
			pid, _ := strconv.Atoi(filepath.Base(proc))
			comm, _ := os.ReadFile(filepath.Join(proc, "comm"))
			return pid, strings.TrimSpace(string(comm))
		}
	}
	return 0, ""
}
