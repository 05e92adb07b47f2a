package airflow

import "strings"

// FirstError is the line of a task log (as TaskLog renders it) that says
// what went wrong first: the exception of the first traceback ("ValueError:
// bad shape"), else the message of the first ERROR or CRITICAL line; "" when
// there is neither.
func FirstError(log string) string {
	lines := strings.Split(log, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "Traceback (most recent call last):" {
			continue
		}
		for _, next := range lines[i+1:] {
			if next == "" || strings.HasPrefix(next, " ") {
				continue // a frame, or its source line
			}
			return strings.TrimSpace(next)
		}
	}
	for _, l := range lines {
		for _, level := range []string{" ERROR ", " CRITICAL "} {
			at := strings.Index(l, level)
			if at < 0 {
				continue
			}
			msg := l[at+len(level):]
			// "ERROR task - Task failed": the logger's name, then the message.
			if _, after, ok := strings.Cut(msg, " - "); ok {
				msg = after
			}
			return strings.TrimSpace(msg)
		}
	}
	return ""
}
