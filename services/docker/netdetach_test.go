package docker

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
)

// TestRealDockerDisconnectProject attaches a labelled and an unlabelled
// container to a network, as the stack and the Minikube node are, and
// checks that only the project's own container is disconnected.
func TestRealDockerDisconnectProject(t *testing.T) {
	c := realClient(t)
	ctx := context.Background()
	suffix := fmt.Sprint(time.Now().UnixNano())
	tag := "gaiaflow-test/netdetach:" + suffix
	if _, err := c.BuildImage(ctx, tarOf(t, map[string]string{"Dockerfile": "FROM scratch\nCOPY x /x\n", "x": "x"}),
		BuildOptions{Tags: []string{tag}}, func(BuildMessage) {}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = c.api.ImageRemove(context.Background(), tag, image.RemoveOptions{Force: true, PruneChildren: true})
	})
	netName := "gaiaflow-test-net-" + suffix
	if _, err := c.api.NetworkCreate(ctx, netName, network.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.api.NetworkRemove(context.Background(), netName) })
	create := func(name string, labels map[string]string) {
		_, err := c.api.ContainerCreate(ctx, &container.Config{Image: tag, Cmd: []string{"/x"}, Labels: labels}, nil,
			&network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{netName: {}}}, nil, name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = c.api.ContainerRemove(context.Background(), name, container.RemoveOptions{Force: true})
		})
	}
	ours, node := "gaiaflow-test-ours-"+suffix, "gaiaflow-test-node-"+suffix
	create(ours, map[string]string{LabelProject: "demo-" + suffix})
	create(node, map[string]string{"name.minikube.sigs.k8s.io": "demo"})

	names, err := c.DisconnectProject(ctx, netName, "demo-"+suffix)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names, []string{ours}) {
		t.Errorf("disconnected %v, want [%s]", names, ours)
	}
	inspect := func(name string) bool {
		j, err := c.api.ContainerInspect(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		_, on := j.NetworkSettings.Networks[netName]
		return on
	}
	if inspect(ours) || !inspect(node) {
		t.Errorf("after: ours on network %v, node on network %v", inspect(ours), inspect(node))
	}
	// Nothing left to do, and a network that is gone is not an error.
	if names, err := c.DisconnectProject(ctx, netName, "demo-"+suffix); err != nil || len(names) != 0 {
		t.Errorf("second run: %v %v", names, err)
	}
	if names, err := c.DisconnectProject(ctx, "gaiaflow-test-no-such-net", "demo-"+suffix); err != nil || len(names) != 0 {
		t.Errorf("missing network: %v %v", names, err)
	}
}
