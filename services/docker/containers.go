package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/pkg/stdcopy"
	"github.com/docker/go-connections/nat"
)

// ErrNotFound is wrapped by every "no such container, image, network or
// volume" error this package returns; test with errors.Is or IsNotFound.
var ErrNotFound = errors.New("not found")

// IsNotFound reports whether err means the object does not exist.
func IsNotFound(err error) bool {
	return errors.Is(err, ErrNotFound) || cerrdefs.IsNotFound(err)
}

// notFound wraps an SDK not-found error in ErrNotFound, keeping its text.
func notFound(err error, format string, args ...any) error {
	if cerrdefs.IsNotFound(err) {
		return fmt.Errorf("%s: %w (%v)", fmt.Sprintf(format, args...), ErrNotFound, err)
	}
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), err)
}

// ContainerSpec is everything gaiaflow sets on a container it creates. It is
// plain data so the stack can hash it to notice changes.
type ContainerSpec struct {
	Name        string            `json:"name"`
	Image       string            `json:"image"`
	Cmd         []string          `json:"cmd,omitempty"`
	Env         []string          `json:"env,omitempty"` // KEY=VALUE
	Labels      map[string]string `json:"labels,omitempty"`
	User        string            `json:"user,omitempty"`
	WorkingDir  string            `json:"working_dir,omitempty"`
	Healthcheck *Healthcheck      `json:"healthcheck,omitempty"`
	Ports       []PortBinding     `json:"ports,omitempty"`
	Mounts      []Mount           `json:"mounts,omitempty"`
	Network     string            `json:"network,omitempty"`
	Aliases     []string          `json:"aliases,omitempty"` // DNS names on Network
	// ExtraNetworks are further networks the container joins before it
	// starts: at creation from API 1.44 (Docker 25) on, right after it on
	// older engines, which take one network at creation.
	ExtraNetworks []string `json:"extra_networks,omitempty"`
	Restart       string   `json:"restart,omitempty"` // no, unless-stopped, on-failure, always
	ExtraHosts    []string `json:"extra_hosts,omitempty"`
	GroupAdd      []string `json:"group_add,omitempty"`
}

// Healthcheck is a check the engine runs inside the container.
type Healthcheck struct {
	Test        []string      `json:"test"` // {"CMD", ...} or {"CMD-SHELL", "..."}
	Interval    time.Duration `json:"interval,omitempty"`
	Timeout     time.Duration `json:"timeout,omitempty"`
	StartPeriod time.Duration `json:"start_period,omitempty"`
	Retries     int           `json:"retries,omitempty"`
}

// PortBinding publishes a container's TCP port on a host address and port.
type PortBinding struct {
	ContainerPort int    `json:"container_port"`
	HostIP        string `json:"host_ip"`
	HostPort      int    `json:"host_port"`
}

// Mount is a bind mount of a host path or a named volume.
type Mount struct {
	Type     string `json:"type"`   // "bind" or "volume"
	Source   string `json:"source"` // host path or volume name
	Target   string `json:"target"`
	ReadOnly bool   `json:"read_only,omitempty"`
}

// ContainerInfo is what the stack reads back about a container.
type ContainerInfo struct {
	ID           string
	Name         string // without the leading slash
	Image        string // the reference it was created from
	ImageID      string
	Labels       map[string]string
	Status       string // created, running, paused, restarting, removing, exited, dead
	Health       string // "" without a healthcheck, else starting, healthy, unhealthy
	ExitCode     int
	OOMKilled    bool
	Error        string
	RestartCount int
	Created      time.Time
	StartedAt    time.Time
	FinishedAt   time.Time
	Ports        []PortBinding // published ports
	Networks     []string      // the networks it is on, by name, sorted
}

// Running reports whether the container's process is up.
func (i ContainerInfo) Running() bool { return i.Status == "running" }

