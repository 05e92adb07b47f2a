package fake

import (
	"context"
	"fmt"

	"github.com/gaiaflow/gaiaflow/modes"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/ui/tui"
)

// The fake project's names, as the real checks would show them.
const (
	fakeImage   = "demo:0.1.0"
	fakeProfile = "gaiaflow-demo"
	fakeSecret  = "mlflow-creds"
	fakeState   = "/home/ada/.local/state/gaiaflow/projects/demo-3f9c2a1b"
)

// readiness is what the fake's checklists are computed from, and what its
// build and cluster actions change: the task images built, by target
// ("docker", "minikube"), and whether the fake Minikube cluster runs.
type readiness struct {
	built   map[string]bool
	cluster bool
}

// modes is every mode's checklist as the adapter shows the real one: the
// same IDs, names, fixes and remedies (see modes and the adapter's remedy).
func (w readiness) modes() []tui.ModeStatus {
	build := tui.Remedy{Verb: tui.VerbBuildImage}
	start := tui.Remedy{Verb: tui.VerbStartCluster}
	const startFix = "gaiaflow prod-local start"

	devDocker := tui.Check{ID: modes.IDTaskImage, Name: "task image", OK: true, Detail: fakeImage}
	if !w.built["docker"] {
		devDocker = tui.Check{ID: modes.IDTaskImage, Name: "task image", Detail: "no task image has been built for the local Docker engine",
			Fix: "build one with `gaiaflow dev dockerize`", Remedy: build}
	}

	prodLocal := []tui.Check{{ID: modes.IDMinikube, Name: "minikube", OK: true, Detail: "installed"}}
	if !w.cluster {
		const why = "the cluster is not running"
		prodLocal = append(prodLocal,
			tui.Check{ID: modes.IDCluster, Name: "cluster", Detail: "profile " + fakeProfile + " is Nonexistent", Fix: startFix, Remedy: start},
			tui.Check{ID: modes.IDAirflowKubeconfig, Name: "airflow kubeconfig", Detail: why, Fix: startFix, Remedy: start},
			tui.Check{ID: modes.IDClusterImage, Name: "task image in the cluster", Detail: why, Fix: startFix, Remedy: start},
			tui.Check{ID: modes.SecretID(fakeSecret), Name: "secret " + fakeSecret, Detail: why, Fix: startFix, Remedy: start},
		)
	} else {
		image := tui.Check{ID: modes.IDClusterImage, Name: "task image in the cluster", OK: true, Detail: fakeImage + " is in the cluster"}
		if !w.built["minikube"] {
			image = tui.Check{ID: modes.IDClusterImage, Name: "task image in the cluster", Detail: "no task image built for the cluster yet",
				Fix: "gaiaflow prod-local dockerize", Remedy: build}
		}
		prodLocal = append(prodLocal,
			tui.Check{ID: modes.IDCluster, Name: "cluster", OK: true, Detail: "profile " + fakeProfile + " is running Kubernetes v1.34.0"},
			tui.Check{ID: modes.IDAirflowKubeconfig, Name: "airflow kubeconfig", OK: true,
				Detail: fakeState + "/kubeconfig-airflow (API server https://192.168.58.2:8443 on network " + fakeProfile + ")"},
			image,
			tui.Check{ID: modes.SecretID(fakeSecret), Name: "secret " + fakeSecret, Detail: "named in train_model.py; missing in namespace default",
				Fix: "gaiaflow prod-local create-secret --name " + fakeSecret + " --from-env-file FILE", Remedy: tui.Remedy{Wizard: tui.WizardSecret}},
		)
	}

	setRegistry := `set registry = "registry.example.com/team" under [prod] in gaiaflow.toml`
	return []tui.ModeStatus{
		{Mode: "dev", Description: modes.Dev.Describe(), Checks: []tui.Check{}},
		{Mode: "dev_docker", Description: modes.DevDocker.Describe(), Checks: []tui.Check{devDocker}},
		{Mode: "prod_local", Description: modes.ProdLocal.Describe(), Checks: prodLocal},
		{Mode: "prod", Description: modes.Prod.Describe(), Checks: []tui.Check{
			{ID: modes.IDTaskImage, Name: "task image", Detail: "no registry to push the task image to", Fix: setRegistry},
			{ID: modes.IDTag, Name: "tag", Detail: "needs the task image", Fix: setRegistry},
			{ID: modes.IDPushed, Name: "pushed", Detail: "needs the task image", Fix: setRegistry},
			{ID: modes.IDProdContext, Name: "cluster context", Detail: "[prod] names no context",
				Fix: "set context (and kubeconfig, if not the default) under [prod] in gaiaflow.toml; `kubectl config get-contexts` lists them"},
			{ID: modes.IDNamespace, Name: "namespace default", Detail: "needs the context"},
			{ID: modes.SecretID(fakeSecret), Name: "secret " + fakeSecret, Detail: "needs the context"},
		}},
	}
}

// minikube is the header's Minikube item in mode prod_local.
func (w readiness) minikube() tui.Conn {
	if w.cluster {
		return tui.Conn{OK: true, Detail: "profile " + fakeProfile + " is running Kubernetes v1.34.0"}
	}
	return tui.Conn{Detail: "profile " + fakeProfile + " is Nonexistent; gaiaflow prod-local start"}
}

