package docker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/pkg/jsonmessage"
)

// Resource is a network, volume or image: what it is called and how it is labelled.
type Resource struct {
	ID     string
	Name   string // for images: the first tag, or the id when untagged
	Labels map[string]string
}

// FindNetwork returns the network with exactly this name, or ErrNotFound.
func (c *Client) FindNetwork(ctx context.Context, name string) (Resource, error) {
	// The name filter matches substrings; keep exact matches only.
	list, err := c.api.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(filters.Arg("name", name))})
	if err != nil {
		return Resource{}, fmt.Errorf("list networks: %w", err)
	}
	for _, n := range list {
		if n.Name == name {
			return Resource{ID: n.ID, Name: n.Name, Labels: n.Labels}, nil
		}
	}
	return Resource{}, fmt.Errorf("network %s: %w", name, ErrNotFound)
}

// CreateNetwork creates a bridge network with labels and returns its id.
func (c *Client) CreateNetwork(ctx context.Context, name string, labels map[string]string) (string, error) {
	resp, err := c.api.NetworkCreate(ctx, name, network.CreateOptions{Driver: "bridge", Labels: labels})
	if err != nil {
		return "", fmt.Errorf("create network %s: %w", name, err)
	}
	return resp.ID, nil
}

// ListNetworks lists the networks carrying all the given labels.
func (c *Client) ListNetworks(ctx context.Context, labels map[string]string) ([]Resource, error) {
	list, err := c.api.NetworkList(ctx, network.ListOptions{Filters: labelFilter(labels)})
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	out := make([]Resource, 0, len(list))
	for _, n := range list {
		out = append(out, Resource{ID: n.ID, Name: n.Name, Labels: n.Labels})
	}
	return out, nil
}

// BridgeGateway returns the IPv4 address by which containers on the
// engine's default bridge network (builds' RUN steps among them) reach
// this host: docker0's on a default install, another bridge's on an engine
// started with --bridge.
func (c *Client) BridgeGateway(ctx context.Context) (string, error) {
	n, err := c.api.NetworkInspect(ctx, "bridge", network.InspectOptions{})
	if err != nil {
		return "", notFound(err, "inspect the default bridge network")
	}
	if gw := ipv4Gateway(n.IPAM.Config); gw != "" {
		return gw, nil
	}
	return "", fmt.Errorf("the default bridge network has no IPv4 gateway: %w", ErrNotFound)
}

// ipv4Gateway returns the first IPv4 gateway a network's pools record, or
// else the first host address of its first IPv4 subnet with room for one.
// A pool may record no gateway: an engine that created its bridge itself
// (no docker0 before its first start, no --bip) leaves the address to its
// IPAM driver, which gives the bridge the subnet's first host address
// (Debian's 20.10 on a fresh machine lists only "172.17.0.0/16").
func ipv4Gateway(pools []network.IPAMConfig) string {
	for _, p := range pools {
		if ip := net.ParseIP(p.Gateway); ip != nil && ip.To4() != nil {
			return ip.To4().String()
		}
	}
	for _, p := range pools {
		_, subnet, err := net.ParseCIDR(p.Subnet)
		if err != nil || subnet.IP.To4() == nil {
			continue
		}
		if ones, bits := subnet.Mask.Size(); bits-ones < 2 {
			continue // no host address besides the network's own
		}
		first := slices.Clone(subnet.IP.To4())
		first[3]++
		return first.String()
	}
	return ""
}

// networkSettle bounds how long RemoveNetwork waits for the engine to
// release the endpoints of containers that are already gone.
const networkSettle = 15 * time.Second

// RemoveNetwork removes a network by id or name.
//
// The engine can refuse for a moment after the last container on the
// network was removed: "has active endpoints", while it still releases a
// force-removed container's endpoint (seen on 20.10 right after removing a
// running container; compose users meet it as moby#42119). While every
// endpoint left belongs to a container that no longer exists, it tries
// again, for up to networkSettle; a container that still exists on the
// network fails it at once, as it is someone's.
func (c *Client) RemoveNetwork(ctx context.Context, id string) error {
	err := removeSettled(ctx, networkSettle, 200*time.Millisecond,
		func() error { return c.api.NetworkRemove(ctx, id) },
		func() (bool, error) { return c.onlyStaleEndpoints(ctx, id) })
	if err != nil {
		return notFound(err, "remove network %s", id)
	}
	return nil
}

