package logview

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/gaiaflow/gaiaflow/ui/tui"
)

func lines(texts ...string) []tui.LogLine {
	out := make([]tui.LogLine, len(texts))
	for i, t := range texts {
		out[i] = tui.LogLine{Text: t}
	}
	return out
}

func numbered(n int) []tui.LogLine {
	out := make([]tui.LogLine, n)
	for i := range out {
		out[i] = tui.LogLine{Text: fmt.Sprintf("line %d", i)}
	}
	return out
}

func TestFollowSticksToTheEndUntilScrolledUp(t *testing.T) {
	m := New()
	m.SetHeight(3)
	m.Append(numbered(10))
	if s, e := m.Window(); s != 7 || e != 10 {
		t.Fatalf("window [%d,%d), want [7,10)", s, e)
	}
	m.Scroll(-2)
	if m.Follow() {
		t.Error("still following after scrolling up")
	}
	m.Append(numbered(5))
	if s, _ := m.Window(); s != 5 {
		t.Errorf("view moved while not following: start %d", s)
	}
	m.Bottom()
	if !m.Follow() {
		t.Error("Bottom did not follow")
	}
	m.ToggleFollow()
	m.SetHeight(4)
	if m.Follow() {
		t.Error("a resize turned following back on")
	}
}

func TestPauseHoldsLines(t *testing.T) {
	m := New()
	m.SetHeight(5)
	m.Append(lines("a"))
	m.TogglePause()
	m.Append(lines("b", "c"))
	if m.Len() != 1 || m.Pending() != 2 {
		t.Fatalf("len %d pending %d", m.Len(), m.Pending())
	}
	m.TogglePause()
	if m.Len() != 3 || m.Pending() != 0 {
		t.Errorf("after resume: len %d pending %d", m.Len(), m.Pending())
	}
}

func TestFilterAndSearch(t *testing.T) {
	m := New()
	m.SetHeight(2)
	m.Append(lines("INFO start", "ERROR boom", "INFO ok", "error again", "WARN x"))
	if err := m.SetFilter("error|warn"); err != nil {
		t.Fatal(err)
	}
	if m.Shown() != 3 {
		t.Errorf("shown %d, want 3 (case-insensitive lower-case pattern)", m.Shown())
	}
	if err := m.SetFilter("ERROR"); err != nil || m.Shown() != 1 {
		t.Errorf("case-sensitive upper-case pattern: shown %d, %v", m.Shown(), err)
	}
	if err := m.SetFilter("(unclosed"); err == nil {
		t.Error("bad regexp accepted")
	}
	if m.Filter() != "ERROR" {
		t.Errorf("a bad pattern replaced the filter: %q", m.Filter())
	}
	_ = m.SetFilter("")
	if err := m.SetSearch("info"); err != nil {
		t.Fatal(err)
	}
	if m.Matches() != 2 || m.Follow() {
		t.Errorf("matches %d follow %v", m.Matches(), m.Follow())
	}
	first := m.match
	m.NextMatch(1)
	second := m.match
	m.NextMatch(1)
	if first == second || m.match != first {
		t.Errorf("next match does not wrap: %d %d %d", first, second, m.match)
	}
	m.NextMatch(-1)
	if m.match != second {
		t.Errorf("previous match = %d, want %d", m.match, second)
	}
	s, e := m.Window()
	if m.match < s || m.match >= e {
		t.Errorf("current match %d not in view [%d,%d)", m.match, s, e)
	}
}

func TestCopySelectionOrVisible(t *testing.T) {
	m := New()
	m.SetHeight(3)
	m.Append(numbered(6))
	text, n := m.CopyText()
	if n != 3 || text != "line 3\nline 4\nline 5\n" {
		t.Errorf("visible copy = %q (%d)", text, n)
	}
	m.ToggleSelect() // anchor on the last line in view
	m.Scroll(-2)
	m.ToggleSelect() // end
	text, n = m.CopyText()
	if n != 3 || text != "line 3\nline 4\nline 5\n" {
		t.Errorf("selection copy = %q (%d)", text, n)
	}
	m.Scroll(-2)
	text, _ = m.CopyText()
	if !strings.HasPrefix(text, "line 3") {
		t.Errorf("selection lost after scrolling: %q", text)
	}
	if !m.ClearSelection() {
		t.Error("no selection to clear")
	}
}

func TestTrimKeepsMax(t *testing.T) {
	m := New()
	m.Max = 100
	m.SetHeight(10)
	m.Append(numbered(1000))
	if m.Len() > 125 || m.Len() < 100 {
		t.Errorf("kept %d lines, want about 100", m.Len())
	}
	_, e := m.Window()
	if got := m.lines[m.shown[e-1]].Text; got != "line 999" {
		t.Errorf("last line in view %q", got)
	}
}

