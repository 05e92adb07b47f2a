package dashboard

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/components/list"
	"github.com/gaiaflow/gaiaflow/ui/tui/keys"
	"github.com/gaiaflow/gaiaflow/ui/tui/render"
)

// svcRow is one row of the services panel: a service, or one of its containers.
type svcRow struct {
	svc       int // index into services
	container int // -1 for the service's own row
	last      bool
}

// servicesPanel lists each service with its containers under it.
type servicesPanel struct {
	services []tui.Service
	rows     list.List[svcRow]
	cols     colWidths
}

func (p *servicesPanel) resize(h int) { p.rows.SetHeight(h - 1) } // one line of column titles

// set takes a new snapshot's services, with the progress of running tasks
// laid over those the backend reports none for.
func (p *servicesPanel) set(svcs []tui.Service, progress map[string]*tui.Progress) {
	p.services = make([]tui.Service, len(svcs))
	copy(p.services, svcs)
	for i := range p.services {
		if pr, ok := progress[p.services[i].Name]; ok && p.services[i].Progress == nil {
			p.services[i].Progress = pr
		}
	}
	var rows []svcRow
	for i, s := range p.services {
		rows = append(rows, svcRow{svc: i, container: -1})
		for j := range s.Containers {
			rows = append(rows, svcRow{svc: i, container: j, last: j == len(s.Containers)-1})
		}
	}
	names := p.services
	p.rows.SetItems(rows, func(a, b svcRow) bool {
		return a.container == b.container && a.svc < len(names) && b.svc < len(names) && names[a.svc].Name == names[b.svc].Name
	})
}

// selectService puts the cursor on a service's own row.
func (p *servicesPanel) selectService(name string) {
	for i, r := range p.rows.Items() {
		if r.container < 0 && r.svc < len(p.services) && p.services[r.svc].Name == name {
			p.rows.Select(i)
		}
	}
}

func (p *servicesPanel) selectedService() (tui.Service, bool) {
	r, ok := p.rows.Selected()
	if !ok || r.svc >= len(p.services) {
		return tui.Service{}, false
	}
	return p.services[r.svc], true
}

// handle runs a services-panel action.
func (m *Model) servicesAction(a keys.Action, b keys.Binding) tea.Cmd {
	s, ok := m.services.selectedService()
	if !ok {
		return nil
	}
	switch a {
	case keys.ServiceStart, keys.ServiceStop, keys.ServiceRestart:
		return m.request(b, tui.Action{Verb: b.Verb, Target: s.Name})
	case keys.ServiceOpen:
		if s.URL == "" {
			m.setStatus(render.Muted, s.Name+" has no URL to open")
			return nil
		}
		return m.openURL(s.URL)
	case keys.ServiceLogs, keys.Open:
		cmd := m.openLogs(tui.LogSource{Service: s.Name})
		return tea.Batch(cmd, m.switchTo(PanelLogs))
	}
	return nil
}

func (m *Model) openURL(url string) tea.Cmd {
	open := m.opts.Open
	if open == nil {
		m.setStatus(render.Muted, "open "+url+" in your browser")
		return nil
	}
	return func() tea.Msg { return openedMsg{url: url, err: open(url)} }
}

func (p *servicesPanel) view(c *Context, width, height int) []string {
	st := c.Styles
	if len(p.services) == 0 {
		return []string{st.Muted.Render("No services in this project.")}
	}
	cols := render.ServiceColumns()
	now := c.Now()
	cells := func(r svcRow) []render.Cell {
		s := p.services[r.svc]
		if r.container < 0 {
			return render.ServiceCells(s, now)
		}
		return render.ContainerCells(s.Containers[r.container], r.last, now)
	}
	toneStyle := func(t render.Tone) lipgloss.Style { return render.Style(st, t) }
	out := make([]string, 0, height)
	out = append(out, tableView(c, cols, &p.rows, &p.cols, width, cells, toneStyle)...)
	// Under the table: the selected service's image and ports (the image
	// column is the first to go on a narrow terminal), and why it is not
	// healthy, spelled out.
	if s, ok := p.selectedService(); ok && len(out) < height-1 {
		out = append(out, "", st.Muted.Render(render.Fit("  "+s.Name+" · "+s.Image+" · "+strings.Join(s.Ports, ", "), width)))
		if why := serviceProblem(s); why != "" && len(out) < height {
			out = append(out, st.Bad.Render(render.Fit("  "+why, width)))
		}
	}
	return out
}

// serviceProblem explains why a service is not healthy, in one line.
func serviceProblem(s tui.Service) string {
	var parts []string
	for _, c := range s.Containers {
		switch {
		case c.Reason != "" && (c.State == tui.StateExited || c.State == tui.StateRestarting || c.State == tui.StateUnhealthy):
			parts = append(parts, c.Name+" "+c.Reason+": press l for its logs")
		case c.State == tui.StateExited && c.OOMKilled:
			parts = append(parts, fmt.Sprintf("%s was killed for lack of memory (exit %d): give Docker more memory", c.Name, c.ExitCode))
		case c.State == tui.StateExited && c.ExitCode != 0:
			parts = append(parts, fmt.Sprintf("%s exited with code %d: press l for its logs", c.Name, c.ExitCode))
		case c.State == tui.StateUnhealthy:
			parts = append(parts, c.Name+" fails its health check: press l for its logs")
		}
	}
	return strings.Join(parts, "; ")
}
