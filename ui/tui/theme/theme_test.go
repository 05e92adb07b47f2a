package theme

import (
	"io"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

func TestParseAndResolve(t *testing.T) {
	for in, want := range map[string]Name{"dark": Dark, "Light": Light, "auto": Auto} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := Parse("solarized"); err == nil {
		t.Error("unknown theme accepted")
	}
	cases := []struct {
		n         Name
		colorfgbg string
		want      Name
	}{
		{Auto, "15;0", Dark}, {Auto, "0;15", Light}, {Auto, "0;default;7", Light}, {Auto, "", Dark}, {Light, "15;0", Light},
	}
	for _, c := range cases {
		if got := Resolve(c.n, c.colorfgbg); got != c.want {
			t.Errorf("Resolve(%q, %q) = %q, want %q", c.n, c.colorfgbg, got, c.want)
		}
	}
}

func TestNoColourProfileDrawsPlainText(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	st := For(r, Dark)
	if got := st.Bad.Render("x"); got != "x" {
		t.Errorf("no-colour style rendered %q", got)
	}
	r.SetColorProfile(termenv.ANSI256)
	if dark, light := For(r, Dark).OK.Render("x"), For(r, Light).OK.Render("x"); dark == light {
		t.Error("dark and light themes draw ok the same")
	}
}
