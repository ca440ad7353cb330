package cmd

import "github.com/spf13/cobra"

func newAuthCmd(f *Factory, g *globalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "auth <command>",
		Short: "Log in to RhodeCode instances and manage the stored API tokens",
		Long: `Log in to RhodeCode instances and manage the API tokens this tool stores.

Each instance has a name, a base URL, the RhodeCode user the token belongs
to, and a place where its API token lives: the OS keyring (default) or the
config file ~/.rhoderc (mode 0600).`,
		Example: `  $ rhodecode auth login --url https://code.example.com --username alice
  $ rhodecode auth status
  $ rhodecode auth switch work
  $ rhodecode auth logout --revoke lab`,
		RunE: groupRunE,
	}
	c.AddCommand(
		newAuthLoginCmd(f, g),
		newAuthStatusCmd(f, g),
		newAuthLogoutCmd(f, g),
		newAuthSwitchCmd(f, g),
		newAuthTokenCmd(f, g),
		newAuthSetupGitCmd(f, g),
		newAuthSetupHgCmd(f, g),
		newAuthSetupSvnCmd(f, g),
	)
	return c
}

// newAuthSetupGitCmd is setup-git under auth, where users of the GitHub CLI
// (gh auth setup-git) look for it.
func newAuthSetupGitCmd(f *Factory, g *globalOptions) *cobra.Command {
	c := newSetupGitCmd(f, g)
	c.Short = "Make git use RhodeCode VCS tokens (the same as rhodecode setup-git)"
	return c
}

// newAuthSetupHgCmd is setup-hg under auth, beside setup-git.
func newAuthSetupHgCmd(f *Factory, g *globalOptions) *cobra.Command {
	c := newSetupHgCmd(f, g)
	c.Short = "Make Mercurial use RhodeCode VCS tokens (the same as rhodecode setup-hg)"
	return c
}

// newAuthSetupSvnCmd is setup-svn under auth, beside setup-git.
func newAuthSetupSvnCmd(f *Factory, g *globalOptions) *cobra.Command {
	c := newSetupSvnCmd(f, g)
	c.Short = "Make Subversion use RhodeCode VCS tokens (the same as rhodecode setup-svn)"
	return c
}
