package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gaiaflow/gaiaflow/services/event"
)

// Reporter returns the headless face of long work: one line per event on
// stdout, or one JSON object per line (NDJSON) with -o json. Progress events
// are thinned to avoid flooding a log: only their first and last report print;
// phase timings are printed only as JSON.
func (a *App) Reporter() event.Reporter {
	if a.JSON() {
		enc := json.NewEncoder(a.Out)
		return event.Func(func(e event.Event) { _ = enc.Encode(e) })
	}
	return event.Func(func(e event.Event) {
		// Timings are for -o json: as lines they would double the output.
		if e.Kind == event.Timing || e.Kind == event.Progress && e.Current != 0 && e.Current != e.Total {
			return
		}
		fmt.Fprintln(a.Out, formatEvent(e))
	})
}

// formatEvent renders an event as one human line.
func formatEvent(e event.Event) string {
	var b strings.Builder
	// The most specific name: a container (airflow-scheduler) says more
	// than its service (airflow).
	switch {
	case e.Container != "":
		fmt.Fprintf(&b, "%-21s ", e.Container)
	case e.Service != "":
		fmt.Fprintf(&b, "%-8s ", e.Service)
	}
	switch e.Kind {
	case event.Warn:
		b.WriteString("warning: ")
	case event.Done:
		if e.Err != "" {
			b.WriteString("failed: ")
		}
	}
	msg := strings.TrimRight(e.Message, "\n")
	if e.State != "" && msg == "" {
		msg = e.State
	}
	b.WriteString(msg)
	if e.Kind == event.Progress && e.Total > 0 {
		fmt.Fprintf(&b, " %d%%", e.Current*100/e.Total)
	}
	if e.Err != "" {
		b.WriteString(": " + e.Err)
	}
	return b.String()
}
