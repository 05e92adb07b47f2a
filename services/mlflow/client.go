package mlflow

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

// Config says where MLflow is.
type Config struct {
	// BaseURL is the tracking server's root, e.g. "http://127.0.0.1:5000".
	// A path prefix (MLflow behind a proxy, --static-prefix) is kept.
	BaseURL string
	// Username and Password, when set, are sent as HTTP basic auth (a
	// server started with --app-name basic-auth); Token, when set, as a
	// bearer token. The stack's MLflow needs neither.
	Username, Password, Token string
	// HTTPClient is optional; by default the client has its own pool.
	HTTPClient *http.Client
	// Timeout bounds each request (DefaultTimeout when zero).
	Timeout time.Duration
	// PageSize is how many experiments or runs one search request asks
	// for (DefaultPageSize when zero); tests make it small to page.
	PageSize int
}

// DefaultPageSize is how many experiments or runs one search asks for.
const DefaultPageSize = 1000

// Client calls MLflow's REST API. It is safe for concurrent use.
type Client struct {
	base    string
	cfg     Config
	http    *http.Client
	timeout time.Duration
	page    int
}

// New returns a client for the MLflow at cfg.BaseURL. It contacts nothing.
func New(cfg Config) (*Client, error) {
	base, err := httpapi.Base("mlflow", cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	hc := httpapi.Client(cfg.HTTPClient)
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	page := cfg.PageSize
	if page <= 0 {
		page = DefaultPageSize
	}
	return &Client{base: base, cfg: cfg, http: hc, timeout: timeout, page: page}, nil
}

// BaseURL is the tracking server's root the client talks to.
func (c *Client) BaseURL() string { return c.base }

const apiRoot = "/api/2.0/mlflow"

// get calls GET apiRoot+path with query and decodes the answer into out.
func (c *Client) get(ctx context.Context, path string, query url.Values, out any) error {
	return c.do(ctx, http.MethodGet, path, query, nil, out)
}

// post calls POST apiRoot+path with body as JSON and decodes into out.
func (c *Client) post(ctx context.Context, path string, body, out any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	return c.do(ctx, http.MethodPost, path, nil, data, out)
}

// timeoutError is the cause given to a request's own deadline.
type timeoutError struct{ after time.Duration }

func (e *timeoutError) Error() string { return fmt.Sprintf("no answer within %s", e.after) }

func (c *Client) do(ctx context.Context, method, path string, query url.Values, body []byte, out any) error {
	reqCtx, cancel := context.WithTimeoutCause(ctx, c.timeout, &timeoutError{c.timeout})
	defer cancel()
	target := c.base + apiRoot + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(reqCtx, method, target, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "gaiaflow")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case c.cfg.Token != "":
		req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	case c.cfg.Username != "":
		req.SetBasicAuth(c.cfg.Username, c.cfg.Password)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportError(ctx, reqCtx, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return c.transportError(ctx, reqCtx, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return newAPIError(method, apiRoot+path, resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%w: %s %s: %v", ErrBadResponse, method, apiRoot+path, err)
	}
	return nil
}

// transportError tells the caller's context ending (returned as is) from
// MLflow not answering (ErrUnreachable).
func (c *Client) transportError(ctx, reqCtx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	var te *timeoutError
	if cause := context.Cause(reqCtx); errors.As(cause, &te) {
		return fmt.Errorf("%w: %s: %w", ErrUnreachable, c.base, cause)
	}
	return fmt.Errorf("%w: %w", ErrUnreachable, err)
}