// changeReadiness changes the facts and redraws the checklists from them.
func (b *Backend) changeReadiness(f func(*readiness)) {
	b.mu.Lock()
	f(&b.ready)
	b.mu.Unlock()
	b.Update(func(s *tui.Snapshot) { b.applyReadiness(s) })
}

// applyReadiness puts the checklists and, in prod_local, the Minikube item
// into s; b.mu must be held.
func (b *Backend) applyReadiness(s *tui.Snapshot) {
	if !s.Project.Found {
		return
	}
	s.Modes = b.ready.modes()
	if s.Mode == "prod_local" {
		s.Minikube = b.ready.minikube()
	} else if !s.Minikube.Unknown {
		s.Minikube = tui.Conn{Unknown: true, Detail: "used in mode prod_local only"}
	}
}

// notReady refuses to switch to a mode whose checklist has a missing
// item, as `mode set` without --force does.
func (b *Backend) notReady(mode string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, ms := range b.snap.Modes {
		if ms.Mode != mode || ms.Ready() {
			continue
		}
		missing := 0
		for _, c := range ms.Checks {
			if !c.OK {
				missing++
			}
		}
		return fmt.Errorf("%s is not ready: %d of %d requirements are missing", mode, missing, len(ms.Checks))
	}
	return nil
}

// buildImage plays `dev dockerize` or, for prod_local, `prod-local
// dockerize`, which needs the cluster running, as the adapter picks them.
func (b *Backend) buildImage(ctx context.Context, a tui.Action, wait func() error, report func(event.Event)) error {
	b.mu.Lock()
	mode, running := b.snap.Mode, b.ready.cluster
	b.mu.Unlock()
	if a.Target != "" {
		mode = a.Target
	}
	target := "docker"
	if mode == "prod_local" {
		target = "minikube"
		if !running {
			return fmt.Errorf("the Minikube cluster %s is not running (Nonexistent)", fakeProfile)
		}
	}
	report(event.Event{Kind: event.Step, Scope: "build", State: "context", Message: "build context: 14 files, 18 KiB; Dockerfile generated by gaiaflow"})
	steps := []string{"FROM python:3.12-slim", "COPY requirements.txt /tmp/", "RUN pip install -r /tmp/requirements.txt", "COPY src/ /app/src/"}
	for i, st := range steps {
		report(event.Event{Kind: event.Step, Scope: "build", State: "step", Message: fmt.Sprintf("Step %d/%d : %s", i+1, len(steps), st),
			Current: int64(i + 1), Total: int64(len(steps))})
		if err := wait(); err != nil {
			return err
		}
	}
	report(event.Event{Kind: event.Done, Scope: "build", State: "built", Message: "built " + fakeImage})
	if target == "minikube" {
		report(event.Event{Kind: event.Step, Scope: "minikube", State: "loading", Message: "loading " + fakeImage + " into the cluster"})
		if err := wait(); err != nil {
			return err
		}
		report(event.Event{Kind: event.Done, Scope: "minikube", Message: fakeImage + " is in the cluster"})
	}
	b.changeReadiness(func(w *readiness) {
		if w.built == nil {
			w.built = map[string]bool{}
		}
		w.built[target] = true
	})
	return ctx.Err()
}

// startCluster plays `prod-local start`; deleteCluster `prod-local cleanup`,
// which takes the cluster's image with it.
func (b *Backend) startCluster(wait func() error, report func(event.Event)) error {
	b.mu.Lock()
	running := b.ready.cluster
	b.mu.Unlock()
	if running {
		report(event.Event{Kind: event.Step, Scope: "minikube", State: "running", Message: "cluster " + fakeProfile + " is already running"})
	} else {
		report(event.Event{Kind: event.Step, Scope: "minikube", State: "starting", Message: "starting cluster " + fakeProfile + " (driver docker, 4 CPUs, 4g memory)"})
		for _, l := range []string{"* Pulling base image ...", "* Creating docker container ...", "* Done! kubectl is now configured to use \"" + fakeProfile + "\""} {
			if err := wait(); err != nil {
				return err
			}
			report(event.Event{Kind: event.Log, Scope: "minikube", Message: l})
		}
	}
	b.changeReadiness(func(w *readiness) { w.cluster = true })
	report(event.Event{Kind: event.Done, Scope: "minikube", State: "configured",
		Message: "Airflow kubeconfig for " + fakeProfile + " written to " + fakeState + "/kubeconfig-airflow"})
	return nil
}

func (b *Backend) deleteCluster(wait func() error, report func(event.Event)) error {
	report(event.Event{Kind: event.Step, Scope: "minikube", State: "deleting", Message: "deleting cluster " + fakeProfile})
	if err := wait(); err != nil {
		return err
	}
	b.changeReadiness(func(w *readiness) {
		w.cluster = false
		delete(w.built, "minikube")
	})
	report(event.Event{Kind: event.Done, Scope: "minikube", State: "deleted", Message: "cluster " + fakeProfile + " cleaned up"})
	return nil
}
