package airflow

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestNewRejectsBadBaseURL(t *testing.T) {
	for _, base := range []string{"", "localhost:8080", "ftp://host", "http://", "://x"} {
		if _, err := New(Config{BaseURL: base}); err == nil {
			t.Errorf("New(%q) = nil error, want one", base)
		}
	}
	c, err := New(Config{BaseURL: "http://127.0.0.1:8080/airflow/"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.BaseURL(), "http://127.0.0.1:8080/airflow"; got != want {
		t.Errorf("BaseURL() = %q, want %q", got, want)
	}
}

// okDAG answers GET /api/v2/dags/{id} with the ok_dag fixture.
func okDAG(t *testing.T, f *fakeAirflow) {
	f.handle("GET /api/v2/dags/{id}", serveFile(t, "dag_ok.json"))
}

func TestTokenIsFetchedOnceAndReused(t *testing.T) {
	f := newFakeAirflow(t)
	okDAG(t, f)
	c := f.client(t)
	for range 3 {
		if _, err := c.GetDAG(t.Context(), "ok_dag"); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.loginCount(); n != 1 {
		t.Errorf("logins = %d, want 1", n)
	}
	for i, a := range f.authHeaders() {
		if a != "Bearer token-1" {
			t.Errorf("request %d: Authorization = %q, want the first token", i, a)
		}
	}
}

func TestTokenIsFetchedOnceByConcurrentCalls(t *testing.T) {
	f := newFakeAirflow(t)
	okDAG(t, f)
	c := f.client(t)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			if _, err := c.GetDAG(t.Context(), "ok_dag"); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := f.loginCount(); n != 1 {
		t.Errorf("logins = %d, want 1", n)
	}
}

func TestConnectionsAreReused(t *testing.T) {
	f := newFakeAirflow(t)
	okDAG(t, f)
	c := f.client(t)
	for range 5 {
		if _, err := c.GetDAG(t.Context(), "ok_dag"); err != nil {
			t.Fatal(err)
		}
	}
	// Error answers must leave the connection reusable too.
	f.expireTokens()
	if _, err := c.GetDAG(t.Context(), "ok_dag"); err != nil {
		t.Fatal(err)
	}
	if n := f.conns.Load(); n != 1 {
		t.Errorf("%d connections for 7 sequential requests and 2 logins, want 1", n)
	}
}

func TestRejectedTokenIsRenewedOnceAndTheCallRetried(t *testing.T) {
	f := newFakeAirflow(t)
	okDAG(t, f)
	c := f.client(t)
	if _, err := c.GetDAG(t.Context(), "ok_dag"); err != nil {
		t.Fatal(err)
	}
	f.expireTokens()
	dag, err := c.GetDAG(t.Context(), "ok_dag")
	if err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if dag.ID != "ok_dag" {
		t.Errorf("dag id = %q", dag.ID)
	}
	if n := f.loginCount(); n != 2 {
		t.Errorf("logins = %d, want 2", n)
	}
	// first call, rejected call, retried call
	if n := f.requestCount("/api/v2/dags/ok_dag"); n != 3 {
		t.Errorf("requests = %d, want 3", n)
	}
	if auths := f.authHeaders(); auths[len(auths)-1] != "Bearer token-2" {
		t.Errorf("retry sent %q, want the renewed token", auths[len(auths)-1])
	}
}

// Airflow answers a token it cannot verify (signed with another jwt_secret,
// e.g. before the api-server was recreated) with 403 "Invalid JWT token".
func TestUnverifiableTokenIsRenewed(t *testing.T) {
	f := newFakeAirflow(t)
	var answered atomic.Bool
	f.handleOpen("GET /api/v2/dags/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !answered.Swap(true) {
			writeJSON(w, http.StatusForbidden, map[string]any{"detail": "Invalid JWT token"})
			return
		}
		serveFile(t, "dag_ok.json")(w, r)
	})
	c := f.client(t)
	if _, err := c.GetDAG(t.Context(), "ok_dag"); err != nil {
		t.Fatal(err)
	}
	if n := f.loginCount(); n != 2 {
		t.Errorf("logins = %d, want 2", n)
	}
}

func TestTokenRejectedAfterRenewalIsUnauthorized(t *testing.T) {
	f := newFakeAirflow(t)
	f.handleOpen("GET /api/v2/dags/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"detail": "Token Expired"})
	})
	c := f.client(t)
	_, err := c.GetDAG(t.Context(), "ok_dag")
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 401 || apiErr.Detail != "Token Expired" {
		t.Errorf("err = %#v, want the APIError with Airflow's detail", err)
	}
	if n := f.loginCount(); n != 2 {
		t.Errorf("logins = %d, want 2 (one renewal, no loop)", n)
	}
	if n := f.requestCount("/api/v2/dags/ok_dag"); n != 2 {
		t.Errorf("requests = %d, want 2", n)
	}
}

