package airflow

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeAirflow is an httptest stand-in for the parts of Airflow the unit tests
// need: it issues tokens for admin/admin, checks them on every route added
// with handle, and counts requests per path.
type fakeAirflow struct {
	srv *httptest.Server
	mux *http.ServeMux

	mu       sync.Mutex
	logins   int
	valid    map[string]bool
	requests map[string]int
	auths    []string // Authorization headers seen on API routes, in order

	conns atomic.Int64 // TCP connections accepted
}

func newFakeAirflow(t *testing.T) *fakeAirflow {
	t.Helper()
	f := &fakeAirflow{
		mux:      http.NewServeMux(),
		valid:    map[string]bool{},
		requests: map[string]int{},
	}
	f.mux.HandleFunc("POST /auth/token", func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Username, Password string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"detail": "bad body"})
			return
		}
		if body.Username != "admin" || body.Password != "admin" {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"detail": "Invalid credentials"})
			return
		}
		f.mu.Lock()
		f.logins++
		tok := fmt.Sprintf("token-%d", f.logins)
		f.valid[tok] = true
		f.mu.Unlock()
		writeJSON(w, http.StatusCreated, map[string]any{"access_token": tok})
	})
	f.srv = httptest.NewUnstartedServer(f.mux)
	f.srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			f.conns.Add(1)
		}
	}
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

// client returns a Client for the fake with the right credentials.
func (f *fakeAirflow) client(t *testing.T) *Client {
	t.Helper()
	return f.clientWith(t, Config{Username: "admin", Password: "admin"})
}

func (f *fakeAirflow) clientWith(t *testing.T, cfg Config) *Client {
	t.Helper()
	cfg.BaseURL = f.srv.URL
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// handle serves pattern behind the token check: a missing or unknown token
// gets 401 "Token Expired", as Airflow answers an expired JWT.
func (f *fakeAirflow) handle(pattern string, h http.HandlerFunc) {
	f.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		f.mu.Lock()
		f.requests[r.URL.Path]++
		f.auths = append(f.auths, auth)
		ok := f.valid[strings.TrimPrefix(auth, "Bearer ")]
		f.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"detail": "Token Expired"})
			return
		}
		h(w, r)
	})
}

// handleOpen serves pattern without checking tokens, still counting requests.
func (f *fakeAirflow) handleOpen(pattern string, h http.HandlerFunc) {
	f.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests[r.URL.Path]++
		f.auths = append(f.auths, r.Header.Get("Authorization"))
		f.mu.Unlock()
		h(w, r)
	})
}

// expireTokens makes every issued token invalid, as an api-server restart or
// the end of jwt_expiration_time does.
func (f *fakeAirflow) expireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.valid = map[string]bool{}
}

func (f *fakeAirflow) authHeaders() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.auths...)
}

func (f *fakeAirflow) loginCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins
}

func (f *fakeAirflow) requestCount(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[path]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// serveFile answers with a fixture from testdata.
func serveFile(t *testing.T, name string) http.HandlerFunc {
	t.Helper()
	data := readTestdata(t, name)
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data)
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// waitForClient is how long a test lets a call take that must return
// promptly; far above what it should take, far below a hang.
const waitForClient = 3 * time.Second

// mustJSON renders v as indented JSON, for comparisons and failure messages.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// equalJSON compares two values through their JSON form, which is also what
// `-o json` prints.
func equalJSON(t *testing.T, got, want any) bool {
	t.Helper()
	return mustJSON(t, got) == mustJSON(t, want)
}
