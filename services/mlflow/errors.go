package mlflow

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sentinel errors; the returned errors wrap them with their cause.
var (
	// ErrUnreachable: no HTTP answer at all (connection refused, DNS, no
	// answer within the request's timeout).
	ErrUnreachable = errors.New("mlflow is unreachable")
	// ErrNotFound: the run or experiment does not exist.
	ErrNotFound = errors.New("not found in mlflow")
	// ErrBadResponse: an answer that is not MLflow's (not JSON, or not the
	// shape MLflow sends): likely another program on that port.
	ErrBadResponse = errors.New("unexpected response from mlflow")
	// ErrDenied: the server asks for credentials, or refuses them.
	ErrDenied = errors.New("mlflow refused the request")
)

// APIError is an answer with an error status: MLflow's error_code and
// message (RESOURCE_DOES_NOT_EXIST, INVALID_PARAMETER_VALUE, ...).
type APIError struct {
	Method  string
	Path    string
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		msg += ": " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Is makes errors.Is(err, ErrNotFound) and errors.Is(err, ErrDenied) hold
// for the answers that mean them.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound || e.Code == "RESOURCE_DOES_NOT_EXIST"
	case ErrDenied:
		return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
	}
	return false
}

// newAPIError reads MLflow's error body ({"error_code": ..., "message":
// ...}); another body (a proxy's page) gives its first line as the message.
func newAPIError(method, path string, status int, body []byte) *APIError {
	e := &APIError{Method: method, Path: path, Status: status}
	var m struct {
		Code    string `json:"error_code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &m) == nil && (m.Code != "" || m.Message != "") {
		e.Code, e.Message = m.Code, m.Message
		return e
	}
	for line := range strings.SplitSeq(string(body), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			if len(line) > 200 {
				line = strings.ToValidUTF8(line[:200], "") + "…"
			}
			e.Message = line
			break
		}
	}
	return e
}
