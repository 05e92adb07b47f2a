package airflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/gaiaflow/gaiaflow/services/httpapi"
)

// DefaultTimeout bounds one HTTP request when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Config says where Airflow is and how to log in.
type Config struct {
	// BaseURL is the api-server's root, e.g. "http://127.0.0.1:8080". A path
	// prefix (Airflow behind a proxy) is kept.
	BaseURL string
	// Username and Password are sent to POST /auth/token. With an empty
	// Username the client asks GET /auth/token instead, which the simple
	// auth manager answers when simple_auth_manager_all_admins is on.
	Username string
	Password string
	// HTTPClient is optional; by default the client has its own pool of
	// connections, reused across calls.
	HTTPClient *http.Client
	// Timeout bounds each HTTP request (DefaultTimeout when zero). The
	// caller's context bounds the whole call, retries included.
	Timeout time.Duration
}

// Client calls the Airflow 3 REST API. It is safe for concurrent use.
type Client struct {
	base     string
	username string
	password string
	http     *http.Client
	timeout  time.Duration

	// tokenSem is a one-slot semaphore guarding token: whoever holds it may
	// read, fetch and replace the token. A channel rather than a mutex so
	// that a caller whose context ends stops waiting.
	tokenSem chan struct{}
	token    string
}

// New returns a client for the Airflow at cfg.BaseURL. It does not contact
// the server: the first call that needs a token fetches it.
func New(cfg Config) (*Client, error) {
	base, err := httpapi.Base("airflow", cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	hc := httpapi.Client(cfg.HTTPClient)
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Client{
		base:     base,
		username: cfg.Username,
		password: cfg.Password,
		http:     hc,
		timeout:  timeout,
		tokenSem: make(chan struct{}, 1),
	}, nil
}

// BaseURL returns the api-server's root the client talks to.
func (c *Client) BaseURL() string { return c.base }

// request is one API call.
type request struct {
	method string
	path   string // from the server's root, e.g. "/api/v2/dags"
	query  url.Values
	body   []byte // JSON; nil for none
	auth   bool   // send a bearer token, renewing it once if rejected
}

// call performs r and returns the body of a 2xx answer. With r.auth, a
// rejected token is renewed once and the request retried; a second rejection
// is returned as the *APIError (which errors.Is ErrUnauthorized).
func (c *Client) call(ctx context.Context, r request) ([]byte, error) {
	stale := ""
	for attempt := 0; ; attempt++ {
		token := ""
		if r.auth {
			t, err := c.bearer(ctx, stale)
			if err != nil {
				return nil, err
			}
			token = t
		}
		status, body, err := c.send(ctx, r, token)
		if err != nil {
			return nil, err
		}
		if status >= 200 && status < 300 {
			return body, nil
		}
		apiErr := newAPIError(r.method, r.path, status, body)
		if r.auth && attempt == 0 && isAuthFailure(status, apiErr.Detail) {
			stale = token
			continue
		}
		return nil, apiErr
	}
}

// timeoutError is the cause given to a request's own deadline, so that it
// can be told apart from the caller's.
type timeoutError struct{ after time.Duration }

func (e *timeoutError) Error() string { return fmt.Sprintf("no answer within %s", e.after) }

// send does one HTTP exchange and reads the whole answer.
func (c *Client) send(ctx context.Context, r request, token string) (int, []byte, error) {
	reqCtx, cancel := context.WithTimeoutCause(ctx, c.timeout, &timeoutError{c.timeout})
	defer cancel()

	target := c.base + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(reqCtx, r.method, target, body)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "gaiaflow")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}

	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, c.transportError(ctx, reqCtx, r, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, c.transportError(ctx, reqCtx, r, err)
	}
	return resp.StatusCode, data, nil
}

// transportError classifies a failure to get an answer: the caller's context
// ending is returned as the context's error; everything else (refused,
// DNS, reset, the request's own timeout) is ErrUnreachable.
func (c *Client) transportError(ctx, reqCtx context.Context, r request, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s %s: %w", r.method, r.path, ctxErr)
	}
	var te *timeoutError
	if cause := context.Cause(reqCtx); errors.As(cause, &te) {
		return fmt.Errorf("%w: %s %s%s: %w", ErrUnreachable, r.method, c.base, r.path, cause)
	}
	// *url.Error already names the method and the URL.
	return fmt.Errorf("%w: %w", ErrUnreachable, err)
}

// bearer returns the token to send. stale is a token the server just
// rejected: if the cached token is still that one, a new one is fetched;
// if another call already replaced it, the replacement is used.
func (c *Client) bearer(ctx context.Context, stale string) (string, error) {
	select {
	case c.tokenSem <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("get a token: %w", ctx.Err())
	}
	defer func() { <-c.tokenSem }()

	if c.token != "" && c.token != stale {
		return c.token, nil
	}
	c.token = ""
	tok, err := c.login(ctx)
	if err != nil {
		return "", err
	}
	c.token = tok
	return tok, nil
}

// login gets a new JWT from /auth/token.
func (c *Client) login(ctx context.Context) (string, error) {
	r := request{method: http.MethodGet, path: "/auth/token"}
	if c.username != "" {
		body, err := json.Marshal(map[string]string{"username": c.username, "password": c.password})
		if err != nil {
			return "", fmt.Errorf("get a token: %w", err)
		}
		r = request{method: http.MethodPost, path: "/auth/token", body: body}
	}
	status, body, err := c.send(ctx, r, "")
	if err != nil {
		return "", fmt.Errorf("get a token: %w", err)
	}
	if status < 200 || status >= 300 {
		apiErr := newAPIError(r.method, r.path, status, body)
		if status == http.StatusUnauthorized || status == http.StatusForbidden {
			return "", fmt.Errorf("get a token: %w: %w", ErrUnauthorized, apiErr)
		}
		return "", fmt.Errorf("get a token: %w", apiErr)
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := decode(r, body, &out); err != nil {
		return "", fmt.Errorf("get a token: %w", err)
	}
	if out.AccessToken == "" {
		return "", fmt.Errorf("get a token: %w: %s %s: no access_token in the answer", ErrBadResponse, r.method, r.path)
	}
	return out.AccessToken, nil
}

// getJSON performs an authenticated GET and decodes the JSON answer into out.
func (c *Client) getJSON(ctx context.Context, path string, query url.Values, out any) error {
	r := request{method: http.MethodGet, path: path, query: query, auth: true}
	body, err := c.call(ctx, r)
	if err != nil {
		return err
	}
	return decode(r, body, out)
}

// sendJSON performs an authenticated request with a JSON body and decodes
// the JSON answer into out.
func (c *Client) sendJSON(ctx context.Context, method, path string, query url.Values, in, out any) error {
	payload, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("%s %s: encode the body: %w", method, path, err)
	}
	r := request{method: method, path: path, query: query, body: payload, auth: true}
	body, err := c.call(ctx, r)
	if err != nil {
		return err
	}
	return decode(r, body, out)
}

// decode parses a 2xx body, blaming the server when it is not JSON.
func decode(r request, body []byte, out any) error {
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%w: %s %s: %w", ErrBadResponse, r.method, r.path, err)
	}
	return nil
}

// dagPath is the API path of one DAG. "~" (all DAGs) survives escaping.
func dagPath(dagID string) string {
	return "/api/v2/dags/" + url.PathEscape(dagID)
}

// runPath is the API path of one DAG run. Run ids such as
// "manual__2026-01-02T03:04:05+00:00" keep their ':' and '+', which
// Airflow's router reads back literally.
func runPath(dagID, runID string) string {
	return dagPath(dagID) + "/dagRuns/" + url.PathEscape(runID)
}
