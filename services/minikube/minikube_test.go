package minikube_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/minikube"
	"github.com/gaiaflow/gaiaflow/services/minikube/minikubetest"
	"github.com/gaiaflow/gaiaflow/services/project"
)

const profile = "gaiaflow-demo"

// env is one test's machine: a HOME with a ~/.kube/config of the user's
// that must never change, a state directory, and a stand-in minikube.
type env struct {
	standIn   *minikubetest.StandIn
	state     *project.State
	cluster   *minikube.Cluster
	userKube  string
	userBytes []byte
}

const userKubeconfig = "apiVersion: v1\nkind: Config\ncurrent-context: work\n# the user's own file, byte for byte\n"

func newEnv(t *testing.T) *env {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("KUBECONFIG", "")
	userKube := filepath.Join(home, ".kube", "config")
	if err := os.MkdirAll(filepath.Dir(userKube), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(userKube, []byte(userKubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	s := minikubetest.New(t, profile)
	t.Setenv("PATH", s.Bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	st, err := project.OpenState(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := minikube.NewExecRunner(os.Getenv, os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	c := minikube.New(r, project.Minikube{Profile: profile, Driver: "docker", CPUs: 4, Memory: "4g"}, st)
	e := &env{standIn: s, state: st, cluster: c, userKube: userKube, userBytes: []byte(userKubeconfig)}
	t.Cleanup(func() { e.checkUserKubeconfig(t) })
	return e
}

// checkUserKubeconfig asserts ~/.kube/config is unchanged byte for byte and
// that every minikube run had KUBECONFIG pointing into the state directory.
func (e *env) checkUserKubeconfig(t *testing.T) {
	t.Helper()
	got, err := os.ReadFile(e.userKube)
	if err != nil || !bytes.Equal(got, e.userBytes) {
		t.Errorf("~/.kube/config changed (%v):\n%s", err, got)
	}
	for _, c := range e.standIn.Calls() {
		if c.Kubeconfig != e.state.Path(minikube.HostKubeconfigFile) {
			t.Errorf("minikube %v ran with KUBECONFIG=%s", c.Args, c.Kubeconfig)
		}
	}
}

func TestStandInMinikubeStartFromNothing(t *testing.T) {
	e := newEnv(t)
	e.standIn.Absent()
	var rec event.Recorder
	conn, err := e.cluster.Start(context.Background(), e.state, minikube.StartOptions{}, &rec)
	if err != nil {
		t.Fatal(err)
	}
	keys := e.standIn.Keys()
	want := []string{"status", "start", "status", "profile_list", "update-context", "ssh"}
	if !slices.Equal(keys, want) {
		t.Fatalf("calls %v, want %v", keys, want)
	}
	start := e.standIn.Calls()[1].Args
	for _, f := range []string{"-p", profile, "--driver=docker", "--cpus=4", "--memory=4g", "--keep-context", "--embed-certs"} {
		if !slices.Contains(start, f) {
			t.Errorf("start args %v lack %s", start, f)
		}
	}
	if conn.Network != profile || conn.APIServer != "https://"+minikubetest.NodeIP+":8443" ||
		conn.HostIP != minikubetest.HostIP || conn.HostAlias != "host.minikube.internal" || conn.Namespace != "default" ||
		conn.KubernetesVersion != "v1.34.0" {
		t.Errorf("connection = %+v", conn)
	}
	st, err := os.Stat(conn.Kubeconfig)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("airflow kubeconfig: %v %v", st, err)
	}
	if filepath.Dir(conn.Kubeconfig) != e.state.Dir {
		t.Errorf("kubeconfig %s outside the state dir", conn.Kubeconfig)
	}
	stored, ok, err := minikube.ReadConnection(e.state)
	if err != nil || !ok || stored.Kubeconfig != conn.Kubeconfig {
		t.Errorf("stored connection %+v %v %v", stored, ok, err)
	}
	var logs, dones int
	for _, ev := range rec.Events() {
		switch ev.Kind {
		case event.Log:
			logs++
		case event.Done:
			dones++
		}
	}
	if logs < 5 || dones != 1 {
		t.Errorf("%d log and %d done events: %+v", logs, dones, rec.Events())
	}
}

func TestStandInMinikubeStartWhenRunningDoesNotStart(t *testing.T) {
	e := newEnv(t)
	e.standIn.Running()
	if _, err := e.cluster.Start(context.Background(), e.state, minikube.StartOptions{}, event.Discard); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(e.standIn.Keys(), "start") {
		t.Errorf("started a running cluster: %v", e.standIn.Keys())
	}
}

func TestStandInMinikubeStartForceNewDeletesFirst(t *testing.T) {
	e := newEnv(t)
	e.standIn.Running()
	e.standIn.Answer("delete", minikubetest.Answer{Stdout: "* Removed all traces\n"})
	e.standIn.Answer("start", minikubetest.Answer{Stdout: "ok\n", Kubeconfig: e.standIn.Kubeconfig(minikubetest.LinuxServer, true)})
	if _, err := e.cluster.Start(context.Background(), e.state, minikube.StartOptions{ForceNew: true}, event.Discard); err != nil {
		t.Fatal(err)
	}
	keys := e.standIn.Keys()
	if len(keys) < 3 || keys[1] != "delete" || keys[2] != "start" {
		t.Errorf("calls %v: want status, delete, start, ...", keys)
	}
}

func TestStandInMinikubeStartFailureQuotesMinikube(t *testing.T) {
	e := newEnv(t)
	e.standIn.Absent()
	e.standIn.StartFails()
	_, err := e.cluster.Start(context.Background(), e.state, minikube.StartOptions{}, event.Discard)
	if err == nil {
		t.Fatal("start succeeded")
	}
	if !strings.Contains(err.Error(), "exit 29") || !strings.Contains(err.Error(), "RSRC_INSUFFICIENT_CONTAINER_MEMORY") {
		t.Errorf("error %q does not quote minikube", err)
	}
	if errs.KindOf(err) != errs.Failure || !strings.Contains(errs.HintOf(err), "--force-new") {
		t.Errorf("kind %v hint %q", errs.KindOf(err), errs.HintOf(err))
	}
	if _, err := os.Stat(e.state.Path(minikube.AirflowKubeconfigFile)); err == nil {
		t.Error("a kubeconfig was written after a failed start")
	}
}

func TestStandInMinikubeStatusVariants(t *testing.T) {
	tests := []struct {
		fixture  string
		state    string
		nodes    int
		exitCode int
	}{
		{"running", minikube.StateRunning, 1, 0},
		{"stopped", minikube.StateStopped, 1, 7},
		{"paused", minikube.StatePaused, 1, 2},
		{"starting", minikube.StateStarting, 1, 2},
		{"storage", minikube.StateStorage, 1, 1},
		{"nonexistent-node", minikube.StateAbsent, 1, 7},
		{"absent", minikube.StateAbsent, 0, 85},
		{"multinode", minikube.StateRunning, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			e := newEnv(t)
			e.standIn.Answer("status", e.standIn.Status(tt.fixture))
			st, err := e.cluster.Status(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if st.State != tt.state || st.Nodes != tt.nodes || st.ExitCode != tt.exitCode || st.Profile != profile {
				t.Errorf("status = %+v, want state %s, %d nodes, exit %d", st, tt.state, tt.nodes, tt.exitCode)
			}
			if st.Running() != (tt.state == minikube.StateRunning) {
				t.Errorf("Running() = %v", st.Running())
			}
			if args := e.standIn.Calls()[0].Args; !slices.Equal(args, []string{"status", "-p", profile, "-o", "json"}) {
				t.Errorf("args %v", args)
			}
		})
	}
}

func TestStandInMinikubeStatusGarbageIsAnError(t *testing.T) {
	e := newEnv(t)
	e.standIn.Answer("status", minikubetest.Answer{Stderr: "E1126 something broke\n", Code: 3})
	_, err := e.cluster.Status(context.Background())
	if err == nil || !strings.Contains(err.Error(), "exited 3") || errs.HintOf(err) == "" {
		t.Errorf("err = %v (hint %q)", err, errs.HintOf(err))
	}
}

func TestStandInMinikubeMissingBinary(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := minikube.NewExecRunner(os.Getenv, os.Environ())
	if !errors.Is(err, minikube.ErrNotInstalled) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(errs.HintOf(err), "https://minikube.sigs.k8s.io") {
		t.Errorf("hint %q does not say how to install", errs.HintOf(err))
	}
	// A runner whose executable vanished says the same.
	r := &minikube.ExecRunner{Path: filepath.Join(t.TempDir(), "minikube")}
	_, err = r.Run(context.Background(), minikube.Invocation{Args: []string{"status"}})
	if !errors.Is(err, minikube.ErrNotInstalled) {
		t.Errorf("vanished executable: %v", err)
	}
}

func TestStandInMinikubeStop(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*minikubetest.StandIn)
		calls []string
	}{
		{"running", (*minikubetest.StandIn).Running, []string{"status", "stop"}},
		{"stopped", (*minikubetest.StandIn).Stopped, []string{"status"}},
		{"absent", (*minikubetest.StandIn).Absent, []string{"status"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tc.setup(e.standIn)
			var rec event.Recorder
			if err := e.cluster.Stop(context.Background(), &rec); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(e.standIn.Keys(), tc.calls) {
				t.Errorf("calls %v, want %v", e.standIn.Keys(), tc.calls)
			}
			evs := rec.Events()
			if last := evs[len(evs)-1]; last.Kind != event.Done {
				t.Errorf("last event %+v", last)
			}
		})
	}
}

func TestStandInMinikubeStopFailure(t *testing.T) {
	e := newEnv(t)
	e.standIn.Running()
	e.standIn.Answer("stop", minikubetest.Answer{Stderr: "X Exiting due to GUEST_STOP_TIMEOUT: Unable to stop VM\n", Code: 82})
	err := e.cluster.Stop(context.Background(), event.Discard)
	if err == nil || !strings.Contains(err.Error(), "GUEST_STOP_TIMEOUT") {
		t.Errorf("err = %v", err)
	}
}

func TestStandInMinikubeCleanupDetachesThenDeletes(t *testing.T) {
	e := newEnv(t)
	e.standIn.Running()
	ctx := context.Background()
	if _, err := e.cluster.Configure(ctx, e.state, event.Discard); err != nil {
		t.Fatal(err)
	}
	var detached []string
	keysAtDetach := -1
	detach := func(_ context.Context, network string) ([]string, error) {
		detached = append(detached, network)
		keysAtDetach = len(e.standIn.Keys())
		return []string{"demo-airflow-scheduler"}, nil
	}
	var rec event.Recorder
	if err := e.cluster.Cleanup(ctx, e.state, detach, &rec); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(detached, []string{profile}) {
		t.Errorf("detached from %v", detached)
	}
	keys := e.standIn.Keys()
	if keys[len(keys)-1] != "delete" || keysAtDetach != len(keys)-1 {
		t.Errorf("calls %v; detach after %d of them: want detach right before delete", keys, keysAtDetach)
	}
	for _, f := range []string{minikube.AirflowKubeconfigFile, minikube.ConnectionFile} {
		if _, err := os.Stat(e.state.Path(f)); !os.IsNotExist(err) {
			t.Errorf("%s still there (%v)", f, err)
		}
	}
	if !strings.Contains(eventText(&rec), "detached demo-airflow-scheduler") {
		t.Errorf("events: %s", eventText(&rec))
	}
	// A second cleanup finds nothing to delete and still succeeds.
	if err := e.cluster.Cleanup(ctx, e.state, detach, event.Discard); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(strings.Join(e.standIn.Keys(), " "), "delete"); n != 1 {
		t.Errorf("delete ran %d times", n)
	}
}

func eventText(rec *event.Recorder) string {
	var b strings.Builder
	for _, e := range rec.Events() {
		b.WriteString(e.Message + "\n")
	}
	return b.String()
}

func TestStandInMinikubeConfigureNeedsARunningCluster(t *testing.T) {
	e := newEnv(t)
	e.standIn.Stopped()
	_, err := e.cluster.Configure(context.Background(), e.state, event.Discard)
	if err == nil || !strings.Contains(err.Error(), "stopped") || !strings.Contains(errs.HintOf(err), "prod-local start") {
		t.Errorf("err = %v hint %q", err, errs.HintOf(err))
	}
}

func TestStandInMinikubeConfigureWithoutHostAliasWarns(t *testing.T) {
	e := newEnv(t)
	e.standIn.Running()
	e.standIn.Answer("ssh", minikubetest.Answer{Stdout: "127.0.0.1\tlocalhost\n"})
	var rec event.Recorder
	conn, err := e.cluster.Configure(context.Background(), e.state, &rec)
	if err != nil {
		t.Fatal(err)
	}
	if conn.HostIP != "" {
		t.Errorf("host ip %q", conn.HostIP)
	}
	warned := false
	for _, ev := range rec.Events() {
		warned = warned || ev.Kind == event.Warn
	}
	if !warned {
		t.Error("no warning")
	}
}

func TestStandInMinikubeImagesAndDockerEnv(t *testing.T) {
	e := newEnv(t)
	e.standIn.Running()
	e.standIn.Answer("docker-env", minikubetest.Answer{Stdout: "DOCKER_TLS_VERIFY=1\nDOCKER_HOST=tcp://192.168.58.2:2376\nDOCKER_CERT_PATH=/home/u/.minikube/certs\nMINIKUBE_ACTIVE_DOCKERD=gaiaflow-demo\n"})
	ctx := context.Background()
	images, err := e.cluster.Images(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !minikube.HasImage(images, "demo:0.1.0") || minikube.HasImage(images, "demo:0.2.0") {
		t.Errorf("images %v", images)
	}
	denv, err := e.cluster.DockerEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if denv["DOCKER_HOST"] != "tcp://192.168.58.2:2376" || denv["MINIKUBE_ACTIVE_DOCKERD"] != profile || len(denv) != 4 {
		t.Errorf("docker env %v", denv)
	}
}

func TestNormalizeImage(t *testing.T) {
	for in, want := range map[string]string{
		"demo":                           "docker.io/library/demo:latest",
		"demo:0.1.0":                     "docker.io/library/demo:0.1.0",
		"docker.io/library/demo:0.1.0":   "docker.io/library/demo:0.1.0",
		"team/demo:1":                    "docker.io/team/demo:1",
		"registry.example.com/t/demo:1":  "registry.example.com/t/demo:1",
		"localhost:5000/demo":            "localhost:5000/demo:latest",
		"localhost/demo:2":               "localhost/demo:2",
		"ghcr.io/x/demo@sha256:abc":      "ghcr.io/x/demo:latest",
		"registry.k8s.io/pause:3.10":     "registry.k8s.io/pause:3.10",
		" docker.io/library/demo:0.1.0 ": "docker.io/library/demo:0.1.0",
	} {
		if got := minikube.NormalizeImage(in); got != want {
			t.Errorf("NormalizeImage(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStandInMinikubeStreamsLines(t *testing.T) {
	e := newEnv(t)
	e.standIn.Answer("start", minikubetest.Answer{Stdout: "one\ntwo\n", Stderr: "three"})
	r, err := minikube.NewExecRunner(os.Getenv, os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	res, err := r.Run(context.Background(), minikube.Invocation{Args: []string{"start"}, Env: []string{"KUBECONFIG=" + e.state.Path(minikube.HostKubeconfigFile)}, Lines: func(l string) { lines = append(lines, l) }})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(lines)
	if !slices.Equal(lines, []string{"one", "three", "two"}) || string(res.Stdout) != "one\ntwo\n" || string(res.Stderr) != "three" {
		t.Errorf("lines %q, result %q %q", lines, res.Stdout, res.Stderr)
	}
}

func TestStandInMinikubeRunStopsWithTheContext(t *testing.T) {
	e := newEnv(t)
	e.standIn.Answer("start", minikubetest.Answer{})
	// Replace the stand-in with one that hangs.
	if err := os.WriteFile(filepath.Join(e.standIn.Bin, "minikube"), []byte("#!/bin/sh\nexec sleep 30\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := minikube.NewExecRunner(os.Getenv, os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = r.Run(ctx, minikube.Invocation{Args: []string{"start"}, Env: []string{"KUBECONFIG=" + e.state.Path(minikube.HostKubeconfigFile)}})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Errorf("err %v after %v", err, time.Since(start))
	}
}

// Kubeconfig generation from a fixture: both forms minikube writes
// (certificates by path, as update-context does; inline, as start
// --embed-certs does) and both server forms (the node on Linux, a forwarded
// port on macOS and Windows) give a self-contained kubeconfig whose server is
// the node on the profile's network.
func TestAirflowKubeconfigFromFixture(t *testing.T) {
	s := minikubetest.New(t, profile)
	for _, tc := range []struct {
		name     string
		embedded bool
		server   string
	}{
		{"paths-linux", false, minikubetest.LinuxServer},
		{"paths-forwarded", false, minikubetest.ForwardedServer},
		{"embedded-forwarded", true, minikubetest.ForwardedServer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := filepath.Join(t.TempDir(), "kubeconfig")
			// Another profile in the same file must not leak into the copy.
			other := strings.ReplaceAll(s.Kubeconfig("https://10.0.0.9:8443", tc.embedded), profile, "other")
			merged := mergeKubeconfigs(t, s.Kubeconfig(tc.server, tc.embedded), other)
			if err := os.WriteFile(host, merged, 0o600); err != nil {
				t.Fatal(err)
			}
			data, err := minikube.AirflowKubeconfig(host, profile, "https://"+minikubetest.NodeIP+":8443")
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := clientcmd.Load(data)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.CurrentContext != profile || len(cfg.Contexts) != 1 || len(cfg.Clusters) != 1 || len(cfg.AuthInfos) != 1 {
				t.Fatalf("not minified to the profile: %s", data)
			}
			cl := cfg.Clusters[profile]
			if cl.Server != "https://"+minikubetest.NodeIP+":8443" || cl.InsecureSkipTLSVerify {
				t.Errorf("cluster %+v", cl)
			}
			if string(bytes.TrimSpace(cl.CertificateAuthorityData)) != string(s.CertPEM("ca.crt")) || cl.CertificateAuthority != "" {
				t.Errorf("CA not embedded")
			}
			u := cfg.AuthInfos[profile]
			if string(bytes.TrimSpace(u.ClientKeyData)) != string(s.CertPEM("client.key")) || u.ClientCertificate != "" || u.ClientKey != "" {
				t.Errorf("client certificate not embedded")
			}
			if bytes.Contains(data, []byte(s.CertDir)) || bytes.Contains(data, []byte("127.0.0.1")) {
				t.Errorf("host-only paths or addresses remain:\n%s", data)
			}
			if _, err := clientcmd.NewNonInteractiveClientConfig(*cfg, profile, nil, nil).ClientConfig(); err != nil {
				t.Errorf("client-go rejects it: %v", err)
			}
		})
	}
}

func mergeKubeconfigs(t *testing.T, docs ...string) []byte {
	t.Helper()
	var files []string
	for _, d := range docs {
		f := filepath.Join(t.TempDir(), "k")
		if err := os.WriteFile(f, []byte(d), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	cfg, err := (&clientcmd.ClientConfigLoadingRules{Precedence: files}).Load()
	if err != nil {
		t.Fatal(err)
	}
	out, err := clientcmd.Write(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAirflowKubeconfigErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := minikube.AirflowKubeconfig(filepath.Join(dir, "none"), profile, "https://x:1"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing file: %v", err)
	}
	s := minikubetest.New(t, "other")
	f := filepath.Join(dir, "k")
	if err := os.WriteFile(f, []byte(s.Kubeconfig(minikubetest.LinuxServer, true)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := minikube.AirflowKubeconfig(f, profile, "https://x:1"); err == nil || !strings.Contains(err.Error(), "no context") {
		t.Errorf("missing context: %v", err)
	}
}

// The guard above is only worth something if the stand-in behaves like
// minikube: without KUBECONFIG it writes ~/.kube/config.
func TestStandInMinikubeWritesHomeKubeconfigWithoutKUBECONFIG(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	s := minikubetest.New(t, profile)
	s.Absent()
	r := &minikube.ExecRunner{Path: filepath.Join(s.Bin, "minikube"), Env: os.Environ()}
	if _, err := r.Run(context.Background(), minikube.Invocation{Args: []string{"start", "-p", profile}, Env: []string{"KUBECONFIG="}}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(home, ".kube", "config"))
	if err != nil || !bytes.Contains(data, []byte(profile)) {
		t.Errorf("stand-in did not write ~/.kube/config: %v", err)
	}
}

func TestStandInMinikubeCleanupGoesOnWhenDetachFails(t *testing.T) {
	e := newEnv(t)
	e.standIn.Running()
	var rec event.Recorder
	err := e.cluster.Cleanup(context.Background(), e.state, func(context.Context, string) ([]string, error) {
		return nil, errors.New("Cannot connect to the Docker daemon")
	}, &rec)
	if err != nil {
		t.Fatal(err)
	}
	if keys := e.standIn.Keys(); keys[len(keys)-1] != "delete" {
		t.Errorf("calls %v", keys)
	}
	if !strings.Contains(eventText(&rec), "could not detach the stack from network gaiaflow-demo: Cannot connect") {
		t.Errorf("events: %s", eventText(&rec))
	}
}
