package stack

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// progress records, in the state directory, what a running start is doing
// with each component (pulling, creating, starting), so that `dev status`
// in another terminal can say so for containers that do not exist yet.
type progress struct {
	st     *project.State
	mu     sync.Mutex
	phases map[string]string
}

const progressFile = "start-progress.json"

func newProgress(st *project.State) *progress {
	return &progress{st: st, phases: map[string]string{}}
}

func (p *progress) set(component, phase string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.phases[component] = phase
	_ = p.st.WriteJSON(progressFile, p.phases, 0o600)
}

func (p *progress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = os.Remove(p.st.Path(progressFile))
}

// readProgress returns the phases of a start that is still running, or nil.
// A start holds the project lock for its whole run: when the lock is free,
// any progress file is a leftover of a killed process.
func readProgress(ctx context.Context, st *project.State) map[string]string {
	quick, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if unlock, err := st.Lock(quick); err == nil {
		unlock()
		return nil
	}
	var phases map[string]string
	if ok, err := st.ReadJSON(progressFile, &phases); err != nil || !ok {
		return nil
	}
	return phases
}

// tailLogs returns the last n lines a container wrote, both streams.
func tailLogs(ctx context.Context, eng Engine, id string, n int) []string {
	var buf bytes.Buffer
	if err := eng.Logs(ctx, id, docker.LogOptions{Tail: strconv.Itoa(n)}, &buf, &buf); err != nil && buf.Len() == 0 {
		return nil
	}
	text := strings.TrimRight(buf.String(), "\n")
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}
