package dashboard

import (
	"github.com/charmbracelet/lipgloss"

	"github.com/gaiaflow/gaiaflow/ui/tui/components/list"
	"github.com/gaiaflow/gaiaflow/ui/tui/render"
)

// colWidths is a table's natural column widths over all its rows, measured
// again only when the rows change (a list's Gen), so that a frame costs the
// rows in view, not all of them, and columns do not jump while scrolling.
type colWidths struct {
	gen int
	nat []int
	ok  bool
}

// natural returns the widths measured over every row for generation gen,
// widened by the rows in view (their times move on between measures).
func (c *colWidths) natural(gen int, cols []render.Column, all func(nat []int)) []int {
	if !c.ok || c.gen != gen || len(c.nat) != len(cols) {
		c.nat = render.Natural(cols, nil)
		all(c.nat)
		c.gen, c.ok = gen, true
	}
	out := make([]int, len(c.nat))
	copy(out, c.nat)
	return out
}

// tableView draws a list as a table: titles, then the rows in view, the
// columns sized to their content and the width.
func tableView[T any](c *Context, cols []render.Column, l *list.List[T], cache *colWidths, width int, cells func(T) []render.Cell, tone func(render.Tone) lipgloss.Style) []string {
	st := c.Styles
	items := l.Items()
	nat := cache.natural(l.Gen(), cols, func(nat []int) {
		for _, it := range items {
			render.Measure(nat, cells(it))
		}
	})
	start, end := l.Window()
	rows := make([][]render.Cell, 0, end-start)
	for i := start; i < end; i++ {
		cs := cells(items[i])
		render.Measure(nat, cs)
		rows = append(rows, cs)
	}
	widths := render.Widths(cols, nat, width-2)
	out := make([]string, 0, len(rows)+1)
	out = append(out, "  "+render.Header(cols, widths, st.Muted.Bold(true)))
	for i, cs := range rows {
		if start+i == l.Cursor() {
			out = append(out, selectedLine(st, render.PlainRow(cs, widths), width))
			continue
		}
		out = append(out, "  "+render.Row(cs, widths, tone))
	}
	return out
}
