package render

import (
	"fmt"
	"time"
)

// Age is a short, human duration: "45s", "12m", "3h12m", "2d4h".
func Age(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		h := int(d.Hours())
		m := int(d.Minutes()) - 60*h
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%02dm", h, m)
	}
	days := int(d.Hours()) / 24
	h := int(d.Hours()) - 24*days
	if h == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd%dh", days, h)
}

// Uptime is how long a container has been up, or "-" when it is not.
func Uptime(now, started time.Time) string {
	if started.IsZero() {
		return "-"
	}
	return Age(now.Sub(started))
}

// Duration is how long something took, or has taken so far while end is zero:
// "850ms", "42s", "3m05s", "1h02m".
func Duration(start, end, now time.Time) string {
	if start.IsZero() {
		return "-"
	}
	if end.IsZero() {
		end = now
	}
	d := end.Sub(start)
	switch {
	case d < 0:
		return "-"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// When places a time relative to now: "in 4m", "12m ago", or a date when far.
func When(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := t.Sub(now)
	switch {
	case d > 0 && d < 7*24*time.Hour:
		return "in " + Age(d)
	case d <= 0 && -d < 7*24*time.Hour:
		return Age(-d) + " ago"
	}
	return t.UTC().Format("2006-01-02 15:04")
}
