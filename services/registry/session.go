package registry

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/opencontainers/go-digest"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// session is one question to a registry: it learns the scheme to use and,
// when the registry asks, authenticates once and keeps the authorization
// for the requests that follow.
type session struct {
	c      *Client
	ref    Reference
	action string // what the person asked, the start of every error line

	base          string // scheme://host once a request went through
	authorization string // the Authorization header, once authenticated
	authTried     bool   // authentication was attempted; a new 401 is final
	sentCreds     bool   // the authorization carries the person's credentials
}

// do sends a request and, when the registry answers 401, authenticates the
// way its challenge says and sends it again.
func (s *session) do(ctx context.Context, method, path string) (*http.Response, error) {
	resp, err := s.send(ctx, method, path)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || s.authTried {
		return resp, err
	}
	challenges := parseChallenges(resp.Header.Values("WWW-Authenticate"))
	drain(resp)
	if err := s.authenticate(ctx, challenges); err != nil {
		return nil, err
	}
	return s.send(ctx, method, path)
}

// send sends one request over HTTPS, or for a registry on this machine
// over plain HTTP when HTTPS does not answer (the Docker engine's default
// for 127.0.0.0/8). Any other registry is never asked over plain HTTP.
func (s *session) send(ctx context.Context, method, path string) (*http.Response, error) {
	if s.base != "" {
		return s.roundTrip(ctx, method, s.base+path)
	}
	host := s.ref.endpoint()
	resp, err := s.roundTrip(ctx, method, "https://"+host+path)
	if err == nil {
		s.base = "https://" + host
		return resp, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if !IsLoopback(host) {
		return nil, errs.Wrap(errs.Failure, err,
			"check that "+host+" serves HTTPS with a certificate this machine trusts (plain HTTP is only for registries on this machine)",
			"%s: cannot reach the registry %s", s.action, s.ref.Host)
	}
	resp, httpErr := s.roundTrip(ctx, method, "http://"+host+path)
	if httpErr != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, errs.Wrap(errs.Failure, httpErr, "check that a registry listens on "+host,
			"%s: cannot reach the registry %s over HTTPS or HTTP", s.action, s.ref.Host)
	}
	s.base = "http://" + host
	return resp, nil
}

func (s *session) roundTrip(ctx context.Context, method, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", strings.Join(manifestTypes, ", "))
	req.Header.Set("User-Agent", "gaiaflow")
	if s.authorization != "" {
		req.Header.Set("Authorization", s.authorization)
	}
	return s.c.http.Do(req)
}

// authenticate answers the registry's challenge: Bearer asks its token
// service for a token (with the credentials when there are some), Basic
// sends the credentials themselves.
func (s *session) authenticate(ctx context.Context, challenges []challenge) error {
	s.authTried = true
	var basic, bearer *challenge
	for i := range challenges {
		switch challenges[i].Scheme {
		case "bearer":
			bearer = &challenges[i]
		case "basic":
			basic = &challenges[i]
		}
	}
	if basic == nil && bearer == nil {
		names := make([]string, len(challenges))
		for i, c := range challenges {
			names[i] = c.Scheme
		}
		return errs.Failf("", "%s: the registry %s asks for an authentication gaiaflow does not speak (%q)",
			s.action, s.ref.Host, strings.Join(names, ", "))
	}
	creds := Credentials{}
	if s.c.creds != nil {
		var err error
		if creds, err = s.c.creds.Credentials(ctx, s.ref.Host); err != nil {
			return err
		}
	}
	if bearer != nil {
		tok, err := s.token(ctx, bearer.Params, creds)
		if err != nil {
			return err
		}
		s.authorization, s.sentCreds = "Bearer "+tok, !creds.Anonymous()
		return nil
	}
	if creds.Username == "" {
		// Nothing Basic can carry (an identity token needs a token service).
		return s.denied()
	}
	s.authorization = "Basic " + base64.StdEncoding.EncodeToString([]byte(creds.Username+":"+creds.Password))
	s.sentCreds = true
	return nil
}

