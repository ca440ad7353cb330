package cmd

import (
	"github.com/spf13/cobra"
)

func newCompletionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "completion {bash | zsh | fish | powershell}",
		Short: "Print a shell completion script",
		Long: `Print the completion script for a shell on standard output. Instance
names complete from the config file, with no network access. The scripts
are also shipped in the release archives under completions/.`,
		Example: `  # bash, for the current shell
  $ source <(rhodecode completion bash)

  # bash, for every new shell
  $ rhodecode completion bash > ~/.local/share/bash-completion/completions/rhodecode

  # zsh (a directory on $fpath)
  $ rhodecode completion zsh > "${fpath[1]}/_rhodecode"

  # fish
  $ rhodecode completion fish > ~/.config/fish/completions/rhodecode.fish

  # PowerShell
  PS> rhodecode completion powershell | Out-String | Invoke-Expression`,
		ValidArgs:             []string{"bash", "zsh", "fish", "powershell"},
		DisableFlagsInUseLine: true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("expected one shell: bash, zsh, fish or powershell")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			root, out := cmd.Root(), cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(out)
			}
			return usageErrorf("unknown shell %q: use bash, zsh, fish or powershell", args[0])
		},
	}
}
