package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gaiaflow/gaiaflow/services/event"
)

// ctrTimes is when, from its command's start, a tool had one container
// created, started and ready (healthy, or exited with 0 for a one-shot).
type ctrTimes struct{ created, started, ready time.Duration }

// stackPhases breaks a cold stack start down by container: when gaiaflow's
// dev start (its -o json phase timings) and compose's up --wait (the
// engine's events for the same containers) had each one created, started
// and ready, on the same images and fresh volumes. It is where the time
// goes, so it has no target of its own.
func stackPhases(b *bench) ([]Row, error) {
	l, dc, err := liveCompose(b)
	if err != nil {
		return nil, err
	}
	began := time.Now()
	poll := pollReady(l.ports, began)
	out, gfTook, err := l.gf("dev", "start", "-o", "json")
	if err != nil {
		_, _, _ = poll.floor()
		return nil, err
	}
	gfFloor, gfLast, err := poll.floor()
	if err != nil {
		return nil, err
	}
	gf, own, err := gaiaflowPhases(out, began)
	if err != nil {
		return nil, err
	}
	if _, _, err := l.gf("dev", "stop", "--delete-volume"); err != nil {
		return nil, err
	}
	began = time.Now()
	events, err := followEvents(l.id, began)
	if err != nil {
		return nil, err
	}
	poll = pollReady(l.ports, began)
	dcTook, err := dc("up", "-d", "--wait")
	dcFloor, dcLast, ferr := poll.floor()
	if err == nil {
		err = ferr
	}
	if err != nil {
		_, _ = events()
		_, _ = dc("down", "-v")
		return nil, err
	}
	dcPhases, err := enginePhases(events, began)
	if _, derr := dc("down", "-v"); err == nil {
		err = derr
	}
	if err != nil {
		return nil, err
	}
	comps := make([]string, 0, len(gf))
	for c := range gf {
		comps = append(comps, c)
	}
	slices.SortFunc(comps, func(a, b string) int { return cmp.Compare(gf[a].ready, gf[b].ready) })
	var rows []Row
	for i, c := range comps {
		g, d := gf[c], dcPhases[c]
		r := Row{Name: "stack-phases-" + c,
			Subject:  fmt.Sprintf("gaiaflow: %s created +%.1f s, started +%.1f s, ready", c, g.created.Seconds(), g.started.Seconds()),
			Baseline: fmt.Sprintf("compose: created +%.1f s, started +%.1f s, ready", d.created.Seconds(), d.started.Seconds()),
			Value:    g.ready.Seconds(), Base: d.ready.Seconds(), Unit: "s", Target: "(where the time goes)", Met: true}
		if d.ready > 0 {
			r.Ratio = g.ready.Seconds() / d.ready.Seconds()
		}
		if i == 0 {
			r.Note = fmt.Sprintf("one cold start each (load average %s when they ended), fresh volumes, the image kit's images; times from each command's start; "+
				"gaiaflow's from its -o json timings (whole command %.1f s; before its first container: %s), "+
				"compose's from the engine's events for its containers (whole command %.1f s)", loadAverage(), gfTook.Seconds(), own, dcTook.Seconds())
		}
		rows = append(rows, r)
	}
	over := gfTook - gfFloor
	rows = append(rows, Row{Name: "stack-floor",
		Subject:  "gaiaflow dev start returned, all healthy",
		Baseline: "the slowest service's own readiness: the last to answer its probe, polled every 100 ms from the host",
		Value:    gfTook.Seconds(), Base: gfFloor.Seconds(), Unit: "s", Ratio: gfTook.Seconds() / gfFloor.Seconds(),
		Target: "≤ 1 s over the floor", Met: over <= time.Second,
		Note: fmt.Sprintf("the same start as the stack-phases rows; %s was the last ready; gaiaflow returned %.2f s after it "+
			"(its command's own start and end, the probe's backoff, the bucket it creates); "+
			"compose in the same run: returned at %.2f s, %.2f s after its floor of %.2f s (%s last)",
			gfLast, over.Seconds(), dcTook.Seconds(), (dcTook - dcFloor).Seconds(), dcFloor.Seconds(), dcLast)})
	return rows, nil
}

// gaiaflowPhases reads dev start's NDJSON for when each container was
// created, started and ready, from began, and sums up the phases before the
// first container.
func gaiaflowPhases(ndjson string, began time.Time) (map[string]ctrTimes, string, error) {
	out := map[string]ctrTimes{}
	var own []string
	sc := bufio.NewScanner(strings.NewReader(ndjson))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e event.Event
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Kind != event.Timing || e.Scope != "stack" {
			continue
		}
		if e.Container == "" {
			if e.Phase != "start" && e.Phase != "containers" {
				own = append(own, fmt.Sprintf("%s %.2f s", e.Phase, e.Seconds))
			}
			continue
		}
		t := out[e.Container]
		switch e.Phase {
		case "create":
			t.created = e.Began.Sub(began)
		case "started":
			t.started = e.Began.Sub(began)
		case "healthy", "completed":
			t.ready = e.Time.Sub(began)
		}
		out[e.Container] = t
	}
	if len(out) == 0 {
		return nil, "", fmt.Errorf("dev start -o json reported no container timings")
	}
	return out, strings.Join(own, ", "), nil
}

// followEvents follows the engine's events for the project's containers
// (compose's carry the same labels) from since on, until the returned
// function is called, which returns them as JSON lines. It follows rather
// than asks afterwards: the engine keeps only its last 256 events, which
// other work on a shared machine can push out.
func followEvents(projectID string, since time.Time) (func() (string, error), error) {
	cmd := exec.Command("docker", "events", "--since", strconv.FormatInt(since.Unix(), 10), "--format", "{{json .}}",
		"--filter", "type=container", "--filter", "label=io.gaiaflow.project="+projectID)
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("docker events: %w", err)
	}
	return func() (string, error) {
		time.Sleep(time.Second) // the last events of the command just ended
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return out.String(), nil
	}, nil
}

// enginePhases reads the followed events for when each container was
// created, started and ready, from began.
func enginePhases(events func() (string, error), began time.Time) (map[string]ctrTimes, error) {
	data, err := events()
	if err != nil {
		return nil, err
	}
	out := map[string]ctrTimes{}
	for _, line := range strings.Split(strings.TrimSpace(data), "\n") {
		var ev struct {
			Action   string `json:"Action"`
			TimeNano int64  `json:"timeNano"`
			Actor    struct {
				Attributes map[string]string `json:"Attributes"`
			} `json:"Actor"`
		}
		if json.Unmarshal([]byte(line), &ev) != nil {
			continue
		}
		c := ev.Actor.Attributes["io.gaiaflow.component"]
		at := time.Unix(0, ev.TimeNano).Sub(began)
		if at < 0 { // the last second before: gaiaflow's stop
			continue
		}
		t := out[c]
		switch {
		case ev.Action == "create":
			t.created = at
		case ev.Action == "start":
			t.started = at
		case ev.Action == "health_status: healthy" && t.ready == 0:
			t.ready = at
		case ev.Action == "die" && ev.Actor.Attributes["exitCode"] == "0" && t.ready == 0:
			t.ready = at
		}
		out[c] = t
	}
	return out, nil
}

// loadAverage is the machine's 1-minute load average, or "unknown".
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(data)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "unknown"
}
