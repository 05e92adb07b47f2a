package cli

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/build/buildtest"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/project"
	"github.com/gaiaflow/gaiaflow/services/registry"
	"github.com/gaiaflow/gaiaflow/services/registrytest"
)

// dockerConfig writes a Docker config whose auths hold user:password for
// host, as `docker login` does, and returns its directory.
func dockerConfig(t *testing.T, host, user, password string) string {
	t.Helper()
	dir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	cfg := fmt.Sprintf(`{"auths": {%q: {"auth": %q}}}`, host, auth)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestRealDockerRealRegistryProdDockerize pushes the task image to a real
// registry that wants a password (the distribution registry on loopback,
// htpasswd) through the real engine: a wrong password is one clear line,
// exit 1, and records nothing; the right one pushes, records the digest
// the registry holds in dags/gaiaflow_prod.json, and prod's "pushed" item
// turns ready; once the manifest is deleted from the registry it is missing
// again. No output holds the password.
func TestRealDockerRealRegistryProdDockerize(t *testing.T) {
	c := buildtest.Client(t)
	base := buildtest.PythonBase(t, c)
	const password = "pw-prod-Sekr1t-4711"
	reg := registrytest.Start(t, registrytest.WithBasicAuth("gaia", password))
	dir := t.TempDir()
	buildtest.WriteProject(t, dir, base)
	f, err := os.OpenFile(filepath.Join(dir, "gaiaflow.toml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "\n[prod]\nregistry = %q\n", reg.Host+"/team")
	f.Close()
	image := reg.Host + "/team/demo:0.1.0"
	t.Cleanup(func() {
		for _, ref := range []string{image, "demo:0.1.0"} {
			_ = c.RemoveImage(context.Background(), ref, docker.RemoveImageOptions{Force: true})
		}
	})
	state := t.TempDir()
	env := func(cfgDir string) map[string]string {
		return map[string]string{"XDG_STATE_HOME": state, "HOME": state, "DOCKER_CONFIG": cfgDir}
	}
	record := filepath.Join(dir, "dags", project.DeploymentFile)

	bad := runWith(t, dir, env(dockerConfig(t, reg.Host, "gaia", "wrong-"+password)), "--no-tui", "prod", "dockerize")
	errLines := strings.Split(strings.TrimSpace(bad.err), "\n")
	if bad.code != 1 || !strings.HasPrefix(errLines[0], "error: push "+image+": the registry refused the credentials for "+reg.Host) {
		t.Fatalf("wrong password: exit %d\nstderr:\n%s", bad.code, bad.err)
	}
	if !strings.Contains(bad.err, "hint: docker login "+reg.Host) {
		t.Errorf("wrong password: no docker login hint:\n%s", bad.err)
	}
	if _, err := os.Stat(record); err == nil {
		t.Fatalf("a refused push wrote %s", record)
	}

	good := env(dockerConfig(t, reg.Host, "gaia", password))
	r := runWith(t, dir, good, "--no-tui", "prod", "dockerize")
	if r.code != 0 {
		t.Fatalf("prod dockerize: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.out, r.err)
	}
	p, err := project.Open(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	d, ok, err := p.Deployment()
	if err != nil || !ok || d.Image != image || d.Package != "demo" || d.Namespace != "default" {
		t.Fatalf("record %+v %v %v", d, ok, err)
	}
	cl := registry.New(registry.Options{Credentials: registry.DockerConfig{File: filepath.Join(good["DOCKER_CONFIG"], "config.json")}})
	got, err := cl.Digest(context.Background(), image)
	if err != nil || got != d.Digest {
		t.Fatalf("the registry has %s as %q (%v); the record says %s", image, got, err, d.Digest)
	}
	if !strings.Contains(r.out, "pushed "+image+"@"+d.Digest) {
		t.Errorf("output does not name the pushed digest:\n%s", r.out)
	}

	pushedItem := func() (bool, string) {
		r := runWith(t, dir, good, "--no-tui", "mode", "check", "prod")
		for _, l := range strings.Split(r.out, "\n") {
			if f := strings.Fields(l); len(f) > 1 && f[1] == "pushed" {
				return f[0] == "ok", l
			}
		}
		t.Fatalf("mode check prod has no pushed item:\n%s%s", r.out, r.err)
		return false, ""
	}
	if ok, line := pushedItem(); !ok || !strings.Contains(line, "is in the registry") {
		t.Errorf("after the push: %s", line)
	}
	reg.Delete(t, "team/demo", d.Digest)
	if ok, line := pushedItem(); ok || !strings.Contains(line, "no longer has") {
		t.Errorf("after the manifest was deleted: %s", line)
	}
	for _, out := range []string{bad.out, bad.err, r.out, r.err} {
		if strings.Contains(out, password) {
			t.Fatal("the registry password was printed")
		}
	}
}
