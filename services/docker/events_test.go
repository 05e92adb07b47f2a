package docker

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"
)

// TestRealDockerContainerEvents follows one labelled container through its
// life on the real engine: every event names it and carries its labels —
// exactly them, not the attributes the engine adds (Docker 29 adds
// execDuration to die, which 20.10 does not send) — die its exit code, and
// health_status the check's result.
func TestRealDockerContainerEvents(t *testing.T) {
	c := realClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	img := exiterImage(t, c)
	suffix := fmt.Sprint(time.Now().UnixNano())
	labels := map[string]string{LabelProject: "events-" + suffix, "io.gaiaflow.service": "probe"}
	evc, errc := c.ContainerEvents(ctx, map[string]string{LabelProject: "events-" + suffix})
	next := func(what string) ContainerEvent {
		t.Helper()
		select {
		case ev := <-evc:
			return ev
		case err := <-errc:
			t.Fatalf("event stream ended waiting for %s: %v", what, err)
		case <-time.After(30 * time.Second):
			t.Fatalf("no event within 30 s waiting for %s", what)
		}
		return ContainerEvent{}
	}
	create := func(name string, spec ContainerSpec) string {
		t.Helper()
		spec.Name, spec.Image, spec.Labels = name, img, labels
		id, err := c.CreateContainer(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.RemoveContainer(context.Background(), id) })
		return id
	}
	// The stream is live once it shows a container created after it was
	// asked for: a first container that is never started.
	sync := create("gaiaflow-test-events-sync-"+suffix, ContainerSpec{Cmd: []string{"/exiter", "0s", "0"}})
	for ev := next("the sync container"); ev.ID != sync || ev.Action != "create"; ev = next("the sync container") {
	}
	if err := c.RemoveContainer(ctx, sync); err != nil {
		t.Fatal(err)
	}

	name := "gaiaflow-test-events-" + suffix
	id := create(name, ContainerSpec{Cmd: []string{"/exiter", "3s", "7"},
		Healthcheck: &Healthcheck{Test: []string{"CMD", "/exiter", "health"}, Interval: 500 * time.Millisecond, Retries: 3}})
	if err := c.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	// The container's labels are its own and its image's.
	want := maps.Clone(labels)
	want["io.gaiaflow.test"] = "true"
	var actions []string
	for {
		ev := next("die")
		if ev.ID != id {
			continue // the sync container's destroy
		}
		actions = append(actions, ev.Action)
		if ev.Name != name || !maps.Equal(ev.Labels, want) || ev.Time.IsZero() {
			t.Errorf("%s: name %q, labels %v, time %v; want %q, %v and a time", ev.Action, ev.Name, ev.Labels, ev.Time, name, want)
		}
		switch ev.Action {
		case "health_status":
			if ev.Health != "healthy" {
				t.Errorf("health_status %q, want healthy", ev.Health)
			}
		case "die":
			if ev.ExitCode != 7 {
				t.Errorf("die with exit code %d, want 7", ev.ExitCode)
			}
		}
		if ev.Action == "die" {
			break
		}
	}
	if err := c.RemoveContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	for ev := next("destroy"); ev.ID != id || ev.Action != "destroy"; ev = next("destroy") {
	}
	if want := []string{"create", "start", "health_status", "die"}; fmt.Sprint(actions) != fmt.Sprint(want) {
		t.Errorf("events %v, want %v", actions, want)
	}
}
