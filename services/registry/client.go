package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// manifestTypes are the manifests a digest may name: a multi-platform index
// or a single image's manifest, in OCI's and Docker's formats.
var manifestTypes = []string{
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.docker.distribution.manifest.v2+json",
}

// maxManifest bounds what a GET of a manifest reads (registries refuse
// manifests over 4 MiB).
const maxManifest = 4 << 20

// Options are the settings of a Client.
type Options struct {
	// Credentials gives the credentials of a registry when it asks for
	// some; nil means anonymous only.
	Credentials CredentialStore
	// RootCAs are the certificate authorities HTTPS trusts; nil means the
	// system's bundle.
	RootCAs *x509.CertPool
}

// Client asks registries about images through the HTTP API v2. It is safe
// for concurrent use. Requests end with their context: give it a deadline.
type Client struct {
	creds CredentialStore
	http  *http.Client
}

// New returns a client.
func New(opts Options) *Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: opts.RootCAs, MinVersion: tls.VersionTLS12}
	tr.ResponseHeaderTimeout = 30 * time.Second
	return &Client{
		creds: opts.Credentials,
		http: &http.Client{
			Transport: tr,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) >= 10 {
					return errors.New("stopped after 10 redirects")
				}
				// A redirect must not take a request from HTTPS to plain
				// HTTP off this machine.
				if req.URL.Scheme != "https" && !IsLoopback(req.URL.Host) {
					return fmt.Errorf("refused a redirect to plain HTTP (%s)", req.URL.Host)
				}
				return nil
			},
		},
	}
}

// Pushed reports whether ref is in its registry: the modes.RegistryProbe of
// prod's readiness. A missing repository or manifest is false with no
// error; a refusal or an unreachable registry is an error.
func (c *Client) Pushed(ctx context.Context, ref string) (bool, error) {
	_, err := c.Digest(ctx, ref)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Digest returns the digest of the manifest ref names in its registry
// (for a reference pinned by digest: that digest, once the registry has
// confirmed it). Nothing but the manifest is read.
//
// A registry that has no such repository or manifest gives an error
// wrapping ErrNotFound; one that refuses the request (after authenticating
// with the store's credentials when it asked for some) wraps ErrDenied.
func (c *Client) Digest(ctx context.Context, ref string) (string, error) {
	r, err := ParseReference(ref)
	if err != nil {
		return "", err
	}
	s := &session{c: c, ref: r, action: "look up " + strings.TrimSpace(ref)}
	path := "/v2/" + r.Repository + "/manifests/" + r.manifestID()

	resp, err := s.do(ctx, http.MethodHead, path)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if d, ok := s.confirmed(resp.Header.Get("Docker-Content-Digest")); ok {
			return d, nil
		}
	}
	if err := s.refusal(resp.StatusCode, nil); err != nil {
		return "", err
	}
	// HEAD said nothing usable (no digest header, a registry without HEAD,
	// an error without a body to explain it): ask with GET.
	resp, err = s.do(ctx, http.MethodGet, path)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxManifest+1))
	if err != nil {
		return "", errs.Wrap(errs.Failure, err, "", "%s: read the manifest from %s", s.action, r.Host)
	}
	if resp.StatusCode != http.StatusOK {
		if err := s.refusal(resp.StatusCode, body); err != nil {
			return "", err
		}
		return "", errs.Failf("", "%s: the registry %s answered %s%s", s.action, r.Host, resp.Status, registryMessage(body))
	}
	if d, ok := s.confirmed(resp.Header.Get("Docker-Content-Digest")); ok {
		return d, nil
	}
	if len(body) > maxManifest {
		return "", errs.Failf("", "%s: the registry %s sent a manifest over 4 MiB", s.action, r.Host)
	}
	// No header: the digest is the manifest's hash, in the pinned digest's
	// algorithm when there is one.
	alg := digest.SHA256
	if r.Digest != "" {
		alg = digest.Digest(r.Digest).Algorithm()
	}
	if !alg.Available() {
		return "", errs.Failf("", "%s: cannot check a digest of algorithm %s", s.action, alg)
	}
	d := alg.FromBytes(body).String()
	if r.Digest != "" && d != r.Digest {
		return "", errs.Failf("", "%s: the registry %s sent a manifest whose digest is %s", s.action, r.Host, d)
	}
	return d, nil
}

// registryMessage is the first error of a registry's JSON error body, as
// ": CODE: message", or "" when the body has none.
func registryMessage(body []byte) string {
	var e struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil || len(e.Errors) == 0 {
		return ""
	}
	msg := e.Errors[0].Code
	if m := e.Errors[0].Message; m != "" {
		msg += ": " + m
	}
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return ": " + msg
}

// registryCode is the code of the first error of a registry's JSON error body.
func registryCode(body []byte) string {
	var e struct {
		Errors []struct {
			Code string `json:"code"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil || len(e.Errors) == 0 {
		return ""
	}
	return e.Errors[0].Code
}