// CreateContainer creates (but does not start) a container.
func (c *Client) CreateContainer(ctx context.Context, s ContainerSpec) (string, error) {
	cfg := &container.Config{
		Image:      s.Image,
		Cmd:        s.Cmd,
		Env:        s.Env,
		Labels:     s.Labels,
		User:       s.User,
		WorkingDir: s.WorkingDir,
	}
	if h := s.Healthcheck; h != nil {
		cfg.Healthcheck = &container.HealthConfig{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout,
			StartPeriod: h.StartPeriod, Retries: h.Retries}
	}
	host := &container.HostConfig{
		NetworkMode:   container.NetworkMode(s.Network),
		RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyMode(s.Restart)},
		ExtraHosts:    s.ExtraHosts,
		GroupAdd:      s.GroupAdd,
	}
	if len(s.Ports) > 0 {
		cfg.ExposedPorts = nat.PortSet{}
		host.PortBindings = nat.PortMap{}
		for _, p := range s.Ports {
			port := nat.Port(strconv.Itoa(p.ContainerPort) + "/tcp")
			cfg.ExposedPorts[port] = struct{}{}
			host.PortBindings[port] = append(host.PortBindings[port], nat.PortBinding{HostIP: p.HostIP, HostPort: strconv.Itoa(p.HostPort)})
		}
	}
	for _, m := range s.Mounts {
		host.Mounts = append(host.Mounts, mount.Mount{Type: mount.Type(m.Type), Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly})
	}
	var netCfg *network.NetworkingConfig
	if s.Network != "" {
		netCfg = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
			s.Network: {Aliases: s.Aliases},
		}}
	}
	connectLater := s.ExtraNetworks
	if len(s.ExtraNetworks) > 0 && netCfg != nil {
		atCreate, err := c.supports(ctx, apiMultipleNetworks)
		if err != nil {
			return "", err
		}
		if atCreate {
			for _, n := range s.ExtraNetworks {
				netCfg.EndpointsConfig[n] = &network.EndpointSettings{}
			}
			connectLater = nil
		}
	}
	resp, err := c.api.ContainerCreate(ctx, cfg, host, netCfg, nil, s.Name)
	if err != nil {
		return "", notFound(err, "create container %s", s.Name)
	}
	for _, n := range connectLater {
		if err := c.api.NetworkConnect(ctx, n, resp.ID, nil); err != nil {
			// A container missing a network it was meant to be on must not
			// stay behind looking like a good one.
			_ = c.api.ContainerRemove(context.WithoutCancel(ctx), resp.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
			return "", notFound(err, "connect container %s to network %s", s.Name, n)
		}
	}
	return resp.ID, nil
}

// apiMultipleNetworks is the first API version that takes several networks
// when a container is created (older ones answer "Container cannot be
// connected to network endpoints").
const apiMultipleNetworks = "1.44"

// StartContainer starts a created or stopped container.
func (c *Client) StartContainer(ctx context.Context, id string) error {
	if err := c.api.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		return notFound(err, "start container %s", id)
	}
	return nil
}

// StopContainer stops a container, killing it after timeout.
func (c *Client) StopContainer(ctx context.Context, id string, timeout time.Duration) error {
	secs := int(timeout / time.Second)
	if err := c.api.ContainerStop(ctx, id, container.StopOptions{Timeout: &secs}); err != nil {
		return notFound(err, "stop container %s", id)
	}
	return nil
}

// RemoveContainer removes a container, killing it if it runs, with its
// anonymous volumes (those an image's VOLUME line made; they carry no labels,
// so they must not outlive the container).
func (c *Client) RemoveContainer(ctx context.Context, id string) error {
	if err := c.api.ContainerRemove(ctx, id, container.RemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
		return notFound(err, "remove container %s", id)
	}
	return nil
}

