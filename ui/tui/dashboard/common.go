package dashboard

import (
	"github.com/gaiaflow/gaiaflow/ui/tui/render"
	"github.com/gaiaflow/gaiaflow/ui/tui/theme"
)

// selectedLine draws the cursor's row as one bar across the width.
func selectedLine(st theme.Styles, text string, width int) string {
	return st.Selected.Render(render.Fit("▸ "+text, width))
}
