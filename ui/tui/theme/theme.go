// Package theme owns the dashboard's small semantic palette (ok, warn, bad,
// busy, muted, accent) in a dark and a light variant, and the styles built
// from it. A style is always made from a lipgloss.Renderer handed in, so
// tests fix the colour profile and NO_COLOR is a property of the renderer,
// not of each call site.
package theme

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Name is a theme's name as written in config.toml.
type Name string

// The themes.
const (
	Dark  Name = "dark"
	Light Name = "light"
	// Auto picks light or dark from the terminal's background, if known.
	Auto Name = "auto"
)

// Parse checks a theme name.
func Parse(s string) (Name, error) {
	switch n := Name(strings.ToLower(s)); n {
	case Dark, Light, Auto:
		return n, nil
	}
	return "", fmt.Errorf("unknown theme %q (use dark, light or auto)", s)
}

// Palette is the semantic colours. Every state and role maps onto one of them,
// and every coloured thing also carries text, so nothing depends on colour
// alone (NO_COLOR, colour-blind users).
type Palette struct {
	Fg, Muted, Accent, OK, Warn, Bad, Busy, SelBg, SelFg, Border, Match lipgloss.Color
	// Tags colour the source tags of a merged log, one per container, so
	// that lines of different containers tell apart at a glance (the tag's
	// text says it too).
	Tags []lipgloss.Color
}

// DarkPalette is for dark backgrounds.
func DarkPalette() Palette {
	return Palette{
		Fg: "252", Muted: "245", Accent: "75", OK: "78", Warn: "221", Bad: "203",
		Busy: "117", SelBg: "237", SelFg: "231", Border: "240", Match: "214",
		Tags: []lipgloss.Color{"111", "180", "141", "114", "216", "109", "176", "150"},
	}
}

// LightPalette is for light backgrounds.
func LightPalette() Palette {
	return Palette{
		Fg: "235", Muted: "243", Accent: "25", OK: "28", Warn: "130", Bad: "160",
		Busy: "31", SelBg: "254", SelFg: "16", Border: "250", Match: "166",
		Tags: []lipgloss.Color{"25", "94", "90", "29", "130", "31", "127", "58"},
	}
}

// Styles are the styles the dashboard draws with.
type Styles struct {
	Base, Muted, Accent, Title, OK, Warn, Bad, Busy lipgloss.Style
	Selected, Header, TabActive, TabInactive, Key   lipgloss.Style
	Match, CurrentMatch, Dialog, DialogTitle, Error lipgloss.Style
	Border                                          lipgloss.Style
	// Tags are the log source tags' styles (Palette.Tags).
	Tags []lipgloss.Style
}

// New builds the styles of a palette on a renderer.
func New(r *lipgloss.Renderer, p Palette) Styles {
	s := r.NewStyle
	tags := make([]lipgloss.Style, len(p.Tags))
	for i, c := range p.Tags {
		tags[i] = s().Foreground(c)
	}
	return Styles{
		Tags:         tags,
		Base:         s().Foreground(p.Fg),
		Muted:        s().Foreground(p.Muted),
		Accent:       s().Foreground(p.Accent),
		Title:        s().Foreground(p.Accent).Bold(true),
		OK:           s().Foreground(p.OK),
		Warn:         s().Foreground(p.Warn),
		Bad:          s().Foreground(p.Bad).Bold(true),
		Busy:         s().Foreground(p.Busy),
		Selected:     s().Background(p.SelBg).Foreground(p.SelFg).Bold(true),
		Header:       s().Foreground(p.Fg).Bold(true),
		TabActive:    s().Foreground(p.Accent).Bold(true),
		TabInactive:  s().Foreground(p.Muted),
		Key:          s().Foreground(p.Accent).Bold(true),
		Match:        s().Foreground(p.Match).Underline(true),
		CurrentMatch: s().Foreground(p.Match).Bold(true).Reverse(true),
		Dialog:       s().Border(lipgloss.RoundedBorder()).BorderForeground(p.Accent).Padding(0, 1),
		DialogTitle:  s().Foreground(p.Accent).Bold(true),
		Error:        s().Foreground(p.Bad),
		Border:       s().Foreground(p.Border),
	}
}

// For returns the styles of a named theme; Auto resolves with dark, which the
// caller decides from the terminal (see Resolve).
func For(r *lipgloss.Renderer, n Name) Styles {
	if n == Light {
		return New(r, LightPalette())
	}
	return New(r, DarkPalette())
}

// Resolve turns Auto into Light or Dark from COLORFGBG ("15;0" is light text
// on a dark background), the one hint terminals give without a query that
// could hang under tmux. Unknown means dark.
func Resolve(n Name, colorfgbg string) Name {
	if n != Auto {
		return n
	}
	parts := strings.Split(colorfgbg, ";")
	switch bg := parts[len(parts)-1]; bg {
	case "7", "15":
		return Light
	}
	return Dark
}
