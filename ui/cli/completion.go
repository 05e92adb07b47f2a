package cli

import (
	"github.com/spf13/cobra"

	"github.com/gaiaflow/gaiaflow/services/errs"
)

func newCompletion(a *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script",
		Long: `Print a completion script for your shell. For example:

  bash:  source <(gaiaflow completion bash)
  zsh:   gaiaflow completion zsh > "${fpath[1]}/_gaiaflow"
  fish:  gaiaflow completion fish > ~/.config/fish/completions/gaiaflow.fish`,
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args:      exactArgs(1, "one shell name: bash, zsh, fish or powershell"),
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(a.Out, true)
			case "zsh":
				return root.GenZshCompletion(a.Out)
			case "fish":
				return root.GenFishCompletion(a.Out, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(a.Out)
			}
			return usageShell(args[0])
		},
	}
	return c
}

func usageShell(s string) error {
	return errs.Usagef("use bash, zsh, fish or powershell", "unknown shell %q", s)
}