func TestWrongCredentialsAreUnauthorized(t *testing.T) {
	f := newFakeAirflow(t)
	okDAG(t, f)
	c := f.clientWith(t, Config{Username: "admin", Password: "wrong"})
	_, err := c.GetDAG(t.Context(), "ok_dag")
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	if !strings.Contains(err.Error(), "Invalid credentials") {
		t.Errorf("err = %q, want Airflow's detail in it", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("err = %q shows the password", err)
	}
	if n := f.requestCount("/api/v2/dags/ok_dag"); n != 0 {
		t.Errorf("API requests = %d, want none without a token", n)
	}
}

// A role without a permission gets 403 "Forbidden": renewing would not help.
func TestForbiddenIsNotRetried(t *testing.T) {
	f := newFakeAirflow(t)
	f.handle("PATCH /api/v2/dags/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusForbidden, map[string]any{"detail": "Forbidden"})
	})
	c := f.client(t)
	_, err := c.SetPaused(t.Context(), "ok_dag", true)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 403 {
		t.Fatalf("err = %v, want a 403 APIError", err)
	}
	if errors.Is(err, ErrUnauthorized) {
		t.Errorf("a permission 403 is ErrUnauthorized")
	}
	if n := f.loginCount(); n != 1 {
		t.Errorf("logins = %d, want 1", n)
	}
}

func TestAllAdminsModeGetsATokenWithoutCredentials(t *testing.T) {
	f := newFakeAirflow(t)
	f.mux.HandleFunc("GET /auth/token", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.logins++
		f.valid["all-admins"] = true
		f.mu.Unlock()
		writeJSON(w, http.StatusCreated, map[string]any{"access_token": "all-admins"})
	})
	okDAG(t, f)
	c := f.clientWith(t, Config{})
	if _, err := c.GetDAG(t.Context(), "ok_dag"); err != nil {
		t.Fatal(err)
	}
}

func TestErrorAnswers(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		wantDetail string
		notFound   bool
	}{
		{"5xx with a detail", 500, `{"detail":"database is locked"}`, "database is locked", false},
		{"404", 404, `{"detail":"The Dag with ID: ` + "`nope`" + ` was not found"}`, "The Dag with ID: `nope` was not found", true},
		{"422 validation errors", 422,
			`{"detail":[{"type":"extra_forbidden","loc":["body","bogus"],"msg":"Extra inputs are not permitted","input":1},` +
				`{"type":"missing","loc":["body","logical_date"],"msg":"Field required"}]}`,
			"body.bogus: Extra inputs are not permitted; body.logical_date: Field required", false},
		{"detail that is an object", 400, `{"detail":{"reason":"x"}}`, `{"reason":"x"}`, false},
		{"proxy page", 502, "<html>\n<h1>502 Bad Gateway</h1>\n</html>", "<html>", false},
		{"empty body", 503, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAirflow(t)
			f.handle("GET /api/v2/dags/{id}", func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			_, err := f.client(t).GetDAG(t.Context(), "nope")
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want an *APIError", err)
			}
			if apiErr.Status != tt.status || apiErr.Detail != tt.wantDetail {
				t.Errorf("APIError = {%d %q}, want {%d %q}", apiErr.Status, apiErr.Detail, tt.status, tt.wantDetail)
			}
			if errors.Is(err, ErrNotFound) != tt.notFound {
				t.Errorf("errors.Is(err, ErrNotFound) = %v, want %v", !tt.notFound, tt.notFound)
			}
			if errors.Is(err, ErrUnreachable) || errors.Is(err, ErrUnauthorized) {
				t.Errorf("err = %v is also unreachable/unauthorized", err)
			}
			if !strings.Contains(err.Error(), "/api/v2/dags/nope") {
				t.Errorf("err = %q does not name the request", err)
			}
		})
	}
}

