package faults

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/stack/stacktest"
)

// slowBuild gives the project a Dockerfile of its own (dockerize builds it
// as it is) whose one step takes a while: the stand-in sleeps, in exec
// form, as FROM scratch has no shell.
func (f *fixture) slowBuild(d time.Duration) {
	f.t.Helper()
	df := "FROM " + stacktest.Image(f.t, f.c, nil) + "\nRUN [\"/standin\", \"sleep\", \"" + d.String() + "\"]\n"
	if err := os.WriteFile(filepath.Join(f.dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

// inSlowBuild starts `dev dockerize -i image` on a slow step lasting d, and
// returns once the build runs it.
func (f *fixture) inSlowBuild(image string, d time.Duration) *proc {
	f.t.Helper()
	f.slowBuild(d)
	p := f.startProc("-o", "json", "dev", "dockerize", "-i", image)
	p.waitEvent("the slow build step", 2*time.Minute, func(e event.Event) bool {
		return e.Scope == "build" && strings.Contains(e.Message, "RUN")
	})
	return p
}

// taskImages is the record of built task images, as a string ("" when
// there is none).
func (f *fixture) taskImages() string {
	data, _ := os.ReadFile(filepath.Join(f.stateDir(), "task-images.json"))
	return string(data)
}

// TestRealDockerFaultDaemonGoesAwayDuringBuild stops the Docker daemon (a
// private one) while `dev dockerize` runs a build step: exit 1, an error
// that names the engine, no record of an image that was not built; once
// the daemon runs again, the build and the stack's start succeed.
func TestRealDockerFaultDaemonGoesAwayDuringBuild(t *testing.T) {
	t.Parallel()
	d := startPrivateDaemon(t)
	f := newFixture(t, d, "gfbuildgone", nil)
	before := f.prepare()
	p := f.inSlowBuild("gfbuildgone:1", 8*time.Second)
	d.Stop()
	r := p.wait()
	t.Logf("exit %d after %v; stderr:\n%s", r.code, r.took.Round(time.Millisecond), r.stderr)
	if r.code != 1 || !strings.Contains(r.firstError(), "Docker engine") {
		t.Fatalf("want exit 1 and an error naming the Docker engine:\n%s", r)
	}
	if rec := f.taskImages(); rec != "" {
		t.Errorf("an image that was not built is recorded:\n%s", rec)
	}
	f.checkNoHalfWritten()
	d.Start()
	if r := f.run("dev", "dockerize", "-i", "gfbuildgone:1"); r.code != 0 {
		t.Fatalf("dockerize once the daemon is back:\n%s", r)
	}
	f.checkAfter(before)
	// An engine that dies in the middle of a build step cannot remove
	// that step's container (the classic builder's, which carries no
	// label gaiaflow could give it): it is the engine's leftover, stopped,
	// and gaiaflow, which never touches what is not labelled as its own,
	// leaves it. The step is the slow RUN, or, when the engine finished it
	// while shutting down (engine 29 waits for running containers), the
	// metadata step after it ("#(nop) LABEL …"). Anything else must be the
	// project's.
	for _, name := range f.unlabelledContainers() {
		info := f.docker("inspect", "-f", "{{json .Config.Cmd}} {{.State.Status}}", name)
		if !buildStepLeftover(info) {
			t.Errorf("container %s is not the project's: %s", name, info)
			continue
		}
		t.Logf("the engine left the build step's container %s (%s)", name, info)
		f.docker("rm", name)
	}
	f.checkAllLabelled()
}

// TestRealDockerFaultInterruptDuringBuild sends SIGINT while `dev
// dockerize` runs a build step: it stops at once, records nothing, and the
// daemon keeps no container of the build.
func TestRealDockerFaultInterruptDuringBuild(t *testing.T) {
	t.Parallel()
	d := startPrivateDaemon(t)
	f := newFixture(t, d, "gfbuildint", nil)
	before := f.prepare()
	p := f.inSlowBuild("gfbuildint:1", 30*time.Second)
	sent := time.Now()
	p.signal(syscall.SIGINT)
	r := p.wait()
	if r.code != 1 || r.firstError() != "error: interrupted" || time.Since(sent) > 10*time.Second {
		t.Fatalf("want exit 1 and error: interrupted, soon:\n%s", r)
	}
	if rec := f.taskImages(); rec != "" {
		t.Errorf("an image that was not built is recorded:\n%s", rec)
	}
	f.checkAfter(before)
	// The build's own containers go with it.
	deadline := time.Now().Add(30 * time.Second)
	for {
		left := f.unlabelledContainers()
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the interrupted build left containers: %v", left)
			break
		}
		time.Sleep(time.Second)
	}
}

// TestRealDockerFaultDiskFullDuringBuild fills the disk of the state
// directory (a small tmpfs) before `dev dockerize` records its image: exit
// 1, "the disk is full" with the directory to free, the files there as
// they were, no temporary file left. `dev start` still works on a full
// disk (it records nothing it needs). Once there is room, dockerize
// records the image.
func TestRealDockerFaultDiskFullDuringBuild(t *testing.T) {
	t.Parallel()
	requirePrivileges(t)
	f := newFixture(t, nil, "gfdiskfull", nil)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=512k,mode=0700", "tmpfs", f.state).CombinedOutput(); err != nil {
		t.Fatalf("mount a tmpfs: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", f.state).Run() })
	before := f.prepare()
	creds := f.credentials()
	f.slowBuild(2 * time.Second)
	filler := filepath.Join(f.state, "filler")
	fill(t, filler)

	r := f.run("dev", "dockerize", "-i", "gfdiskfull:1")
	t.Logf("exit %d after %v; stderr:\n%s", r.code, r.took.Round(time.Millisecond), r.stderr)
	if r.code != 1 || !strings.Contains(r.firstError(), "the disk is full") || !strings.Contains(r.stderr, "hint: free some space on the disk that holds "+f.stateDir()) {
		t.Fatalf("want exit 1, the disk is full and where:\n%s", r)
	}
	if string(f.credentials()) != string(creds) || f.taskImages() != "" {
		t.Error("the state directory's files changed")
	}
	f.checkNoHalfWritten()
	if r := f.run("dev", "start"); r.code != 0 {
		t.Errorf("dev start on a full disk:\n%s", r)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if r := f.run("dev", "dockerize", "-i", "gfdiskfull:1"); r.code != 0 || !strings.Contains(f.taskImages(), "gfdiskfull:1") {
		t.Fatalf("dockerize with room again:\n%s", r)
	}
	f.checkAfter(before)
}

// fill writes to path until its disk is full.
func fill(t *testing.T, path string) {
	t.Helper()
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := fh.Write(buf); err != nil {
			return
		}
	}
}

