package registry

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/registrytest"
)

const (
	testUser     = "gaia"
	testPassword = "pw-Sekr1t-registry"
	testRefresh  = "refresh-Sekr1t-token"
)

// configFor writes a docker config.json whose auths entry for host holds
// the given entry, and returns the store reading it.
func configFor(t *testing.T, host, entry string) DockerConfig {
	t.Helper()
	return DockerConfig{File: writeConfig(t, `{"auths": {"`+host+`": `+entry+`}}`)}
}

func newClient(store CredentialStore) *Client { return New(Options{Credentials: store}) }

func timeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// checkDigests asks a registry that holds repo:1 (and nothing else) for it
// by tag and by digest, for a missing tag and repository, and after the
// manifest is deleted.
func checkDigests(t *testing.T, reg *registrytest.Registry, c *Client) {
	t.Helper()
	ctx := timeout(t)
	repo := "gaiaflow-test/app"
	want := reg.Upload(t, repo, "1")
	ref := reg.Host + "/" + repo

	for _, r := range []string{ref + ":1", ref + "@" + want, ref + ":1@" + want} {
		got, err := c.Digest(ctx, r)
		if err != nil || got != want {
			t.Errorf("Digest(%s) = %q, %v; want %s", r, got, err, want)
		}
	}
	if ok, err := c.Pushed(ctx, ref+":1"); !ok || err != nil {
		t.Errorf("Pushed(%s:1) = %v, %v; want true", ref, ok, err)
	}
	for _, r := range []string{ref + ":2", reg.Host + "/gaiaflow-test/never:1",
		ref + "@sha256:0000000000000000000000000000000000000000000000000000000000000000"} {
		_, err := c.Digest(ctx, r)
		if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrDenied) {
			t.Errorf("Digest(%s): %v; want ErrNotFound", r, err)
		}
		if ok, err := c.Pushed(ctx, r); ok || err != nil {
			t.Errorf("Pushed(%s) = %v, %v; want false and no error", r, ok, err)
		}
	}

	reg.Delete(t, repo, want)
	for _, r := range []string{ref + "@" + want, ref + ":1"} {
		_, err := c.Digest(ctx, r)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("after the delete, Digest(%s): %v; want ErrNotFound", r, err)
		} else if msg := err.Error(); msg != "look up "+r+": the registry "+reg.Host+" has no such image" {
			t.Errorf("not found reads %q", msg)
		}
	}
}

// checkDenied asks with credentials the registry refuses and with none.
func checkDenied(t *testing.T, reg *registrytest.Registry, wrong CredentialStore) {
	t.Helper()
	ctx := timeout(t)
	repo := "gaiaflow-test/private"
	reg.Upload(t, repo, "1")
	ref := reg.Host + "/" + repo + ":1"

	_, err := newClient(wrong).Digest(ctx, ref)
	want := "look up " + ref + ": the registry refused the credentials for " + reg.Host
	if !errors.Is(err, ErrDenied) || err.Error() != want {
		t.Errorf("wrong password: %v; want ErrDenied reading %q", err, want)
	}
	if h := errs.HintOf(err); !strings.HasPrefix(h, "docker login "+reg.Host) {
		t.Errorf("wrong password: hint %q", h)
	}
	if err != nil && (strings.Contains(err.Error()+errs.HintOf(err), "wrong-") || strings.Contains(err.Error(), testPassword)) {
		t.Errorf("the error shows a password: %v", err)
	}
	if ok, err := newClient(wrong).Pushed(ctx, ref); ok || !errors.Is(err, ErrDenied) {
		t.Errorf("Pushed with a wrong password = %v, %v; want an ErrDenied error", ok, err)
	}

	_, err = newClient(nil).Digest(ctx, ref)
	want = "look up " + ref + ": the registry " + reg.Host + " refused an anonymous request: gaiaflow-test/private is private or does not exist"
	if !errors.Is(err, ErrDenied) || err.Error() != want {
		t.Errorf("anonymous: %v; want ErrDenied reading %q", err, want)
	}
}

func TestRealRegistryWithoutAuth(t *testing.T) {
	reg := registrytest.Start(t)
	checkDigests(t, reg, newClient(nil))
	// Credentials kept for a registry that wants none are never sent.
	checkDigests(t, reg, newClient(configFor(t, reg.Host, `{"auth": "`+b64("x:y")+`"}`)))
}

func TestRealRegistryBasicAuth(t *testing.T) {
	reg := registrytest.Start(t, registrytest.WithBasicAuth(testUser, testPassword))
	checkDigests(t, reg, newClient(configFor(t, reg.Host, `{"auth": "`+b64(testUser+":"+testPassword)+`"}`)))
	checkDenied(t, reg, configFor(t, reg.Host, `{"auth": "`+b64(testUser+":wrong-"+testPassword)+`"}`))
}

