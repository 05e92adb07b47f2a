package render

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// Cell is one styled cell.
type Cell struct {
	Text string
	Tone Tone
}

// Column is a table column: a title and a width. Flex columns share what
// fixed ones leave, in proportion to Flex; Min is the narrowest a flex column
// gets before columns with Drop set disappear.
type Column struct {
	Title string
	Width int
	Flex  int
	Min   int
	// Drop is the order in which a column is left out when the table is too
	// narrow (1 first); 0 never.
	Drop int
}

// Widths lays out columns in width cells (one space between columns). It
// returns a width per column; 0 means the column is left out.
func Widths(cols []Column, width int) []int {
	out := make([]int, len(cols))
	for drop := 0; ; drop++ {
		fixed, flex, gaps := 0, 0, -1
		for i, c := range cols {
			if c.Drop != 0 && c.Drop <= drop {
				out[i] = 0
				continue
			}
			gaps++
			if c.Flex > 0 {
				flex += c.Flex
				fixed += c.Min
			} else {
				fixed += c.Width
			}
		}
		room := width - fixed - gaps
		if room >= 0 || !anyDroppable(cols, drop) {
			if room < 0 {
				room = 0
			}
			given := 0
			lastFlex := -1
			for i, c := range cols {
				if c.Drop != 0 && c.Drop <= drop {
					continue
				}
				if c.Flex > 0 {
					out[i] = c.Min + room*c.Flex/max(flex, 1)
					given += room * c.Flex / max(flex, 1)
					lastFlex = i
				} else {
					out[i] = c.Width
				}
			}
			if lastFlex >= 0 {
				out[lastFlex] += room - given
			}
			return out
		}
	}
}

func anyDroppable(cols []Column, drop int) bool {
	for _, c := range cols {
		if c.Drop > drop {
			return true
		}
	}
	return false
}

// Row renders cells in the laid-out widths: each cell truncated with "…" and
// padded, so columns line up whatever the content.
func Row(cells []Cell, widths []int, style func(Tone) lipgloss.Style) string {
	var b strings.Builder
	first := true
	for i, w := range widths {
		if w <= 0 || i >= len(cells) {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		b.WriteString(style(cells[i].Tone).Render(Fit(cells[i].Text, w)))
	}
	return b.String()
}

// Fit truncates s to w cells with an ellipsis and pads it to exactly w.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if pad := w - ansi.StringWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// Header renders column titles in the laid-out widths.
func Header(cols []Column, widths []int, style lipgloss.Style) string {
	cells := make([]Cell, len(cols))
	for i, c := range cols {
		cells[i] = Cell{Text: c.Title}
	}
	return Row(cells, widths, func(Tone) lipgloss.Style { return style })
}

// PlainRow is Row without styles: for a selected row, drawn in one style.
func PlainRow(cells []Cell, widths []int) string {
	var b strings.Builder
	first := true
	for i, w := range widths {
		if w <= 0 || i >= len(cells) {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		b.WriteString(Fit(cells[i].Text, w))
	}
	return b.String()
}
