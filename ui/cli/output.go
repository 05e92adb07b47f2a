package cli

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

// outputsAnnotation names, on a command, the -o formats it accepts beyond
// text and json (comma-separated). checkOutput is the one place -o is
// validated.
const outputsAnnotation = "gaiaflow/outputs"

// checkOutput validates -o for cmd.
func checkOutput(cmd *cobra.Command, format string) error {
	allowed := []string{"text", "json"}
	if extra := cmd.Annotations[outputsAnnotation]; extra != "" {
		allowed = append(allowed, strings.Split(extra, ",")...)
	}
	if slices.Contains(allowed, format) {
		return nil
	}
	last := len(allowed) - 1
	hint := "use -o " + strings.Join(allowed[:last], ", -o ") + " or -o " + allowed[last]
	return errs.Usagef(hint, "unknown output format %q", format)
}

// YAML reports whether -o yaml was asked for (only where a command allows it).
func (a *App) YAML() bool { return a.Opts.Output == "yaml" }

// PrintYAML writes v as YAML, through its JSON form so the JSON field
// names hold in both.
func (a *App) PrintYAML(v any) error {
	data, err := yaml.Marshal(v)
	if err != nil {
		return err
	}
	_, err = a.Out.Write(data)
	return err
}