// buildStepLeftover tells whether a container, as `{{json .Config.Cmd}}
// {{.State.Status}}`, is a step of slowBuild's Dockerfile (8 s) that the
// classic builder created and never ran to its end.
func buildStepLeftover(info string) bool {
	cmd, status, ok := strings.Cut(info, "] ")
	if !ok || (status != "exited" && status != "created") {
		return false
	}
	return cmd == `["/standin","sleep","8s"` || strings.HasPrefix(cmd, `["/bin/sh","-c","#(nop) `)
}

func TestBuildStepLeftover(t *testing.T) {
	for info, want := range map[string]bool{
		`["/standin","sleep","8s"] exited`:                                       true,
		`["/standin","sleep","8s"] created`:                                      true,
		`["/bin/sh","-c","#(nop) ","LABEL io.gaiaflow.kind=task-image"] created`: true,
		`["/standin","sleep","8s"] running`:                                      false,
		`["/bin/sh","-c","#(nop) ","LABEL x=y"] running`:                         false,
		`["/standin","serve"] exited`:                                            false,
		`["/bin/sh","-c","pip install x"] exited`:                                false,
		`garbage`: false,
	} {
		if got := buildStepLeftover(info); got != want {
			t.Errorf("buildStepLeftover(%s) = %v, want %v", info, got, want)
		}
	}
}
