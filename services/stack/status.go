package stack

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// StatusView is the state of a project's stack, per service and container.
type StatusView struct {
	Project string `json:"project"`
	ID      string `json:"id"`
	Mode    string `json:"mode"`
	Network string `json:"network"`
	// Credentials is where the generated passwords and tokens are; they
	// are never printed.
	Credentials string          `json:"credentials_file"`
	Services    []ServiceStatus `json:"services"`
}

// ServiceStatus is one service: its overall state, where to open it and its containers.
type ServiceStatus struct {
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
	State   string `json:"state"` // healthy, starting, unhealthy, stopped, partial, not created, disabled (Summarize)
	// Culprit is the container that makes the service not healthy, when one does.
	Culprit string `json:"culprit,omitempty"`
	// Reason is why the culprit is not healthy, in words.
	Reason     string            `json:"reason,omitempty"`
	URLs       []URL             `json:"urls,omitempty"`
	Containers []ContainerStatus `json:"containers"`
}

// ContainerStatus is one container of a service.
type ContainerStatus struct {
	Component string `json:"component"`
	Name      string `json:"name"`
	// State is pulling, creating, starting, healthy, unhealthy, running,
	// completed (a one-shot that succeeded), exited, stopped, restarting,
	// created or not created.
	State     string     `json:"state"`
	ExitCode  *int       `json:"exit_code,omitempty"`
	Detail    string     `json:"detail,omitempty"`
	Image     string     `json:"image,omitempty"`
	Ports     []string   `json:"ports,omitempty"` // 127.0.0.1:8080->8080
	StartedAt *time.Time `json:"started_at,omitempty"`
	Uptime    string     `json:"uptime,omitempty"`
	Restarts  int        `json:"restarts"`
	OOMKilled bool       `json:"oom_killed,omitempty"`
	// Reason says why a container that should run does not: how it
	// exited, that it keeps restarting, that a failed start left it
	// stopped and why.
	Reason string `json:"reason,omitempty"`
}

// Healthy reports whether every enabled service is up and ready.
func (v *StatusView) Healthy() bool {
	for _, s := range v.Services {
		if s.Enabled && s.State != "healthy" {
			return false
		}
	}
	return true
}

// startGrace is how long after its start a container whose probe fails is
// "starting" rather than "unhealthy".
const startGrace = 2 * time.Minute

// Status reads the state of every container of the project and probes the
// ones whose readiness is an HTTP check, once.
func (s *Stack) Status(ctx context.Context) (*StatusView, error) {
	plan := s.shape()
	v := &StatusView{Project: s.p.Config.Name, ID: s.p.ID(), Mode: s.p.Config.Mode, Network: plan.Network}
	st, err := s.p.State()
	if err != nil {
		return nil, err
	}
	v.Credentials = st.Path("credentials.json")
	phases := readProgress(ctx, st)
	stops := readStops(st)
	list, err := s.eng.ListContainers(ctx, ProjectLabels(s.p.ID()))
	if err != nil {
		return nil, err
	}
	byComp := map[string]docker.ContainerSummary{}
	for _, c := range list {
		if c.Labels[LabelProject] == s.p.ID() && c.Labels[LabelComponent] != "" {
			byComp[c.Labels[LabelComponent]] = c
		}
	}
	now := s.o.Now()
	for _, name := range project.ServiceNames {
		cfg, _ := s.p.Config.Service(name)
		ss := ServiceStatus{Name: name, Enabled: cfg.IsEnabled()}
		nodes := plan.Services([]string{name})
		ss.Containers = make([]ContainerStatus, len(nodes))
		var wg sync.WaitGroup
		for i, n := range nodes {
			ss.URLs = append(ss.URLs, n.URLs...)
			c, ok := byComp[n.Component]
			if !ok {
				state := "not created"
				if p := phases[n.Component]; p != "" {
					state = p
				}
				ss.Containers[i] = ContainerStatus{Component: n.Component, Name: n.Spec.Name, State: state, Image: n.Spec.Image}
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				ss.Containers[i] = s.containerStatus(ctx, plan, n, c.ID, now)
				if rec, ok := stops[c.ID]; ok {
					ss.Containers[i] = recorded(ss.Containers[i], rec, n.OneShot)
				}
			}()
		}
		wg.Wait()
		ss.State, ss.Culprit = Summarize(ss.Enabled, ss.Containers)
		for _, c := range ss.Containers {
			if c.Component == ss.Culprit {
				ss.Reason = c.Reason
			}
		}
		v.Services = append(v.Services, ss)
	}
	return v, nil
}