func TestMalformedJSONIsABadResponse(t *testing.T) {
	f := newFakeAirflow(t)
	f.handle("GET /api/v2/dags/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"dag_id": "ok_dag", "is_paused": tru`))
	})
	_, err := f.client(t).GetDAG(t.Context(), "ok_dag")
	if !errors.Is(err, ErrBadResponse) {
		t.Fatalf("err = %v, want ErrBadResponse", err)
	}
	if !strings.Contains(err.Error(), "GET /api/v2/dags/ok_dag") {
		t.Errorf("err = %q does not name the request", err)
	}
}

// slowHandler answers after a long time, or gives up when the client leaves,
// so the test server can close promptly.
func slowHandler(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
		writeJSON(w, 200, map[string]any{})
	}
}

func TestSlowServerHitsTheRequestTimeout(t *testing.T) {
	f := newFakeAirflow(t)
	f.handle("GET /api/v2/dags/{id}", slowHandler)
	c := f.clientWith(t, Config{Username: "admin", Password: "admin", Timeout: 200 * time.Millisecond})
	start := time.Now()
	_, err := c.GetDAG(t.Context(), "ok_dag")
	if elapsed := time.Since(start); elapsed > waitForClient {
		t.Errorf("returned after %s", elapsed)
	}
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v looks like the caller's deadline", err)
	}
	if !strings.Contains(err.Error(), "no answer within 200ms") {
		t.Errorf("err = %q does not say why", err)
	}
}

func TestCancelledContextReturnsPromptlyWithTheContextsError(t *testing.T) {
	f := newFakeAirflow(t)
	f.handle("GET /api/v2/dags/{id}", slowHandler)
	c := f.client(t)

	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.GetDAG(ctx, "ok_dag")
	if elapsed := time.Since(start); elapsed > waitForClient {
		t.Errorf("returned after %s", elapsed)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if errors.Is(err, ErrUnreachable) {
		t.Errorf("err = %v: a cancelled call is not an unreachable Airflow", err)
	}

	// The caller's deadline too.
	ctx, cancel2 := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel2()
	_, err = c.GetDAG(ctx, "ok_dag")
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v, want only context.DeadlineExceeded", err)
	}
}

func TestCancelledContextStopsWaitingForTheToken(t *testing.T) {
	f := newFakeAirflow(t)
	c := f.client(t)
	c.tokenSem <- struct{}{} // another call is fetching a token, forever
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := c.GetDAG(ctx, "ok_dag")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
}

func TestConnectionRefusedIsUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()

	c, err := New(Config{BaseURL: "http://" + addr, Username: "admin", Password: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() error{
		"health":    func() error { _, err := c.Health(t.Context()); return err },
		"list DAGs": func() error { _, err := c.ListDAGs(t.Context()); return err },
	} {
		err := call()
		if !errors.Is(err, ErrUnreachable) {
			t.Errorf("%s: err = %v, want ErrUnreachable", name, err)
		}
		var opErr *net.OpError
		if !errors.As(err, &opErr) {
			t.Errorf("%s: err = %v does not wrap the network error", name, err)
		}
	}
}

func TestParseDetailCutsLongBodies(t *testing.T) {
	body := strings.Repeat("é", 300)
	got := parseDetail([]byte(body))
	if len(got) > 210 || !strings.HasSuffix(got, "…") {
		t.Errorf("parseDetail(long) = %q", got)
	}
}