// token gets a bearer token from the registry's token service: with an
// identity token by the OAuth2 refresh grant, else by GET with the user
// name and password as basic auth (none for anonymous access).
func (s *session) token(ctx context.Context, params map[string]string, creds Credentials) (string, error) {
	realm, err := url.Parse(params["realm"])
	if err != nil || realm.Host == "" ||
		(realm.Scheme != "https" && (realm.Scheme != "http" || !IsLoopback(realm.Host))) {
		return "", errs.Failf("ask the registry's operator to serve its token service over HTTPS",
			"%s: the registry %s wants a token from %q, which is not an HTTPS address; gaiaflow sends no credentials there",
			s.action, s.ref.Host, params["realm"])
	}
	scopes := strings.Fields(params["scope"])
	if len(scopes) == 0 {
		scopes = []string{"repository:" + s.ref.Repository + ":pull"}
	}
	var req *http.Request
	if creds.IdentityToken != "" {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {creds.IdentityToken},
			"client_id": {"gaiaflow"}, "scope": {strings.Join(scopes, " ")}}
		if svc := params["service"]; svc != "" {
			form.Set("service", svc)
		}
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, realm.String(), strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		q := realm.Query()
		if svc := params["service"]; svc != "" {
			q.Set("service", svc)
		}
		for _, sc := range scopes {
			q.Add("scope", sc)
		}
		realm.RawQuery = q.Encode()
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, realm.String(), nil)
		if err == nil && creds.Username != "" {
			req.SetBasicAuth(creds.Username, creds.Password)
		}
	}
	if err != nil {
		return "", err
	}
	req.Header.Set("User-Agent", "gaiaflow")
	resp, err := s.c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", errs.Wrap(errs.Failure, err, "", "%s: cannot reach the token service of %s", s.action, s.ref.Host)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		s.sentCreds = !creds.Anonymous()
		return "", s.denied()
	case resp.StatusCode != http.StatusOK:
		return "", errs.Failf("", "%s: the token service of %s answered %s", s.action, s.ref.Host, resp.Status)
	}
	var t struct {
		Token       string `json:"token"`
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &t); err != nil || (t.Token == "" && t.AccessToken == "") {
		return "", errs.Failf("", "%s: the token service of %s answered without a token", s.action, s.ref.Host)
	}
	if t.Token != "" {
		return t.Token, nil
	}
	return t.AccessToken, nil
}

// confirmed returns the digest a registry sent in Docker-Content-Digest
// when it is a valid digest and, for a pinned reference, the pinned one.
func (s *session) confirmed(header string) (string, bool) {
	d, err := digest.Parse(strings.TrimSpace(header))
	if err != nil || (s.ref.Digest != "" && d.String() != s.ref.Digest) {
		return "", false
	}
	return d.String(), true
}

// refusal turns a status that is an answer about the image (missing,
// refused) into its error; nil for any other status.
func (s *session) refusal(status int, body []byte) error {
	switch code := registryCode(body); {
	case status == http.StatusNotFound || code == "MANIFEST_UNKNOWN" || code == "NAME_UNKNOWN":
		return refused(ErrNotFound, "", "%s: the registry %s has no such image", s.action, s.ref.Host)
	case status == http.StatusUnauthorized:
		return s.denied()
	case status == http.StatusForbidden:
		if !s.sentCreds {
			return s.denied()
		}
		return refused(ErrDenied, "docker login "+s.ref.Host+" as an account that may pull "+s.ref.Repository,
			"%s: the credentials for %s may not read %s", s.action, s.ref.Host, s.ref.Repository)
	}
	return nil
}

// denied is the refusal of the credentials sent, or of an anonymous request.
func (s *session) denied() error {
	if !s.sentCreds {
		return refused(ErrDenied, "docker login "+s.ref.Host+" if "+s.ref.Repository+" is private",
			"%s: the registry %s refused an anonymous request: %s is private or does not exist",
			s.action, s.ref.Host, s.ref.Repository)
	}
	return DeniedCredentials(s.action, s.ref.Host, false)
}

// drain reads what is left of a body so its connection can be reused.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}
