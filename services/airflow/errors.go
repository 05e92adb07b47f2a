package airflow

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sentinel errors. Test for them with errors.Is; the returned errors wrap them
// together with their cause.
var (
	// ErrUnreachable: no HTTP answer at all (connection refused, DNS failure,
	// no answer within the request timeout).
	ErrUnreachable = errors.New("airflow is unreachable")
	// ErrUnauthorized: Airflow rejected the credentials, or a fresh token.
	ErrUnauthorized = errors.New("airflow rejected the credentials")
	// ErrNotFound: the DAG, run, task instance or log does not exist.
	ErrNotFound = errors.New("not found in airflow")
	// ErrBadResponse: the server answered, but not with what Airflow 3
	// sends (malformed JSON, missing fields): likely another program on
	// that port, or an Airflow 2.
	ErrBadResponse = errors.New("unexpected response from airflow")
)

// APIError is an answer with an error status. Detail is FastAPI's `detail`:
// a message, or the validation errors of a 422 flattened to one line.
//
// errors.Is(err, ErrNotFound) holds for a 404 and errors.Is(err,
// ErrUnauthorized) for an authentication failure, so callers can test for the
// kind and still read the server's message with errors.As.
type APIError struct {
	Method string // of the request, e.g. "GET"
	Path   string // of the request, e.g. "/api/v2/dags/x"
	Status int
	Detail string
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Is makes errors.Is(err, ErrNotFound) and errors.Is(err, ErrUnauthorized)
// work on an *APIError.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrUnauthorized:
		return isAuthFailure(e.Status, e.Detail)
	}
	return false
}

// invalidJWTDetail is how Airflow 3 answers a token it cannot verify, for
// example one signed before the api-server restarted with another
// jwt_secret. It comes with 403, not 401 (api_fastapi/core_api/security.py),
// so a 403 is only an authentication failure when it says this; other 403s
// are a role lacking a permission and are not retried.
const invalidJWTDetail = "Invalid JWT token"

// isAuthFailure reports whether an answer means "your token is not good":
// expired or missing (401), or unverifiable (403 with invalidJWTDetail).
func isAuthFailure(status int, detail string) bool {
	return status == http.StatusUnauthorized ||
		(status == http.StatusForbidden && detail == invalidJWTDetail)
}

// newAPIError builds the error for a non-2xx answer.
func newAPIError(method, path string, status int, body []byte) *APIError {
	return &APIError{Method: method, Path: path, Status: status, Detail: parseDetail(body)}
}

// parseDetail extracts FastAPI's `detail` from an error body: a string as is,
// a list of validation errors as "loc: msg; loc: msg", anything else as
// compact JSON. A body that is not JSON at all (a proxy's HTML page) is cut
// to its first line.
func parseDetail(body []byte) string {
	var envelope struct {
		Detail json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(body, &envelope); err != nil || len(envelope.Detail) == 0 {
		return firstLine(string(body), 200)
	}
	var s string
	if json.Unmarshal(envelope.Detail, &s) == nil {
		return s
	}
	var items []struct {
		Loc  []any  `json:"loc"`
		Msg  string `json:"msg"`
		Type string `json:"type"`
	}
	if json.Unmarshal(envelope.Detail, &items) == nil {
		parts := make([]string, 0, len(items))
		for _, it := range items {
			loc := make([]string, 0, len(it.Loc))
			for _, l := range it.Loc {
				loc = append(loc, fmt.Sprint(l))
			}
			msg := it.Msg
			if msg == "" {
				msg = it.Type
			}
			if len(loc) > 0 {
				msg = strings.Join(loc, ".") + ": " + msg
			}
			parts = append(parts, msg)
		}
		return strings.Join(parts, "; ")
	}
	return string(envelope.Detail)
}

// firstLine returns the first non-empty line of s, at most max bytes long.
func firstLine(s string, max int) string {
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if len(line) > max {
			line = strings.ToValidUTF8(line[:max], "") + "…"
		}
		return line
	}
	return ""
}
