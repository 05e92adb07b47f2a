package fake

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// Logs implements tui.Backend: a fixed history, then (with Follow and
// LogEvery) a line every LogEvery until ctx ends.
func (b *Backend) Logs(ctx context.Context, src tui.LogSource, q tui.LogQuery) (<-chan tui.LogLine, error) {
	b.mu.Lock()
	dockerDown := b.opts.DockerDown
	b.mu.Unlock()
	if src.Task == nil && dockerDown {
		return nil, fmt.Errorf("logs of %s: Docker is not reachable: %w", src.Service, tui.ErrUnavailable)
	}
	lines := history(src, b.opts.Now())
	if q.Tail > 0 && len(lines) > q.Tail {
		lines = lines[len(lines)-q.Tail:]
	}
	if q.Since > 0 {
		cut := b.opts.Now().Add(-q.Since)
		for len(lines) > 0 && !lines[0].Time.After(cut) {
			lines = lines[1:]
		}
	}
	ch := make(chan tui.LogLine, 64)
	go func() {
		defer close(ch)
		for _, l := range lines {
			select {
			case ch <- l:
			case <-ctx.Done():
				return
			}
		}
		if !q.Follow || b.opts.LogEvery <= 0 {
			if q.Follow {
				<-ctx.Done() // a followed stream stays open until cancelled
			}
			return
		}
		t := time.NewTicker(b.opts.LogEvery)
		defer t.Stop()
		for n := 1; ; n++ {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				select {
				case ch <- tui.LogLine{Time: now, Container: "airflow-scheduler", Text: fmt.Sprintf("INFO heartbeat %d", n)}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return ch, nil
}

func history(src tui.LogSource, now time.Time) []tui.LogLine {
	texts := []string{
		"INFO Starting the scheduler",
		"INFO Loaded 6 DAGs from /opt/airflow/dags",
		"WARNING DAG broken_dag failed to import",
		"ERROR ModuleNotFoundError: No module named 'sklearn'",
		"INFO Executor started: LocalExecutor",
		"INFO Sending TaskInstance(train_model.extract) to executor",
		"INFO TaskInstance(train_model.extract) finished: success",
		"\x1b[31mERROR\x1b[0m task train failed with exit code 1",
		"INFO Heartbeat ok",
		"INFO Marking run train_model success",
	}
	// A service's lines come from its containers, as the stack names them.
	containers := []string{"airflow-scheduler", "airflow-dag-processor", "airflow-scheduler", "airflow-dag-processor",
		"airflow-scheduler", "airflow-scheduler", "airflow-api-server", "airflow-scheduler", "airflow-api-server", "airflow-scheduler"}
	if src.Task != nil {
		containers = make([]string, 7)
		for i := range containers {
			containers[i] = src.Task.TaskID
		}
		texts = []string{
			"[task] Running " + src.Task.TaskID + " on host gaiaflow-worker",
			"[task] gaiaflow: mode=dev, func_path=demo.pipeline:" + src.Task.TaskID,
			"[task] loading data from s3://demo/raw",
			"[task] step 1/3 ok",
			"[task] step 2/3 ok",
			"[task] ERROR: step 3/3 raised ValueError('bad shape')",
			"[task] Task exited with return code 1",
		}
	}
	out := make([]tui.LogLine, len(texts))
	for i, t := range texts {
		out[i] = tui.LogLine{Time: now.Add(-time.Duration(len(texts)-i) * time.Minute), Container: containers[i], Text: t}
	}
	return out
}

// Do implements tui.Backend: it reports a few steps (with progress for
// starts), waits StepDelay per step, changes the fake world and signals.
func (b *Backend) Do(ctx context.Context, a tui.Action, r event.Reporter) error {
	b.mu.Lock()
	b.actions = append(b.actions, a)
	noisy := b.opts.Noisy
	b.mu.Unlock()
	if noisy {
		b.makeNoise(ctx)
	}
	wait := func() error {
		if b.opts.StepDelay <= 0 {
			return ctx.Err()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(b.opts.StepDelay):
			return nil
		}
	}
	report := func(e event.Event) { e.Time = b.opts.Now(); r.Report(e) }
	switch a.Verb {
	case tui.VerbStart, tui.VerbRestart, tui.VerbStartAll, tui.VerbRestartAll:
		for _, svc := range b.targets(a) {
			b.setProgress(svc, &tui.Progress{Phase: "pulling", Total: 100})
			for p := int64(0); p <= 100; p += 25 {
				report(event.Event{Kind: event.Progress, Scope: "stack", Service: svc, State: "pulling", Message: "pulling image", Current: p, Total: 100})
				b.setProgress(svc, &tui.Progress{Phase: "pulling", Current: p, Total: 100})
				if err := wait(); err != nil {
					b.setProgress(svc, nil)
					return fmt.Errorf("%s %s: %w", a.Verb, svc, err)
				}
			}
			b.setProgress(svc, nil)
			report(event.Event{Kind: event.Step, Scope: "stack", Service: svc, State: "starting", Message: "starting containers"})
			b.setState(svc, tui.StateHealthy)
			report(event.Event{Kind: event.Done, Scope: "stack", Service: svc, State: "healthy", Message: svc + " is healthy"})
		}
	case tui.VerbStop, tui.VerbStopAll, tui.VerbDeleteVolumes, tui.VerbCleanup:
		for _, svc := range b.targets(a) {
			report(event.Event{Kind: event.Step, Scope: "stack", Service: svc, Message: "stopping"})
			if err := wait(); err != nil {
				return fmt.Errorf("%s %s: %w", a.Verb, svc, err)
			}
			b.setState(svc, tui.StateStopped)
		}
	case tui.VerbTrigger, tui.VerbPause, tui.VerbUnpause:
		report(event.Event{Kind: event.Step, Scope: "dags", Message: string(a.Verb) + " " + a.Target})
		if err := wait(); err != nil {
			return err
		}
		if err := b.dagAction(a); err != nil {
			return err
		}
	case tui.VerbSetMode:
		if err := b.notReady(a.Target); err != nil {
			return err
		}
		report(event.Event{Kind: event.Step, Scope: "mode", Message: "setting mode " + a.Target})
		if err := wait(); err != nil {
			return err
		}
		b.Update(func(s *tui.Snapshot) {
			s.Mode = a.Target
			b.applyReadiness(s)
		})
	case tui.VerbBuildImage:
		return b.buildImage(ctx, a, wait, report)
	case tui.VerbStartCluster:
		return b.startCluster(wait, report)
	case tui.VerbDeleteCluster:
		return b.deleteCluster(wait, report)
	default:
		return fmt.Errorf("the fake backend cannot %s", a.Verb)
	}
	return nil
}

func (b *Backend) targets(a tui.Action) []string {
	if a.Target != "" {
		return []string{a.Target}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, s := range b.snap.Services {
		out = append(out, s.Name)
	}
	return out
}

func (b *Backend) setProgress(svc string, p *tui.Progress) {
	b.Update(func(s *tui.Snapshot) {
		for i := range s.Services {
			if s.Services[i].Name == svc {
				s.Services[i].Progress = p
			}
		}
	})
}

func (b *Backend) setState(svc string, st tui.State) {
	now := b.opts.Now()
	b.Update(func(s *tui.Snapshot) {
		for i := range s.Services {
			if s.Services[i].Name != svc {
				continue
			}
			for j := range s.Services[i].Containers {
				c := &s.Services[i].Containers[j]
				if c.OneShot {
					continue
				}
				c.State, c.ExitCode, c.OOMKilled = st, 0, false
				c.Started = time.Time{}
				if st == tui.StateHealthy {
					c.Started = now
				}
			}
		}
	})
}

func (b *Backend) dagAction(a tui.Action) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.airflowErr(); err != nil {
		return err
	}
	for i := range b.dags {
		d := &b.dags[i]
		if d.ID != a.Target {
			continue
		}
		switch a.Verb {
		case tui.VerbPause:
			d.Paused = true
		case tui.VerbUnpause:
			d.Paused = false
		case tui.VerbTrigger:
			now := b.opts.Now()
			run := tui.Run{DAGID: d.ID, RunID: "manual__" + now.UTC().Format("2006-01-02T15:04:05"), State: "queued", Type: "manual", LogicalDate: now}
			b.runs[d.ID] = append([]tui.Run{run}, b.runs[d.ID]...)
			d.LastRunState, d.LastRunStart = "queued", time.Time{}
		}
		return nil
	}
	return fmt.Errorf("DAG %q not found", a.Target)
}

// makeNoise writes to the process's stdout and stderr and starts a child
// that inherits them: what careless library code or a tool's subprocess does.
func (b *Backend) makeNoise(ctx context.Context) {
	fmt.Fprintln(os.Stdout, "FAKE-NOISE from the backend on stdout")
	fmt.Fprintln(os.Stderr, "FAKE-NOISE from the backend on stderr")
	cmd := exec.CommandContext(ctx, "sh", "-c", "echo FAKE-NOISE from a child process; echo FAKE-NOISE child stderr >&2")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	_ = cmd.Run()
}
