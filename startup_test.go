package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Start-up is most of what `gaiaflow --help` or `version` costs, and package
// initialisers are most of start-up. What they allocate is a stable measure
// of the work they do (times are not, on a shared machine): this test keeps
// our own initialisers trivial (compile regexps and parse templates on first
// use) and the whole program's under a budget that linking client-go's
// generated clientset, for one, would blow (2.8 MB with it, 1.25 MB without).
func TestStartupInitAllocations(t *testing.T) {
	const (
		ownBudget   = 16 << 10 // bytes, for each package of this module
		totalBudget = 3 << 19  // 1.5 MiB, for all packages
	)
	bin := filepath.Join(t.TempDir(), "gaiaflow")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "--help")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("gaiaflow --help: %v\n%s", err, stderr.String())
	}
	// init github.com/x/y @0.5 ms, 0.010 ms clock, 2736 bytes, 39 allocs
	trace := stderr.String()
	total, n := 0, 0
	sc := bufio.NewScanner(strings.NewReader(trace))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 11 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		allocated, err := strconv.Atoi(f[7])
		if err != nil {
			t.Fatalf("inittrace line %q: %v", sc.Text(), err)
		}
		n++
		total += allocated
		if strings.HasPrefix(f[1], "github.com/gaiaflow/gaiaflow/") && allocated > ownBudget {
			t.Errorf("package %s allocates %d bytes when the program starts; do that work on first use", f[1], allocated)
		}
	}
	if n == 0 {
		t.Fatalf("no inittrace lines in:\n%s", trace)
	}
	if total > totalBudget {
		t.Errorf("package initialisers allocate %d bytes in all, over the budget of %d: GODEBUG=inittrace=1 gaiaflow --help shows which", total, totalBudget)
	}
}
