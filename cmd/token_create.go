package cmd

import (
	"context"
	"fmt"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/spf13/cobra"
)

type tokenCreateOptions struct {
	*deps
	sf sessionFlags

	Role        string
	Description string
	Lifetime    string
	Expires     string
	User        string // --user: a token for another user
	minutes     int
}

func newTokenCreateCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &tokenCreateOptions{}
	c := &cobra.Command{
		Use:   "create --role <role> [--description <text>] [--lifetime <duration> | --expires <date>]",
		Short: "Create an auth token and print its secret",
		Long: `Create an auth token on the selected instance and print its secret once on
standard output, so that TOKEN=$(rhodecode token create --role vcs) works.

Roles: vcs (git/hg/svn over HTTP instead of a password), api (JSON-RPC API),
feed (RSS/Atom), http (web views that allow ?auth_token=), all, artifact
(artifact downloads). --lifetime takes forever (the default), a duration
such as 5m, 1h or 90m, days such as 30d or weeks such as 4w (with a
space, quote it: --lifetime "3 weeks"); --expires takes a date
(YYYY-MM-DD, the token expires at the start of that day, UTC).`,
		Example: `  $ rhodecode token create --role vcs --description "CI runner" --lifetime 30d
  $ TOKEN=$(rhodecode token create --role feed)
  $ rhodecode token create --role api --expires 2027-01-01 --json`,
		Args: lifetimeArgs(&opts.Lifetime, noArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps = f.deps(g)
			var err error
			if opts.Role, err = roleFlag(opts.Role); err != nil {
				return err
			}
			if opts.Expires != "" {
				opts.minutes, err = minutesUntil(opts.Expires, f.Now())
			} else {
				opts.minutes, err = parseLifetime(opts.Lifetime)
			}
			if err != nil {
				return usageErrorf("%v", err)
			}
			return tokenCreateRun(cmd.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.Role, "role", "", "Role of the token: {vcs | api | feed | http | all | artifact}")
	c.Flags().StringVar(&opts.Description, "description", "", "Description shown in the token list (default: rhodecode-cli <role> <user>@<host>)")
	c.Flags().StringVar(&opts.Lifetime, "lifetime", "forever", "How long the token lives: forever, a duration (5m, 1h), days (30d) or weeks (4w)")
	c.Flags().StringVar(&opts.Expires, "expires", "", "Expiry date, YYYY-MM-DD (instead of --lifetime)")
	_ = c.MarkFlagRequired("role")
	c.MarkFlagsMutuallyExclusive("lifetime", "expires")
	_ = c.RegisterFlagCompletionFunc("role", cobra.FixedCompletions(client.RoleNames(), cobra.ShellCompDirectiveNoFileComp))
	addSessionFlags(c, &opts.sf)
	addUserFlag(c, &opts.User)
	return c
}

func tokenCreateRun(ctx context.Context, opts *tokenCreateOptions) error {
	io := opts.io
	wt, err := opts.userTarget(ctx, opts.User)
	if err != nil {
		return err
	}
	desc := opts.Description
	if desc == "" {
		desc = wt.newTokenDescription(opts.hostname, opts.Role)
	}
	var created *client.AuthToken
	var secret string
	var masked bool
	err = opts.sessions.with(ctx, wt, &opts.sf, func(ws *client.WebSession) error {
		created, secret, err = createAndReveal(ctx, ws, opts.Role, desc, opts.minutes)
		if err == nil {
			masked = created.Secret == ""
		}
		return err
	})
	if err != nil {
		return err
	}
	if opts.g.JSON {
		j := toTokenJSON(created, false)
		j.Token = secret
		return writeJSON(io.Out, j)
	}
	if _, err := fmt.Fprintln(io.Out, secret); err != nil {
		return err
	}
	if masked {
		// 4.19+ masks secrets in its web UI; older servers show them in
		// full. token list never shows secrets (as gh and glab lists), so
		// the note points at the command that does.
		termPrintf(io.ErrOut, "%s Created token %d (%s)%s. Store it now: it is printed only this once; token list never shows secrets and the web UI masks it (rhodecode token show%s %d reveals it).\n", io.WarningIcon(), created.ID, client.RoleShortName(created.Role), wt.forUser(), wt.userArg(), created.ID)
	} else if io.IsStderrTTY() {
		termPrintf(io.ErrOut, "%s Created token %d (%s)%s\n", io.SuccessIcon(), created.ID, client.RoleShortName(created.Role), wt.forUser())
	}
	return nil
}
