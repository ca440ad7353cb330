package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/termtext"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/spf13/cobra"
)

type tokenRevokeOptions struct {
	*deps
	sf sessionFlags

	Refs    []string // ids or descriptions
	Expired bool
	Yes     bool
	User    string // --user: another user's tokens
}

func newTokenRevokeCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &tokenRevokeOptions{}
	c := &cobra.Command{
		Use:     "revoke {<id-or-description>... | --expired} [--yes]",
		Aliases: []string{"delete", "rm"},
		Short:   "Revoke (delete) auth tokens",
		Long: `Revoke the tokens with the given ids, or every expired token with --expired.
A token may also be named by its description when no other token has it.

On a terminal it asks first; elsewhere it refuses unless --yes is given.
Revoking the API token this tool itself uses for the instance always needs
--yes, and logs the tool out of that instance's API (token commands keep
working through the web session). Each id is reported; the exit status is
1 if any could not be revoked.`,
		Example: `  $ rhodecode token revoke 42
  $ rhodecode token revoke 42 43 --yes
  $ rhodecode token revoke --expired --yes
  $ rhodecode token revoke "old laptop"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && !opts.Expired {
				return usageErrorf("give token ids (or descriptions) or --expired")
			}
			if len(args) > 0 && opts.Expired {
				return usageErrorf("give token ids (or descriptions) or --expired, not both")
			}
			for _, a := range args {
				if err := checkTokenRef(a); err != nil {
					return err
				}
			}
			opts.Refs = args
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps = f.deps(g)
			return tokenRevokeRun(cmd.Context(), opts)
		},
	}
	c.Flags().BoolVar(&opts.Expired, "expired", false, "Revoke every expired token")
	c.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "Do not ask for confirmation")
	addSessionFlags(c, &opts.sf)
	addUserFlag(c, &opts.User)
	return c
}

// revokeResult is one line of the report, and its JSON form.
type revokeResult struct {
	ID          int    `json:"id,omitempty"`
	Description string `json:"description,omitempty"`
	// Ref is what the command line said, for a token it did not find.
	Ref     string `json:"ref,omitempty"`
	Revoked bool   `json:"revoked"`
	Error   string `json:"error,omitempty"`
}

func tokenRevokeRun(ctx context.Context, opts *tokenRevokeOptions) error {
	io := opts.io
	wt, err := opts.userTarget(ctx, opts.User)
	if err != nil {
		return err
	}
	results := []revokeResult{} // JSON: [] rather than null when nothing matched
	ownRevoked, vcsRevoked := false, false
	err = opts.sessions.with(ctx, wt, &opts.sf, func(ws *client.WebSession) error {
		page, err := ws.TokenPage(ctx)
		if err != nil {
			return err
		}
		own := ownTokenID(page, wt)
		var todo []*client.AuthToken
		results = results[:0]
		if opts.Expired {
			for i := range page.Tokens {
				if page.Tokens[i].Expired {
					todo = append(todo, &page.Tokens[i])
				}
			}
		} else {
			seen := map[int]bool{}
			for _, ref := range opts.Refs {
				t, err := findToken(page, ref, wt.scope())
				var nt *errNoToken
				switch {
				case errors.As(err, &nt):
					r := revokeResult{Error: "no such token"}
					if id, err := strconv.Atoi(ref); err == nil {
						r.ID = id
					} else {
						r.Ref = ref // a description names no id
					}
					results = append(results, r)
				case err != nil:
					return err // a description several tokens share: revoke none
				case !seen[t.ID]: // an id and its description name one token
					seen[t.ID] = true
					todo = append(todo, t)
				}
			}
		}
		for _, t := range todo {
			if t.ID == own && !opts.Yes {
				return usageErrorf("token %d is the API token rhodecode uses for %q; add --yes to revoke it anyway (this logs rhodecode out of that instance's API)", t.ID, wt.Name)
			}
		}
		if len(todo) > 0 && !opts.Yes {
			if !io.CanPrompt() {
				return usageErrorf("refusing to revoke %d token(s) without --yes when not running in a terminal", len(todo))
			}
			var names []string
			for _, t := range todo {
				names = append(names, fmt.Sprintf("%d (%s, %s)", t.ID, termtext.Sanitize(t.Description), termtext.Sanitize(client.RoleShortName(t.Role))))
			}
			ok, err := io.Confirm(ctx, "Revoke "+strings.Join(names, ", ")+termtext.Sanitize(wt.forUser())+"?")
			if err != nil {
				return err
			}
			if !ok {
				return errors.New("nothing revoked")
			}
		}
		// DeleteToken checks the reloaded list: the server answers
		// "deleted" even for ids it did not delete.
		for _, t := range todo {
			r := revokeResult{ID: t.ID, Description: termtext.Sanitize(t.Description), Revoked: true}
			if err := ws.DeleteToken(ctx, t.ID); err != nil {
				if errors.Is(err, client.ErrSessionExpired) || errors.Is(err, client.ErrCSRF) {
					return err
				}
				r.Revoked, r.Error = false, err.Error()
			}
			ownRevoked = ownRevoked || (r.Revoked && t.ID == own)
			vcsRevoked = vcsRevoked || (r.Revoked && wt.vcsTokenID() != 0 && t.ID == wt.vcsTokenID())
			results = append(results, r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if ownRevoked && !wt.ephemeral {
		if err := opts.secrets.LogoutAPI(ctx, wt.Instance); err != nil {
			return err
		}
	}
	if vcsRevoked && !wt.ephemeral {
		// As when git reports it rejected: the helper stops handing it out
		// and the next setup-git/hg/svn makes a new one.
		if err := markVCSTokenRejected(ctx, opts.deps, wt.Name); err != nil {
			return err
		}
	}

	failed := 0
	for _, r := range results {
		if !r.Revoked {
			failed++
		}
	}
	if opts.g.JSON {
		if err := writeJSON(io.Out, results); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			if r.Revoked {
				termPrintf(io.ErrOut, "%s Revoked token %d (%s)%s\n", io.SuccessIcon(), r.ID, r.Description, wt.forUser())
			} else {
				termPrintf(io.ErrOut, "%s Token %s: %s\n", io.FailureIcon(), cmp.Or(r.Ref, strconv.Itoa(r.ID)), r.Error)
			}
		}
		if len(results) == 0 {
			fmt.Fprintln(io.ErrOut, "No expired tokens.")
		}
	}
	if ownRevoked {
		fmt.Fprintf(io.ErrOut, "%s That was rhodecode's API token for %s: the tool is logged out of its API; run rhodecode auth login -i %s for a new one.\n", io.WarningIcon(), wt.Name, wt.Name)
	}
	if vcsRevoked {
		fmt.Fprintf(io.ErrOut, "%s That was the VCS token rhodecode hands to git (and hg, svn) for %s; run rhodecode setup-git -i %s for a new one.\n", io.WarningIcon(), wt.Name, wt.Name)
	}
	if failed > 0 {
		return errSilent
	}
	return nil
}
