package docker

import (
	"context"
	"fmt"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
)

// DisconnectProject disconnects the containers labelled with the project's
// id from a network and returns their names. Other containers on the
// network (the Minikube node, anyone else's) are left alone. A network that
// does not exist has nothing to disconnect.
func (c *Client) DisconnectProject(ctx context.Context, network, projectID string) ([]string, error) {
	list, err := c.api.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(
		filters.Arg("label", LabelProject+"="+projectID),
		filters.Arg("network", network),
	)})
	if err != nil {
		return nil, fmt.Errorf("list the project's containers on network %s: %w", network, err)
	}
	var names []string
	for _, s := range list {
		// The network filter matches by name or id prefix; check the name.
		if s.NetworkSettings == nil {
			continue
		}
		if _, on := s.NetworkSettings.Networks[network]; !on {
			continue
		}
		if err := c.api.NetworkDisconnect(ctx, network, s.ID, false); err != nil {
			return names, fmt.Errorf("disconnect %s from network %s: %w", s.ID[:12], network, err)
		}
		name := s.ID[:12]
		if len(s.Names) > 0 {
			name = strings.TrimPrefix(s.Names[0], "/")
		}
		names = append(names, name)
	}
	return names, nil
}
