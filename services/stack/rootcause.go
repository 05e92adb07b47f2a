package stack

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/event"
)

// A failed start names its root cause first: a dependency that stopped,
// was killed or turned unhealthy explains the failures of what needs it,
// whose own output (tracebacks of a lost database connection) is a
// consequence. What keeps failing is then left stopped, with the reason
// recorded for `dev status`, instead of restarting in a loop after
// gaiaflow has gone; the next start brings it back.

// depsOf returns n's dependencies, direct and indirect, deepest first.
func (r *runner) depsOf(n *Node) []*Node {
	var out []*Node
	seen := map[string]bool{}
	var walk func(*Node)
	walk = func(x *Node) {
		for _, d := range x.Deps {
			if seen[d.Component] {
				continue
			}
			seen[d.Component] = true
			if dn := r.plan.Node(d.Component); dn != nil {
				walk(dn)
				out = append(out, dn)
			}
		}
	}
	walk(n)
	return out
}

// brokenSince says how a component that became ready in this start
// stopped being so: "stopped" (it exited or was removed) or "is
// unhealthy"; "" while it is fine, and for one that never was ready.
func (r *runner) brokenSince(n *Node) string {
	res, ok := r.results[n.Component]
	if !ok || n.OneShot {
		return ""
	}
	select {
	case <-res.done:
	default:
		return ""
	}
	if res.err != nil || res.id == "" {
		return ""
	}
	s := r.tr.get(res.id)
	switch {
	case s.Dies > res.readyDies || s.Status == "removed" || s.Status == "exited":
		return "stopped"
	case s.Health == "unhealthy":
		return "is unhealthy"
	}
	return ""
}

// brokenDep is the deepest dependency of n that broke after it was ready.
func (r *runner) brokenDep(n *Node) *nodeError {
	for _, d := range r.depsOf(n) {
		if how := r.brokenSince(d); how != "" {
			return &nodeError{reason: "failed because " + d.Component + " " + how, because: d.Component}
		}
	}
	return nil
}

// outcome gathers the failures into a StartError, root causes first, with
// each failed container's state and last log lines, and leaves what keeps
// failing stopped.
func (r *runner) outcome(ctx context.Context, nodes []*Node) error {
	se := &StartError{}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	failed := map[string]*Failure{}
	slow := map[string]bool{} // out of time, but neither dead nor unhealthy
	se.EngineLost = r.tr.engineLost()
	for _, n := range nodes {
		res := r.results[n.Component]
		var ne *nodeError
		var sk *skipError
		// A node's own error (a wait that ended) says whether the engine
		// went away; any other is an engine call's, which may say so.
		if errors.As(res.err, &ne) {
			se.EngineLost = se.EngineLost || ne.lost
		} else if docker.IsEngineGone(res.err) {
			se.EngineLost = true
		}
		switch {
		case res.err == nil:
			how := r.brokenSince(n)
			if how == "" {
				continue
			}
			reason := "turned unhealthy after it was ready"
			if how == "stopped" {
				reason = exitReason(r.tr.get(res.id)) + " after it was ready"
			}
			f := r.failure(rctx, n, res.id, reason)
			failed[n.Component] = &f
		case errors.As(res.err, &ne):
			se.TimedOut = se.TimedOut || ne.timedOut
			f := r.failure(rctx, n, res.id, ne.reason)
			f.Because = ne.because
			failed[n.Component] = &f
			if ne.timedOut && r.tr.get(res.id).Dies == 0 && f.Health != "unhealthy" {
				slow[n.Component] = true
			}
		case errors.As(res.err, &sk):
			se.Skipped = append(se.Skipped, n.Component)
		default:
			failed[n.Component] = &Failure{Service: n.Service, Component: n.Component,
				Container: n.Spec.Name, Reason: res.err.Error()}
		}
	}
	if len(failed) == 0 && len(se.Skipped) == 0 {
		r.forget(nodes, nil)
		r.s.report(event.Event{Kind: event.Done, Message: "the stack is ready"})
		return nil
	}
	if !se.EngineLost && r.stoppedBySignal(failed) {
		se.EngineLost = r.engineGoesAway(rctx)
	}
	// A failure with a failed dependency failed because of it, whatever
	// its own output says: name the deepest one.
	for _, n := range nodes {
		f := failed[n.Component]
		if f == nil {
			continue
		}
		for _, d := range r.depsOf(n) {
			if df := failed[d.Component]; df != nil && df.Because == "" {
				how := "stopped"
				if df.State == "running" && df.Health == "unhealthy" {
					how = "is unhealthy"
				}
				f.Because, f.Reason = d.Component, "failed because "+d.Component+" "+how
				break
			}
		}
	}
	for _, roots := range []bool{true, false} {
		for _, n := range nodes {
			if f := failed[n.Component]; f != nil && (f.Because == "") == roots {
				se.Failures = append(se.Failures, *f)
			}
		}
	}
	if se.EngineLost {
		// Nothing failed of itself: the engine stopped what ran, and
		// starts again what its restart policy says once it is back.
		r.s.report(event.Event{Kind: event.Done, Message: "the stack did not start", Err: se.Error()})
		return se
	}
	r.leaveStopped(rctx, se, slow)
	r.forget(nodes, se.Failures)
	r.s.report(event.Event{Kind: event.Done, Message: "the stack did not start", Err: se.Error()})
	return se
}

