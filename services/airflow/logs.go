package airflow

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TaskLog returns the log of one try of a task instance as plain text, one
// line per message (the whole log so far for a running task). try counts from
// 1, as TaskInstance.TryNumber does.
//
// Airflow 3 serves logs only as JSON or NDJSON of structured messages (a
// text/plain Accept gets 406), so the text is rendered here.
func (c *Client) TaskLog(ctx context.Context, dagID, runID, taskID string, try int) (string, error) {
	path := runPath(dagID, runID) + "/taskInstances/" + url.PathEscape(taskID) + "/logs/" + strconv.Itoa(try)
	r := request{
		method: http.MethodGet,
		path:   path,
		query:  url.Values{"full_content": {"true"}},
		auth:   true,
	}
	body, err := c.call(ctx, r)
	if err != nil {
		return "", err
	}
	var resp struct {
		Content []json.RawMessage `json:"content"`
	}
	if err := decode(r, body, &resp); err != nil {
		return "", err
	}
	return renderLog(resp.Content), nil
}

// logMessage is one structured log message. Besides these fields a message
// carries whatever the logger bound (dag_id, ti_id, ...), which is dropped.
type logMessage struct {
	Timestamp   *time.Time      `json:"timestamp"`
	Event       string          `json:"event"`
	Level       string          `json:"level"`
	Logger      string          `json:"logger"`
	ErrorDetail []exceptionJSON `json:"error_detail"`
}

// exceptionJSON is one exception of a chain, as the task runner logs it.
type exceptionJSON struct {
	ExcType  string `json:"exc_type"`
	ExcValue string `json:"exc_value"`
	IsCause  bool   `json:"is_cause"`
	Frames   []struct {
		Filename string `json:"filename"`
		Lineno   int    `json:"lineno"`
		Name     string `json:"name"`
	} `json:"frames"`
}

// renderLog turns Airflow's log content into text. The content is a list of
// messages, or a list of plain strings when Airflow could not parse the file.
// Group markers ("::group::Title", "::endgroup::"), which Airflow's UI folds,
// become a "== Title ==" header and nothing.
func renderLog(content []json.RawMessage) string {
	var b strings.Builder
	for _, raw := range content {
		var line string
		if json.Unmarshal(raw, &line) == nil {
			b.WriteString(line)
			b.WriteByte('\n')
			continue
		}
		var m logMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			b.Write(raw)
			b.WriteByte('\n')
			continue
		}
		if m.Event == "::endgroup::" {
			continue
		}
		if title, ok := strings.CutPrefix(m.Event, "::group::"); ok {
			fmt.Fprintf(&b, "== %s ==\n", title)
			continue
		}
		var prefix []string
		if m.Timestamp != nil {
			prefix = append(prefix, m.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z"))
		}
		if m.Level != "" {
			prefix = append(prefix, strings.ToUpper(m.Level))
		}
		if m.Logger != "" {
			prefix = append(prefix, m.Logger)
		}
		if len(prefix) > 0 {
			b.WriteString(strings.Join(prefix, " "))
			b.WriteString(" - ")
		}
		b.WriteString(m.Event)
		b.WriteByte('\n')
		writeTraceback(&b, m.ErrorDetail)
	}
	return b.String()
}

// writeTraceback renders an exception chain the way Python prints it. The
// chain comes outermost first (structlog's extract); element i+1 is the
// __cause__ (IsCause) or __context__ of element i. Python prints the
// innermost first.
func writeTraceback(b *strings.Builder, chain []exceptionJSON) {
	for i := len(chain) - 1; i >= 0; i-- {
		e := chain[i]
		b.WriteString("Traceback (most recent call last):\n")
		for _, f := range e.Frames {
			fmt.Fprintf(b, "  File %q, line %d, in %s\n", f.Filename, f.Lineno, f.Name)
		}
		if e.ExcValue != "" {
			fmt.Fprintf(b, "%s: %s\n", e.ExcType, e.ExcValue)
		} else {
			fmt.Fprintf(b, "%s\n", e.ExcType)
		}
		if i > 0 {
			if e.IsCause {
				b.WriteString("\nThe above exception was the direct cause of the following exception:\n\n")
			} else {
				b.WriteString("\nDuring handling of the above exception, another exception occurred:\n\n")
			}
		}
	}
}
