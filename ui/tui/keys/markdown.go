package keys

import (
	"fmt"
	"strings"
)

// Markdown renders the default key table as the reference in docs/keys.md.
func Markdown() string {
	km := Default(false)
	var b strings.Builder
	b.WriteString("# Dashboard keys\n\n")
	b.WriteString("<!-- Generated from ui/tui/keys/table.go by `go test ./ui/tui/keys -update`; do not edit. -->\n\n")
	b.WriteString("Press `?` in the dashboard for the keys of the panel you are in. Remap any\n")
	b.WriteString("action in `$XDG_CONFIG_HOME/gaiaflow/config.toml` (see README.md):\n\n")
	b.WriteString("```toml\n[keys]\n\"service.start\" = \"S\"\n\"log.filter\" = [\"&\", \"F\"]\n```\n\n")
	b.WriteString("*changes* marks actions hidden by `--read-only`; *asks* marks destructive\n")
	b.WriteString("actions that ask for confirmation (y, or the project's name).\n")
	for _, s := range Scopes() {
		var rows []Binding
		for _, bd := range km.Bindings() {
			for _, x := range bd.Scopes {
				if x == s {
					rows = append(rows, bd)
					break
				}
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## %s\n\n| keys | action | what it does | |\n|---|---|---|---|\n", s.Title())
		for _, bd := range rows {
			ks := make([]string, len(bd.Keys))
			for i, k := range bd.Keys {
				ks[i] = "`" + Display(k) + "`"
			}
			var flags []string
			if bd.Mutates {
				flags = append(flags, "changes")
			}
			switch bd.Confirm {
			case ConfirmYes:
				flags = append(flags, "asks y/n")
			case ConfirmName:
				flags = append(flags, "asks the project's name")
			}
			fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", strings.Join(ks, " "), bd.Action, bd.Help, strings.Join(flags, ", "))
		}
	}
	return b.String()
}
