package dashboard

import (
	"slices"
	"strings"
	"testing"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
)

// keyCase is one binding of the key table pressed where it applies, and
// what must follow.
type keyCase struct {
	action keys.Action
	opts   []driverOpt
	setup  []string // keys that lead to where the binding applies
	// check says what pressing the binding's first key did; "" is fine.
	check func(d *driver) string
}

// seen waits for the screen to show every string and says which is missing.
func seen(want ...string) func(*driver) string {
	return func(d *driver) string {
		d.see(want...)
		return ""
	}
}

// acted waits for the backend to be asked for an action.
func acted(want tui.Action) func(*driver) string {
	return func(d *driver) string {
		d.until(want.String(), func() bool { return slices.Contains(d.actions(), want) })
		return ""
	}
}

func is(ok bool, what string) string {
	if ok {
		return ""
	}
	return what
}

// TestEveryKeyDoesWhatItSays presses every binding of the key table in a
// place where it applies and checks what follows; the table below must
// name every action, so a binding added without a test fails here.
func TestEveryKeyDoesWhatItSays(t *testing.T) {
	t.Parallel()
	svc := []string{"1"}
	cases := []keyCase{
		{keys.Quit, nil, nil, func(d *driver) string { return is(d.quit, "did not quit") }},
		{keys.Help, nil, nil, seen("Keys · ? or esc closes", "Overview (here)")},
		{keys.NextPanel, nil, nil, seen("[1 Services]")},
		{keys.PrevPanel, nil, nil, seen("[5 MLflow]")},
		{keys.GoOverview, nil, svc, seen("[0 Overview]")},
		{keys.GoServices, nil, nil, seen("[1 Services]")},
		{keys.GoMode, nil, nil, seen("[2 Mode]")},
		{keys.GoDAGs, nil, nil, seen("[3 DAGs]")},
		{keys.GoLogs, nil, nil, seen("[4 Logs]")},
		{keys.GoMLflow, nil, nil, seen("[5 MLflow]", "demo-example")},
		{keys.Up, nil, []string{"1", "j", "j"}, func(d *driver) string { return is(d.m.services.rows.Cursor() == 1, "cursor not on row 1") }},
		{keys.Down, nil, svc, func(d *driver) string { return is(d.m.services.rows.Cursor() == 1, "cursor not on row 1") }},
		{keys.Left, nil, []string{"3", "v"}, func(d *driver) string {
			return is(d.m.dags.grid.run == 1, "the grid's cursor is not on the next older run")
		}},
		{keys.Right, nil, []string{"3", "v", "h", "h"}, func(d *driver) string { return is(d.m.dags.grid.run == 1, "the grid's cursor is not one run newer") }},
		{keys.PageUp, nil, []string{"1", "G"}, func(d *driver) string { return is(d.m.services.rows.Cursor() < 13, "page up did not move up") }},
		{keys.PageDown, nil, svc, func(d *driver) string { return is(d.m.services.rows.Cursor() > 1, "page down did not move down") }},
		{keys.Top, nil, []string{"1", "G"}, func(d *driver) string { return is(d.m.services.rows.Cursor() == 0, "not at the top") }},
		{keys.Bottom, nil, svc, func(d *driver) string { return is(d.m.services.rows.Cursor() == 13, "not at the bottom") }},
		{keys.Open, nil, nil, seen("[1 Services]")}, // the overview's first line, airflow
		{keys.Back, nil, []string{"3", "enter"}, func(d *driver) string { return is(d.m.dags.level == levelDAGs, "still drilled into the DAG") }},
		{keys.Refresh, nil, nil, seen("refreshing…")},
		{keys.TaskList, nil, nil, seen("Tasks · newest first")},
		{keys.CancelTask, []driverOpt{slowActions}, []string{"U"}, seen("start-all · cancelled")},
		{keys.StartAll, nil, nil, acted(tui.Action{Verb: tui.VerbStartAll})},
		{keys.StopAll, nil, nil, seen("Stop all services?")},
		{keys.RestartAll, nil, nil, seen("Restart all services?")},
		{keys.DeleteVolumes, nil, nil, seen("Type the project's name")},
		{keys.Cleanup, nil, nil, seen("Type the project's name")},
		{keys.InitWizard, nil, nil, seen("the init wizard is not in this build yet")},
		{keys.Dockerize, nil, nil, seen("the dockerize wizard is not in this build yet")},
		{keys.SecretWizard, nil, nil, seen("the secret wizard is not in this build yet")},
		{keys.ServiceStart, nil, svc, acted(tui.Action{Verb: tui.VerbStart, Target: "airflow"})},
		{keys.ServiceStop, nil, svc, acted(tui.Action{Verb: tui.VerbStop, Target: "airflow"})},
		{keys.ServiceRestart, nil, svc, acted(tui.Action{Verb: tui.VerbRestart, Target: "airflow"})},
		{keys.ServiceOpen, nil, svc, func(d *driver) string {
			return is(slices.Equal(d.opened, []string{"http://127.0.0.1:8080"}), "opened "+strings.Join(d.opened, ","))
		}},
		{keys.ServiceLogs, nil, svc, seen("[4 Logs]", "airflow · tail 200")},
		{keys.SetMode, nil, []string{"2", "j"}, acted(tui.Action{Verb: tui.VerbSetMode, Target: "dev_docker"})},
		{keys.BuildImage, nil, []string{"2", "j"}, acted(tui.Action{Verb: tui.VerbBuildImage, Target: "dev_docker"})},
		{keys.StartCluster, nil, []string{"2"}, acted(tui.Action{Verb: tui.VerbStartCluster})},
		{keys.DeleteCluster, nil, []string{"2"}, seen("Delete the Minikube cluster?")},
		{keys.Trigger, nil, []string{"3"}, acted(tui.Action{Verb: tui.VerbTrigger, Target: "train_model"})},
		{keys.PauseToggle, nil, []string{"3"}, acted(tui.Action{Verb: tui.VerbPause, Target: "train_model"})},
		{keys.DAGGrid, nil, []string{"3"}, seen("DAGs › train_model › grid", "RUNS →")},
		{keys.TaskLog, nil, []string{"3", "enter", "enter"}, seen("[4 Logs]", "train_model › extract")},
		{keys.TaskMLflow, nil, []string{"3", "enter", "enter", "j", "j"}, seen("[5 MLflow]", "MLflow › train_model › scheduled__", "brave-otter-10")},
		{keys.MLflowColumns, nil, []string{"5", "enter"}, seen("Metric columns", "[x] test_accuracy")},
		{keys.MLflowBrowse, nil, []string{"5"}, func(d *driver) string {
			return is(slices.Equal(d.opened, []string{"http://127.0.0.1:5000/#/experiments/1"}), "opened "+strings.Join(d.opened, ","))
		}},
		{keys.LogFollow, nil, []string{"4"}, func(d *driver) string { return is(!d.m.logs.view.Follow(), "still following") }},
		{keys.LogPause, nil, []string{"4"}, seen("PAUSED (+0)")},
		{keys.LogSearch, nil, []string{"4"}, seen("search /")},
		{keys.LogFilter, nil, []string{"4"}, seen("filter &")},
		{keys.LogNext, nil, []string{"4", "/", "I", "N", "F", "O", "enter"}, func(d *driver) string {
			return is(d.m.logs.view.Matches() == 7, "matches")
		}},
		{keys.LogPrev, nil, []string{"4", "/", "E", "R", "R", "O", "R", "enter"}, seen("›11:57:00 scheduler     ERROR task train failed")},
		{keys.LogRange, nil, []string{"4"}, seen("logs: tail 1000", "airflow · tail 1000")},
		{keys.LogSelect, nil, []string{"4"}, seen("selecting: move, v to end, y to copy")},
		{keys.LogCopy, nil, []string{"4"}, func(d *driver) string {
			d.see("copied 10 line(s)")
			return is(d.clip.Len() > 0, "nothing reached the clipboard")
		}},
		{keys.LogSave, nil, []string{"4"}, seen("save to /logs/airflow-")},
		{keys.LogWrap, nil, []string{"4"}, seen("following · wrapped")},
	}
	covered := map[keys.Action]bool{}
	for _, c := range cases {
		covered[c.action] = true
	}
	for _, b := range keys.Default(false).Bindings() {
		if !covered[b.Action] {
			t.Errorf("%s (%s) is not pressed here: add it to the table", b.Action, b.Help)
		}
	}
	for _, c := range cases {
		t.Run(string(c.action), func(t *testing.T) {
			t.Parallel()
			d := newDriver(t, 120, 40, c.opts...)
			d.keys(c.setup...)
			b, ok := d.m.ctx.Keys.Binding(c.action)
			if !ok {
				t.Fatalf("%s is not in the keymap", c.action)
			}
			d.keys(b.Keys[0])
			if msg := c.check(d); msg != "" {
				t.Errorf("%s (%q): %s\n%s", c.action, b.Keys[0], msg, d.screen())
			}
		})
	}
}
