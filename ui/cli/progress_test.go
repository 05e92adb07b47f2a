package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/services/event"
)

func TestReporterText(t *testing.T) {
	var out bytes.Buffer
	a := NewApp(nil, &out, &out)
	a.Opts.Output = "text"
	r := a.Reporter()
	r.Report(event.Event{Kind: event.Step, Service: "airflow", Message: "creating containers"})
	r.Report(event.Event{Kind: event.Progress, Service: "minio", Message: "pulling", Current: 5, Total: 10})
	r.Report(event.Event{Kind: event.Progress, Service: "minio", Message: "pulling", Current: 10, Total: 10})
	r.Report(event.Event{Kind: event.Done, Service: "mlflow", Message: "start", Err: "exited with code 3"})
	want := "airflow  creating containers\nminio    pulling 100%\nmlflow   failed: start: exited with code 3\n"
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestReporterNDJSON(t *testing.T) {
	var out bytes.Buffer
	a := NewApp(nil, &out, &out)
	a.Opts.Output = "json"
	r := a.Reporter()
	r.Report(event.Event{Kind: event.Step, Service: "airflow", State: "healthy"})
	r.Report(event.Event{Kind: event.Log, Message: "line with \"quotes\"\n"})
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 NDJSON lines, got %q", out.String())
	}
	for _, l := range lines {
		var e event.Event
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("line %q is not JSON: %v", l, err)
		}
		if e.Time.IsZero() {
			t.Errorf("event without time: %q", l)
		}
	}
}
