package cmd

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/spf13/cobra"
)

type tokenListOptions struct {
	*deps
	sf sessionFlags

	Role    string
	Expired bool
	Active  bool
	User    string // --user: another user's tokens
	// Expiring keeps the tokens that expire within this time (--expiring).
	Expiring string
	within   time.Duration
}

func newTokenListCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &tokenListOptions{}
	c := &cobra.Command{
		Use:     "list [--role <role>] [--expired | --active] [--expiring <duration>]",
		Aliases: []string{"ls"},
		Short:   "List your auth tokens",
		Long: `List the auth tokens of your account on the selected instance: id,
description, role, scope and when it expires. Expired tokens are listed
too (and marked); the token this tool uses for the instance is marked.

On a terminal this is a table; piped, it is tab-separated with the columns
id, description, role (the name --role takes: vcs, api, …), scope, expires
(RFC 3339 or "never"), expired, note. Secrets are never listed: see
rhodecode token show. --json gives both forms of the role: role is
RhodeCode's constant (token_role_vcs), role_name the name --role takes.

--expiring DUR lists the tokens that expire within DUR from now (7d, 2w,
12h: what --lifetime takes); expired ones are left out unless --expired is
given too, which then lists both.`,
		Example: `  $ rhodecode token list
  $ rhodecode token list --role vcs --active
  $ rhodecode token list --json | jq '.[] | select(.expired) | .id'
  $ rhodecode token list --expiring 14d`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps = f.deps(g)
			if opts.Role != "" {
				var err error
				if opts.Role, err = roleFlag(opts.Role); err != nil {
					return err
				}
			}
			if cmd.Flags().Changed("expiring") {
				d, err := parseWithin("--expiring", opts.Expiring)
				if err != nil {
					return err
				}
				opts.within = d
			}
			return tokenListRun(cmd.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.Role, "role", "", "Only tokens of this role: {vcs | api | feed | http | all | artifact}")
	c.Flags().BoolVar(&opts.Expired, "expired", false, "Only expired tokens")
	c.Flags().BoolVar(&opts.Active, "active", false, "Only tokens that have not expired")
	c.Flags().StringVar(&opts.Expiring, "expiring", "", "Only tokens that expire within this time (e.g. 7d); with --expired, expired ones too")
	c.MarkFlagsMutuallyExclusive("expired", "active")
	c.MarkFlagsMutuallyExclusive("expiring", "active")
	_ = c.RegisterFlagCompletionFunc("role", cobra.FixedCompletions(client.RoleNames(), cobra.ShellCompDirectiveNoFileComp))
	addSessionFlags(c, &opts.sf)
	addUserFlag(c, &opts.User)
	return c
}

func tokenListRun(ctx context.Context, opts *tokenListOptions) error {
	io := opts.io
	wt, err := opts.userTarget(ctx, opts.User)
	if err != nil {
		return err
	}
	var page *client.TokenPage
	err = opts.sessions.with(ctx, wt, &opts.sf, func(ws *client.WebSession) error {
		page, err = ws.TokenPage(ctx)
		return err
	})
	if err != nil {
		return err
	}
	own := ownTokenID(page, wt)
	var rows []*client.AuthToken
	for i := range page.Tokens {
		t := &page.Tokens[i]
		switch {
		case opts.Role != "" && t.Role != opts.Role:
			continue
		case opts.within > 0:
			if !expiringMatch(t, opts.now(), opts.within, opts.Expired) {
				continue
			}
		case opts.Expired && !t.Expired,
			opts.Active && t.Expired:
			continue
		}
		rows = append(rows, t)
	}

	if opts.g.JSON {
		out := make([]tokenJSON, 0, len(rows))
		for _, t := range rows {
			out = append(out, toTokenJSON(t, usedByTool(t, own, wt)))
		}
		return writeJSON(io.Out, out)
	}
	tty := io.IsStdoutTTY()
	now := opts.now()
	tp := newTablePrinter(io.Out, tty, "ID", "DESCRIPTION", "ROLE", "SCOPE", "EXPIRES", "NOTE")
	for _, t := range rows {
		note := ""
		switch {
		case t.ID == own:
			note = "used by rhodecode"
		case t.ID == wt.vcsTokenID() && wt.vcsTokenID() != 0:
			note = "used by git via rhodecode"
		}
		if tty {
			exp := relativeExpiry(t.Expires, now)
			if t.Expired && t.Expires == nil {
				exp = "expired"
			}
			tp.addRow(strconv.Itoa(t.ID), t.Description, client.RoleShortName(t.Role), t.Scope, exp, note)
			continue
		}
		exp := "never"
		if t.Expires != nil {
			exp = t.Expires.UTC().Format(time.RFC3339)
		}
		// The role as users type it (--role vcs), on a terminal or not.
		tp.addRow(strconv.Itoa(t.ID), t.Description, client.RoleShortName(t.Role), t.Scope, exp, strconv.FormatBool(t.Expired), note)
	}
	if len(rows) == 0 && tty {
		_, err := fmt.Fprintln(io.ErrOut, "No tokens match.")
		return err
	}
	return tp.render()
}

// expiringMatch is --expiring: a token that has not expired and expires
// within d; with --expired, an expired one as well. The server's verdict
// (row class "expired") and the expiry date are both heeded, as the
// server's clock and ours may differ.
func expiringMatch(t *client.AuthToken, now time.Time, d time.Duration, expired bool) bool {
	gone := t.Expired || (t.Expires != nil && !t.Expires.After(now))
	if gone {
		return expired
	}
	return t.Expires != nil && !t.Expires.After(now.Add(d))
}
