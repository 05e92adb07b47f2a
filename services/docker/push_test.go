package docker

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/registry"
)

// The engines' answers to a push, recorded from Debian's Docker 20.10 and
// from Docker 29.8 (containerd image store) against the test registry
// (testdata/engine-streams: a good push, an image the engine lacks, a wrong
// password for basic and for token auth, no credentials for token auth),
// replayed through PushImage. 29 reports the pushed digest only
// in its last status line, 20.10 in an aux message as well; 29 says a
// missing image is a "tag does not exist", 20.10 that it "does not exist
// locally"; both come out the same.
func TestRecordedPushStreams(t *testing.T) {
	digests := map[string]string{
		"docker-20.10": "sha256:f0b1024ec8e2e3d25669fbcdf77923cc55aec5b9496d2398e58df06b905c2f47",
		"docker-29.8":  "sha256:632d983387006c277634d54cad74ae2ea79f34c064cd0dd1e438757024ea4db0",
	}
	const host = "127.0.0.1:5000" // as recorded
	for engine, want := range digests {
		t.Run(engine, func(t *testing.T) {
			c := replayPush(t, engine)
			ctx := context.Background()
			var pushed int
			got, err := c.PushImage(ctx, host+"/gaiaflow-test/push:1", registry.Credentials{Username: "gaia", Password: "pw"},
				func(p PullProgress) {
					if p.Status == "Pushed" {
						pushed++
					}
				})
			if err != nil || got != want {
				t.Errorf("push: %q, %v; want %s", got, err, want)
			}
			if pushed != 1 {
				t.Errorf("%d layers reported pushed; want 1", pushed)
			}

			ref := host + "/gaiaflow-test/never-built:1"
			_, err = c.PushImage(ctx, ref, registry.Credentials{}, nil)
			if err == nil || err.Error() != "push "+ref+": the engine has no image "+ref {
				t.Errorf("an image the engine lacks: %v", err)
			}

			for _, tc := range []struct {
				repo  string
				creds registry.Credentials
				want  string
			}{
				{"denied", registry.Credentials{Username: "gaia", Password: "wrong"}, "the registry refused the credentials for " + host},
				{"token-denied", registry.Credentials{Username: "gaia", Password: "wrong"}, "the registry refused the credentials for " + host},
				{"token-anonymous", registry.Credentials{}, "the registry " + host + " wants credentials and none are configured for it"},
			} {
				ref := host + "/gaiaflow-test/" + tc.repo + ":1"
				_, err = c.PushImage(ctx, ref, tc.creds, nil)
				if !errors.Is(err, registry.ErrDenied) || err.Error() != "push "+ref+": "+tc.want {
					t.Errorf("%s: %v; want ErrDenied reading %q", tc.repo, err, tc.want)
				}
			}
		})
	}
}

// replayPush is an engine that answers every push with a recording of
// engine's, picked by the image's repository: never-built, denied,
// token-denied and token-anonymous have theirs, any other a good push.
func replayPush(t *testing.T, engine string) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file := ""
		switch {
		case r.URL.Path == "/_ping":
			w.Header().Set("Api-Version", "1.41")
			return
		case strings.HasSuffix(r.URL.Path, "/never-built/push"):
			file = "push-missing"
		case strings.HasSuffix(r.URL.Path, "/token-denied/push"):
			file = "push-token-denied"
		case strings.HasSuffix(r.URL.Path, "/token-anonymous/push"):
			file = "push-token-anonymous"
		case strings.HasSuffix(r.URL.Path, "/denied/push"):
			file = "push-denied"
		case strings.HasSuffix(r.URL.Path, "/push"):
			file = "push"
		default:
			http.Error(w, "not recorded: "+r.Method+" "+r.URL.Path, http.StatusNotFound)
			return
		}
		body, err := os.ReadFile(filepath.Join("testdata", "engine-streams", engine+"-"+file+".jsonl"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	c, err := New(func(k string) string {
		if k == "DOCKER_HOST" {
			return "tcp://" + strings.TrimPrefix(srv.URL, "http://")
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}
