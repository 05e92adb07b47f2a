package docker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/registry"
	"github.com/gaiaflow/gaiaflow/services/registrytest"
)

const (
	pushUser     = "gaia"
	pushPassword = "pw-Sekr1t-push"
)

// importForPush makes a one-file image on the engine under each ref and
// removes them when the test ends.
func importForPush(t *testing.T, c *Client, refs ...string) {
	t.Helper()
	ctx := context.Background()
	rootfs := tarOf(t, map[string]string{"hello": t.Name() + "\n"})
	for _, ref := range refs {
		if _, err := c.ImportImage(ctx, strings.NewReader(rootfs.String()), ref, []string{"LABEL io.gaiaflow.test=true"}); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, ref := range refs {
			_ = c.RemoveImage(context.Background(), ref, RemoveImageOptions{Force: true})
		}
	})
}

// registryClient asks reg with the account the way prod's readiness will:
// credentials from a docker config.json.
func registryClient(t *testing.T, host, user, password string) *registry.Client {
	t.Helper()
	file := filepath.Join(t.TempDir(), "config.json")
	entry := fmt.Sprintf(`{"auths": {%q: {"username": %q, "password": %q}}}`, host, user, password)
	if err := os.WriteFile(file, []byte(entry), 0o600); err != nil {
		t.Fatal(err)
	}
	return registry.New(registry.Options{Credentials: registry.DockerConfig{File: file}})
}

// The real engine pushes to the real registry on loopback with the
// credentials given: the digest it reports is the one the registry serves,
// and a wrong password or none fails with one line that holds no secret.
func TestRealDockerPushImage(t *testing.T) {
	c := realClient(t)
	for name, opt := range map[string]registrytest.Option{
		"basic auth": registrytest.WithBasicAuth(pushUser, pushPassword),
		"token auth": registrytest.WithTokenAuth(pushUser, pushPassword, ""),
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			reg := registrytest.Start(t, opt)
			ok := reg.Host + "/gaiaflow-test/push:1"
			wrong := reg.Host + "/gaiaflow-test/push-wrong:1"
			anon := reg.Host + "/gaiaflow-test/push-anon:1"
			importForPush(t, c, ok, wrong, anon)
			var lines []string
			record := func(m PullProgress) { lines = append(lines, fmt.Sprintf("%+v", m)) }

			digest, err := c.PushImage(ctx, ok, registry.Credentials{Username: pushUser, Password: pushPassword}, record)
			if err != nil {
				t.Fatalf("push: %v", err)
			}
			if !strings.HasPrefix(digest, "sha256:") {
				t.Fatalf("digest %q", digest)
			}
			rc := registryClient(t, reg.Host, pushUser, pushPassword)
			if got, err := rc.Digest(ctx, ok); err != nil || got != digest {
				t.Errorf("the registry has %s at %q (%v); the push reported %s", ok, got, err, digest)
			}
			if !strings.Contains(strings.Join(lines, "\n"), "Status:Pushed ") {
				t.Errorf("no layer was reported pushed: %q", lines)
			}

			for _, tc := range []struct {
				ref   string
				creds registry.Credentials
				want  string
			}{
				{wrong, registry.Credentials{Username: pushUser, Password: "wrong-" + pushPassword},
					"push " + wrong + ": the registry refused the credentials for " + reg.Host},
				{anon, registry.Credentials{},
					"push " + anon + ": the registry " + reg.Host + " wants credentials and none are configured for it"},
			} {
				_, err := c.PushImage(ctx, tc.ref, tc.creds, record)
				if !errors.Is(err, registry.ErrDenied) || err.Error() != tc.want {
					t.Errorf("push %s: %v; want ErrDenied reading %q", tc.ref, err, tc.want)
					continue
				}
				if h := errs.HintOf(err); !strings.HasPrefix(h, "docker login "+reg.Host) {
					t.Errorf("push %s: hint %q", tc.ref, h)
				}
				if _, err := rc.Digest(ctx, tc.ref); !errors.Is(err, registry.ErrNotFound) {
					t.Errorf("after a refused push, the registry answers %v for %s; want not found", err, tc.ref)
				}
			}
			for _, l := range lines {
				if strings.Contains(l, pushPassword) {
					t.Errorf("a progress line holds the password: %q", l)
				}
			}
		})
	}
}

func TestRealDockerPushImageBadInput(t *testing.T) {
	c := realClient(t)
	ctx := context.Background()
	_, err := c.PushImage(ctx, "127.0.0.1:1/gaiaflow-test/x@sha256:"+strings.Repeat("a", 64), registry.Credentials{}, nil)
	if errs.KindOf(err) != errs.Usage {
		t.Errorf("a digest reference: %v; want a usage error", err)
	}
	_, err = c.PushImage(ctx, "127.0.0.1:1/gaiaflow-test/never-built:1", registry.Credentials{}, nil)
	if err == nil || err.Error() != "push 127.0.0.1:1/gaiaflow-test/never-built:1: the engine has no image 127.0.0.1:1/gaiaflow-test/never-built:1" {
		t.Errorf("an image the engine lacks: %v", err)
	}
}