func (s *Stack) containerStatus(ctx context.Context, plan *Plan, n *Node, id string, now time.Time) ContainerStatus {
	cs := ContainerStatus{Component: n.Component, Name: n.Spec.Name}
	info, err := s.eng.InspectContainer(ctx, id)
	if err != nil {
		cs.State, cs.Detail = "not created", err.Error()
		return cs
	}
	cs.Image, cs.Restarts, cs.OOMKilled = info.Image, info.RestartCount, info.OOMKilled
	for _, p := range info.Ports {
		cs.Ports = append(cs.Ports, fmt.Sprintf("%s:%d->%d", p.HostIP, p.HostPort, p.ContainerPort))
	}
	sort.Strings(cs.Ports)
	if info.Running() && !info.StartedAt.IsZero() {
		t := info.StartedAt
		cs.StartedAt = &t
		cs.Uptime = now.Sub(t).Round(time.Second).String()
	}
	probeErr := errNotProbed
	// A service gaiaflow waits for by its HTTP probe is as ready as that
	// probe says, whatever the image's own health check says meanwhile:
	// `dev start` returned on the probe, and status must agree with it.
	if info.Running() && (info.Health == "" || info.Health == "starting") && n.Ready.Kind == ReadyHTTP {
		r := &runner{s: s, plan: plan}
		if port := r.hostPort(n); port != 0 {
			pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			probeErr = s.o.Prober.Probe(pctx, port, n.Ready.Path, n.Ready.Check)
			cancel()
		}
	}
	cs.State, cs.Detail = containerState(n.OneShot, info, probeErr, now)
	if info.Status == "exited" || info.Status == "dead" {
		code := info.ExitCode
		cs.ExitCode = &code
	}
	cs.Reason = containerReason(info, cs.State, cs.Detail)
	return cs
}

// errNotProbed stands for a readiness probe that was not made.
var errNotProbed = errors.New("not probed")

// containerState names a container's state for a person. A container that
// exited with the code of a stop signal (SIGINT, SIGTERM), or 0, was
// stopped; any other code means it failed — SIGKILL too, unless gaiaflow
// recorded that it stopped it (see recorded).
func containerState(oneShot bool, info docker.ContainerInfo, probeErr error, now time.Time) (state, detail string) {
	switch info.Status {
	case "created", "restarting", "paused", "removing":
		return info.Status, ""
	case "exited", "dead":
		if oneShot {
			if info.ExitCode == 0 {
				return "completed", ""
			}
			return "exited", fmt.Sprintf("exited with code %d", info.ExitCode)
		}
		switch info.ExitCode {
		case 0, 130, 143:
			if !info.OOMKilled {
				return "stopped", ""
			}
		}
		return "exited", fmt.Sprintf("exited with code %d", info.ExitCode)
	case "running":
		switch info.Health {
		case "healthy", "unhealthy":
			return info.Health, ""
		case "starting":
			if probeErr == nil {
				return "healthy", ""
			}
			return "starting", ""
		}
		// No health check: running is ready, unless a probe says otherwise.
		if probeErr == nil || probeErr == errNotProbed {
			return "healthy", ""
		}
		if now.Sub(info.StartedAt) < startGrace {
			return "starting", probeErr.Error()
		}
		return "unhealthy", probeErr.Error()
	}
	return info.Status, ""
}

// Running reports whether any container of a service is running.
func (s *Stack) Running(ctx context.Context, service string) (bool, error) {
	list, err := s.eng.ListContainers(ctx, map[string]string{LabelProject: s.p.ID(), LabelService: service})
	if err != nil {
		return false, err
	}
	for _, c := range list {
		if c.Status == "running" || c.Status == "restarting" {
			return true, nil
		}
	}
	return false, nil
}
