package docker

import (
	"context"
	"fmt"
	"slices"

	"github.com/docker/docker/api/types/image"
)

// The classic builder keeps an image of each Dockerfile step, untagged, as
// its build cache. Removing the built image with its parents pruned takes
// them along on the overlay2 store (Debian's 20.10); the containerd image
// store (engine 29's default) keeps them, gigabytes for a dependency image,
// and deletes an untagged image even when another image still starts from
// it. BuildSteps finds them so that gaiaflow removes exactly its own.

// BuildSteps returns the step images a classic build left between the image
// id and base, the image its Dockerfile started FROM (gaiaflow records it
// in the image's labels), child first. The walk goes down the parents of id
// and returns nothing unless it reaches base through untagged images only:
// an image it does not find, a tagged one, or a chain that ends elsewhere
// means the images are not (only) that build's. It stops above a step
// image that another image also starts from (a step another build took
// from the cache): that one and what is below it stay.
func (c *Client) BuildSteps(ctx context.Context, id, base string) ([]string, error) {
	if base == "" {
		return nil, nil
	}
	nodes, err := c.imageNodes(ctx)
	if err != nil {
		return nil, err
	}
	return buildSteps(nodes, id, base), nil
}

// imageNodes lists every image, the step images of classic builds too,
// with its parent.
func (c *Client) imageNodes(ctx context.Context) ([]imageNode, error) {
	list, err := c.api.ImageList(ctx, image.ListOptions{All: true})
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	nodes := make([]imageNode, 0, len(list))
	for _, im := range list {
		tagged := slices.ContainsFunc(im.RepoTags, func(t string) bool { return t != "<none>:<none>" })
		nodes = append(nodes, imageNode{ID: im.ID, Parent: im.ParentID, Tagged: tagged})
	}
	return nodes, nil
}

// imageNode is an image as BuildSteps walks it.
type imageNode struct {
	ID, Parent string
	Tagged     bool
}

// buildSteps is BuildSteps on a listing of every image.
func buildSteps(images []imageNode, id, base string) []string {
	byID := make(map[string]imageNode, len(images))
	children := map[string][]string{}
	for _, im := range images {
		byID[im.ID] = im
		if im.Parent != "" {
			children[im.Parent] = append(children[im.Parent], im.ID)
		}
	}
	top, ok := byID[id]
	if !ok || id == base {
		return nil
	}
	var chain []string
	for cur := top.Parent; cur != base; {
		im, ok := byID[cur]
		if !ok || im.Tagged || len(chain) > 4096 {
			return nil
		}
		chain = append(chain, cur)
		cur = im.Parent
	}
	// Keep from the first step another image starts from down: the child
	// of each removed step is the one above it (or id itself).
	above := id
	for i, s := range chain {
		for _, ch := range children[s] {
			if ch != above {
				return chain[:i]
			}
		}
		above = s
	}
	return chain
}

// ImageChildren returns the images whose parent is id: the images built
// FROM it, or the next step of a classic build that took it from the cache.
func (c *Client) ImageChildren(ctx context.Context, id string) ([]string, error) {
	nodes, err := c.imageNodes(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, im := range nodes {
		if im.Parent == id {
			out = append(out, im.ID)
		}
	}
	return out, nil
}
