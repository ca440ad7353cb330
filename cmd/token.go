package cmd

import "github.com/spf13/cobra"

func newTokenCmd(f *Factory, g *globalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "token <command>",
		Short: "Create, list, reveal, rotate and revoke your RhodeCode auth tokens",
		Long: `Manage the auth tokens of your RhodeCode account, as My Account → Auth tokens
does in the web UI.

RhodeCode has no API for this, so these commands use the web session: the
first one asks for your password (or reads it with --password-stdin) and
the session is kept with the instance's API token, so later commands need
no password until it expires. The password itself is never stored.

A super-admin manages another user's tokens (a CI bot's, say) with
--user NAME on list, create, show, revoke and rotate, through the admin
pages (Admin → Users → NAME → Auth tokens). The tool's own tokens are
never involved then. For anyone else --user is an error, and nothing
changes.`,
		Example: `  $ rhodecode token list
  $ TOKEN=$(rhodecode token create --role vcs --lifetime 30d)
  $ rhodecode token rotate 42
  $ rhodecode token revoke --expired --yes
  $ rhodecode token rotate --user ci-bot 42 --lifetime 30d --json`,
		RunE: groupRunE,
	}
	c.AddCommand(
		newTokenListCmd(f, g),
		newTokenCreateCmd(f, g),
		newTokenShowCmd(f, g),
		newTokenRevokeCmd(f, g),
		newTokenRotateCmd(f, g),
	)
	return c
}
