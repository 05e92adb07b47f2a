package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/pkg/jsonmessage"

	"github.com/gaiaflow/gaiaflow/services/registry"
)

// ImageInfo is what gaiaflow reads from an image: enough to reuse it, run it
// and derive images from it.
type ImageInfo struct {
	ID         string            `json:"id"`
	Tags       []string          `json:"tags,omitempty"`
	User       string            `json:"user,omitempty"` // the user its processes run as; empty is root
	Labels     map[string]string `json:"labels,omitempty"`
	Entrypoint []string          `json:"entrypoint,omitempty"`
	Cmd        []string          `json:"cmd,omitempty"`
	Env        []string          `json:"env,omitempty"`
	Size       int64             `json:"size"`
}

// InspectImage returns the image by that reference; found is false when the
// engine does not have it.
func (c *Client) InspectImage(ctx context.Context, ref string) (info ImageInfo, found bool, err error) {
	img, err := c.api.ImageInspect(ctx, ref)
	if cerrdefs.IsNotFound(err) {
		return ImageInfo{}, false, nil
	}
	if err != nil {
		return ImageInfo{}, false, fmt.Errorf("inspect image %s: %w", ref, err)
	}
	info = ImageInfo{ID: img.ID, Tags: img.RepoTags, Size: img.Size}
	if cfg := img.Config; cfg != nil {
		info.User, info.Labels, info.Env = cfg.User, cfg.Labels, cfg.Env
		info.Entrypoint, info.Cmd = cfg.Entrypoint, cfg.Cmd
	}
	return info, true, nil
}

// HistoryEntry is one layer of an image's history, newest first.
type HistoryEntry struct {
	ID        string // "<missing>" for layers built elsewhere
	Created   time.Time
	CreatedBy string // the instruction that made the layer
	Size      int64
	Tags      []string
}

// ImageHistory returns the layers of an image, newest first.
func (c *Client) ImageHistory(ctx context.Context, ref string) ([]HistoryEntry, error) {
	items, err := c.api.ImageHistory(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("history of image %s: %w", ref, err)
	}
	out := make([]HistoryEntry, len(items))
	for i, it := range items {
		out[i] = HistoryEntry{ID: it.ID, Created: time.Unix(it.Created, 0), CreatedBy: it.CreatedBy, Size: it.Size, Tags: it.Tags}
	}
	return out, nil
}

// RemoveImageOptions are the settings of RemoveImage.
type RemoveImageOptions struct {
	// Force removes the image even when containers use it.
	Force bool
	// KeepParents keeps the untagged parent images a classic build left,
	// which are the engine's build cache.
	KeepParents bool
}

// RemoveImage removes an image reference (and the image when it was its last
// tag). A missing image is not an error.
func (c *Client) RemoveImage(ctx context.Context, ref string, opts RemoveImageOptions) error {
	_, err := c.api.ImageRemove(ctx, ref, image.RemoveOptions{Force: opts.Force, PruneChildren: !opts.KeepParents})
	if err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("remove image %s: %w", ref, err)
	}
	return nil
}

// ImportImage creates an image named ref from a tar of a root file system
// (what `docker import` does), applying Dockerfile-style changes such as
// "ENV K=V" or "CMD [...]". It returns the new image's id.
func (c *Client) ImportImage(ctx context.Context, rootfs io.Reader, ref string, changes []string) (string, error) {
	rc, err := c.api.ImageImport(ctx, image.ImportSource{Source: rootfs, SourceName: "-"}, ref, image.ImportOptions{Changes: changes})
	if err != nil {
		return "", fmt.Errorf("import image %s: %w", ref, err)
	}
	defer rc.Close()
	// The answer is a stream of JSON messages; the last status is the image id.
	var id string
	err = eachMessage(ctx, rc, func(m *jsonmessage.JSONMessage) error {
		if m.Error != nil {
			return errors.New(m.Error.Message)
		}
		if m.Status != "" {
			id = m.Status
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("import image %s: %w", ref, err)
	}
	if info, found, err := c.InspectImage(ctx, ref); err == nil && found {
		id = info.ID
	}
	return id, nil
}

// Why a registry could not confirm an image (RegistryDigest, PushImage):
// the registry package's errors, so one errors.Is works whether the engine
// or gaiaflow itself asked.
var (
	// ErrNotInRegistry: the registry answered that the repository or tag
	// does not exist.
	ErrNotInRegistry = registry.ErrNotFound
	// ErrRegistryDenied: the registry wants credentials the engine lacks,
	// or refuses them.
	ErrRegistryDenied = registry.ErrDenied
)

// RegistryDigest asks the image's registry, through the engine, for the
// manifest of ref and returns its digest. Nothing is downloaded: the engine
// fetches the manifest only, with its own proxy, mirror and insecure-registry
// settings. A missing tag wraps ErrNotInRegistry and a refusal
// ErrRegistryDenied; any other error means the registry could not be asked
// (no network, no such host).
func (c *Client) RegistryDigest(ctx context.Context, ref string) (string, error) {
	d, err := c.api.DistributionInspect(ctx, ref, "")
	switch {
	case err == nil:
		return string(d.Descriptor.Digest), nil
	case cerrdefs.IsNotFound(err):
		return "", fmt.Errorf("%s: %w (%v)", ref, ErrNotInRegistry, err)
	case cerrdefs.IsUnauthorized(err), cerrdefs.IsPermissionDenied(err):
		return "", fmt.Errorf("%s: %w (%v)", ref, ErrRegistryDenied, err)
	}
	return "", fmt.Errorf("ask the registry for %s: %w", ref, err)
}
