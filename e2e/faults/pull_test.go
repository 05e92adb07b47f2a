package faults

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/registrytest"
	"github.com/gaiaflow/gaiaflow/services/stack/stacktest"
)

// pullSize is the big layer of the image the pull phase pulls: enough that
// a pull from a loopback registry lasts longer than the fault takes.
const pullSize = 96 << 20

// registry runs a container registry (registrytest's) where the fixture's
// daemon pulls from: on loopback, in the private daemon's namespace when
// there is one. It returns its host:port.
func (f *fixture) registry() string {
	f.t.Helper()
	if f.d == nil {
		return registrytest.Start(f.t).Host
	}
	bin := registrytest.Binary(f.t)
	dir := f.t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.t.Fatal(err)
	}
	host := l.Addr().String() // a free port here is as likely free there
	_ = l.Close()
	cfg := fmt.Sprintf("version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\nlog:\n  level: warn\n", filepath.Join(dir, "data"), host)
	if err := os.WriteFile(filepath.Join(dir, "config.yml"), []byte(cfg), 0o600); err != nil {
		f.t.Fatal(err)
	}
	cmd := f.d.Cmd(bin, "serve", filepath.Join(dir, "config.yml"))
	if err := cmd.Start(); err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for i := 0; ; i++ {
		resp, err := f.http.Get("http://" + host + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return host
			}
		}
		if i > 100 {
			f.t.Fatalf("the registry did not answer: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pullable builds a stand-in image with a big layer, pushes it to the
// registry and removes it from the engine: a start must pull it.
func (f *fixture) pullable(reg string) string {
	f.t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	ref := reg + "/gaiaflow-test/standin-big:" + hex.EncodeToString(b)
	big := make([]byte, pullSize)
	_, _ = rand.Read(big)
	var ctx bytes.Buffer
	tw := tar.NewWriter(&ctx)
	df := []byte("FROM " + stacktest.Image(f.t, f.c, nil) + "\nCOPY big /big\n")
	for name, data := range map[string][]byte{"Dockerfile": df, "big": big} {
		_ = tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data))})
		_, _ = tw.Write(data)
	}
	_ = tw.Close()
	if _, err := f.c.BuildImage(context.Background(), &ctx, docker.BuildOptions{Tags: []string{ref},
		Labels: map[string]string{stacktest.Label: "fault-pull"}}, nil); err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { _ = f.c.RemoveImage(context.Background(), ref, docker.RemoveImageOptions{Force: true}) })
	f.docker("push", ref)
	f.forget(ref)
	return ref
}

// forget removes an image from the engine (containers keep it by id).
func (f *fixture) forget(ref string) {
	f.t.Helper()
	f.docker("rmi", "-f", ref)
}

// useImage sets one service's image in gaiaflow.toml.
func (f *fixture) useImage(service, ref string) {
	f.t.Helper()
	data, err := os.ReadFile(f.toml)
	if err != nil {
		f.t.Fatal(err)
	}
	head := "[services." + service + "]\nimage = "
	i := strings.Index(string(data), head)
	if i < 0 {
		f.t.Fatalf("no %s image in gaiaflow.toml", service)
	}
	end := i + len(head) + strings.Index(string(data[i+len(head):]), "\n")
	out := string(data[:i]) + head + strconv.Quote(ref) + string(data[end:])
	if err := os.WriteFile(f.toml, []byte(out), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

func pulling(e event.Event) bool { return e.State == "pulling" && e.Kind == event.Step }

// TestRealDockerFaultDuringPull brings faults into the pull phase of `dev
// start`: JupyterLab's image is on a registry (a real one, on loopback)
// and no longer on the engine, so the start pulls it first.
//
//   - kill: a running container of the stack is killed during the pull;
//     the same start finds it stopped when its turn comes and starts it
//     again (exit 0);
//   - interrupt: SIGINT during the pull stops gaiaflow at once (exit 1);
//   - restart: the (private) daemon restarts during the pull (exit 1, the
//     engine named).
//
// After each, the next start brings the stack up with its data.
func TestRealDockerFaultDuringPull(t *testing.T) {
	t.Parallel()
	for _, fault := range []string{"kill", "interrupt", "restart"} {
		t.Run(fault, func(t *testing.T) {
			t.Parallel()
			var d *privateDaemon
			if fault == "restart" {
				d = startPrivateDaemon(t)
			}
			f := newFixture(t, d, "gfpull-"+fault, nil)
			ref := f.pullable(f.registry())
			f.useImage("jupyter", ref)
			before := f.prepare()
			// The image gone from the engine, layers and all: its
			// container goes too (the start makes it again).
			f.docker("rm", "-f", f.containerID("jupyter"))
			f.forget(ref)
			p := f.startProc("-o", "json", "dev", "start", "--wait", "2m")
			p.waitEvent("the pull", 2*time.Minute, pulling)
			switch fault {
			case "kill":
				f.docker("kill", f.containerID("minio"))
			case "interrupt":
				p.signal(syscall.SIGINT)
			case "restart":
				d.Restart()
			}
			r := p.wait()
			t.Logf("exit %d after %v; stderr:\n%s", r.code, r.took.Round(time.Millisecond), r.stderr)
			switch fault {
			case "kill":
				if r.code != 0 || !strings.Contains(r.stdout, `"container":"minio","state":"starting"`) {
					t.Fatalf("want the killed minio started again by the same start:\n%s", r)
				}
			case "interrupt":
				if r.code != 1 || r.firstError() != "error: interrupted" {
					t.Fatalf("want exit 1 and error: interrupted:\n%s", r)
				}
			case "restart":
				if r.code != 1 || !strings.Contains(r.firstError(), "Docker engine") {
					t.Fatalf("want exit 1 and an error naming the Docker engine:\n%s", r)
				}
			}
			f.checkAfter(before)
		})
	}
}
