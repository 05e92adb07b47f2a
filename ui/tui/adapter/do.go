package adapter

import (
	"context"
	"errors"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/build"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/stack"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// Do implements tui.Backend. Each verb is the call the CLI's command makes:
// start, stop and restart are `gaiaflow dev start|stop|restart [-s SERVICE]`,
// delete-volumes `dev stop --volumes`, cleanup `dev cleanup --prune --yes`
// (the dashboard asks first), trigger, pause and unpause `gaiaflow dags ...`,
// set-mode `gaiaflow mode set` without --force, build-image `gaiaflow dev
// dockerize` or `prod-local dockerize` (see buildImage), start-cluster
// `prod-local start` and delete-cluster `prod-local cleanup --yes` (the
// dashboard asks first).
func (b *Backend) Do(ctx context.Context, a tui.Action, r event.Reporter) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch a.Verb {
	case tui.VerbStart, tui.VerbStop, tui.VerbRestart,
		tui.VerbStartAll, tui.VerbStopAll, tui.VerbRestartAll,
		tui.VerbDeleteVolumes, tui.VerbCleanup:
		return b.doStack(ctx, a, r)
	case tui.VerbTrigger, tui.VerbPause, tui.VerbUnpause:
		return b.doDAG(ctx, a, r)
	case tui.VerbSetMode:
		return b.setMode(ctx, a.Target, r)
	case tui.VerbBuildImage:
		return b.buildImage(ctx, a, r)
	case tui.VerbStartCluster, tui.VerbDeleteCluster:
		return b.doCluster(ctx, a, r)
	}
	return errs.NotAvailable(a.String() + " from the dashboard")
}

// buildImage builds the task image the mode named by the action's target
// runs (the project's mode when there is none): `prod-local dockerize` for
// prod_local, whose readiness looks for the image inside the cluster, and
// `dev dockerize` for every other mode, whose image lives on the local
// engine (dev_docker runs it; prod starts from it). The mode panel sends
// the mode it shows, so the key builds what that checklist asks for.
func (b *Backend) buildImage(ctx context.Context, a tui.Action, r event.Reporter) error {
	if b.Dockerize == nil {
		return unavailable(a.String(), errNoBuild)
	}
	p, err := b.open()
	if err != nil {
		return err
	}
	m := modes.Mode(p.Config.Mode)
	if a.Target != "" {
		if m, err = modes.Parse(a.Target); err != nil {
			return err
		}
	}
	target := build.TargetDocker
	if m == modes.ProdLocal {
		target = build.TargetMinikube
	}
	defer b.notify()
	return b.Dockerize(ctx, p, target, r)
}

// doCluster starts or deletes the project's Minikube profile.
func (b *Backend) doCluster(ctx context.Context, a tui.Action, r event.Reporter) error {
	do := b.StartCluster
	if a.Verb == tui.VerbDeleteCluster {
		do = b.DeleteCluster
	}
	if do == nil {
		return unavailable(a.String(), errNoCluster)
	}
	p, err := b.open()
	if err != nil {
		return err
	}
	// The header's Minikube item and the prod_local checklist change
	// without a Docker event: say so.
	defer b.notify()
	return do(ctx, p, r)
}

func (b *Backend) doStack(ctx context.Context, a tui.Action, r event.Reporter) error {
	if b.Stack == nil {
		return unavailable(a.String(), errNoStack)
	}
	p, err := b.open()
	if err != nil {
		return err
	}
	st, err := b.Stack(p, r)
	if err != nil {
		return err
	}
	var services []string
	if a.Target != "" {
		services = []string{a.Target}
	}
	switch a.Verb {
	case tui.VerbStart, tui.VerbStartAll:
		return st.Start(ctx, stack.StartOptions{Services: services})
	case tui.VerbStop, tui.VerbStopAll:
		return st.Stop(ctx, stack.StopOptions{Services: services})
	case tui.VerbRestart, tui.VerbRestartAll:
		return st.Restart(ctx, stack.StopOptions{Services: services}, stack.StartOptions{Services: services})
	case tui.VerbDeleteVolumes:
		return st.Stop(ctx, stack.StopOptions{Volumes: true})
	}
	cp, err := st.PlanCleanup(ctx, true)
	if err != nil {
		return err
	}
	if cp.Empty() {
		r.Report(event.Event{Kind: event.Done, Scope: "stack", Message: "nothing of project " + p.ID() + " to remove"})
		return nil
	}
	return st.Cleanup(ctx, cp)
}

func (b *Backend) doDAG(ctx context.Context, a tui.Action, r event.Reporter) error {
	c, err := b.client(ctx)
	if err != nil {
		return err
	}
	report := func(msg string) {
		r.Report(event.Event{Kind: event.Done, Scope: "airflow", Message: msg})
	}
	switch a.Verb {
	case tui.VerbTrigger:
		run, err := c.Trigger(ctx, a.Target, nil)
		if err != nil {
			return airflowErr("trigger "+a.Target, c, err)
		}
		report("triggered " + a.Target + ": run " + run.RunID + " is " + string(run.State))
	default:
		paused := a.Verb == tui.VerbPause
		if _, err := c.SetPaused(ctx, a.Target, paused); err != nil {
			return airflowErr(a.String(), c, err)
		}
		report(string(a.Verb) + "d " + a.Target)
	}
	return nil
}

// setMode is `gaiaflow mode set MODE`: refused while the mode lacks
// something (the mode panel lists what), then modes.Set with the CLI's
// switch, which brings a running stack over to the new mode.
func (b *Backend) setMode(ctx context.Context, target string, r event.Reporter) error {
	m, err := modes.Parse(target)
	if err != nil {
		return err
	}
	p, err := b.open()
	if err != nil {
		return err
	}
	reqs, err := modes.Check(ctx, p, m, b.Machine)
	if err != nil {
		return err
	}
	if !modes.AllReady(reqs) {
		return modes.NotReady(m, reqs, "fix the items the mode panel lists for "+string(m))
	}
	var sw modes.Switch
	if b.ModeSwitch != nil {
		sw, err = b.ModeSwitch(ctx, p, r)
	} else {
		sw.State, err = p.State()
	}
	if err != nil {
		return err
	}
	r.Report(event.Event{Kind: event.Step, Scope: "mode", Message: "setting mode " + string(m)})
	_, recreated, err := modes.Set(ctx, p, m, sw)
	b.notify()
	var se *stack.StartError
	if errors.As(err, &se) {
		return errs.Wrap(errs.Failure, err, se.Hint(), "mode set to %s, but Airflow did not come back with it", m)
	}
	if err != nil {
		return err
	}
	msg := m.Describe()
	if recreated {
		msg += "; Airflow was recreated with GAIAFLOW_MODE=" + string(m)
	}
	r.Report(event.Event{Kind: event.Done, Scope: "mode", Message: msg})
	return nil
}
