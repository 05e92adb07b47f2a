// Package errs holds the error type that carries what a person needs when an
// action fails: whether it was their input or the world, and what to do next.
//
// Services return these (or wrap them with %w); ui/cli turns them into the
// one-line message, the hint line and the exit code in one place.
package errs

import (
	"errors"
	"fmt"
)

// Kind says who has to act: the user fixing their input, or anyone retrying
// after the world changed.
type Kind int

const (
	// Failure is an action that could not be completed (exit code 1).
	Failure Kind = iota
	// Usage is bad usage or bad input: a flag, an argument, a settings file (exit code 2).
	Usage
)

// Error is an error with a kind and an optional hint line.
type Error struct {
	Kind Kind
	Msg  string // what failed and why, one line
	Hint string // what to do about it, one line; may be empty
	Err  error  // the cause, if any
}

func (e *Error) Error() string {
	if e.Err != nil && e.Msg != "" {
		return e.Msg + ": " + e.Err.Error()
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Usagef returns a bad-input error with a hint.
func Usagef(hint, format string, args ...any) error {
	return &Error{Kind: Usage, Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// Failf returns a failure with a hint.
func Failf(hint, format string, args ...any) error {
	return &Error{Kind: Failure, Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// Wrap gives err a kind, a message prefix and a hint, keeping it inspectable
// with errors.Is and errors.As.
func Wrap(kind Kind, err error, hint, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...), Hint: hint, Err: err}
}

// NotAvailable is the error of a command whose capability has not landed yet.
func NotAvailable(what string) error {
	return &Error{Kind: Failure, Msg: what + " is not available yet in this version of gaiaflow",
		Hint: "see README.md for what works today"}
}

// KindOf returns the kind of the outermost *Error in err's chain, or Failure.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Failure
}

// HintOf returns the first non-empty hint in err's chain: an *Error's, or
// that of an error that works its hint out itself (a Hint method).
func HintOf(err error) string {
	for err != nil {
		if e, ok := err.(*Error); ok && e.Hint != "" {
			return e.Hint
		}
		if h, ok := err.(interface{ Hint() string }); ok && h.Hint() != "" {
			return h.Hint()
		}
		err = errors.Unwrap(err)
	}
	return ""
}
