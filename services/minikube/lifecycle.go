package minikube

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"time"

	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/services/project"
)

const scope = "minikube"

func step(rep event.Reporter, state, format string, args ...any) {
	rep.Report(event.Event{Kind: event.Step, Scope: scope, Service: scope, State: state, Message: fmt.Sprintf(format, args...)})
}

func done(rep event.Reporter, state, format string, args ...any) {
	rep.Report(event.Event{Kind: event.Done, Scope: scope, Service: scope, State: state, Message: fmt.Sprintf(format, args...)})
}

func warn(rep event.Reporter, format string, args ...any) {
	rep.Report(event.Event{Kind: event.Warn, Scope: scope, Service: scope, Message: fmt.Sprintf(format, args...)})
}

func logLines(rep event.Reporter) func(string) {
	return func(line string) {
		rep.Report(event.Event{Kind: event.Log, Scope: scope, Service: scope, Message: line})
	}
}

// StartOptions change how Start works.
type StartOptions struct {
	// ForceNew deletes the profile first, so the cluster starts from scratch.
	ForceNew bool
}

// Start starts the profile unless it runs already, then writes the Airflow
// kubeconfig and the Connection (see Configure).
func (c *Cluster) Start(ctx context.Context, st *project.State, opts StartOptions, rep event.Reporter) (Connection, error) {
	status, err := c.Status(ctx)
	if err != nil {
		return Connection{}, err
	}
	if opts.ForceNew && status.State != StateAbsent {
		if err := c.delete(ctx, rep); err != nil {
			return Connection{}, err
		}
		status.State = StateAbsent
	}
	if status.Running() {
		step(rep, "running", "cluster %s is already running", c.Profile)
	} else {
		step(rep, "starting", "starting cluster %s (driver %s, %d CPUs, %s memory)", c.Profile, c.Driver, c.CPUs, c.Memory)
		flags := []string{
			"--driver=" + c.Driver,
			"--cpus=" + strconv.Itoa(c.CPUs),
			"--memory=" + c.Memory,
			// Belt and braces beside KUBECONFIG: never switch anyone's
			// current context, and embed the certificates so the kubeconfig
			// in the state directory stands alone.
			"--keep-context",
			"--embed-certs",
		}
		res, err := c.run(ctx, []string{"start"}, flags, logLines(rep))
		if err != nil {
			return Connection{}, err
		}
		if res.ExitCode != 0 {
			return Connection{}, c.failed("start", res,
				"read minikube's message above; `minikube logs -p "+c.Profile+"` tells more, and `gaiaflow prod-local start --force-new` starts from scratch")
		}
	}
	return c.Configure(ctx, st, rep)
}

// Configure writes (or refreshes) what the stack needs to use the running
// cluster: the profile's context in the host kubeconfig (through `minikube
// update-context`), the Airflow kubeconfig with mode 0600, and the
// Connection record, all in the state directory. `create-config` is this.
func (c *Cluster) Configure(ctx context.Context, st *project.State, rep event.Reporter) (Connection, error) {
	status, err := c.Status(ctx)
	if err != nil {
		return Connection{}, err
	}
	if !status.Running() {
		return Connection{}, errs.Failf("start it with `gaiaflow prod-local start`",
			"cluster %s is %s; the kubeconfig can only be written for a running cluster", c.Profile, status.State)
	}
	prof, ok, err := c.Describe(ctx)
	if err != nil {
		return Connection{}, err
	}
	if !ok || prof.NodeIP == "" {
		return Connection{}, errs.Failf("run `minikube profile list` to see what minikube knows",
			"minikube reports no node address for profile %s", c.Profile)
	}
	step(rep, "configuring", "refreshing the context %s in %s", c.Profile, c.Kubeconfig)
	if err := c.UpdateContext(ctx); err != nil {
		return Connection{}, err
	}
	hostIP, err := c.HostIP(ctx)
	if err != nil {
		warn(rep, "could not read what %s resolves to in the cluster: %v", HostAlias, err)
	}
	data, err := AirflowKubeconfig(c.Kubeconfig, c.Profile, prof.APIServerURL())
	if err != nil {
		return Connection{}, errs.Wrap(errs.Failure, err, "run `gaiaflow prod-local create-config` again; if it persists, `gaiaflow prod-local restart`",
			"build the Airflow kubeconfig")
	}
	conn := Connection{
		Profile:           c.Profile,
		Context:           c.Profile,
		Network:           prof.Network,
		APIServer:         prof.APIServerURL(),
		Kubeconfig:        st.Path(AirflowKubeconfigFile),
		HostAlias:         HostAlias,
		HostIP:            hostIP,
		Namespace:         TaskNamespace,
		KubernetesVersion: prof.KubernetesVersion,
		UpdatedAt:         time.Now().UTC(),
	}
	unlock, err := st.Lock(ctx)
	if err != nil {
		return Connection{}, err
	}
	defer unlock()
	if err := project.WriteFileAtomic(conn.Kubeconfig, data, 0o600); err != nil {
		return Connection{}, err
	}
	// WriteFileAtomic keeps an existing file's mode; this file holds a client
	// key, so it is 0600 whatever happened to it before.
	if err := os.Chmod(conn.Kubeconfig, 0o600); err != nil {
		return Connection{}, fmt.Errorf("restrict %s: %w", conn.Kubeconfig, err)
	}
	if err := st.WriteJSON(ConnectionFile, conn, 0o600); err != nil {
		return Connection{}, err
	}
	done(rep, "configured", "Airflow kubeconfig for %s written to %s (API server %s on network %s)",
		c.Profile, conn.Kubeconfig, conn.APIServer, conn.Network)
	return conn, nil
}

