package docker

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRealDockerCreateJoinsEveryNetwork creates a container on three
// networks, as the Airflow containers of prod_local are (the project's and
// the cluster's): from API 1.44 on at creation, on older engines right
// after. Either way it starts on all of them; and when one of them does not
// exist, starting fails as not found, naming it (neither engine looks for the
// networks before the container starts).
func TestRealDockerCreateJoinsEveryNetwork(t *testing.T) {
	c := realClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	img := exiterImage(t, c)
	v, err := c.apiVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	atCreate, _ := c.supports(ctx, apiMultipleNetworks)
	t.Logf("API %s: networks joined at creation: %v", v, atCreate)
	suffix := fmt.Sprint(time.Now().UnixNano())
	labels := map[string]string{LabelProject: "nets-" + suffix}
	var nets []string
	for i := range 3 {
		n := fmt.Sprintf("gaiaflow-test-nets-%d-%s", i, suffix)
		if _, err := c.CreateNetwork(ctx, n, labels); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.RemoveNetwork(context.Background(), n) })
		nets = append(nets, n)
	}
	name := "gaiaflow-test-nets-" + suffix
	id, err := c.CreateContainer(ctx, ContainerSpec{Name: name, Image: img, Cmd: []string{"/exiter", "30s", "0"},
		Labels: labels, Network: nets[0], Aliases: []string{"probe"}, ExtraNetworks: nets[1:]})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.RemoveContainer(context.Background(), id) })
	if err := c.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	info, err := c.InspectContainer(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(info.Networks, nets) {
		t.Errorf("on networks %v, want %v", info.Networks, nets)
	}

	missing := "gaiaflow-test-nets-missing-" + suffix
	id2, err := c.CreateContainer(ctx, ContainerSpec{Name: name + "-2", Image: img, Cmd: []string{"/exiter", "0s", "0"},
		Labels: labels, Network: nets[0], ExtraNetworks: []string{nets[1], missing}})
	if err != nil {
		t.Fatalf("create with a missing network: %v (both engines check at start)", err)
	}
	t.Cleanup(func() { _ = c.RemoveContainer(context.Background(), id2) })
	err = c.StartContainer(ctx, id2)
	if !IsNotFound(err) || !strings.Contains(err.Error(), missing) {
		t.Errorf("start on a missing network: %v, want a not-found error naming %s", err, missing)
	}
}
