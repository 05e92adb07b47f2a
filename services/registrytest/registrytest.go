// Package registrytest runs a real container registry on loopback for tests:
// the distribution registry (github.com/distribution/distribution/v3), built
// from the Go module proxy at a pinned version and cached between runs. The
// Docker engine talks plain HTTP to registries on 127.0.0.0/8, so tests push
// to and ask it through the engine as a user's registry would be asked.
//
// The registry can require a password (htpasswd, as a small private
// registry does) or bearer tokens from a token service (as Docker Hub and
// most hosted registries do); the token service runs in the test process and
// signs the tokens the registry verifies. Only tests import it.
package registrytest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Version is the registry's module version (go list -m -versions
// github.com/distribution/distribution/v3).
const Version = "v3.1.2"

const pkg = "github.com/distribution/distribution/v3/cmd/registry"

var built struct {
	once sync.Once
	bin  string
	err  error
}

// Binary returns the registry executable, building it once per machine
// (cached under the user's cache directory by version) and once per test
// binary at most.
func Binary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		dir := filepath.Join(cache, "gaiaflow-test", "registry-"+Version)
		bin := filepath.Join(dir, "registry")
		if _, err := os.Stat(bin); err == nil {
			built.bin = bin
			return
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			built.err = err
			return
		}
		// Into a temporary name first: a half-written binary is never cached.
		tmp, err := os.MkdirTemp(dir, "build")
		if err != nil {
			built.err = err
			return
		}
		defer os.RemoveAll(tmp)
		cmd := exec.Command("go", "install", "-trimpath", pkg+"@"+Version)
		cmd.Env = append(os.Environ(), "GOBIN="+tmp, "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go install %s@%s: %v\n%s", pkg, Version, err, out)
			return
		}
		if err := os.Rename(filepath.Join(tmp, "registry"), bin); err != nil {
			built.err = err
			return
		}
		built.bin = bin
	})
	if built.err != nil {
		t.Fatalf("build the test registry: %v", built.err)
	}
	return built.bin
}

// Registry is a running registry.
type Registry struct {
	// Host is host:port, the prefix of image names in it.
	Host string
	// Username and Password are the account the registry accepts, empty
	// when it needs none.
	Username, Password string
	// IdentityToken is what the token service also accepts, as an OAuth2
	// refresh token, instead of the password (WithTokenAuth only).
	IdentityToken string
	// TokenRealm is the token service's URL (WithTokenAuth only).
	TokenRealm string

	auth   authKind
	tokens *tokenService
}

type authKind int

const (
	noAuth authKind = iota
	basicAuth
	tokenAuth
)

// Option configures Start.
type Option func(*Registry)

// WithBasicAuth makes the registry require user and password by HTTP basic
// auth, checked against an htpasswd file (bcrypt) as distribution does.
func WithBasicAuth(user, password string) Option {
	return func(r *Registry) { r.auth, r.Username, r.Password = basicAuth, user, password }
}

// WithTokenAuth makes the registry require bearer tokens from a token
// service on loopback, which grants them for user and password (GET with
// basic auth, or the OAuth2 password grant) or for identityToken (the
// OAuth2 refresh grant), and grants anonymous requests nothing.
func WithTokenAuth(user, password, identityToken string) Option {
	return func(r *Registry) {
		r.auth, r.Username, r.Password, r.IdentityToken = tokenAuth, user, password, identityToken
	}
}

// Start runs a registry on a free loopback port with its storage in a test
// directory; it stops when the test ends.
func Start(t testing.TB, opts ...Option) *Registry {
	t.Helper()
	bin := Binary(t)
	r := &Registry{}
	for _, o := range opts {
		o(r)
	}
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	r.Host = "127.0.0.1:" + strconv.Itoa(port)
	config := fmt.Sprintf("version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n"+
		"http:\n  addr: %s\nlog:\n  level: warn\n", filepath.Join(dir, "data"), r.Host)
	switch r.auth {
	case basicAuth:
		hash, err := bcrypt.GenerateFromPassword([]byte(r.Password), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		htpasswd := filepath.Join(dir, "htpasswd")
		if err := os.WriteFile(htpasswd, []byte(r.Username+":"+string(hash)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		config += fmt.Sprintf("auth:\n  htpasswd:\n    realm: gaiaflow-test\n    path: %s\n", htpasswd)
	case tokenAuth:
		r.tokens = startTokenService(t, r.Username, r.Password, r.IdentityToken)
		r.TokenRealm = r.tokens.realm
		jwks := filepath.Join(dir, "jwks.json")
		if err := os.WriteFile(jwks, r.tokens.jwks(), 0o600); err != nil {
			t.Fatal(err)
		}
		config += fmt.Sprintf("auth:\n  token:\n    realm: %s\n    service: %s\n    issuer: %s\n    jwks: %s\n",
			r.tokens.realm, tokenAudience, tokenIssuer, jwks)
	}
	cfgFile := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgFile, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", cfgFile)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		_ = logFile.Close()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+r.Host+"/v2/", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			// 401 is a registry that wants credentials: up all the same.
			if resp.StatusCode == http.StatusOK || (r.auth != noAuth && resp.StatusCode == http.StatusUnauthorized) {
				return r
			}
		}
		select {
		case err := <-exited:
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("the registry exited: %v\n%s", err, log)
		case <-ctx.Done():
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("the registry did not answer on %s: %v\n%s", r.Host, err, log)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
