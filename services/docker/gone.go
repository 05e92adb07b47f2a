package docker

import (
	"context"
	"errors"
	"io"
	"strings"
	"syscall"

	"github.com/docker/docker/client"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// IsEngineGone reports whether err, the error of a call to the engine,
// means the engine did not answer — it is stopped, restarting or
// unreachable — rather than that it refused the request.
func IsEngineGone(err error) bool {
	if err == nil {
		return false
	}
	if client.IsErrConnectionFailed(err) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	// What the engine says, or the client, when the engine goes down under
	// a request: its containerd connection closing, the request cut off.
	msg := err.Error()
	for _, s := range []string{"transport is closing", "client connection is closing", "Cannot connect to the Docker daemon",
		"error during connect", "error reading from server: EOF"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// EngineHint is what to do when the engine went away.
const EngineHint = "once the engine answers again (`docker info`), run the command again"

// Gone names the engine as the cause of an error it caused by going away,
// so that a person does not read one of its internal messages (or a hint
// about their own input) as the reason. Other errors are left as they are.
func Gone(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || !IsEngineGone(err) {
		return err
	}
	var e *errs.Error
	if errors.As(err, &e) && e.Msg == "lost the Docker engine" {
		return err
	}
	return errs.Wrap(errs.Failure, err, EngineHint, "lost the Docker engine")
}
