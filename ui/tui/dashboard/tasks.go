package dashboard

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gaiaflow/gaiaflow/services/event"
	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/render"
)

// taskState is where a task is in its life.
type taskState int

const (
	taskRunning taskState = iota
	taskDone
	taskFailed
	taskCancelled
)

// task is one action running in the background. Its events stream in one
// at a time through a command; its outcome stays in the list.
type task struct {
	id      int
	action  tui.Action
	state   taskState
	started time.Time
	ended   time.Time
	last    event.Event
	events  []event.Event
	err     error
	cancel  context.CancelFunc
	evs     chan event.Event
	done    chan error
}

const keepEvents = 200

// taskManager runs actions as tasks and keeps their outcomes.
type taskManager struct {
	next  int
	tasks []*task // oldest first
	// progress is the latest pull/build progress per service, from the
	// events of running tasks; the services panel draws it.
	progress map[string]*tui.Progress
}

func (tm *taskManager) byID(id int) *task {
	for _, t := range tm.tasks {
		if t.id == id {
			return t
		}
	}
	return nil
}

// latest is the task the footer shows: the newest running one, else the newest.
func (tm *taskManager) latest() *task {
	for i := len(tm.tasks) - 1; i >= 0; i-- {
		if tm.tasks[i].state == taskRunning {
			return tm.tasks[i]
		}
	}
	if len(tm.tasks) == 0 {
		return nil
	}
	return tm.tasks[len(tm.tasks)-1]
}

func (tm *taskManager) running() int {
	n := 0
	for _, t := range tm.tasks {
		if t.state == taskRunning {
			n++
		}
	}
	return n
}

// startTask runs an action through the backend as a task.
func (m *Model) startTask(a tui.Action) tea.Cmd {
	if m.ctx.ReadOnly {
		// Unreachable through keys (read-only hides them); a guard all the same.
		m.setStatus(render.Warn, "read-only: "+a.String()+" is disabled")
		return nil
	}
	tm := &m.tasks
	tm.next++
	ctx, cancel := context.WithCancel(m.root)
	t := &task{id: tm.next, action: a, started: m.ctx.Now(), cancel: cancel,
		evs: make(chan event.Event, 64), done: make(chan error, 1)}
	tm.tasks = append(tm.tasks, t)
	if len(tm.tasks) > 50 {
		tm.tasks = tm.tasks[len(tm.tasks)-50:]
	}
	be := m.be
	go func() {
		rep := event.Func(func(e event.Event) {
			// Progress may be dropped when the UI lags; steps, warnings and
			// outcomes are never dropped. Phase timings are for -o json.
			if e.Kind == event.Timing {
				return
			}
			if e.Kind == event.Progress {
				select {
				case t.evs <- e:
				default:
				}
				return
			}
			select {
			case t.evs <- e:
			case <-ctx.Done():
			}
		})
		err := be.Do(ctx, a, rep)
		if err == nil && ctx.Err() != nil {
			err = ctx.Err()
		}
		t.done <- err
	}()
	return waitTask(t)
}

// waitTask delivers a task's next event, or its end once every event is in.
func waitTask(t *task) tea.Cmd {
	return func() tea.Msg {
		select {
		case e := <-t.evs:
			return taskEventMsg{id: t.id, ev: e}
		case err := <-t.done:
			for {
				select {
				case e := <-t.evs:
					// Put the error back and deliver the event first.
					t.done <- err
					return taskEventMsg{id: t.id, ev: e}
				default:
					return taskDoneMsg{id: t.id, err: err}
				}
			}
		}
	}
}

func (m *Model) updateTasks(msg taskMsg) tea.Cmd {
	tm := &m.tasks
	switch msg := msg.(type) {
	case taskEventMsg:
		t := tm.byID(msg.id)
		if t == nil {
			return nil
		}
		t.last = msg.ev
		t.events = append(t.events, msg.ev)
		if len(t.events) > keepEvents {
			t.events = t.events[len(t.events)-keepEvents:]
		}
		if svc := msg.ev.Service; svc != "" {
			if tm.progress == nil {
				tm.progress = map[string]*tui.Progress{}
			}
			switch msg.ev.Kind {
			case event.Progress:
				phase := msg.ev.State
				if phase == "" {
					phase = msg.ev.Scope
				}
				tm.progress[svc] = &tui.Progress{Phase: phase, Current: msg.ev.Current, Total: msg.ev.Total, Message: msg.ev.Message}
			case event.Done, event.Step:
				delete(tm.progress, svc)
			}
			m.services.set(m.snap.Services, tm.progress)
		}
		return waitTask(t)
	case taskDoneMsg:
		t := tm.byID(msg.id)
		if t == nil {
			return nil
		}
		t.ended = m.ctx.Now()
		t.err = msg.err
		switch {
		case msg.err == nil:
			t.state = taskDone
		case errors.Is(msg.err, context.Canceled):
			t.state = taskCancelled
		default:
			t.state = taskFailed
		}
		for svc := range tm.progress {
			if t.action.Target == "" || t.action.Target == svc {
				delete(tm.progress, svc)
			}
		}
		m.services.set(m.snap.Services, tm.progress)
		// What the action changed shows now, not at the next poll.
		cmds := []tea.Cmd{m.fetchSnapshot()}
		if m.panel == PanelDAGs {
			cmds = append(cmds, m.dags.refresh(m))
		}
		return tea.Batch(cmds...)
	case openedMsg:
		if msg.err != nil {
			m.setStatus(render.Bad, fmt.Sprintf("could not open %s: %v", msg.url, msg.err))
		} else {
			m.setStatus(render.Good, "opened "+msg.url+" in the browser")
		}
	}
	return nil
}

// cancelTask cancels the newest running task.
func (m *Model) cancelTask() {
	for i := len(m.tasks.tasks) - 1; i >= 0; i-- {
		if t := m.tasks.tasks[i]; t.state == taskRunning {
			t.cancel()
			m.setStatus(render.Warn, "cancelling "+t.action.String()+"…")
			return
		}
	}
	m.setStatus(render.Muted, "no task is running")
}

// taskLine is the footer's line for a task: what it is, where it is, how it ended.
func taskLine(t *task, now time.Time) (string, render.Tone) {
	title := t.action.String()
	switch t.state {
	case taskRunning:
		s := "⟳ " + title
		if msg := eventText(t.last); msg != "" {
			s += " · " + msg
		}
		return s, render.Busy
	case taskDone:
		return fmt.Sprintf("✓ %s · done in %s", title, render.Duration(t.started, t.ended, now)), render.Good
	case taskCancelled:
		return "⊘ " + title + " · cancelled", render.Warn
	}
	return "✗ " + title + " · failed: " + t.err.Error(), render.Bad
}

func eventText(e event.Event) string {
	msg := e.Message
	if msg == "" {
		msg = e.State
	}
	if e.Service != "" && msg != "" {
		msg = e.Service + ": " + msg
	}
	if e.Kind == event.Progress && e.Total > 0 {
		msg += fmt.Sprintf(" %d%%", e.Current*100/e.Total)
	}
	if e.Err != "" {
		msg += ": " + e.Err
	}
	return msg
}
