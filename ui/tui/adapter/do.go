package adapter

import (
	"context"
	"errors"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/core"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/stack"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// Do implements tui.Backend. Each verb is the core's use case that the
// CLI's command calls: start, stop and restart are `gaiaflow dev
// start|stop|restart [-s SERVICE]`, delete-volumes `dev stop --volumes`,
// cleanup `dev cleanup --prune --yes` (the dashboard asks first), trigger,
// pause and unpause `gaiaflow dags ...`, set-mode `gaiaflow mode set`
// without --force, build-image `gaiaflow dev dockerize` or `prod-local
// dockerize` for the mode the action names, start-cluster `prod-local
// start` and delete-cluster `prod-local cleanup --yes` (the dashboard asks
// first).
func (b *Backend) Do(ctx context.Context, a tui.Action, r event.Reporter) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch a.Verb {
	case tui.VerbStart, tui.VerbStop, tui.VerbRestart,
		tui.VerbStartAll, tui.VerbStopAll, tui.VerbRestartAll,
		tui.VerbDeleteVolumes, tui.VerbCleanup:
		return b.doStack(ctx, a, r)
	case tui.VerbTrigger:
		_, err := b.Core.Trigger(ctx, a.Target, core.TriggerOptions{}, r)
		return faceErr(a.String(), err)
	case tui.VerbPause, tui.VerbUnpause:
		if _, err := b.Core.SetPaused(ctx, a.Target, a.Verb == tui.VerbPause); err != nil {
			return faceErr(a.String(), err)
		}
		r.Report(event.Event{Kind: event.Done, Scope: "dags", Message: string(a.Verb) + "d " + a.Target})
		return nil
	case tui.VerbSetMode:
		return b.setMode(ctx, a.Target, r)
	case tui.VerbBuildImage:
		// The mode panel sends the mode it shows, so the key builds what
		// that checklist asks for; none is the project's mode.
		defer b.notify()
		_, err := b.Core.DockerizeForMode(ctx, modes.Mode(a.Target), r)
		return err
	case tui.VerbStartCluster:
		// The header's Minikube item and the prod_local checklist change
		// without a Docker event: say so.
		defer b.notify()
		_, err := b.Core.StartCluster(ctx, core.ClusterStartOptions{}, r)
		return err
	case tui.VerbDeleteCluster:
		defer b.notify()
		return b.Core.DeleteCluster(ctx, r)
	}
	return errs.NotAvailable(a.String() + " from the dashboard")
}

func (b *Backend) doStack(ctx context.Context, a tui.Action, r event.Reporter) error {
	var services []string
	if a.Target != "" {
		services = []string{a.Target}
	}
	switch a.Verb {
	case tui.VerbStart, tui.VerbStartAll:
		return b.Core.Start(ctx, core.StartOptions{Services: services, Wait: stack.DefaultWait}, r)
	case tui.VerbStop, tui.VerbStopAll:
		return b.Core.Stop(ctx, core.StopOptions{Services: services}, r)
	case tui.VerbRestart, tui.VerbRestartAll:
		return b.Core.Restart(ctx, core.StopOptions{Services: services}, core.StartOptions{Services: services, Wait: stack.DefaultWait}, r)
	case tui.VerbDeleteVolumes:
		return b.Core.Stop(ctx, core.StopOptions{Volumes: true}, r)
	}
	cp, err := b.Core.PlanCleanup(ctx, true)
	if err != nil {
		return err
	}
	return b.Core.Cleanup(ctx, cp, r)
}

// setMode is `gaiaflow mode set MODE` without --force: refused while the
// mode lacks something (the mode panel lists what), then the core brings a
// running stack over to the new mode.
func (b *Backend) setMode(ctx context.Context, target string, r event.Reporter) error {
	m, err := modes.Parse(target)
	if err != nil {
		return err
	}
	_, err = b.Core.SetMode(ctx, m, core.SetModeOptions{}, r)
	b.notify()
	var nr *core.NotReadyError
	if errors.As(err, &nr) {
		return errs.Wrap(errs.Failure, err, "fix the items the mode panel lists for "+string(m), "")
	}
	return err
}
