package dashboard

import (
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/fake"
)

// selectOverview moves the overview's cursor to the line holding text.
func selectOverview(t *testing.T, d *driver, text string) {
	t.Helper()
	d.keys("g")
	for i := 0; i < 40; i++ {
		for _, l := range strings.Split(d.screen(), "\n") {
			if strings.HasPrefix(l, "▸") && strings.Contains(l, text) {
				return
			}
		}
		d.keys("j")
	}
	t.Fatalf("no overview line holds %q:\n%s", text, d.screen())
}

// Every overview line is a shortcut into the panel that says more.
func TestOverviewLinesOpenTheirPanels(t *testing.T) {
	t.Parallel()
	cases := []struct {
		line string
		want []string
		also func(*driver) string
	}{
		{"minio   ✗", []string{"[1 Services]", "minio · quay.io/minio"}, nil},
		{"dev: tasks run", []string{"[2 Mode]", "What dev needs"}, nil},
		{"etl_daily     ✗ failed", []string{"[3 DAGs]", "DAGs › etl_daily › runs"}, nil},
		{"etl_daily › train failed", []string{"[4 Logs]", "etl_daily › train"}, func(d *driver) string {
			return is(d.m.logs.src != nil && d.m.logs.src.Task != nil && d.m.logs.src.Task.Try == 2, "not the failed try's log")
		}},
		{"✗ minio exited (137", []string{"[4 Logs]", "minio · tail 200"}, nil},
	}
	for _, c := range cases {
		t.Run(c.line, func(t *testing.T) {
			t.Parallel()
			d := newDriver(t, 120, 40)
			selectOverview(t, d, c.line)
			d.keys("enter")
			d.see(c.want...)
			if c.also != nil {
				if msg := c.also(d); msg != "" {
					t.Error(msg)
				}
			}
		})
	}
}

// The mode's missing item shows the key that fixes it, and the key works
// from the overview.
func TestOverviewFixesTheModesMissingItem(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 80, 24, healthy)
	d.be.Update(func(s *tui.Snapshot) { s.Mode = "dev_docker" })
	d.see("dev_docker · not ready: 1 item missing", "— press b", "b build the task image")
	d.keys("b")
	d.until("the build", func() bool {
		a := d.actions()
		return len(a) == 1 && a[0] == tui.Action{Verb: tui.VerbBuildImage, Target: "dev_docker"}
	})
}

// With more DAGs than fit, the worst come first and a last line says how
// many more there are; the screen stays 80×24.
func TestOverviewOfAThousandDAGsFitsTheScreen(t *testing.T) {
	t.Parallel()
	d := newDriverWith(t, 80, 24, fake.Options{Now: clock, DAGs: 1000, RunsPerDAG: 3})
	d.see("1000 DAGs", "more: the DAGs panel (3) lists them all", "broken_dag")
	if n := len(strings.Split(d.screen(), "\n")); n != 24 {
		t.Errorf("%d lines", n)
	}
	selectOverview(t, d, "more: the DAGs panel")
	d.keys("enter")
	d.see("[3 DAGs]", "1000 DAGs")
}

// Until the cursor is moved, it stays on the first line while the
// overview's reads come in.
func TestOverviewCursorStartsAtTheTop(t *testing.T) {
	t.Parallel()
	d := newDriver(t, 120, 40)
	if c := d.m.overview.items.Cursor(); c != 0 {
		t.Errorf("cursor %d", c)
	}
	d.keys("j", "j")
	d.handle(pollMsg{gen: d.m.pollGen})
	d.settle()
	if c := d.m.overview.items.Cursor(); c != 2 {
		t.Errorf("cursor %d after moving and a read", c)
	}
}
