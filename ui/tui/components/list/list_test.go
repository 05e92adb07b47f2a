package list

import "testing"

func ints(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func TestScrollKeepsCursorInView(t *testing.T) {
	var l List[int]
	l.SetHeight(5)
	l.SetItems(ints(20), nil)
	steps := []struct {
		do           func()
		cursor, s, e int
	}{
		{func() {}, 0, 0, 5},
		{func() { l.Move(4) }, 4, 0, 5},
		{func() { l.Move(1) }, 5, 1, 6},
		{func() { l.Page(1) }, 9, 5, 10},
		{func() { l.Bottom() }, 19, 15, 20},
		{func() { l.Move(5) }, 19, 15, 20},
		{func() { l.Top() }, 0, 0, 5},
		{func() { l.Move(-3) }, 0, 0, 5},
	}
	for i, st := range steps {
		st.do()
		s, e := l.Window()
		if l.Cursor() != st.cursor || s != st.s || e != st.e {
			t.Errorf("step %d: cursor %d window [%d,%d), want %d [%d,%d)", i, l.Cursor(), s, e, st.cursor, st.s, st.e)
		}
	}
}

func TestSetItemsKeepsTheSelectedItem(t *testing.T) {
	var l List[string]
	l.SetHeight(3)
	l.SetItems([]string{"a", "b", "c", "d"}, nil)
	l.Select(2)
	same := func(a, b string) bool { return a == b }
	l.SetItems([]string{"x", "c", "d"}, same)
	if s, _ := l.Selected(); s != "c" {
		t.Errorf("selected %q after refresh, want c", s)
	}
	l.SetItems([]string{"y"}, same)
	if s, _ := l.Selected(); s != "y" || l.Cursor() != 0 {
		t.Errorf("selected %q at %d, want y at 0", s, l.Cursor())
	}
	l.SetItems(nil, same)
	if _, ok := l.Selected(); ok {
		t.Error("empty list has a selection")
	}
}

func TestClickAndShrink(t *testing.T) {
	var l List[int]
	l.SetHeight(4)
	l.SetItems(ints(10), nil)
	l.Bottom()
	if !l.Click(1) || l.Cursor() != 7 {
		t.Errorf("Click(1) -> %d, want 7", l.Cursor())
	}
	if l.Click(9) {
		t.Error("click below the items selected something")
	}
	l.SetHeight(20)
	if s, e := l.Window(); s != 0 || e != 10 {
		t.Errorf("window after growing = [%d,%d)", s, e)
	}
}
