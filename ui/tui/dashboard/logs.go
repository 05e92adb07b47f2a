package dashboard

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/components/logview"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/render"
)

// logPreset is a since/tail choice; t cycles through them.
type logPreset struct {
	name  string
	query tui.LogQuery
}

func logPresets() []logPreset {
	return []logPreset{
		{"tail 200", tui.LogQuery{Tail: 200}},
		{"tail 1000", tui.LogQuery{Tail: 1000}},
		{"since 10m", tui.LogQuery{Since: 10 * time.Minute}},
		{"since 1h", tui.LogQuery{Since: time.Hour}},
		{"all", tui.LogQuery{}},
	}
}

// logsPanel streams one source into a log view. Only the latest stream
// runs: opening another source cancels the previous one.
type logsPanel struct {
	src    *tui.LogSource
	view   *logview.Model
	preset int
	stream int // numbers streams; lines of an older one are dropped
	cancel context.CancelFunc
	ended  bool
	err    error
}

func (p *logsPanel) init() { p.view = logview.New() }

func (p *logsPanel) resize(h int) { p.view.SetHeight(h - 1) } // one status line

// openLogs starts streaming src, replacing what the panel showed.
func (m *Model) openLogs(src tui.LogSource) tea.Cmd {
	p := &m.logs
	if p.cancel != nil {
		p.cancel()
	}
	p.src = &src
	p.stream++
	p.ended, p.err = false, nil
	p.view.Reset(src.Service)
	ctx, cancel := context.WithCancel(m.root)
	p.cancel = cancel
	q := logPresets()[p.preset].query
	q.Follow = src.Task == nil || src.Task.State == "running"
	be, id := m.be, p.stream
	return func() tea.Msg {
		ch, err := be.Logs(ctx, src, q)
		if err != nil {
			return logLinesMsg{stream: id, done: true, err: err}
		}
		return readLines(id, ch)()
	}
}

// readLines waits for the next line, then takes whatever else is ready (up
// to a batch), so a chatty container costs one redraw per batch, not per line.
func readLines(id int, ch <-chan tui.LogLine) tea.Cmd {
	return func() tea.Msg {
		first, ok := <-ch
		if !ok {
			return logLinesMsg{stream: id, done: true}
		}
		batch := []tui.LogLine{first}
		for len(batch) < 500 {
			select {
			case l, ok := <-ch:
				if !ok {
					return logLinesMsg{stream: id, lines: batch, done: true}
				}
				batch = append(batch, l)
			default:
				return streamMsg{logLinesMsg{stream: id, lines: batch}, ch}
			}
		}
		return streamMsg{logLinesMsg{stream: id, lines: batch}, ch}
	}
}

// streamMsg carries a batch and the channel to keep reading.
type streamMsg struct {
	logLinesMsg
	ch <-chan tui.LogLine
}

func (m *Model) updateLogs(msg logMsg) tea.Cmd {
	p := &m.logs
	switch msg := msg.(type) {
	case streamMsg:
		if msg.stream != p.stream {
			return nil
		}
		p.view.Append(msg.lines)
		return readLines(msg.stream, msg.ch)
	case logLinesMsg:
		if msg.stream != p.stream {
			return nil
		}
		p.view.Append(msg.lines)
		p.ended, p.err = msg.done, msg.err
	case copiedMsg:
		m.setStatus(render.Good, fmt.Sprintf("copied %d line(s) to the clipboard", msg.n))
	case savedMsg:
		if msg.err != nil {
			m.setStatus(render.Bad, "could not save the log: "+msg.err.Error())
		} else {
			m.setStatus(render.Good, fmt.Sprintf("saved %d line(s) to %s", msg.n, msg.path))
		}
	}
	return nil
}

