package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// exiterImage builds testdata/exiter (static) into a FROM scratch image and
// returns its tag; the test removes it.
func exiterImage(t *testing.T, c *Client) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "exiter")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "./testdata/exiter")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build exiter: %v\n%s", err, out)
	}
	prog, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var ctx bytes.Buffer
	tw := tar.NewWriter(&ctx)
	for _, f := range []struct {
		name string
		mode int64
		data []byte
	}{{"Dockerfile", 0o644, []byte("FROM scratch\nCOPY exiter /exiter\n")}, {"exiter", 0o755, prog}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data)), ModTime: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write(f.data)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	tag := fmt.Sprintf("gaiaflow-test/exiter:%d", time.Now().UnixNano())
	if _, err := c.BuildImage(context.Background(), &ctx, BuildOptions{Tags: []string{tag}, Labels: map[string]string{"io.gaiaflow.test": "true"}}, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.RemoveImage(context.Background(), tag, RemoveImageOptions{Force: true}) })
	return tag
}
