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

	ID int
}

func newTokenShowCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &tokenShowOptions{}
	c := &cobra.Command{
		Use:   "show <id>",
		Short: "Reveal the secret of one auth token",
		Long: `Print the secret of the token with the given id (from rhodecode token list)
on standard output. RhodeCode 4.19 and later reveal it through the same
call the web UI's "show" uses; older servers list secrets in full.`,
		Example: `  $ rhodecode token show 42
  $ rhodecode token show 42 --json`,
		Args: exactArgs(1, "one token id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps = f.deps(g)
			id, err := parseTokenID(args[0])
			if err != nil {
				return err
			}
			opts.ID = id
			return tokenShowRun(cmd.Context(), opts)
		},
	}
	addSessionFlags(c, &opts.sf)
	return c
}

func tokenShowRun(ctx context.Context, opts *tokenShowOptions) error {
	io := opts.io
	wt, err := opts.webTarget(ctx)
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
		if tok = page.FindToken(opts.ID); tok == nil {
			return fmt.Errorf("no token with id %d on %q (see rhodecode token list)", opts.ID, wt.Name)
		}
		own = ownTokenID(page, wt)
		// RevealToken also for secrets the page lists in full: it refuses
		// one that is not a token, which would be printed raw.
		secret, err = ws.RevealToken(ctx, opts.ID)
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
