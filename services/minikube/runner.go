package minikube

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// Invocation is one run of the minikube executable.
type Invocation struct {
	Args []string
	// Env holds KEY=VALUE pairs set on top of the runner's base environment.
	Env []string
	// Lines, when set, receives each line of output (stdout and stderr) as
	// it comes; Result still holds all of it.
	Lines func(line string)
}

// Result is what a run printed and how it exited. A non-zero ExitCode is not
// an error: `minikube status` encodes the cluster's state in it.
type Result struct {
	Stdout, Stderr []byte
	ExitCode       int
}

// Runner runs the minikube executable. It returns an error only when the
// program could not be run at all or ctx ended; tests use a stand-in
// executable on PATH or a fake Runner.
type Runner interface {
	Run(ctx context.Context, inv Invocation) (Result, error)
}

// ErrNotInstalled means no minikube executable was found on PATH.
var ErrNotInstalled = errors.New("minikube is not installed")

// InstallHint says how to get minikube; printed wherever it is missing.
const InstallHint = "install minikube (https://minikube.sigs.k8s.io/docs/start/) and make sure `minikube` is on your PATH"

// Find returns the path of the minikube executable on the PATH that getenv
// reports.
func Find(getenv func(string) string) (string, error) {
	names := []string{"minikube"}
	if runtime.GOOS == "windows" {
		names = []string{"minikube.exe", "minikube"}
	}
	for _, dir := range filepath.SplitList(getenv("PATH")) {
		if dir == "" {
			continue
		}
		for _, n := range names {
			p := filepath.Join(dir, n)
			st, err := os.Stat(p)
			if err != nil || !st.Mode().IsRegular() {
				continue
			}
			if runtime.GOOS != "windows" && st.Mode().Perm()&0o111 == 0 {
				continue
			}
			return p, nil
		}
	}
	return "", errs.Wrap(errs.Failure, ErrNotInstalled, InstallHint, "no `minikube` executable on PATH")
}

// ExecRunner runs a minikube executable as a child process.
type ExecRunner struct {
	Path string
	// Env is the base environment of every run (os.Environ() in production).
	Env []string
}

// NewExecRunner finds minikube on PATH and returns a runner for it.
func NewExecRunner(getenv func(string) string, env []string) (*ExecRunner, error) {
	p, err := Find(getenv)
	if err != nil {
		return nil, err
	}
	return &ExecRunner{Path: p, Env: env}, nil
}

// Run implements Runner.
func (r *ExecRunner) Run(ctx context.Context, inv Invocation) (Result, error) {
	cmd := exec.CommandContext(ctx, r.Path, inv.Args...)
	// Later entries win for duplicate keys (os/exec), so Env overrides the base.
	cmd.Env = append(append([]string{}, r.Env...), inv.Env...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if inv.Lines != nil {
		lw := &lineWriter{fn: inv.Lines}
		cmd.Stdout = io.MultiWriter(&stdout, lw.stream())
		cmd.Stderr = io.MultiWriter(&stderr, lw.stream())
		defer lw.flush()
	}
	err := cmd.Run()
	res := Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.ExitCode = exit.ExitCode()
		return res, nil
	case errors.Is(err, fs.ErrNotExist):
		return res, errs.Wrap(errs.Failure, ErrNotInstalled, InstallHint, "run %s", r.Path)
	case err != nil:
		return res, fmt.Errorf("run %s: %w", r.Path, err)
	}
	return res, nil
}

// lineWriter cuts output into lines for Invocation.Lines. stdout and stderr
// are written from two goroutines, so each stream keeps its own partial line
// and calls are serialised.
type lineWriter struct {
	mu      sync.Mutex
	fn      func(string)
	streams []*lineStream
}

type lineStream struct {
	w   *lineWriter
	buf []byte
}

func (l *lineWriter) stream() io.Writer {
	s := &lineStream{w: l}
	l.mu.Lock()
	l.streams = append(l.streams, s)
	l.mu.Unlock()
	return s
}

func (s *lineStream) Write(p []byte) (int, error) {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	s.buf = append(s.buf, p...)
	for {
		i := bytes.IndexByte(s.buf, '\n')
		if i < 0 {
			break
		}
		s.w.fn(string(bytes.TrimRight(s.buf[:i], "\r")))
		s.buf = s.buf[i+1:]
	}
	return len(p), nil
}

func (l *lineWriter) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.streams {
		if len(s.buf) > 0 {
			l.fn(string(s.buf))
			s.buf = nil
		}
	}
}
