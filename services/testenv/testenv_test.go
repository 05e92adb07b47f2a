package testenv

import (
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// serve answers GET /version on a unix socket with body and status.
func serve(t *testing.T, status int, body string) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "docker.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/version" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "unix://" + sock
}

func TestEngineVersionReadsTheEngine(t *testing.T) {
	host := serve(t, http.StatusOK, `{"Version":"29.8.1","ApiVersion":"1.56","MinAPIVersion":"1.40","Os":"linux"}`)
	v, err := EngineVersion(host)
	if err != nil {
		t.Fatal(err)
	}
	if v != (Engine{Version: "29.8.1", APIVersion: "1.56", MinAPIVersion: "1.40"}) {
		t.Errorf("EngineVersion = %+v", v)
	}
}

func TestEngineVersionRefusesWhatIsNotAnEngine(t *testing.T) {
	for _, c := range []struct {
		name, want string
		status     int
		body       string
	}{
		{"error status", "500", http.StatusInternalServerError, `{}`},
		{"not json", "GET /version", http.StatusOK, `<html>`},
		{"no version", "no version", http.StatusOK, `{"Os":"linux"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := EngineVersion(serve(t, c.status, c.body))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one saying %q", err, c.want)
			}
		})
	}
	if _, err := EngineVersion("unix://" + filepath.Join(t.TempDir(), "none.sock")); err == nil {
		t.Error("no error for a socket nobody listens on")
	}
}
