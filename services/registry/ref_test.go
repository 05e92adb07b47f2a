package registry

import (
	"testing"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

const someDigest = "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b"

func TestParseReference(t *testing.T) {
	for _, tc := range []struct {
		in                    string
		host, repo, tag, dig  string
		endpoint, credKey, st string
	}{
		{in: "python", host: "docker.io", repo: "library/python", tag: "latest",
			endpoint: "registry-1.docker.io", credKey: "https://index.docker.io/v1/", st: "docker.io/library/python:latest"},
		{in: "python:3.12-slim", host: "docker.io", repo: "library/python", tag: "3.12-slim",
			endpoint: "registry-1.docker.io", credKey: "https://index.docker.io/v1/", st: "docker.io/library/python:3.12-slim"},
		{in: "team/app:1", host: "docker.io", repo: "team/app", tag: "1",
			endpoint: "registry-1.docker.io", credKey: "https://index.docker.io/v1/", st: "docker.io/team/app:1"},
		{in: "index.docker.io/team/app:1", host: "docker.io", repo: "team/app", tag: "1",
			endpoint: "registry-1.docker.io", credKey: "https://index.docker.io/v1/", st: "docker.io/team/app:1"},
		{in: "127.0.0.1:5000/team/app:0.1.0", host: "127.0.0.1:5000", repo: "team/app", tag: "0.1.0",
			endpoint: "127.0.0.1:5000", credKey: "127.0.0.1:5000", st: "127.0.0.1:5000/team/app:0.1.0"},
		{in: "localhost/app", host: "localhost", repo: "app", tag: "latest",
			endpoint: "localhost", credKey: "localhost", st: "localhost/app:latest"},
		{in: "registry.example.com/a/b/c@" + someDigest, host: "registry.example.com", repo: "a/b/c", dig: someDigest,
			endpoint: "registry.example.com", credKey: "registry.example.com", st: "registry.example.com/a/b/c@" + someDigest},
		{in: "registry.example.com/app:1@" + someDigest, host: "registry.example.com", repo: "app", tag: "1", dig: someDigest,
			endpoint: "registry.example.com", credKey: "registry.example.com", st: "registry.example.com/app:1@" + someDigest},
		{in: "[::1]:5000/app:2", host: "[::1]:5000", repo: "app", tag: "2",
			endpoint: "[::1]:5000", credKey: "[::1]:5000", st: "[::1]:5000/app:2"},
	} {
		r, err := ParseReference(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if r.Host != tc.host || r.Repository != tc.repo || r.Tag != tc.tag || r.Digest != tc.dig {
			t.Errorf("%s: got %+v", tc.in, r)
		}
		if got := r.endpoint(); got != tc.endpoint {
			t.Errorf("%s: endpoint %q, want %q", tc.in, got, tc.endpoint)
		}
		if got := CredentialKey(r.Host); got != tc.credKey {
			t.Errorf("%s: credential key %q, want %q", tc.in, got, tc.credKey)
		}
		if got := r.String(); got != tc.st {
			t.Errorf("%s: String() = %q, want %q", tc.in, got, tc.st)
		}
	}
	wantID := map[string]string{"app:1": "1", "app:1@" + someDigest: someDigest, "app": "latest"}
	for in, want := range wantID {
		r, _ := ParseReference(in)
		if got := r.manifestID(); got != want {
			t.Errorf("%s: manifest id %q, want %q", in, got, want)
		}
	}
}

func TestParseReferenceRejectsBadInput(t *testing.T) {
	for _, in := range []string{"", "team/UPPER:1", "app:bad tag", "app@sha256:short", "-app"} {
		_, err := ParseReference(in)
		if err == nil {
			t.Errorf("%q: no error", in)
			continue
		}
		if errs.KindOf(err) != errs.Usage || errs.HintOf(err) == "" {
			t.Errorf("%q: want a usage error with a hint, got %v (hint %q)", in, err, errs.HintOf(err))
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "localhost:5000": true, "LOCALHOST:1": true,
		"127.0.0.1": true, "127.0.0.1:5000": true, "127.8.9.10:80": true,
		"[::1]:5000": true, "::1": true,
		"10.0.0.1:5000": false, "registry.example.com": false, "localhost.example.com": false,
		"[::2]:5000": false, "128.0.0.1": false, "0.0.0.0:5000": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}
