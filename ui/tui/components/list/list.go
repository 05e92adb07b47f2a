// Package list is the cursor-and-window logic every list panel shares: a
// selection that survives refreshes, scrolling that keeps the cursor in
// view, paging and mouse rows. It draws nothing; panels render the window.
package list

// List is a scrolled list of items.
type List[T any] struct {
	items  []T
	cursor int
	offset int
	height int
	gen    int
}

// Gen counts SetItems calls: what is derived from all the items (a
// table's column widths) is derived again when it changes.
func (l *List[T]) Gen() int { return l.gen }

// Items returns the items.
func (l *List[T]) Items() []T { return l.items }

// Len is the number of items.
func (l *List[T]) Len() int { return len(l.items) }

// SetItems replaces the items. The cursor stays on the item same reports as
// equal to the one selected before, when there is one; else it stays at its
// index, clamped.
func (l *List[T]) SetItems(items []T, same func(a, b T) bool) {
	l.gen++
	if sel, ok := l.Selected(); ok && same != nil {
		for i, it := range items {
			if same(sel, it) {
				l.items = items
				l.cursor = i
				l.clamp()
				return
			}
		}
	}
	l.items = items
	l.clamp()
}

// SetHeight sets how many rows the window shows.
func (l *List[T]) SetHeight(h int) {
	l.height = max(h, 1)
	l.clamp()
}

// Height is the window's height.
func (l *List[T]) Height() int { return l.height }

// Cursor is the selected index (0 when empty).
func (l *List[T]) Cursor() int { return l.cursor }

// Selected returns the selected item.
func (l *List[T]) Selected() (T, bool) {
	var zero T
	if l.cursor < 0 || l.cursor >= len(l.items) {
		return zero, false
	}
	return l.items[l.cursor], true
}

// Move moves the cursor by delta, clamped.
func (l *List[T]) Move(delta int) {
	l.cursor += delta
	l.clamp()
}

// Select puts the cursor on index i, clamped.
func (l *List[T]) Select(i int) {
	l.cursor = i
	l.clamp()
}

// Page moves by a window's height (up when n < 0).
func (l *List[T]) Page(n int) { l.Move(n * max(l.height-1, 1)) }

// Top and Bottom jump to the ends.
func (l *List[T]) Top()    { l.Select(0) }
func (l *List[T]) Bottom() { l.Select(len(l.items) - 1) }

// Window returns the half-open range of indices in view.
func (l *List[T]) Window() (start, end int) {
	return l.offset, min(l.offset+l.height, len(l.items))
}

// Click selects the item drawn at row (0 = the window's first row); it
// reports whether there was an item there.
func (l *List[T]) Click(row int) bool {
	i := l.offset + row
	if row < 0 || i >= len(l.items) {
		return false
	}
	l.cursor = i
	return true
}

func (l *List[T]) clamp() {
	if l.height < 1 {
		l.height = 1
	}
	if l.cursor >= len(l.items) {
		l.cursor = len(l.items) - 1
	}
	if l.cursor < 0 {
		l.cursor = 0
	}
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+l.height {
		l.offset = l.cursor - l.height + 1
	}
	if maxOff := max(len(l.items)-l.height, 0); l.offset > maxOff {
		l.offset = maxOff
	}
	if l.offset < 0 {
		l.offset = 0
	}
}
