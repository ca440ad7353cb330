package cmd

import (
	"context"
	"fmt"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/spf13/cobra"
)

type tokenShowOptions struct {
	*deps
	sf sessionFlags

	Ref  string // id or description
	User string // --user: another user's token
}

func newTokenShowCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &tokenShowOptions{}
	c := &cobra.Command{
		Use:   "show {<id> | <description>}",
		Short: "Reveal the secret of one auth token",
		Long: `Print the secret of the token with the given id (from rhodecode token list),
or with the given description when no other token has it, on standard
output. RhodeCode 4.19 and later reveal it through the same
call the web UI's "show" uses; older servers list secrets in full.`,
		Example: `  $ rhodecode token show 42
  $ rhodecode token show 42 --json
  $ rhodecode token show "CI runner"`,
		Args: exactArgs(1, "one token id or description"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps = f.deps(g)
			if err := checkTokenRef(args[0]); err != nil {
				return err
			}
			opts.Ref = args[0]
			return tokenShowRun(cmd.Context(), opts)
		},
	}
	addSessionFlags(c, &opts.sf)
	addUserFlag(c, &opts.User)
	return c
}

func tokenShowRun(ctx context.Context, opts *tokenShowOptions) error {
	io := opts.io
	wt, err := opts.userTarget(ctx, opts.User)
	if err != nil {
		return err
	}
	var tok *client.AuthToken
	var secret string
	own := 0
	err = opts.sessions.with(ctx, wt, &opts.sf, func(ws *client.WebSession) error {
		page, err := ws.TokenPage(ctx)
		if err != nil {
			return err
		}
		if tok, err = findToken(page, opts.Ref, wt.scope()); err != nil {
			return err
		}
		own = ownTokenID(page, wt)
		// RevealToken also for secrets the page lists in full: it refuses
		// one that is not a token, which would be printed raw.
		secret, err = ws.RevealToken(ctx, tok.ID)
		return err
	})
	if err != nil {
		return err
	}
	if opts.g.JSON {
		j := toTokenJSON(tok, usedByTool(tok, own, wt))
		j.Token = secret
		return writeJSON(io.Out, j)
	}
	_, err = fmt.Fprintln(io.Out, secret)
	return err
}
