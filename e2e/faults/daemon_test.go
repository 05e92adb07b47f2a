package faults

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/testenv"
)

// privateDaemon is a dockerd of the test's own, for the faults that stop
// or restart the daemon: restarting the machine's daemon would stop
// everyone's containers. How it is set up:
//
//   - its own network namespace (`ip netns add`, entered with nsenter), so
//     that its bridges, routes, veths and published ports never touch the
//     host's network. A dockerd in the host's namespace deletes the host's
//     docker0 when started with --bridge=none, and again on a restart when
//     it has default address pools; and its networks would take subnets the
//     machine's daemon also hands out;
//   - its own socket, --data-root, --exec-root, --pidfile and --config-file
//     (an empty one) in a directory of the test, and its own containerd
//     (dockerd starts one under the exec root) in namespaces of its own;
//   - --iptables=false, --ip-forward=false and --ip-masq=false: it changes
//     no firewall rule or kernel setting, not even in its namespace.
//
// gaiaflow and the docker CLI reach its socket from anywhere; what connects
// to the ports it publishes (gaiaflow's readiness probes, the tests' own
// requests) runs in its namespace (Cmd, HTTP).
type privateDaemon struct {
	t    *testing.T
	dir  string
	ns   string // the network namespace, /run/netns/<ns>
	Host string // unix:///.../docker.sock

	cmd    *exec.Cmd
	exited chan error
}

// requirePrivileges skips the test, or fails it where Docker is required,
// unless it can run a daemon of its own: root, dockerd, ip and nsenter.
func requirePrivileges(t *testing.T) {
	t.Helper()
	testenv.RequireDocker(t)
	missing := ""
	if os.Geteuid() != 0 {
		missing = "root (for a private Docker daemon)"
	}
	for _, tool := range []string{"dockerd", "ip", "nsenter"} {
		if _, err := exec.LookPath(tool); err != nil && missing == "" {
			missing = tool + " on PATH (for a private Docker daemon)"
		}
	}
	if missing == "" {
		return
	}
	if os.Getenv("GAIAFLOW_REQUIRE_DOCKER") == "1" {
		t.Fatalf("%s is required here (GAIAFLOW_REQUIRE_DOCKER=1) but is not available", missing)
	}
	t.Skipf("skipping: %s is not available", missing)
}

func startPrivateDaemon(t *testing.T) *privateDaemon {
	t.Helper()
	requirePrivileges(t)
	// Short: a unix socket's path is limited to about 100 bytes.
	dir, err := os.MkdirTemp("/tmp", "gfpd")
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	d := &privateDaemon{t: t, dir: dir, ns: "gfpd-" + hex.EncodeToString(b), Host: "unix://" + filepath.Join(dir, "docker.sock")}
	if err := os.WriteFile(filepath.Join(dir, "daemon.json"), []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("ip", "netns", "add", d.ns).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v\n%s", err, out)
	}
	t.Cleanup(d.remove)
	if out, err := exec.Command("ip", "-n", d.ns, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("ip link set lo up: %v\n%s", err, out)
	}
	d.Start()
	return d
}

// Cmd runs name in the daemon's network namespace.
func (d *privateDaemon) Cmd(name string, args ...string) *exec.Cmd {
	return exec.Command("nsenter", append([]string{"--net=/run/netns/" + d.ns, "--", name}, args...)...)
}

