package render

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/theme"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func TestContainerStateAndTone(t *testing.T) {
	cases := []struct {
		c    tui.Container
		text string
		tone Tone
		sym  string
	}{
		{tui.Container{State: tui.StateHealthy}, "healthy", Good, "●"},
		{tui.Container{State: tui.StateRunning}, "running", Good, "●"},
		{tui.Container{State: tui.StateStarting}, "starting", Busy, "◌"},
		{tui.Container{State: tui.StateUnhealthy}, "unhealthy", Bad, "✗"},
		{tui.Container{State: tui.StateExited, ExitCode: 1}, "exited (1)", Bad, "✗"},
		{tui.Container{State: tui.StateExited, ExitCode: 137, OOMKilled: true}, "exited (137, OOM killed)", Bad, "✗"},
		{tui.Container{State: tui.StateExited, ExitCode: 0}, "exited (0)", Muted, "✗"},
		{tui.Container{State: tui.StateExited, ExitCode: 0, OneShot: true}, "done (0)", Good, "✗"},
		{tui.Container{State: tui.StateStopped}, "stopped", Muted, "○"},
		{tui.Container{State: tui.StateRestarting, RestartCount: 3}, "restarting (3×)", Warn, "↻"},
		{tui.Container{State: tui.StatePulling}, "pulling", Busy, "↓"},
		{tui.Container{}, "unknown", Muted, "○"},
	}
	for _, c := range cases {
		if got := ContainerState(c.c); got != c.text {
			t.Errorf("ContainerState(%+v) = %q, want %q", c.c, got, c.text)
		}
		if got := ContainerTone(c.c); got != c.tone {
			t.Errorf("ContainerTone(%+v) = %v, want %v", c.c, got, c.tone)
		}
		if got := Symbol(c.c.State); got != c.sym {
			t.Errorf("Symbol(%q) = %q, want %q", c.c.State, got, c.sym)
		}
	}
}

// A service's row shows the summary it was given (the stack's, the one
// `gaiaflow dev status` prints) and names the container that decides it.
func TestServiceStateShowsTheSummaryAndItsCulprit(t *testing.T) {
	h := tui.Container{Name: "a", State: tui.StateHealthy}
	oom := tui.Container{Name: "minio", State: tui.StateExited, ExitCode: 137, OOMKilled: true}
	cases := []struct {
		name string
		s    tui.Service
		want string
		tone Tone
	}{
		{"healthy", tui.Service{State: tui.StateHealthy, Containers: []tui.Container{h}}, "● healthy", Good},
		{"unhealthy names its culprit", tui.Service{State: tui.StateUnhealthy, Culprit: "minio", Containers: []tui.Container{h, oom}},
			"✗ unhealthy: minio exited (137, OOM killed)", Bad},
		{"partial", tui.Service{State: tui.StatePartial, Culprit: "b", Containers: []tui.Container{h, {Name: "b", State: tui.StateStopped}}},
			"◐ partial: b stopped", Warn},
		{"starting", tui.Service{State: tui.StateStarting, Culprit: "a", Containers: []tui.Container{{Name: "a", State: tui.StateCreated}}},
			"◌ starting: a created", Busy},
		{"stopped", tui.Service{State: tui.StateStopped}, "○ stopped", Muted},
		{"not created", tui.Service{State: tui.StateMissing}, "○ not created", Muted},
		{"disabled", tui.Service{State: tui.StateDisabled}, "○ disabled", Muted},
		{"unknown", tui.Service{}, "○ unknown", Muted},
		{"pulling", tui.Service{State: tui.StateStarting, Progress: &tui.Progress{Phase: "pulling", Current: 1, Total: 4}}, "↓ pulling 25%", Busy},
		{"building", tui.Service{Progress: &tui.Progress{Phase: "building"}}, "⚙ building", Busy},
	}
	for _, c := range cases {
		got, tone := ServiceState(c.s)
		if got != c.want || tone != c.tone {
			t.Errorf("%s: ServiceState = %q (%v), want %q (%v)", c.name, got, tone, c.want, c.tone)
		}
	}
}

