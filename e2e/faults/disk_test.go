package faults

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestRealDockerFaultDamagedCredentials truncates credentials.json, as a
// crash of something else or a bad copy might: `dev start` refuses with
// exit 1, naming the file and saying how to restore it, and never writes
// new credentials over it (the data volumes keep the old passwords). Once
// the file is restored, the next start has the data of before.
func TestRealDockerFaultDamagedCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, "gfcreds", nil)
	before := f.prepare()
	file := filepath.Join(f.stateDir(), "credentials.json")
	damaged := before.creds[:len(before.creds)/2]
	if err := os.WriteFile(file, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	r := f.run("dev", "start")
	if r.code != 1 || !strings.Contains(r.firstError(), "credentials file "+file+" is damaged") ||
		!strings.Contains(r.stderr, "hint: restore it from a backup") {
		t.Fatalf("want exit 1 naming the damaged file:\n%s", r)
	}
	if got, _ := os.ReadFile(file); string(got) != string(damaged) {
		t.Fatal("the damaged credentials file was rewritten")
	}
	if err := os.WriteFile(file, before.creds, 0o600); err != nil {
		t.Fatal(err)
	}
	f.checkAfter(before)
}

// TestRealDockerFaultStaleLock leaves the project's lock file behind a
// process that held it and was killed (kill -9), and a start-progress file
// of the start it was running: the lock is the kernel's (flock), so the
// next command neither waits nor believes a start still runs.
func TestRealDockerFaultStaleLock(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("flock"); err != nil {
		t.Skip("flock(1) is not on PATH")
	}
	f := newFixture(t, nil, "gflock", nil)
	before := f.prepare()
	lock := filepath.Join(f.stateDir(), "lock")
	// flock -o: the lock is flock's own, not inherited by its child.
	holder := exec.Command("flock", "-o", lock, "sleep", "600")
	holder.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until it holds the lock, then kill it as a crash would.
	for i := 0; ; i++ {
		if exec.Command("flock", "-n", lock, "true").Run() != nil {
			break
		}
		if i > 100 {
			t.Fatal("flock never took the lock")
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(-holder.Process.Pid, syscall.SIGKILL)
	_ = holder.Wait()
	if err := os.WriteFile(filepath.Join(f.stateDir(), "start-progress.json"), []byte(`{"minio": "pulling"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st := f.run("dev", "status")
	if strings.Contains(st.stdout, "pulling") {
		t.Errorf("dev status believes the dead start runs:\n%s", st.stdout)
	}
	r := f.run("dev", "start")
	if r.code != 0 || strings.Contains(r.stdout, "waiting for another gaiaflow command") || r.took > 30*time.Second {
		t.Fatalf("a start after a dead process's lock:\n%s", r)
	}
	f.checkAfter(before)
}

// TestRealDockerFaultTwoStarts runs two `dev start` on one project at
// once: they take turns on the project's lock (the second says it waits),
// both succeed, and the stack has one container per component.
func TestRealDockerFaultTwoStarts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, "gftwo", map[string]string{"STANDIN_POSTGRES_DELAY": "2s"})
	before := f.prepare()
	if r := f.run("dev", "stop"); r.code != 0 {
		t.Fatalf("dev stop: %s", r)
	}
	var wg sync.WaitGroup
	results := make([]result, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = f.run("dev", "start", "--wait", "2m")
		}()
	}
	wg.Wait()
	waited := 0
	for i, r := range results {
		if r.code != 0 {
			t.Errorf("start %d: %s", i, r)
		}
		if strings.Contains(r.stdout, "waiting for another gaiaflow command on this project to finish") {
			waited++
		}
	}
	if waited != 1 {
		t.Errorf("%d starts said they waited for the other, want 1:\n%s\n%s", waited, results[0], results[1])
	}
	names := strings.Fields(f.docker("ps", "-a", "--filter", "label=io.gaiaflow.project="+f.id, "--format", "{{.Names}}"))
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("two containers named %s", n)
		}
		seen[n] = true
	}
	f.checkAfter(before)
}
