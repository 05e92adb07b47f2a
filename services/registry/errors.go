// Package registry talks to container registries on the person's behalf:
// it finds their credentials where the docker CLI keeps them (config.json and
// credential helpers) and asks a registry's HTTP API v2 whether an image is
// there and under which digest. It never pulls, and it never sends
// credentials over plain HTTP except to a registry on this machine.
//
// It imports nothing of Docker: the engine adapter (services/docker) uses its
// credentials and errors to push through the engine.
package registry

import (
	"errors"
	"fmt"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// Why a registry could not confirm an image. Errors of this package and of
// the engine adapter wrap one of these; test them with errors.Is.
var (
	// ErrNotFound: the registry answered that the repository or the
	// manifest does not exist.
	ErrNotFound = errors.New("not in the registry")
	// ErrDenied: the registry wants credentials that were not given, or
	// refuses the ones that were.
	ErrDenied = errors.New("the registry refused the request")
)

// refusal is a registry's answer put in a person's words: its message is the
// whole line, and errors.Is still finds the sentinel it stands for.
type refusal struct {
	msg  string
	kind error
}

func (e *refusal) Error() string { return e.msg }
func (e *refusal) Unwrap() error { return e.kind }

// refused returns an error whose message is exactly the formatted line, that
// wraps kind (ErrNotFound or ErrDenied) and carries hint for the person.
func refused(kind error, hint, format string, args ...any) error {
	return &errs.Error{Kind: errs.Failure, Hint: hint, Err: &refusal{msg: fmt.Sprintf(format, args...), kind: kind}}
}

// DeniedCredentials is the one line for a registry that refused the
// credentials it was given (or wanted some and got none), shared by the API
// client and the engine's push so a person reads the same words for both.
func DeniedCredentials(action, host string, anonymous bool) error {
	if anonymous {
		return refused(ErrDenied, "docker login "+host,
			"%s: the registry %s wants credentials and none are configured for it", action, host)
	}
	return refused(ErrDenied, "docker login "+host+" (the stored credentials may be wrong or expired)",
		"%s: the registry refused the credentials for %s", action, host)
}
