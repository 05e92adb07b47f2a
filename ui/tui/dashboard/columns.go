package dashboard

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/render"
)

// metricsOverlay chooses which metrics the MLflow runs list shows as
// columns: enter shows or hides the metric under the cursor; esc (or the
// key that opened it) closes it.
type metricsOverlay struct{ cursor int }

func (*metricsOverlay) kind() string { return "metrics" }

func (m *Model) metricsKey(o *metricsOverlay, msg tea.KeyMsg) tea.Cmd {
	p := &m.mlflow
	a, _ := m.ctx.Keys.Lookup(keys.MLRuns, msg.String())
	switch a {
	case keys.Up:
		o.cursor = max(o.cursor-1, 0)
	case keys.Down:
		o.cursor = min(o.cursor+1, max(len(p.metricKeys)-1, 0))
	case keys.Top:
		o.cursor = 0
	case keys.Bottom:
		o.cursor = max(len(p.metricKeys)-1, 0)
	case keys.Open:
		if o.cursor < len(p.metricKeys) {
			k := p.metricKeys[o.cursor]
			if p.hidden == nil {
				p.hidden = map[string]bool{}
			}
			p.hidden[k] = !p.hidden[k]
			p.runCols = colWidths{} // other columns: measure again
		}
	case keys.Back, keys.MLflowColumns:
		m.overlay = nil
	case keys.Quit:
		if msg.String() == "ctrl+c" {
			return m.doQuit()
		}
		m.overlay = nil
	}
	return nil
}

func (m *Model) metricsLines(o *metricsOverlay, width int) []string {
	st := m.ctx.Styles
	p := &m.mlflow
	out := []string{st.Title.Render("Metric columns") +
		st.Muted.Render(fmt.Sprintf(" · %s shows or hides · %s closes", m.ctx.Keys.KeyFor(keys.Open), m.ctx.Keys.KeyFor(keys.Back)))}
	for i, k := range p.metricKeys {
		box := "[x] "
		if p.hidden[k] {
			box = "[ ] "
		}
		if i == o.cursor {
			out = append(out, selectedLine(st, box+k, width))
			continue
		}
		out = append(out, "  "+render.Fit(box+k, max(width-2, 0)))
	}
	return out
}
