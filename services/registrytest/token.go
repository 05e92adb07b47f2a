package registrytest

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// What the registry is told to trust (auth.token in its config).
const (
	tokenIssuer   = "gaiaflow-test-issuer"
	tokenAudience = "gaiaflow-test-registry"
	tokenKeyID    = "gaiaflow-test-key"
)

// tokenService is a token service in the sense of the distribution token
// spec: it checks the account and hands out JWTs (EdDSA, signed with a key
// whose public half the registry reads from a JWKS file) that grant the
// scopes asked for.
type tokenService struct {
	realm                   string
	user, password, refresh string
	key                     ed25519.PrivateKey
	mu                      sync.Mutex
	requests                []TokenRequest
}

// TokenRequest is what the token service was asked, for tests to assert on.
type TokenRequest struct {
	Method string
	Grant  string   // basic, anonymous, password, refresh_token
	Scopes []string // as asked
	OK     bool     // a token was given
}

func startTokenService(t testing.TB, user, password, refresh string) *tokenService {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ts := &tokenService{user: user, password: password, refresh: refresh, key: key}
	srv := httptest.NewServer(http.HandlerFunc(ts.serve))
	t.Cleanup(srv.Close)
	ts.realm = srv.URL + "/token"
	return ts
}

// jwks is the key set the registry verifies tokens with.
func (ts *tokenService) jwks() []byte {
	pub := ts.key.Public().(ed25519.PublicKey)
	data, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "OKP", "crv": "Ed25519", "kid": tokenKeyID, "alg": "EdDSA", "use": "sig",
		"x": base64.RawURLEncoding.EncodeToString(pub),
	}}})
	return data
}

func (ts *tokenService) serve(w http.ResponseWriter, r *http.Request) {
	var (
		grant  string
		ok     bool
		scopes []string
	)
	switch r.Method {
	case http.MethodGet:
		scopes = r.URL.Query()["scope"]
		user, pass, hasAuth := r.BasicAuth()
		grant, ok = "anonymous", true
		if hasAuth {
			grant, ok = "basic", same(user, ts.user) && same(pass, ts.password)
		}
	case http.MethodPost:
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		scopes = strings.Fields(r.PostForm.Get("scope"))
		switch grant = r.PostForm.Get("grant_type"); grant {
		case "refresh_token":
			ok = ts.refresh != "" && same(r.PostForm.Get("refresh_token"), ts.refresh)
		case "password":
			ok = same(r.PostForm.Get("username"), ts.user) && same(r.PostForm.Get("password"), ts.password)
		}
	}
	ts.mu.Lock()
	ts.requests = append(ts.requests, TokenRequest{Method: r.Method, Grant: grant, Scopes: scopes, OK: ok})
	ts.mu.Unlock()
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"details":"incorrect username or password"}`))
		return
	}
	subject := ""
	if grant != "anonymous" {
		subject = ts.user
	} else {
		scopes = nil // anonymous requests get a token that grants nothing
	}
	tok := ts.mint(subject, scopes)
	answer := map[string]any{"expires_in": 300, "issued_at": time.Now().UTC().Format(time.RFC3339)}
	if r.Method == http.MethodPost {
		answer["access_token"] = tok // OAuth2 answers name it so
	} else {
		answer["token"] = tok
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(answer)
}

// mint signs a token granting scopes (type:name:actions).
func (ts *tokenService) mint(subject string, scopes []string) string {
	type access struct {
		Type    string   `json:"type"`
		Name    string   `json:"name"`
		Actions []string `json:"actions"`
	}
	grants := []access{}
	for _, s := range scopes {
		// The name may hold a port's colon: type first, actions last.
		typ, rest, ok := strings.Cut(s, ":")
		i := strings.LastIndex(rest, ":")
		if !ok || i < 0 {
			continue
		}
		grants = append(grants, access{Type: typ, Name: rest[:i], Actions: strings.Split(rest[i+1:], ",")})
	}
	jti := make([]byte, 8)
	_, _ = rand.Read(jti)
	now := time.Now()
	header, _ := json.Marshal(map[string]string{"typ": "JWT", "alg": "EdDSA", "kid": tokenKeyID})
	claims, _ := json.Marshal(map[string]any{
		"iss": tokenIssuer, "sub": subject, "aud": tokenAudience,
		"exp": now.Add(5 * time.Minute).Unix(), "nbf": now.Add(-10 * time.Second).Unix(), "iat": now.Unix(),
		"jti": hex.EncodeToString(jti), "access": grants,
	})
	signing := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(claims)
	sig := ed25519.Sign(ts.key, []byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// TokenRequests returns what the token service was asked so far.
func (r *Registry) TokenRequests() []TokenRequest {
	if r.tokens == nil {
		return nil
	}
	r.tokens.mu.Lock()
	defer r.tokens.mu.Unlock()
	return append([]TokenRequest(nil), r.tokens.requests...)
}

func same(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