func (m *Model) logsAction(a keys.Action) tea.Cmd {
	p := &m.logs
	v := p.view
	switch a {
	case keys.LogFollow:
		v.ToggleFollow()
	case keys.LogPause:
		v.TogglePause()
	case keys.LogSearch:
		return m.openPrompt(promptSearch, "search /", v.Search())
	case keys.LogFilter:
		return m.openPrompt(promptFilter, "filter &", v.Filter())
	case keys.LogNext, keys.LogPrev:
		dir := 1
		if a == keys.LogPrev {
			dir = -1
		}
		if !v.NextMatch(dir) {
			m.setStatus(render.Muted, "no match")
		}
	case keys.LogRange:
		p.preset = (p.preset + 1) % len(logPresets())
		m.setStatus(render.Plain, "logs: "+logPresets()[p.preset].name)
		if p.src != nil {
			return m.openLogs(*p.src)
		}
	case keys.LogSelect:
		v.ToggleSelect()
	case keys.LogWrap:
		v.ToggleWrap()
	case keys.Left, keys.Right:
		n := 1
		if a == keys.Left {
			n = -1
		}
		if !v.ScrollSideways(n) {
			m.setStatus(render.Muted, "wrapped lines have nothing to the side: "+m.ctx.Keys.KeyFor(keys.LogWrap)+" unwraps them")
		}
	case keys.LogCopy:
		text, n := v.CopyText()
		return m.copyText(text, n)
	case keys.LogSave:
		if p.src == nil {
			return nil
		}
		name := fmt.Sprintf("%s-%s.log", safeName(p.src.Title()), m.ctx.Now().In(m.ctx.Loc).Format("20060102-150405"))
		return m.openPrompt(promptSave, "save to", filepath.Join(m.opts.SaveDir, name))
	case keys.Back:
		if !v.ClearSelection() && (v.Filter() != "" || v.Search() != "") {
			_ = v.SetFilter("")
			_ = v.SetSearch("")
		}
	case keys.Up:
		v.Scroll(-1)
	case keys.Down:
		v.Scroll(1)
	case keys.PageUp:
		v.Page(-1)
	case keys.PageDown:
		v.Page(1)
	case keys.Top:
		v.Top()
	case keys.Bottom:
		v.Bottom()
	}
	return nil
}

// Compiled on first use: at start-up it would slow every command, --help included.
var unsafeName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9._-]+`) })

func safeName(s string) string { return strings.Trim(unsafeName().ReplaceAllString(s, "-"), "-") }

// copyText puts text on the clipboard with OSC 52, which works over SSH and
// in tmux (with set-clipboard on) without any helper program.
func (m *Model) copyText(text string, n int) tea.Cmd {
	w := m.opts.Clipboard
	if w == nil || n == 0 {
		m.setStatus(render.Muted, "nothing to copy")
		return nil
	}
	return func() tea.Msg {
		_, _ = io.WriteString(w, ansi.SetSystemClipboard(text))
		return copiedMsg{n: n}
	}
}

func (m *Model) saveLog(path string) tea.Cmd {
	text, n := m.logs.view.SaveText()
	write := m.opts.WriteFile
	if write == nil {
		m.setStatus(render.Muted, "saving is not available here")
		return nil
	}
	return func() tea.Msg {
		return savedMsg{path: path, n: n, err: write(path, []byte(text))}
	}
}

func (p *logsPanel) viewLines(c *Context, width int) []string {
	st := c.Styles
	v := p.view
	title := "no source: pick a service (1) or a task instance (3) and press l"
	if p.src != nil {
		title = p.src.Title()
	}
	var flags []string
	flags = append(flags, logPresets()[p.preset].name)
	if v.Follow() {
		flags = append(flags, "following")
	}
	if v.Paused() {
		flags = append(flags, fmt.Sprintf("PAUSED (+%d)", v.Pending()))
	}
	if f := v.Filter(); f != "" {
		flags = append(flags, fmt.Sprintf("filter /%s/ %d of %d", f, v.Shown(), v.Len()))
	}
	if s := v.Search(); s != "" {
		flags = append(flags, fmt.Sprintf("search /%s/ %d", s, v.Matches()))
	}
	if v.Selecting() {
		flags = append(flags, "selecting: move, v to end, y to copy")
	}
	if v.Wrap() {
		flags = append(flags, "wrapped")
	} else if l := v.Left(); l > 0 {
		flags = append(flags, fmt.Sprintf("→ %d", l))
	}
	if p.ended {
		flags = append(flags, "ended")
	}
	head := st.Title.Render(title) + st.Muted.Render(" · "+strings.Join(flags, " · "))
	out := []string{ansi.Truncate(head, width, "…")}
	if p.err != nil {
		out = append(out, st.Bad.Render(render.Fit("✗ "+p.err.Error(), width)))
	}
	if p.src != nil && v.Len() == 0 && p.err == nil {
		out = append(out, st.Muted.Render("  waiting for log lines…"))
	}
	return append(out, v.Render(width, c.Loc, c.Log)...)
}
