package render

import (
	"sort"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// Cell is one styled cell.
type Cell struct {
	Text string
	Tone Tone
}

// Column is a table column. A column is as wide as its longest value (its
// title included), never wider; Max caps that for free text. When the
// table does not fit, it gives up width one move at a time, in the order
// the columns' Cut and Drop ranks say (one sequence for all columns, 1
// first): a Cut move lets a column be cut down to Min, a Drop move leaves
// the column out. After each move the columns are laid out again from
// their natural widths, so a column dropped gives the ones cut before it
// their width back. Only when every move is made are the other columns
// (the names a person reads the row by) cut, the widest first.
type Column struct {
	Title string
	// Min is the narrowest a cut column gets; 0 means its title's width
	// (at least 5 cells).
	Min int
	// Max caps the column's width; 0 means none.
	Max int
	// Cut is the rank of the move that lets the column be cut; 0 none.
	Cut int
	// Drop is the rank of the move that leaves the column out; 0 never.
	Drop int
}

// Natural measures each column's natural width: the widest of its title
// and of the rows' cells.
func Natural(cols []Column, rows [][]Cell) []int {
	nat := make([]int, len(cols))
	for i, c := range cols {
		nat[i] = ansi.StringWidth(c.Title)
	}
	for _, r := range rows {
		Measure(nat, r)
	}
	return nat
}

// Measure widens nat to hold one row's cells.
func Measure(nat []int, cells []Cell) {
	for i := 0; i < len(nat) && i < len(cells); i++ {
		if w := textWidth(cells[i].Text); w > nat[i] {
			nat[i] = w
		}
	}
}

// textWidth is the width of a cell's text: plain ASCII is its length, which
// is most cells and much cheaper than asking for grapheme widths.
func textWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] < 0x20 {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// move is one way a table gives up width.
type move struct {
	rank, col int
	drop      bool
}

// Widths lays out columns in width cells (one space between columns), given
// their natural widths (see Natural). It returns a width per column; 0
// means the column is left out.
func Widths(cols []Column, natural []int, width int) []int {
	want := make([]int, len(cols))
	var moves []move
	for i, c := range cols {
		if i < len(natural) {
			want[i] = natural[i]
		}
		if c.Max > 0 && want[i] > c.Max {
			want[i] = c.Max
		}
		if c.Cut > 0 {
			moves = append(moves, move{rank: c.Cut, col: i})
		}
		if c.Drop > 0 {
			moves = append(moves, move{rank: c.Drop, col: i, drop: true})
		}
	}
	sort.SliceStable(moves, func(a, b int) bool { return moves[a].rank < moves[b].rank })
	out := make([]int, len(cols))
	for made := 0; made <= len(moves); made++ {
		copy(out, want)
		for _, m := range moves[:made] {
			if m.drop {
				out[m.col] = 0
			}
		}
		over := total(out) - width
		for _, m := range moves[:made] {
			if over <= 0 {
				break
			}
			if m.drop || out[m.col] == 0 {
				continue
			}
			floor := min(out[m.col], minWidth(cols[m.col]))
			give := min(out[m.col]-floor, over)
			out[m.col] -= give
			over -= give
		}
		if over <= 0 {
			return out
		}
	}
	// The last resort: cut the rest, the widest first, one cell at a time.
	for over := total(out) - width; over > 0; over-- {
		widest := -1
		for i, w := range out {
			if w > 1 && (widest < 0 || w > out[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break
		}
		out[widest]--
	}
	return out
}

func minWidth(c Column) int {
	if c.Min > 0 {
		return c.Min
	}
	return max(ansi.StringWidth(c.Title), 5)
}

// total is the width the laid-out columns take, gaps included.
func total(widths []int) int {
	sum, n := 0, 0
	for _, w := range widths {
		if w > 0 {
			sum += w
			n++
		}
	}
	if n > 1 {
		sum += n - 1
	}
	return sum
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
		if cells[i].Text == "" {
			// An empty cell is its padding: no style to spend a render on.
			b.WriteString(strings.Repeat(" ", w))
			continue
		}
		b.WriteString(style(cells[i].Tone).Render(Fit(cells[i].Text, w)))
	}
	return b.String()
}

// Fit truncates s to w cells with an ellipsis and pads it to exactly w.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := textWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	if pad := w - sw; pad > 0 {
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