// removeSettled calls remove; while it fails with active endpoints and
// stale reports that they are all of containers that are gone, it waits
// interval and tries again, until within has passed.
func removeSettled(ctx context.Context, within, interval time.Duration, remove func() error, stale func() (bool, error)) error {
	deadline := time.Now().Add(within)
	for {
		err := remove()
		if err == nil || !strings.Contains(err.Error(), "has active endpoints") || time.Now().After(deadline) {
			return err
		}
		if ok, serr := stale(); serr != nil || !ok {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(interval):
		}
	}
}

// onlyStaleEndpoints reports whether every endpoint on the network belongs
// to a container that no longer exists.
func (c *Client) onlyStaleEndpoints(ctx context.Context, id string) (bool, error) {
	n, err := c.api.NetworkInspect(ctx, id, network.InspectOptions{})
	if err != nil {
		return false, err
	}
	for key := range n.Containers {
		if strings.HasPrefix(key, "ep-") {
			continue // an endpoint the engine keeps without its container
		}
		if _, err := c.api.ContainerInspect(ctx, key); err == nil || !cerrdefs.IsNotFound(err) {
			return false, nil
		}
	}
	return true, nil
}

// FindVolume returns the volume with this name, or ErrNotFound.
func (c *Client) FindVolume(ctx context.Context, name string) (Resource, error) {
	v, err := c.api.VolumeInspect(ctx, name)
	if err != nil {
		return Resource{}, notFound(err, "volume %s", name)
	}
	return Resource{ID: v.Name, Name: v.Name, Labels: v.Labels}, nil
}

// CreateVolume creates a local volume with labels.
func (c *Client) CreateVolume(ctx context.Context, name string, labels map[string]string) error {
	if _, err := c.api.VolumeCreate(ctx, volume.CreateOptions{Name: name, Labels: labels}); err != nil {
		return fmt.Errorf("create volume %s: %w", name, err)
	}
	return nil
}

// ListVolumes lists the volumes carrying all the given labels.
func (c *Client) ListVolumes(ctx context.Context, labels map[string]string) ([]Resource, error) {
	resp, err := c.api.VolumeList(ctx, volume.ListOptions{Filters: labelFilter(labels)})
	if err != nil {
		return nil, fmt.Errorf("list volumes: %w", err)
	}
	out := make([]Resource, 0, len(resp.Volumes))
	for _, v := range resp.Volumes {
		out = append(out, Resource{ID: v.Name, Name: v.Name, Labels: v.Labels})
	}
	return out, nil
}

// RemoveVolume removes a volume; it fails while a container uses it.
func (c *Client) RemoveVolume(ctx context.Context, name string) error {
	if err := c.api.VolumeRemove(ctx, name, false); err != nil {
		return notFound(err, "remove volume %s", name)
	}
	return nil
}

// ListImages lists the images carrying all the given labels.
func (c *Client) ListImages(ctx context.Context, labels map[string]string) ([]Resource, error) {
	list, err := c.api.ImageList(ctx, image.ListOptions{Filters: labelFilter(labels)})
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	out := make([]Resource, 0, len(list))
	for _, im := range list {
		name := im.ID
		if len(im.RepoTags) > 0 && im.RepoTags[0] != "<none>:<none>" {
			name = im.RepoTags[0]
		}
		out = append(out, Resource{ID: im.ID, Name: name, Labels: im.Labels})
	}
	return out, nil
}

// PullProgress is one message of an image pull or push: a layer's status
// and, while it moves, its progress in bytes.
type PullProgress struct {
	Layer   string
	Status  string
	Current int64
	Total   int64
}

// PullError is a pull the registry or the engine refused.
type PullError struct {
	Ref string
	Err error
}

func (e *PullError) Error() string { return "pull " + e.Ref + ": " + e.Err.Error() }
func (e *PullError) Unwrap() error { return e.Err }

// PullImage pulls an image, calling onProgress for each message.
func (c *Client) PullImage(ctx context.Context, ref string, onProgress func(PullProgress)) error {
	rc, err := c.api.ImagePull(ctx, ref, image.PullOptions{})
	if err != nil {
		return &PullError{Ref: ref, Err: err}
	}
	defer rc.Close()
	err = eachMessage(ctx, rc, func(m *jsonmessage.JSONMessage) error {
		// A failed pull can arrive in-band, after a 200.
		if m.Error != nil {
			return errors.New(strings.TrimSpace(m.Error.Message))
		}
		if onProgress != nil {
			p := PullProgress{Layer: m.ID, Status: m.Status}
			if m.Progress != nil {
				p.Current, p.Total = m.Progress.Current, m.Progress.Total
			}
			onProgress(p)
		}
		return nil
	})
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &PullError{Ref: ref, Err: err}
}
