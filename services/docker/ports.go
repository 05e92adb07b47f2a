package docker

import (
	"context"
	"fmt"
	"strings"

	"github.com/docker/docker/api/types/container"
)

// LabelProject is the label naming the project id on every resource gaiaflow creates.
const LabelProject = "io.gaiaflow.project"

// PortUser is a running container that publishes a host port.
type PortUser struct {
	Container string // name without the leading slash
	Project   string // value of io.gaiaflow.project, if any
}

// PublishedPorts maps each host TCP port published by a running container to that container.
func (c *Client) PublishedPorts(ctx context.Context) (map[int]PortUser, error) {
	list, err := c.api.ContainerList(ctx, container.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	out := map[int]PortUser{}
	for _, s := range list {
		name := ""
		if len(s.Names) > 0 {
			name = strings.TrimPrefix(s.Names[0], "/")
		}
		for _, p := range s.Ports {
			if p.PublicPort != 0 && (p.Type == "tcp" || p.Type == "") {
				out[int(p.PublicPort)] = PortUser{Container: name, Project: s.Labels[LabelProject]}
			}
		}
	}
	return out, nil
}