// Start starts the daemon and waits until it answers.
func (d *privateDaemon) Start() {
	d.t.Helper()
	log, err := os.OpenFile(filepath.Join(d.dir, "dockerd.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		d.t.Fatal(err)
	}
	defer log.Close()
	d.cmd = d.Cmd("dockerd",
		"-H", d.Host,
		"--data-root", filepath.Join(d.dir, "root"),
		"--exec-root", filepath.Join(d.dir, "exec"),
		"--pidfile", filepath.Join(d.dir, "dockerd.pid"),
		"--config-file", filepath.Join(d.dir, "daemon.json"),
		"--iptables=false", "--ip-forward=false", "--ip-masq=false",
		"--containerd-namespace", d.ns, "--containerd-plugins-namespace", d.ns+"-plugins")
	d.cmd.Stdout, d.cmd.Stderr = log, log
	if err := d.cmd.Start(); err != nil {
		d.t.Fatalf("start dockerd: %v", err)
	}
	d.exited = make(chan error, 1)
	go func(c *exec.Cmd, exited chan error) { exited <- c.Wait() }(d.cmd, d.exited)
	c, err := docker.New(func(k string) string {
		if k == "DOCKER_HOST" {
			return d.Host
		}
		return ""
	})
	if err != nil {
		d.t.Fatal(err)
	}
	defer c.Close()
	deadline := time.Now().Add(90 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := c.Info(ctx)
		cancel()
		if err == nil {
			return
		}
		select {
		case werr := <-d.exited:
			d.exited <- werr
			d.t.Fatalf("the private dockerd exited: %v\n%s", werr, d.logTail())
		default:
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("the private dockerd did not answer: %v\n%s", err, d.logTail())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Stop stops the daemon as a service manager would (SIGTERM: it stops the
// containers, then exits) and waits for it.
func (d *privateDaemon) Stop() {
	d.t.Helper()
	if d.cmd == nil {
		return
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(60 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.exited
		d.t.Errorf("the private dockerd did not stop in 60s; killed")
	}
	d.cmd = nil
}

// Restart stops the daemon and starts it again.
func (d *privateDaemon) Restart() {
	d.t.Helper()
	d.Stop()
	d.Start()
}

func (d *privateDaemon) logTail() string {
	data, _ := os.ReadFile(filepath.Join(d.dir, "dockerd.log"))
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

// remove removes everything the daemon holds, stops it, and removes its
// namespace and directory.
func (d *privateDaemon) remove() {
	if d.cmd != nil {
		for _, args := range [][]string{
			{"sh", "-c", "ids=$(docker ps -aq); [ -z \"$ids\" ] || docker rm -fv $ids"},
			{"docker", "network", "prune", "-f"},
			{"docker", "volume", "prune", "-f"},
		} {
			c := exec.Command(args[0], args[1:]...)
			c.Env = append(os.Environ(), "DOCKER_HOST="+d.Host)
			_ = c.Run()
		}
		d.Stop()
	}
	_ = exec.Command("ip", "netns", "del", d.ns).Run()
	unmountUnder(d.dir)
	_ = os.RemoveAll(d.dir)
}

// unmountUnder lazily unmounts whatever is still mounted under dir.
func unmountUnder(dir string) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return
	}
	defer f.Close()
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) > 4 && strings.HasPrefix(fields[4], dir+"/") {
			points = append(points, fields[4])
		}
	}
	for i := len(points) - 1; i >= 0; i-- {
		_ = unix.Unmount(points[i], unix.MNT_DETACH)
	}
}

// HTTP is a client whose connections are made in the daemon's network
// namespace: 127.0.0.1 there is where its containers' ports are published.
func (d *privateDaemon) HTTP() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.dial, DisableKeepAlives: true}}
}

// dial connects from a thread moved into the namespace; the socket stays
// there. The thread is never unlocked, so it ends with its goroutine
// rather than go back to the pool in another namespace.
func (d *privateDaemon) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	type result struct {
		c   net.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		ns, err := os.Open("/run/netns/" + d.ns)
		if err != nil {
			ch <- result{nil, err}
			return
		}
		defer ns.Close()
		if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
			ch <- result{nil, fmt.Errorf("enter the namespace: %w", err)}
			return
		}
		var nd net.Dialer
		c, err := nd.DialContext(ctx, network, addr)
		ch <- result{c, err}
	}()
	r := <-ch
	return r.c, r.err
}
