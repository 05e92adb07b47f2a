package docker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
)

// TestRemoveSettled drives the retry of a network removal with scripted
// engine answers: the race it covers (an endpoint released a moment after
// its container was removed) cannot be produced on demand by a real engine.
func TestRemoveSettled(t *testing.T) {
	active := errors.New("Error response from daemon: error while removing network: network p_default id 29c9 has active endpoints")
	other := errors.New("Error response from daemon: permission denied")
	for _, tc := range []struct {
		name      string
		answers   []error // what each removal returns; nil ends it
		stale     bool
		within    time.Duration
		wantErr   error
		wantCalls int
	}{
		{"removed at once", []error{nil}, true, time.Second, nil, 1},
		{"released after two refusals", []error{active, active, nil}, true, time.Second, nil, 3},
		{"a live container holds it", []error{active, nil}, false, time.Second, active, 1},
		{"another error is not retried", []error{other, nil}, true, time.Second, other, 1},
		{"never released", []error{active, active, active, active, active, active, active, active, active, active}, true, 5 * time.Millisecond, active, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := removeSettled(context.Background(), tc.within, time.Millisecond, func() error {
				calls++
				if calls > len(tc.answers) {
					return active
				}
				return tc.answers[calls-1]
			}, func() (bool, error) { return tc.stale, nil })
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantCalls > 0 && calls != tc.wantCalls {
				t.Errorf("%d removals, want %d", calls, tc.wantCalls)
			}
			if tc.wantCalls == 0 && calls < 2 {
				t.Errorf("%d removals: it did not try again while the endpoints were stale", calls)
			}
		})
	}
	// A cancelled context stops the wait.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	err := removeSettled(ctx, time.Minute, time.Hour, func() error { calls++; return active }, func() (bool, error) { return true, nil })
	if !errors.Is(err, active) || calls != 1 {
		t.Errorf("cancelled: err %v after %d removals", err, calls)
	}
}

// TestRealDockerRemoveNetwork removes a network on the real engine: while a
// running container is on it the removal fails at once (it is not waited
// out), and right after that container is force-removed it succeeds.
func TestRealDockerRemoveNetwork(t *testing.T) {
	c := realClient(t)
	ctx := context.Background()
	img := exiterImage(t, c)
	suffix := fmt.Sprint(time.Now().UnixNano())
	netName := "gaiaflow-test-netrm-" + suffix
	if _, err := c.api.NetworkCreate(ctx, netName, network.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.api.NetworkRemove(context.Background(), netName) })
	name := "gaiaflow-test-netrm-" + suffix
	r, err := c.api.ContainerCreate(ctx, &container.Config{Image: img, Cmd: []string{"/exiter", "5m", "0"}}, nil,
		&network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{netName: {}}}, nil, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.api.ContainerRemove(context.Background(), name, container.RemoveOptions{Force: true}) })
	if err := c.api.ContainerStart(ctx, r.ID, container.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = c.RemoveNetwork(ctx, netName)
	if err == nil || !strings.Contains(err.Error(), "active endpoints") {
		t.Fatalf("removing a network a running container is on: %v", err)
	}
	if took := time.Since(start); took > networkSettle/2 {
		t.Errorf("the refusal took %v: a live container's endpoint was waited for", took)
	}
	if err := c.RemoveContainer(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveNetwork(ctx, netName); err != nil {
		t.Fatalf("right after its container was removed: %v", err)
	}
	if _, err := c.FindNetwork(ctx, netName); !IsNotFound(err) {
		t.Errorf("the network is still there: %v", err)
	}
}