// InspectContainer reads a container's state.
func (c *Client) InspectContainer(ctx context.Context, id string) (ContainerInfo, error) {
	r, err := c.api.ContainerInspect(ctx, id)
	if err != nil {
		return ContainerInfo{}, notFound(err, "inspect container %s", id)
	}
	info := ContainerInfo{ID: r.ID, ImageID: r.Image}
	if r.ContainerJSONBase != nil {
		info.Name = strings.TrimPrefix(r.Name, "/")
		info.RestartCount = r.RestartCount
		info.Created = parseTime(r.Created)
		if st := r.State; st != nil {
			info.Status = string(st.Status)
			info.ExitCode = st.ExitCode
			info.OOMKilled = st.OOMKilled
			info.Error = st.Error
			info.StartedAt = parseTime(st.StartedAt)
			info.FinishedAt = parseTime(st.FinishedAt)
			if st.Health != nil {
				info.Health = string(st.Health.Status)
			}
		}
	}
	if r.Config != nil {
		info.Image = r.Config.Image
		info.Labels = r.Config.Labels
	}
	if r.NetworkSettings != nil {
		for port, binds := range r.NetworkSettings.Ports {
			for _, b := range binds {
				hp, _ := strconv.Atoi(b.HostPort)
				info.Ports = append(info.Ports, PortBinding{ContainerPort: port.Int(), HostIP: b.HostIP, HostPort: hp})
			}
		}
		for name := range r.NetworkSettings.Networks {
			info.Networks = append(info.Networks, name)
		}
		sort.Strings(info.Networks)
	}
	return info, nil
}

// ContainerSummary is one row of a container listing.
type ContainerSummary struct {
	ID     string
	Name   string
	Image  string
	Labels map[string]string
	Status string // created, running, exited, ...
}

// ListContainers lists every container, running or not, carrying all the
// given labels.
func (c *Client) ListContainers(ctx context.Context, labels map[string]string) ([]ContainerSummary, error) {
	list, err := c.api.ContainerList(ctx, container.ListOptions{All: true, Filters: labelFilter(labels)})
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	out := make([]ContainerSummary, 0, len(list))
	for _, s := range list {
		name := ""
		if len(s.Names) > 0 {
			name = strings.TrimPrefix(s.Names[0], "/")
		}
		out = append(out, ContainerSummary{ID: s.ID, Name: name, Image: s.Image, Labels: s.Labels, Status: string(s.State)})
	}
	return out, nil
}

// File is one file to copy into a container.
type File struct {
	Name     string // base name
	Data     []byte
	Mode     int64
	UID, GID int
}

// CopyFiles writes files into dir of a container. It works on a created
// container before it starts, which is how secrets reach a container
// without appearing on a command line or in the project tree.
func (c *Client) CopyFiles(ctx context.Context, id, dir string, files []File) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		hdr := &tar.Header{Name: f.Name, Mode: f.Mode, Size: int64(len(f.Data)), Uid: f.UID, Gid: f.GID,
			ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(f.Data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := c.api.CopyToContainer(ctx, id, dir, &buf, container.CopyToContainerOptions{}); err != nil {
		return notFound(err, "copy files into container %s", id)
	}
	return nil
}

// LogOptions selects which log lines to read.
type LogOptions struct {
	Follow     bool
	Tail       string // a number of lines or "all"
	Since      string // a duration ("10m") or a timestamp
	Timestamps bool
}

// Logs copies a container's output to stdout and stderr until it ends (or,
// with Follow, until ctx ends). gaiaflow never gives containers a TTY, so
// the stream is always multiplexed.
func (c *Client) Logs(ctx context.Context, id string, opts LogOptions, stdout, stderr io.Writer) error {
	rc, err := c.api.ContainerLogs(ctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true,
		Follow: opts.Follow, Tail: opts.Tail, Since: opts.Since, Timestamps: opts.Timestamps})
	if err != nil {
		return notFound(err, "read logs of %s", id)
	}
	defer rc.Close()
	if _, err := stdcopy.StdCopy(stdout, stderr, rc); err != nil && ctx.Err() == nil {
		return fmt.Errorf("read logs of %s: %w", id, err)
	}
	return nil
}

func labelFilter(labels map[string]string) filters.Args {
	f := filters.NewArgs()
	for k, v := range labels {
		if v == "" {
			f.Add("label", k) // present, with any value
		} else {
			f.Add("label", k+"="+v)
		}
	}
	return f
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() < 2 {
		return time.Time{}
	}
	return t
}