func TestTimes(t *testing.T) {
	ages := map[time.Duration]string{
		-time.Second: "0s", 45 * time.Second: "45s", 12 * time.Minute: "12m", 3*time.Hour + 12*time.Minute: "3h12m",
		2 * time.Hour: "2h", 52 * time.Hour: "2d4h", 48 * time.Hour: "2d",
	}
	for d, want := range ages {
		if got := Age(d); got != want {
			t.Errorf("Age(%v) = %q, want %q", d, got, want)
		}
	}
	if got := Uptime(t0, time.Time{}); got != "-" {
		t.Errorf("Uptime(zero) = %q", got)
	}
	durs := []struct {
		start, end time.Time
		want       string
	}{
		{time.Time{}, time.Time{}, "-"},
		{t0, t0.Add(850 * time.Millisecond), "850ms"},
		{t0, t0.Add(42 * time.Second), "42s"},
		{t0, t0.Add(185 * time.Second), "3m05s"},
		{t0, t0.Add(62 * time.Minute), "1h02m"},
		{t0.Add(-30 * time.Second), time.Time{}, "30s"}, // still running: up to now
	}
	for _, c := range durs {
		if got := Duration(c.start, c.end, t0); got != c.want {
			t.Errorf("Duration(%v, %v) = %q, want %q", c.start, c.end, got, c.want)
		}
	}
	whens := map[time.Time]string{
		{}: "-", t0.Add(4 * time.Minute): "in 4m", t0.Add(-12 * time.Minute): "12m ago",
		t0.Add(30 * 24 * time.Hour): "2026-12-26 12:00",
	}
	for at, want := range whens {
		if got := When(at, t0); got != want {
			t.Errorf("When(%v) = %q, want %q", at, got, want)
		}
	}
}

// Columns are as wide as their content; when the table does not fit, it
// gives up width move by move in the columns' order: the image is cut,
// then UP goes, then the image goes (and the state cut so far gets its
// width back), then the state is cut; names are cut only as a last resort.
func TestWidthsFitContentThenGiveUpInOrder(t *testing.T) {
	cols := []Column{
		{Title: "NAME"},
		{Title: "STATE", Cut: 4, Min: 6},
		{Title: "IMAGE", Cut: 1, Min: 8, Drop: 3},
		{Title: "UP", Drop: 2},
	}
	nat := []int{20, 15, 30, 4}
	cases := []struct {
		name  string
		width int
		want  []int
	}{
		{"room to spare: natural widths, no wider", 200, []int{20, 15, 30, 4}},
		{"exactly natural", 72, []int{20, 15, 30, 4}},
		{"image cut first", 60, []int{20, 15, 18, 4}},
		{"up goes before the image is cut below its minimum", 48, []int{20, 15, 11, 0}},
		{"then the image goes", 40, []int{20, 15, 0, 0}},
		{"then the state is cut", 30, []int{20, 9, 0, 0}},
		{"only then is the name cut", 20, []int{13, 6, 0, 0}},
	}
	for _, c := range cases {
		got := Widths(cols, nat, c.width)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: Widths(%d) = %v, want %v", c.name, c.width, got, c.want)
		}
		if tot := total(got); tot > c.width {
			t.Errorf("%s: %v takes %d cells, more than %d", c.name, got, tot, c.width)
		}
	}
}

func TestNaturalIsTheLongestValueOrTheTitle(t *testing.T) {
	cols := []Column{{Title: "SERVICE"}, {Title: "STATE"}, {Title: "IMAGE", Max: 10}}
	rows := [][]Cell{{{Text: "airflow"}, {Text: "● healthy"}, {Text: "apache/airflow:3.3.2-python3.12"}}, {{Text: "├ airflow-dag-processor"}, {Text: "ok"}}}
	nat := Natural(cols, rows)
	if fmt.Sprint(nat) != "[23 9 31]" {
		t.Errorf("Natural = %v", nat)
	}
	if got := Widths(cols, nat, 200); fmt.Sprint(got) != "[23 9 10]" {
		t.Errorf("Max caps a column: %v", got)
	}
}

func TestFitAndRow(t *testing.T) {
	if got := Fit("airflow-scheduler", 8); got != "airflow…" {
		t.Errorf("Fit = %q", got)
	}
	if got := Fit("ok", 5); got != "ok   " {
		t.Errorf("Fit pad = %q", got)
	}
	plain := func(Tone) lipgloss.Style { return lipgloss.NewStyle() }
	got := Row([]Cell{{Text: "a"}, {Text: "bbbbbb"}, {Text: "c"}}, []int{2, 3, 0}, plain)
	if got != "a  bb…" {
		t.Errorf("Row = %q", got)
	}
}