func (r *runner) failure(ctx context.Context, n *Node, id, reason string) Failure {
	f := Failure{Service: n.Service, Component: n.Component, Container: n.Spec.Name, Reason: reason}
	if id == "" {
		return f
	}
	if info, err := r.s.eng.InspectContainer(ctx, id); err == nil {
		f.State, f.Health, f.ExitCode, f.RestartCount = info.Status, info.Health, info.ExitCode, info.RestartCount
		f.OOMKilled = info.OOMKilled
	}
	// A container that died and was restarted by its restart policy shows
	// the new run's state; the exit seen in the event stream is the one.
	if ts := r.tr.get(id); ts.Dies > 0 {
		f.ExitCode = ts.ExitCode
		f.OOMKilled = f.OOMKilled || ts.OOM
	}
	f.Logs = tailLogs(ctx, r.s.eng, id, 20)
	return f
}

// leaveStopped stops the failed containers that would otherwise go on
// failing after gaiaflow exits — those that died, that fail because of
// another, that are unhealthy — and marks them so. A container that was
// only slow keeps running: it may yet come up. One-shot containers are
// never restarted by the engine.
func (r *runner) leaveStopped(ctx context.Context, se *StartError, slow map[string]bool) {
	var wg sync.WaitGroup
	for i := range se.Failures {
		f := &se.Failures[i]
		n := r.plan.Node(f.Component)
		id := r.results[f.Component].id
		if n == nil || n.OneShot || id == "" || slow[f.Component] {
			continue
		}
		f.Stopped = true
		if f.State != "running" && f.State != "restarting" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.s.eng.StopContainer(ctx, id, r.s.o.StopTimeout); err != nil && !docker.IsNotFound(err) {
				f.Stopped = false
				r.s.warn(f.Service, "could not stop "+f.Component+": "+err.Error())
			}
		}()
	}
	wg.Wait()
	var stopped []string
	for _, f := range se.Failures {
		if f.Stopped {
			stopped = append(stopped, f.Component)
		}
	}
	if len(stopped) > 0 {
		r.s.step("", "", "stopped", "left stopped so that nothing restarts in a loop: "+strings.Join(stopped, ", ")+
			" (`gaiaflow dev logs` keeps their output; `gaiaflow dev start` starts them again)")
	}
}

// forget drops what earlier runs recorded for the nodes of this start and
// records this start's failures, for `dev status`.
func (r *runner) forget(nodes []*Node, failures []Failure) {
	r.s.recordStops(func(m map[string]stopRecord) {
		for id, rec := range m {
			if slices.ContainsFunc(nodes, func(n *Node) bool { return n.Component == rec.Component }) {
				delete(m, id)
			}
		}
		now := r.s.o.Now()
		for _, f := range failures {
			id := r.results[f.Component].id
			if id == "" || !f.Stopped {
				continue
			}
			m[id] = stopRecord{Component: f.Component, Failed: true, Reason: f.Reason, ExitCode: f.ExitCode, At: now}
		}
	})
}

// stoppedBySignal reports whether a failed container was stopped — exit
// code 0 or that of SIGINT or SIGTERM — rather than crashed or killed:
// what a stopping engine does to every container it runs.
func (r *runner) stoppedBySignal(failed map[string]*Failure) bool {
	for comp := range failed {
		res := r.results[comp]
		if res == nil || res.id == "" {
			continue
		}
		if s := r.tr.get(res.id); s.Status == "exited" && !s.OOM && stopCode(s.ExitCode) {
			return true
		}
	}
	return false
}

// engineGoesAway tells a stopping engine from a person's `docker stop`: a
// stopping engine closes its API and, once it has stopped its containers,
// the event stream. It waits for either, a while: an engine stops its
// containers within their stop timeout.
func (r *runner) engineGoesAway(ctx context.Context) bool {
	deadline := time.After(20 * time.Second)
	for {
		if r.tr.engineLost() {
			return true
		}
		if _, err := r.s.eng.Info(ctx); docker.IsEngineGone(err) {
			return true
		}
		select {
		case <-r.tr.changes():
		case <-time.After(time.Second):
		case <-deadline:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// stopCode reports whether an exit code is what a stop leaves: 0, or 128
// plus SIGINT or SIGTERM.
func stopCode(code int) bool { return code == 0 || code == 130 || code == 143 }
