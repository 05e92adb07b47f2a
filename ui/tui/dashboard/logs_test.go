package dashboard

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/ui/tui"
)

func openServiceLogs(t *testing.T) *driver {
	d := newDriver(t, 100, 30)
	d.keys("1", "l")
	d.see("[4 Logs]", "airflow · tail 200 · following", "INFO Starting the scheduler", "scheduler")
	return d
}

func TestLogsFilter(t *testing.T) {
	t.Parallel()
	d := openServiceLogs(t)
	d.keys("&")
	d.see("filter &")
	d.typ("error")
	// The filter applies as you type.
	d.see("filter /error/ 2 of 10", "ModuleNotFoundError", "task train failed")
	d.notSee("INFO Heartbeat ok")
	d.keys("enter")
	d.see("filter /error/ 2 of 10")
	// esc clears the filter.
	d.keys("esc")
	d.see("INFO Heartbeat ok")
	d.notSee("filter /")
}

func TestLogsFilterBadRegexpKeepsPromptOpen(t *testing.T) {
	t.Parallel()
	d := openServiceLogs(t)
	d.keys("&")
	d.typ("(oops")
	d.keys("enter")
	d.see("filter & (oops", "error parsing regexp")
	d.keys("esc")
	d.see("INFO Heartbeat ok")
}

func TestLogsSearchHighlightsAndJumps(t *testing.T) {
	t.Parallel()
	d := openServiceLogs(t)
	d.keys("/")
	d.typ("info")
	d.keys("enter")
	d.see("search /info/ 7", "›")
	first := d.m.logs.view.Search()
	d.keys("n", "N")
	if d.m.logs.view.Search() != first {
		t.Error("n/N changed the search")
	}
	d.keys("/")
	d.typ("nothing-matches")
	d.keys("enter", "n")
	d.see("no match")
}

func TestLogsFollowPauseAndPresets(t *testing.T) {
	t.Parallel()
	d := openServiceLogs(t)
	d.keys("f")
	d.notSee("following")
	d.keys("f", " ")
	d.see("PAUSED (+0)")
	d.keys(" ")
	d.notSee("PAUSED")
	d.keys("t")
	d.see("airflow · tail 1000", "logs: tail 1000")
	d.keys("t")
	d.see("since 10m")
	// The fake's history is 10 lines a minute apart: since 10m keeps 9.
	if n := d.m.logs.view.Len(); n != 9 {
		t.Errorf("since 10m kept %d lines", n)
	}
}

func TestLogsCopyVisibleAndSelection(t *testing.T) {
	t.Parallel()
	d := openServiceLogs(t)
	d.keys("y")
	d.see("copied 10 line(s) to the clipboard")
	clip := d.clip.String()
	if !strings.HasPrefix(clip, "\x1b]52;c;") {
		t.Fatalf("clipboard got %q, want an OSC 52 sequence", clip)
	}
	payload := strings.TrimSuffix(strings.TrimPrefix(clip, "\x1b]52;c;"), "\x07")
	text, err := base64.StdEncoding.DecodeString(payload)
	if err != nil || !strings.Contains(string(text), "INFO Starting the scheduler") || strings.Contains(string(text), "\x1b[31m") {
		t.Errorf("copied %q (%v)", text, err)
	}
	d.clip.Reset()
	d.keys("v", "k", "k", "v", "y")
	d.see("copied 3 line(s)")
	payload = strings.TrimSuffix(strings.TrimPrefix(d.clip.String(), "\x1b]52;c;"), "\x07")
	text, _ = base64.StdEncoding.DecodeString(payload)
	if string(text) != "INFO Heartbeat ok\nINFO Marking run train_model success\n" && !strings.HasSuffix(string(text), "INFO Marking run train_model success\n") {
		t.Errorf("selection copied %q", text)
	}
}

func TestLogsSaveToAFile(t *testing.T) {
	t.Parallel()
	d := openServiceLogs(t)
	d.keys("&")
	d.typ("ERROR")
	d.keys("enter", "w")
	d.see("save to /logs/airflow-20261126-120000.log")
	d.keys("enter")
	d.see("saved 2 line(s) to /logs/airflow-20261126-120000.log")
	got := d.saved["/logs/airflow-20261126-120000.log"]
	// A saved line names its container whole (the screen's tag is short).
	if !strings.Contains(got, "2026-11-26T11:53:00Z airflow-dag-processor ERROR ModuleNotFoundError") || strings.Count(got, "\n") != 2 {
		t.Errorf("saved %q", got)
	}
}

func TestLogsSanitizeEscapes(t *testing.T) {
	t.Parallel()
	d := openServiceLogs(t)
	if strings.Contains(d.screen(), "\x1b[31m") {
		t.Error("a log line's escape sequence reached the screen")
	}
	d.see("ERROR task train failed with exit code 1")
}

func TestLogsOnlyTheLatestStreamRuns(t *testing.T) {
	t.Parallel()
	d := openServiceLogs(t)
	first := d.m.logs.stream
	d.keys("1", "j", "j", "j", "j", "j", "j", "j", "l") // mlflow
	if d.m.logs.stream == first {
		t.Fatal("no new stream")
	}
	// A late batch of the old stream is dropped.
	d.handle(logLinesMsg{stream: first, lines: []tui.LogLine{{Text: "STALE LINE"}}})
	d.notSee("STALE LINE")
	d.see("mlflow · tail 200")
}

func TestLogsUnavailableWhenDockerIsDown(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 100, 30, dockerDown)
	d.keys("4")
	d.see("✗ logs of airflow: Docker is not reachable")
}
