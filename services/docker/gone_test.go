package docker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

func TestGoneNamesTheEngine(t *testing.T) {
	for _, tc := range []struct {
		err  error
		gone bool
	}{
		{fmt.Errorf("create container x: %w", syscall.ECONNREFUSED), true},
		{errors.New("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"), true},
		{errors.New("image build failed at step 2/2: transport is closing: unavailable"), true},
		{errors.New("No such container: abc"), false},
		{errors.New("the step exited with code 1"), false},
		{context.Canceled, false},
		{nil, false},
	} {
		if got := IsEngineGone(tc.err); got != tc.gone {
			t.Errorf("IsEngineGone(%v) = %v", tc.err, got)
		}
		err := Gone(tc.err)
		if named := err != nil && strings.HasPrefix(err.Error(), "lost the Docker engine"); named != tc.gone {
			t.Errorf("Gone(%v) = %v", tc.err, err)
		}
		if tc.gone && errs.HintOf(err) != EngineHint {
			t.Errorf("Gone(%v) hint %q", tc.err, errs.HintOf(err))
		}
		if tc.gone && Gone(err) != err {
			t.Error("Gone wraps twice")
		}
	}
}
