// Package httpapi holds what gaiaflow's HTTP API clients (services/airflow,
// services/mlflow) share when they are built: the check of a base URL and
// an HTTP client with a connection pool of its own.
package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Base checks the base URL of what's API (http or https, with a host) and
// returns it without a trailing slash; a path prefix (a proxy's) is kept.
func Base(what, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%s base URL %q: %w", what, raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s base URL %q: want http://host:port or https://host:port", what, raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// Client returns hc, or when it is nil a client with a transport of its
// own, so that its pool is the caller's and tuning it never touches
// http.DefaultTransport.
func Client(hc *http.Client) *http.Client {
	if hc != nil {
		return hc
	}
	var rt http.RoundTripper = http.DefaultTransport
	if t, ok := rt.(*http.Transport); ok {
		rt = t.Clone()
	}
	return &http.Client{Transport: rt}
}