func TestRealRegistryTokenAuth(t *testing.T) {
	reg := registrytest.Start(t, registrytest.WithTokenAuth(testUser, testPassword, testRefresh))
	checkDigests(t, reg, newClient(configFor(t, reg.Host, `{"auth": "`+b64(testUser+":"+testPassword)+`"}`)))
	checkDenied(t, reg, configFor(t, reg.Host, `{"auth": "`+b64(testUser+":wrong-"+testPassword)+`"}`))

	// An identity token is exchanged by the OAuth2 refresh grant.
	before := len(reg.TokenRequests())
	c := newClient(configFor(t, reg.Host, `{"identitytoken": "`+testRefresh+`"}`))
	want := reg.Upload(t, "gaiaflow-test/refresh", "1")
	if got, err := c.Digest(timeout(t), reg.Host+"/gaiaflow-test/refresh:1"); err != nil || got != want {
		t.Errorf("with an identity token: %q, %v; want %s", got, err, want)
	}
	reqs := reg.TokenRequests()[before:]
	if len(reqs) != 1 || reqs[0].Grant != "refresh_token" || !reqs[0].OK ||
		strings.Join(reqs[0].Scopes, " ") != "repository:gaiaflow-test/refresh:pull" {
		t.Errorf("token requests: %+v; want one refresh grant for pull", reqs)
	}
	_, err := newClient(configFor(t, reg.Host, `{"identitytoken": "wrong-`+testRefresh+`"}`)).Digest(timeout(t), reg.Host+"/gaiaflow-test/refresh:1")
	if !errors.Is(err, ErrDenied) || strings.Contains(err.Error(), testRefresh) {
		t.Errorf("wrong identity token: %v; want ErrDenied without the token", err)
	}
}

// HTTPS in front of the real registry (a TLS reverse proxy on loopback, the
// way a registry behind a TLS-terminating proxy is reached): the client
// speaks HTTPS first, with the certificate authorities it is given.
func TestRealRegistryOverHTTPS(t *testing.T) {
	reg := registrytest.Start(t, registrytest.WithBasicAuth(testUser, testPassword))
	target, _ := url.Parse("http://" + reg.Host)
	proxy := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(target))
	defer proxy.Close()
	host := strings.TrimPrefix(proxy.URL, "https://")
	pool := x509.NewCertPool()
	pool.AddCert(proxy.Certificate())
	want := reg.Upload(t, "gaiaflow-test/tls", "1")
	store := configFor(t, host, `{"auth": "`+b64(testUser+":"+testPassword)+`"}`)
	got, err := New(Options{Credentials: store, RootCAs: pool}).Digest(timeout(t), host+"/gaiaflow-test/tls:1")
	if err != nil || got != want {
		t.Fatalf("over HTTPS: %q, %v; want %s", got, err, want)
	}
	// Without the proxy's authority, HTTPS fails and plain HTTP (allowed on
	// loopback) reaches a TLS port: no digest either way.
	if _, err := New(Options{Credentials: store}).Digest(timeout(t), host+"/gaiaflow-test/tls:1"); err == nil {
		t.Fatal("an untrusted certificate was accepted")
	}
}

// A registry off this machine is asked over HTTPS only: a plain HTTP server
// on this machine's non-loopback address is never sent a request.
func TestNeverPlainHTTPOffLoopback(t *testing.T) {
	host, hits := offLoopbackServer(t)

	_, err := newClient(nil).Digest(timeout(t), host+"/gaiaflow-test/app:1")
	if err == nil || hits.Load() != 0 {
		t.Fatalf("Digest = %v with %d plain HTTP requests; want an error and none", err, hits.Load())
	}
	if !strings.HasPrefix(err.Error(), "look up "+host+"/gaiaflow-test/app:1: cannot reach the registry "+host+":") ||
		!strings.Contains(errs.HintOf(err), "HTTPS") {
		t.Errorf("error %q, hint %q", err, errs.HintOf(err))
	}
}

// A registry whose token service is plain HTTP off this machine gets no
// credentials sent there. The registry here is an httptest stand-in that
// only answers with that challenge; the token service is a listener that
// counts what reaches it.
func TestNoCredentialsToAPlainHTTPTokenService(t *testing.T) {
	tokenHost, hits := offLoopbackServer(t)
	realm := "http://" + tokenHost + "/token"
	challenger := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`",service="x"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer challenger.Close()
	host := strings.TrimPrefix(challenger.URL, "http://")

	_, err := newClient(configFor(t, host, `{"auth": "`+b64(testUser+":"+testPassword)+`"}`)).Digest(timeout(t), host+"/app:1")
	if err == nil || hits.Load() != 0 || !strings.Contains(err.Error(), "not an HTTPS address") {
		t.Fatalf("Digest = %v with %d token requests; want a refusal and none", err, hits.Load())
	}
}

// offLoopbackServer serves plain HTTP on this machine's first non-loopback
// IPv4 address, counting the requests that reach it; it returns host:port.
func offLoopbackServer(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	ip := ""
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			ip = n.IP.String()
			break
		}
	}
	if ip == "" {
		t.Skip("this machine has no non-loopback IPv4 address to listen on")
	}
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	hits := new(atomic.Int32)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l.Addr().String(), hits
}