func TestRowsCarryTheirFacts(t *testing.T) {
	svc := tui.Service{Name: "airflow", Enabled: true, State: tui.StateHealthy, URL: "http://127.0.0.1:8080", Image: "apache/airflow:3.3.2",
		Containers: []tui.Container{{Name: "scheduler", State: tui.StateHealthy, Started: t0.Add(-3 * time.Hour)}}}
	cells := ServiceCells(svc, t0)
	if cells[1].Text != "● healthy" || cells[2].Text != svc.URL || cells[4].Text != "3h" {
		t.Errorf("ServiceCells = %+v", cells)
	}
	svc.Progress = &tui.Progress{Phase: "pulling", Current: 45, Total: 100}
	if got := ServiceCells(svc, t0)[1].Text; got != "↓ pulling 45%" {
		t.Errorf("progress = %q", got)
	}
	dag := tui.DAG{ID: "train", Paused: true, LastRunState: "failed", LastRunStart: t0.Add(-5 * time.Minute), ImportError: "SyntaxError: bad\nmore"}
	dc := DAGCells(dag, t0)
	if dc[1].Text != "paused" || dc[2].Text != "failed 5m" || dc[2].Tone != Bad || dc[4].Text != "✗ SyntaxError: bad" {
		t.Errorf("DAGCells = %+v", dc)
	}
	ti := tui.TaskInstance{TaskID: "fit", MapIndex: 2, State: "up_for_retry", Try: 2, Start: t0.Add(-time.Minute)}
	tc := TaskCells(ti, t0)
	if tc[0].Text != "fit[2]" || tc[1].Text != "up for retry" || tc[1].Tone != Warn || tc[4].Text != "1m00s" {
		t.Errorf("TaskCells = %+v", tc)
	}
	missing := tui.Check{Name: "task image", Detail: "not built", Fix: "build one with `gaiaflow dev dockerize`"}
	cases := []struct {
		c     tui.Check
		key   string
		width int
		mark  string
		tone  Tone
		text  string
	}{
		{missing, "b", 40, "✗", Bad, "task image: not built — press b         "},
		{missing, "", 80, "✗", Bad, "task image: not built; fix: build one with `gaiaflow dev dockerize`             "},
		{missing, "", 30, "✗", Bad, "task image: not built; fix: b…"},
		// The detail gives way to the key; below the name's width, the end does.
		{missing, "b", 25, "✗", Bad, "task image: no… — press b"},
		{missing, "b", 15, "✗", Bad, "task image: no…"},
		{tui.Check{Name: "registry", Detail: "none named"}, "", 30, "✗", Bad, "registry: none named          "},
		{tui.Check{Name: "cluster", OK: true, Detail: "running", Fix: "unused"}, "P", 16, "✓", Good, "cluster: running"},
	}
	for _, c := range cases {
		mark, tone, text := CheckLine(c.c, c.key, c.width)
		if mark != c.mark || tone != c.tone || text != c.text {
			t.Errorf("CheckLine(%+v, %q, %d) = %q %v %q, want %q %v %q", c.c, c.key, c.width, mark, tone, text, c.mark, c.tone, c.text)
		}
	}
}

func TestSanitizeKeepsTheScreenSafe(t *testing.T) {
	cases := map[string]string{
		"plain":                      "plain",
		"\x1b[31mred\x1b[0m":         "red",
		"a\tb":                       "a   b",
		"clear\x1b[2Jscreen":         "clearscreen",
		"bell\x07 and\r return":      "bell and return",
		"osc\x1b]52;c;aGk=\x07 copy": "osc copy",
		"ünïcode ✓":                  "ünïcode ✓",
	}
	for in, want := range cases {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHighlight(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI)
	st := theme.For(r, theme.Dark)
	re := regexp.MustCompile("err")
	got := Highlight("an error and err", re, st.Base, st.Match)
	if ansi.Strip(got) != "an error and err" {
		t.Errorf("text changed: %q", ansi.Strip(got))
	}
	if strings.Count(got, st.Match.Render("err")) != 2 {
		t.Errorf("matches not highlighted: %q", got)
	}
	if got := Highlight("x", nil, st.Base, st.Match); ansi.Strip(got) != "x" {
		t.Errorf("nil regexp: %q", got)
	}
	if got := Highlight("abc", regexp.MustCompile("z*"), st.Base, st.Match); ansi.Strip(got) != "abc" {
		t.Errorf("empty matches: %q", got)
	}
}
