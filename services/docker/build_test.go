package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/image"

	"github.com/gaiaflow/gaiaflow/services/testenv"
)

func tarOf(t *testing.T, files map[string]string) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), ModTime: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func realClient(t *testing.T) *Client {
	t.Helper()
	testenv.RequireDocker(t)
	c, err := New(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestRealDockerBuildImage builds a FROM scratch image on the real daemon.
func TestRealDockerBuildImage(t *testing.T) {
	c := realClient(t)
	ctx := context.Background()
	tag := "gaiaflow-test/build:" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	var lines []string
	id, err := c.BuildImage(ctx, tarOf(t, map[string]string{
		"Dockerfile": "FROM scratch\nCOPY hello.txt /hello.txt\nLABEL io.gaiaflow.test=true\n",
		"hello.txt":  "hello\n",
	}), BuildOptions{Tags: []string{tag}, Labels: map[string]string{"io.gaiaflow.project": "test"}}, func(m BuildMessage) {
		lines = append(lines, m.Stream)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = c.api.ImageRemove(context.Background(), tag, image.RemoveOptions{Force: true, PruneChildren: true})
	})
	if !strings.HasPrefix(id, "sha256:") {
		t.Errorf("id = %q", id)
	}
	if !strings.Contains(strings.Join(lines, ""), "COPY hello.txt") {
		t.Errorf("build output lacks the step: %q", lines)
	}
	ok, err := c.ImageExists(ctx, tag)
	if err != nil || !ok {
		t.Fatalf("ImageExists(%s) = %v, %v", tag, ok, err)
	}
	ok, err = c.ImageExists(ctx, "gaiaflow-test/never-built:nope")
	if err != nil || ok {
		t.Fatalf("ImageExists(missing) = %v, %v", ok, err)
	}
}

// TestRealDockerBuildFailureCarriesOutput checks a failing step is reported with its output.
func TestRealDockerBuildFailureCarriesOutput(t *testing.T) {
	c := realClient(t)
	_, err := c.BuildImage(context.Background(), tarOf(t, map[string]string{
		"Dockerfile": "FROM scratch\nCOPY missing-file.txt /x\n",
	}), BuildOptions{Tags: []string{"gaiaflow-test/broken:1"}}, nil)
	var be *BuildError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want *BuildError", err)
	}
	if !strings.Contains(be.Message, "missing-file.txt") {
		t.Errorf("message %q does not name the missing file", be.Message)
	}
	if !strings.Contains(strings.Join(be.Output, "\n"), "COPY missing-file.txt") {
		t.Errorf("output lacks the failing step: %q", be.Output)
	}
}

// TestRealDockerImageIDsAgree checks that the id a build returns is the one
// the engine reports for the image afterwards, by inspect and by listing:
// the task image record compares them to tell a rebuilt image from the one
// gaiaflow built. Under the containerd image store (Docker 29's default) an
// image's id is its manifest's digest, not its config's.
func TestRealDockerImageIDsAgree(t *testing.T) {
	c := realClient(t)
	ctx := context.Background()
	tag := "gaiaflow-test/ids:" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	label := map[string]string{"io.gaiaflow.test.ids": tag}
	id, err := c.BuildImage(ctx, tarOf(t, map[string]string{
		"Dockerfile": "FROM scratch\nCOPY hello.txt /hello.txt\n",
		"hello.txt":  "hello " + tag + "\n",
	}), BuildOptions{Tags: []string{tag}, Labels: label, NoCache: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.RemoveImage(context.Background(), tag, RemoveImageOptions{Force: true}) })
	info, found, err := c.InspectImage(ctx, tag)
	if err != nil || !found {
		t.Fatalf("InspectImage(%s) = %v, %v", tag, found, err)
	}
	if info.ID != id {
		t.Errorf("BuildImage returned %s, InspectImage says %s", id, info.ID)
	}
	list, err := c.ListImages(ctx, label)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != id {
		t.Errorf("ListImages = %+v, want one image %s", list, id)
	}
	// The id is a reference too: inspecting by it finds the same image.
	if byID, found, err := c.InspectImage(ctx, id); err != nil || !found || byID.ID != id {
		t.Errorf("InspectImage(%s) = %s, %v, %v", id, byID.ID, found, err)
	}
}
