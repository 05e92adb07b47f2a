package doctor

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/registrytest"
	"github.com/gaiaflow/gaiaflow/services/testenv"
)

// Against a real engine and a real registry on loopback: an image the engine
// has is present; one pushed to the registry (and not on the engine) is in
// it, by its digest; a tag the registry lacks fails and names the key; a
// registry that does not answer leaves the image "not checked".
func TestRealDockerDoctorAsksTheRegistry(t *testing.T) {
	testenv.RequireDocker(t)
	c, err := docker.New(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
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
