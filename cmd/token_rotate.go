package cmd

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

type tokenRotateOptions struct {
	*deps
	sf sessionFlags

	Ref      string // id or description
	Lifetime string
	User     string // --user: another user's token
}

func newTokenRotateCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &tokenRotateOptions{}
	c := &cobra.Command{
		Use:   "rotate {<id> | <description>} [--lifetime <duration>]",
		Short: "Replace an auth token with a new one",
		Long: `Create a replacement for a token with the same role and description, check
that the new token works, and only then revoke the old one. The new secret
is printed on standard output. The token is given by its id, or by its
description when no other token has it.

A token that never expires is replaced by one that never expires. RhodeCode
does not show a token's original lifetime, so for a token that expires
give the new lifetime with --lifetime.

If the token is the API token this tool uses for the instance, or the VCS
token it hands to git, the stored copy is replaced too.`,
		Example: `  $ rhodecode token rotate 42
  $ NEW=$(rhodecode token rotate 43 --lifetime 30d)
  $ rhodecode token rotate "CI runner" --lifetime 4w`,
		Args: lifetimeArgs(&opts.Lifetime, exactArgs(1, "one token id or description")),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps = f.deps(g)
			if err := checkTokenRef(args[0]); err != nil {
				return err
			}
			opts.Ref = args[0]
			if opts.Lifetime != "" {
				if _, err := parseLifetime(opts.Lifetime); err != nil {
					return usageErrorf("%v", err)
				}
			}
			return tokenRotateRun(cmd.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.Lifetime, "lifetime", "", "Lifetime of the new token: forever, a duration (5m, 1h), days (30d) or weeks (4w)")
	addSessionFlags(c, &opts.sf)
	addUserFlag(c, &opts.User)
	return c
}

// apiRoles may call the JSON-RPC API (protocol §2.6).
var apiRoles = []string{"token_role_api", "token_role_all"}

func tokenRotateRun(ctx context.Context, opts *tokenRotateOptions) error {
	io := opts.io
	wt, err := opts.userTarget(ctx, opts.User)
	if err != nil {
		return err
	}
	var old, created *client.AuthToken
	var secret string
	isOwn, isVCS := false, false
	err = opts.sessions.with(ctx, wt, &opts.sf, func(ws *client.WebSession) error {
		page, err := ws.TokenPage(ctx)
		if err != nil {
			return err
		}
		if old, err = findToken(page, opts.Ref, wt.scope()); err != nil {
			return err
		}
		isOwn = ownTokenID(page, wt) == old.ID
		isVCS = wt.vcsTokenID() != 0 && wt.vcsTokenID() == old.ID
		minutes := -1
		switch {
		case opts.Lifetime != "":
			minutes, _ = parseLifetime(opts.Lifetime)
		case old.Expires != nil:
			return usageErrorf("token %d expires, and RhodeCode does not show its original lifetime; give the new one with --lifetime (e.g. 30d)", old.ID)
		}
		if old.Role == "" {
			return fmt.Errorf("token %d has a role this tool cannot map (%q); create its replacement with rhodecode token create", old.ID, old.RoleLabel)
		}
		created, secret, err = createAndReveal(ctx, ws, old.Role, old.Description, minutes)
		if err != nil {
			return err
		}
		if verr := verifyNewToken(ctx, opts.deps, wt, created, secret); verr != nil {
			// The old token stays; the broken new one goes.
			if derr := ws.DeleteToken(ctx, created.ID); derr != nil {
				return fmt.Errorf("the new token %d does not work (%v) and could not be removed (%v); the old token %d is unchanged", created.ID, verr, derr, old.ID)
			}
			return fmt.Errorf("the new token does not work, so token %d was kept and the new one removed: %w", old.ID, verr)
		}
		if isOwn && !wt.ephemeral {
			// Store the replacement before the old token dies, so the tool
			// is never left holding a revoked token.
			err := opts.secrets.Save(ctx, wt.Instance, secrets.APIToken, secret, func(e *rhoderc.Instance) { e.TokenID, e.TokenExpires = created.ID, expiryUnix(created) })
			if err != nil {
				_ = ws.DeleteToken(ctx, created.ID)
				return fmt.Errorf("storing the new API token failed, token %d was kept: %w", old.ID, err)
			}
		}
		if isVCS && !wt.ephemeral {
			if err := opts.storeVCSToken(ctx, wt.Instance, secret, created.ID, expiryUnix(created)); err != nil {
				_ = ws.DeleteToken(ctx, created.ID)
				return fmt.Errorf("storing the new VCS token failed, token %d was kept: %w", old.ID, err)
			}
		}
		if err := ws.DeleteToken(ctx, old.ID); err != nil {
			return fmt.Errorf("the new token %d works but revoking the old token %d failed: %w; revoke it with rhodecode token revoke%s %d", created.ID, old.ID, err, wt.userArg(), old.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if opts.g.JSON {
		j := toTokenJSON(created, isOwn || isVCS)
		j.Token = secret
		return writeJSON(io.Out, map[string]any{"revoked": old.ID, "token": j})
	}
	if _, err := fmt.Fprintln(io.Out, secret); err != nil {
		return err
	}
	termPrintf(io.ErrOut, "%s Replaced token %d with token %d (%s)%s\n", io.SuccessIcon(), old.ID, created.ID, client.RoleShortName(created.Role), wt.forUser())
	if isOwn {
		fmt.Fprintf(io.ErrOut, "%s rhodecode now uses the new token for %s\n", io.SuccessIcon(), wt.Name)
	}
	if isVCS {
		fmt.Fprintf(io.ErrOut, "%s git now gets the new token for %s\n", io.SuccessIcon(), wt.Name)
	}
	return nil
}

// verifyNewToken checks a fresh token the way it will be used: API tokens
// must pass get_user; other roles must at least be known to the server as
// the owner's (get_user's auth_tokens, when the tool has an API token;
// with userid for another user's token).
func verifyNewToken(ctx context.Context, d *deps, wt *webTarget, t *client.AuthToken, secret string) error {
	probe := ""
	switch {
	case slices.Contains(apiRoles, t.Role):
		probe = secret
	case wt.apiToken != "":
		probe = wt.apiToken
	default:
		return nil // nothing to ask the API with; the token list already shows it
	}
	c, err := d.newClient(wt.Instance, probe)
	if err != nil {
		return err
	}
	var u *client.User
	if probe != secret && wt.user != nil {
		u, err = c.GetUserByName(ctx, wt.user.Username)
	} else {
		u, err = c.GetUser(ctx)
	}
	if err != nil {
		return err
	}
	if owner := wt.owner(); owner != "" && u.Username != owner {
		return fmt.Errorf("the new token belongs to %s, not %s", u.Username, owner)
	}
	if probe != secret && len(u.AuthTokens) > 0 && !slices.Contains(u.AuthTokens, secret) {
		return errors.New("the server does not list the new token among the user's tokens")
	}
	return nil
}