// Stop stops the profile. A stopped or missing profile is not an error.
func (c *Cluster) Stop(ctx context.Context, rep event.Reporter) error {
	status, err := c.Status(ctx)
	if err != nil {
		return err
	}
	switch status.State {
	case StateAbsent:
		done(rep, "absent", "cluster %s does not exist; nothing to stop", c.Profile)
		return nil
	case StateStopped:
		done(rep, "stopped", "cluster %s is already stopped", c.Profile)
		return nil
	}
	step(rep, "stopping", "stopping cluster %s", c.Profile)
	res, err := c.run(ctx, []string{"stop"}, nil, logLines(rep))
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		return c.failed("stop", res, "`minikube logs -p "+c.Profile+"` tells more")
	}
	done(rep, "stopped", "cluster %s stopped", c.Profile)
	return nil
}

// Restart stops and starts the profile (deleting it in between with ForceNew).
func (c *Cluster) Restart(ctx context.Context, st *project.State, opts StartOptions, rep event.Reporter) (Connection, error) {
	if !opts.ForceNew {
		if err := c.Stop(ctx, rep); err != nil {
			return Connection{}, err
		}
	}
	return c.Start(ctx, st, opts, rep)
}

// DetachFunc disconnects the project's own containers from a docker
// network and returns their names. The local stack provides it.
type DetachFunc func(ctx context.Context, network string) ([]string, error)

// Cleanup detaches the stack's containers from the profile's network,
// deletes the profile, and removes the Airflow kubeconfig and Connection it
// leaves pointing at nothing. Nothing else is touched: the stack's
// containers, volumes and images stay.
func (c *Cluster) Cleanup(ctx context.Context, st *project.State, detach DetachFunc, rep event.Reporter) error {
	network := c.Profile
	prof, exists, err := c.Describe(ctx)
	if err != nil {
		return err
	}
	if exists {
		network = prof.Network
	} else if conn, ok, _ := ReadConnection(st); ok && conn.Network != "" {
		network = conn.Network
	}
	// A failed detach does not stop the cleanup: someone who wants the
	// cluster gone should not be held back by a Docker engine that is down
	// (and then has no stack attached anyway).
	if detach != nil {
		names, err := detach(ctx, network)
		if err != nil {
			warn(rep, "could not detach the stack from network %s: %v", network, err)
		}
		for _, n := range names {
			step(rep, "detached", "detached %s from network %s", n, network)
		}
	} else {
		warn(rep, "the stack was not detached from network %s", network)
	}
	if exists {
		if err := c.delete(ctx, rep); err != nil {
			return err
		}
	} else {
		step(rep, "absent", "cluster %s does not exist", c.Profile)
	}
	unlock, err := st.Lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	for _, f := range []string{AirflowKubeconfigFile, ConnectionFile} {
		if err := os.Remove(st.Path(f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", st.Path(f), err)
		}
	}
	done(rep, "deleted", "cluster %s cleaned up", c.Profile)
	return nil
}

func (c *Cluster) delete(ctx context.Context, rep event.Reporter) error {
	step(rep, "deleting", "deleting cluster %s", c.Profile)
	res, err := c.run(ctx, []string{"delete"}, nil, logLines(rep))
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		return c.failed("delete", res, "`minikube delete -p "+c.Profile+"` shows minikube's own message")
	}
	return nil
}
