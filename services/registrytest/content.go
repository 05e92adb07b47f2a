package registrytest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
)

// Upload puts a small OCI image (a config and one layer holding a file that
// names repo and tag) into the registry under repo:tag with the registry
// API itself, as the registry's account, and returns its manifest digest.
// Tests that ask a registry need content in it, not a Docker engine.
func (r *Registry) Upload(t testing.TB, repo, tag string) string {
	t.Helper()
	var layer bytes.Buffer
	gz := gzip.NewWriter(&layer)
	tw := tar.NewWriter(gz)
	body := []byte(repo + ":" + tag + "\n")
	_ = tw.WriteHeader(&tar.Header{Name: "hello", Mode: 0o644, Size: int64(len(body))})
	_, _ = tw.Write(body)
	_ = tw.Close()
	_ = gz.Close()
	diffID := sha256.Sum256(body) // not the tar's; the registry does not check it
	config := []byte(fmt.Sprintf(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%x"]}}`, diffID))

	layerDigest := r.putBlob(t, repo, layer.Bytes())
	configDigest := r.putBlob(t, repo, config)
	manifest, _ := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": configDigest, "size": len(config)},
		"layers": []map[string]any{{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
			"digest": layerDigest, "size": layer.Len()}},
	})
	resp := r.do(t, http.MethodPut, "/v2/"+repo+"/manifests/"+tag, "repository:"+repo+":pull,push",
		"application/vnd.oci.image.manifest.v1+json", manifest)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("put manifest %s:%s: %s", repo, tag, resp.Status)
	}
	want := "sha256:" + digestOf(manifest)
	if got := resp.Header.Get("Docker-Content-Digest"); got != want {
		t.Fatalf("put manifest %s:%s: the registry says %q, the manifest hashes to %s", repo, tag, got, want)
	}
	return want
}

// Delete removes the manifest repo@digest from the registry.
func (r *Registry) Delete(t testing.TB, repo, digest string) {
	t.Helper()
	resp := r.do(t, http.MethodDelete, "/v2/"+repo+"/manifests/"+digest, "repository:"+repo+":delete", "", nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("delete %s@%s: %s", repo, digest, resp.Status)
	}
}

func (r *Registry) putBlob(t testing.TB, repo string, data []byte) string {
	t.Helper()
	scope := "repository:" + repo + ":pull,push"
	resp := r.do(t, http.MethodPost, "/v2/"+repo+"/blobs/uploads/", scope, "", nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("start a blob upload to %s: %s", repo, resp.Status)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	d := "sha256:" + digestOf(data)
	q := loc.Query()
	q.Set("digest", d)
	loc.RawQuery = q.Encode()
	resp = r.do(t, http.MethodPut, loc.RequestURI(), scope, "application/octet-stream", data)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload a blob to %s: %s", repo, resp.Status)
	}
	return d
}

// do sends one request as the registry's account: basic auth, or a token
// the test's token service signs directly.
func (r *Registry) do(t testing.TB, method, path, scope, contentType string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+r.Host+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	switch r.auth {
	case basicAuth:
		req.SetBasicAuth(r.Username, r.Password)
	case tokenAuth:
		req.Header.Set("Authorization", "Bearer "+r.tokens.mint(r.Username, []string{scope}))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
