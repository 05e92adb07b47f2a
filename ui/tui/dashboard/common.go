package dashboard

import (
	"strings"

	"github.com/gaiaflow/gaiaflow/ui/tui"
	"github.com/gaiaflow/gaiaflow/ui/tui/render"
	"github.com/gaiaflow/gaiaflow/ui/tui/theme"
)

// selectedLine draws the cursor's row as one bar across the width.
func selectedLine(st theme.Styles, text string, width int) string {
	return st.Selected.Render(render.Fit("▸ "+text, width))
}

// unavailableText is a read's error as a panel shows it: without the
// "unavailable" the backend marks it with.
func unavailableText(err error) string {
	return strings.TrimSuffix(err.Error(), ": "+tui.ErrUnavailable.Error())
}