func TestRenderSanitizesAndFits(t *testing.T) {
	m := New()
	m.SetHeight(5)
	m.Append([]tui.LogLine{{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Container: "scheduler", Text: "\x1b[2Jclear \x1b[31mred\x1b[0m and a very long tail that does not fit"}})
	_ = m.SetSearch("red")
	out := m.Render(40, time.UTC, Styles{})
	if len(out) != 1 {
		t.Fatalf("%d lines", len(out))
	}
	got := ansi.Strip(out[0])
	if strings.Contains(out[0], "\x1b[2J") || lipgloss.Width(got) != 40 {
		t.Errorf("line %q (width %d)", got, lipgloss.Width(got))
	}
	// One source: no tag, its name would be on every line.
	if !strings.HasPrefix(got, "›03:04:05 clear red") {
		t.Errorf("line = %q", got)
	}
}

func TestMatchCountFollowsAppendsAndFilters(t *testing.T) {
	m := New()
	m.SetHeight(3)
	_ = m.SetSearch("err")
	m.Append(lines("err a", "ok", "err b"))
	if m.Matches() != 2 {
		t.Errorf("matches %d after append", m.Matches())
	}
	_ = m.SetFilter("b")
	if m.Matches() != 1 {
		t.Errorf("matches %d after filter", m.Matches())
	}
	m.Reset("")
	if m.Matches() != 0 {
		t.Errorf("matches %d after reset", m.Matches())
	}
}

// Several sources: each line starts with its source's short tag (the
// service's name left out), padded to the widest, in the source's colour.
func TestTagsAreShortPaddedAndColouredPerSource(t *testing.T) {
	for _, c := range []struct{ trim, src, want string }{
		{"airflow", "airflow-scheduler", "scheduler"},
		{"airflow", "postgres-airflow", "postgres"},
		{"airflow", "airflow", "airflow"},
		{"mlflow", "mlflow", "mlflow"},
		{"", "pipeline.train", "pipeline.train"},
	} {
		if got := Tag(c.trim, c.src); got != c.want {
			t.Errorf("Tag(%q, %q) = %q, want %q", c.trim, c.src, got, c.want)
		}
	}
	m := New()
	m.Reset("airflow")
	m.SetHeight(5)
	m.Append([]tui.LogLine{{Container: "airflow-scheduler", Text: "a"}, {Container: "airflow-api-server", Text: "b"}, {Container: "airflow-scheduler", Text: "c"}})
	red, blue := lipgloss.NewStyle().SetString("R"), lipgloss.NewStyle().SetString("B")
	out := m.Render(30, time.UTC, Styles{Tags: []lipgloss.Style{red, blue}})
	want := []string{" R scheduler  a", " B api-server b", " R scheduler  c"}
	for i, w := range want {
		if got := strings.TrimRight(ansi.Strip(out[i]), " "); got != w {
			t.Errorf("line %d = %q, want %q", i, got, w)
		}
	}
}

func TestWrapFoldsLongLinesAndFollowShowsTheLastWhole(t *testing.T) {
	m := New()
	m.SetHeight(4)
	m.Append(lines("short", strings.Repeat("x", 25), "last"))
	m.ToggleWrap()
	out := m.Render(11, time.UTC, Styles{})
	var got []string
	for _, l := range out {
		got = append(got, strings.TrimRight(ansi.Strip(l), " "))
	}
	// 10 cells of text beside the gutter: the long line takes three rows.
	want := []string{" xxxxxxxxxx", " xxxxxxxxxx", " xxxxx", " last"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrapped:\n%q\nwant\n%q", got, want)
	}
	if m.ScrollSideways(1) {
		t.Error("wrapped lines scrolled sideways")
	}
}

func TestSidewaysScrollShowsTheRestOfLongLines(t *testing.T) {
	m := New()
	m.SetHeight(2)
	m.Append(lines("0123456789abcdefghijklmnopqrstuvwxyz", "short"))
	if !m.ScrollSideways(1) || m.Left() != 8 {
		t.Fatalf("left = %d", m.Left())
	}
	out := m.Render(11, time.UTC, Styles{})
	if got := ansi.Strip(out[0]); got != " 89abcdefg…" {
		t.Errorf("scrolled line = %q", got)
	}
	for i := 0; i < 10; i++ {
		m.ScrollSideways(1)
	}
	if m.Left() != 36-8 {
		t.Errorf("scrolled past the widest line: left = %d", m.Left())
	}
	m.ScrollSideways(-10)
	if m.Left() != 0 {
		t.Errorf("left = %d after scrolling back", m.Left())
	}
}
