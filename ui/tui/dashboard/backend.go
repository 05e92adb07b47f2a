package dashboard

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gaiaflow/gaiaflow/ui/tui/render"
)

// fetchSnapshot reads the backend's snapshot in the background.
func (m *Model) fetchSnapshot() tea.Cmd {
	be, ctx := m.be, m.root
	return func() tea.Msg {
		s, err := be.Snapshot(ctx)
		return snapshotMsg{snap: s, err: err}
	}
}

// waitChange blocks (in a command, off the UI loop) until the backend
// signals a change. Nothing runs while nothing changes.
func (m *Model) waitChange() tea.Cmd {
	ch := m.changes
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		if _, ok := <-ch; !ok {
			return changesClosed{}
		}
		return changedMsg{}
	}
}

// retryDelay is the back-off between snapshot reads while Docker is down:
// 2s, 4s, 8s, 16s, then every 30s.
func retryDelay(attempt int) time.Duration {
	d := 2 * time.Second << min(attempt, 4)
	return min(d, 30*time.Second)
}

func (m *Model) updateBackend(msg backendMsg) tea.Cmd {
	switch msg := msg.(type) {
	case changedMsg:
		return tea.Batch(m.fetchSnapshot(), m.waitChange())
	case changesClosed:
		m.changes = nil
		return nil
	case retryMsg:
		if msg.attempt != m.retry {
			return nil // a newer retry loop runs
		}
		return m.fetchSnapshot()
	case snapshotMsg:
		return m.applySnapshot(msg)
	}
	return nil
}

func (m *Model) applySnapshot(msg snapshotMsg) tea.Cmd {
	m.snapErr = msg.err
	if msg.err == nil {
		if m.haveSnap {
			if line := stoppedSince(m.snap.Services, msg.snap.Services); line != "" {
				m.setStatus(render.Bad, line)
			}
		}
		m.snap = msg.snap
		m.haveSnap = true
		m.services.set(m.snap.Services, m.tasks.progress)
		m.mode.set(m.snap)
	}
	m.layout() // rebuilds the overview too
	// Docker down (or the snapshot failing): say so and read again with
	// back-off; the backend's change signal may also bring it back sooner.
	if msg.err != nil || (!m.snap.Docker.OK && !m.snap.Docker.Unknown && m.snap.Project.Found) {
		m.retry++
		attempt := m.retry
		return tea.Tick(retryDelay(attempt-1), func(time.Time) tea.Msg { return retryMsg{attempt: attempt} })
	}
	m.retry = 0
	return nil
}
