package build

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/event"
)

// The classic builder's answers, recorded from Debian's Docker 20.10 and from
// Docker 29.8 (containerd image store) for the same context
// (testdata/engine-streams: a build, the same build from cache, a failing
// RUN), replayed through gaiaflow's client and stream parser. Both engines
// must come out as the same steps, output and errors, whatever the small
// differences in their bookkeeping lines (29 writes " ---> Removed
// intermediate container", 20.10 "Removing intermediate container").
func TestRecordedEngineStreamsAgree(t *testing.T) {
	type outcome struct {
		Steps  []Step
		Events []string
		// StepTimings counts the build-step timing events (kept out of Events).
		StepTimings int
		ID          bool // an image id came back
		Err         string
		Output      []string
	}
	replay := func(t *testing.T, file string) outcome {
		t.Helper()
		body, err := os.ReadFile(filepath.Join("testdata", "engine-streams", file))
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.URL.Path == "/_ping":
				w.Header().Set("Api-Version", "1.41")
				w.WriteHeader(http.StatusOK)
			case strings.HasSuffix(r.URL.Path, "/build") && r.URL.Query().Get("version") == "1":
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			default:
				http.Error(w, "not recorded: "+r.Method+" "+r.URL.Path, http.StatusNotFound)
			}
		}))
		defer srv.Close()
		c, err := docker.New(func(k string) string {
			if k == "DOCKER_HOST" {
				return "tcp://" + strings.TrimPrefix(srv.URL, "http://")
			}
			return ""
		})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		rec := &event.Recorder{}
		steps, id, err := (&Builder{Engine: c}).build(context.Background(), []byte("context"),
			docker.BuildOptions{Tags: []string{"gaiaflow-test/e29stream:1"}}, rec)
		o := outcome{Steps: steps, ID: strings.HasPrefix(id, "sha256:")}
		for _, e := range rec.Events() {
			if e.Kind == event.Timing {
				if e.Phase == "build-step" {
					o.StepTimings++
				}
				continue
			}
			o.Events = append(o.Events, e.State+" "+e.Message)
		}
		var se *StepError
		if errors.As(err, &se) {
			o.Err, o.Output = se.Error(), se.Output
		} else if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		return o
	}
	want := map[string]outcome{
		"build": {
			Steps: []Step{{1, 4, "FROM gaiaflow-test/e29probe:1", false}, {2, 4, "RUN echo step-output && echo err-output >&2", false},
				{3, 4, "COPY f /f", false}, {4, 4, "LABEL x=y", false}},
			ID: true,
		},
		"cached": {
			Steps: []Step{{1, 4, "FROM gaiaflow-test/e29probe:1", false}, {2, 4, "RUN echo step-output && echo err-output >&2", true},
				{3, 4, "COPY f /f", true}, {4, 4, "LABEL x=y", true}},
			ID: true,
		},
		"fail": {
			Steps:  []Step{{1, 2, "FROM gaiaflow-test/e29probe:1", false}, {2, 2, "RUN echo before-fail && exit 3", false}},
			Err:    "image build failed at step 2/2 (RUN echo before-fail && exit 3): The command '/bin/sh -c echo before-fail && exit 3' returned a non-zero code: 3",
			Output: []string{"before-fail"},
		},
	}
	for kind, w := range want {
		t.Run(kind, func(t *testing.T) {
			old := replay(t, "docker-20.10-"+kind+".jsonl")
			cur := replay(t, "docker-29.8-"+kind+".jsonl")
			for name, got := range map[string]outcome{"20.10": old, "29.8": cur} {
				if !reflect.DeepEqual(got.Steps, w.Steps) || got.ID != w.ID || got.Err != w.Err || !reflect.DeepEqual(got.Output, w.Output) {
					t.Errorf("Docker %s: steps %+v, id %v, err %q, output %q\nwant steps %+v, id %v, err %q, output %q",
						name, got.Steps, got.ID, got.Err, got.Output, w.Steps, w.ID, w.Err, w.Output)
				}
			}
			// The two engines order a RUN's stdout and stderr as they come;
			// apart from that order, they report the same.
			if !sameLines(old.Events, cur.Events) {
				t.Errorf("the engines' events differ:\n20.10: %q\n29.8:  %q", old.Events, cur.Events)
			}
			for name, got := range map[string]outcome{"20.10": old, "29.8": cur} {
				if kind == "build" && got.StepTimings != len(w.Steps) {
					t.Errorf("Docker %s: %d build-step timings for %d steps", name, got.StepTimings, len(w.Steps))
				}
			}
			if kind == "build" && !(sameLines(filterLogs(cur.Events), []string{" step-output", " err-output"})) {
				t.Errorf("the RUN step's output, and only it, should be logged: %q", cur.Events)
			}
		})
	}
}

func sameLines(a, b []string) bool {
	count := map[string]int{}
	for _, s := range a {
		count[s]++
	}
	for _, s := range b {
		count[s]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

// filterLogs keeps the events that carry a line of output (no state).
func filterLogs(events []string) []string {
	var out []string
	for _, e := range events {
		if strings.HasPrefix(e, " ") {
			out = append(out, e)
		}
	}
	return out
}
