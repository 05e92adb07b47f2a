package doctor

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/build/buildtest"
	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/registrytest"
	"github.com/gaiaflow/gaiaflow/services/testenv"
)

// Against a real engine and a real registry on loopback: an image the engine
// has is present; one pushed to the registry (and not on the engine) is in
// it, by its digest; a tag the registry lacks fails and names the key; a
// registry that does not answer leaves the image "not checked".
func TestRealDockerDoctorAsksTheRegistry(t *testing.T) {
	c := realDocker(t)
	ctx := context.Background()
	reg := registrytest.Start(t)

	// A one-file image: imported, pushed, then removed from the engine.
	var rootfs bytes.Buffer
	tw := tar.NewWriter(&rootfs)
	_ = tw.WriteHeader(&tar.Header{Name: "hello", Mode: 0o644, Size: 2})
	_, _ = tw.Write([]byte("hi"))
	_ = tw.Close()
	pushed := reg.Host + "/gaiaflow-test/doctor:1"
	local := "gaiaflow-test/doctor-local:1"
	for _, ref := range []string{pushed, local} {
		if _, err := c.ImportImage(ctx, bytes.NewReader(rootfs.Bytes()), ref, []string{"LABEL io.gaiaflow.test=true"}); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, ref := range []string{pushed, local} {
			_ = c.RemoveImage(context.Background(), ref, docker.RemoveImageOptions{Force: true})
		}
	})
	// The test pushes with the docker CLI: pushing is not what is tested.
	if out, err := exec.Command("docker", "push", pushed).CombinedOutput(); err != nil {
		t.Fatalf("docker push %s: %v\n%s", pushed, err, out)
	}
	if err := c.RemoveImage(ctx, pushed, docker.RemoveImageOptions{Force: true}); err != nil {
		t.Fatal(err)
	}

	p := testProject(t, "name = \"demo\"\npackage = \"demo\"\n"+
		"[services.airflow]\nimage = \""+local+"\"\ndb_image = \""+pushed+"\"\n"+
		"[services.mlflow]\nimage = \""+reg.Host+"/gaiaflow-test/doctor:missing\"\ndb_image = \""+pushed+"\"\n"+
		"[services.minio]\nimage = \"127.0.0.1:1/gaiaflow-test/doctor:1\"\n"+
		"[services.jupyter]\nenabled = false\n"+
		"[build]\nbase_image = \""+local+"\"\n")
	env := DefaultEnv(c, nil, p, t.TempDir())
	env.PortFree = func(int) bool { return true }
	checks := Run(ctx, env)
	for _, w := range []struct {
		name   string
		status Status
		detail string
	}{
		{"image services.airflow.image, build.base_image", OK, "present on the engine"},
		{"image services.airflow.db_image, services.mlflow.db_image", OK, "in its registry (sha256:"},
		{"image services.mlflow.image", Fail, "its registry has no such image"},
		{"image services.minio.image", NotChecked, "not checked: no registry answered"},
	} {
		got := find(t, checks, w.name)
		if got.Status != w.status || !strings.Contains(got.Detail, w.detail) {
			t.Errorf("%s: got %s %q, want %s with %q", w.name, got.Status, got.Detail, w.status, w.detail)
		}
	}
}

// On the real engine, doctor's rows say what the engine is, checked against
// other witnesses: its version as GET /version gives it, the API gaiaflow's
// client settles on (the engine's, at most the client's own newest), and the
// image store as `docker save` shows it — under the containerd store an
// image's id is its manifest's digest, under a graph driver its config's.
func TestRealDockerDoctorNamesTheEngine(t *testing.T) {
	c := realDocker(t)
	ctx := context.Background()
	eng, err := testenv.EngineVersion(testenv.DockerHost())
	if err != nil {
		t.Fatal(err)
	}
	env := DefaultEnv(c, nil, nil, t.TempDir())
	env.PortFree = func(int) bool { return true }
	checks := Run(ctx, env)

	row := find(t, checks, "docker")
	if row.Status != OK || !strings.HasPrefix(row.Detail, "engine "+eng.Version+", API "+eng.APIVersion) {
		t.Errorf("docker = %+v, want ok naming engine %s, API %s", row, eng.Version, eng.APIVersion)
	}
	const clientMax = "1.51" // github.com/docker/docker v28.5.2's newest API
	if older(clientMax, eng.APIVersion) && !strings.Contains(row.Detail, "(gaiaflow speaks "+clientMax+")") {
		t.Errorf("docker = %q, want the negotiated %s", row.Detail, clientMax)
	}

	// A one-file image, imported and saved with the docker CLI.
	var rootfs bytes.Buffer
	tw := tar.NewWriter(&rootfs)
	_ = tw.WriteHeader(&tar.Header{Name: "hello", Mode: 0o644, Size: 2})
	_, _ = tw.Write([]byte("hi"))
	_ = tw.Close()
	ref := "gaiaflow-test/doctor-store:1"
	id, err := c.ImportImage(ctx, bytes.NewReader(rootfs.Bytes()), ref, []string{"LABEL io.gaiaflow.test=true"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.RemoveImage(context.Background(), ref, docker.RemoveImageOptions{Force: true}) })
	saved, err := exec.Command("docker", "save", ref).Output()
	if err != nil {
		t.Fatalf("docker save %s: %v", ref, err)
	}
	config := savedConfig(t, saved)
	want := "overlay2 (graph driver)"
	if id != "sha256:"+config {
		want = "containerd (snapshotter "
	}
	if got := find(t, checks, "docker image store"); got.Status != OK || !strings.Contains(got.Detail, want) {
		t.Errorf("docker image store = %+v; the image's id %s and config %s say %q", got, id, config, want)
	}
	t.Logf("image id %s, config sha256:%s: %s", id, config, find(t, checks, "docker image store").Detail)
}

// savedConfig returns the hex digest of the one image's config in the output
// of `docker save`: manifest.json names it as "<hex>.json" (Docker before
// the containerd store) or "blobs/sha256/<hex>" (an OCI layout).
func savedConfig(t *testing.T, saved []byte) string {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(saved))
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("no manifest.json in docker save's output: %v", err)
		}
		if h.Name != "manifest.json" {
			continue
		}
		var m []struct{ Config string }
		if err := json.NewDecoder(tr).Decode(&m); err != nil || len(m) != 1 {
			t.Fatalf("manifest.json: %v (%d images)", err, len(m))
		}
		return strings.TrimSuffix(path.Base(m[0].Config), ".json")
	}
}

// realDocker is a client of the engine DOCKER_HOST names, for this test
// only; the test is skipped (or fails, GAIAFLOW_REQUIRE_DOCKER=1) without
// one, and logs which engine it is.
func realDocker(t *testing.T) *docker.Client {
	t.Helper()
	return buildtest.Client(t)
}
