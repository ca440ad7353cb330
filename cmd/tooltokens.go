package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
	"github.com/rhodecode-cli/rhodecode/internal/iostreams"
	"github.com/rhodecode-cli/rhodecode/internal/secret"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// The tokens the tool itself makes and uses: its API token, the managed
// VCS token, and how to recognise them in a token list.

// ownTokenID finds which listed token is the tool's own API token: the id
// recorded at login when it is still listed, else the one row whose
// (masked) secret matches. Another user's list (--user) holds none of the
// tool's tokens, even where a masked secret looks alike.
func ownTokenID(page *client.TokenPage, wt *webTarget) int {
	if wt.apiToken == "" || wt.user != nil {
		return 0
	}
	if wt.TokenID != 0 {
		if t := page.FindToken(wt.TokenID); t != nil && tokenMatches(t, wt.apiToken) {
			return t.ID
		}
	}
	id := 0
	for i := range page.Tokens {
		if tokenMatches(&page.Tokens[i], wt.apiToken) {
			if id != 0 {
				return 0 // ambiguous: two tokens share the first four characters
			}
			id = page.Tokens[i].ID
		}
	}
	return id
}

// usedByTool reports whether the tool uses t for the instance: as its own
// API token (own, from ownTokenID) or as the VCS token it hands to git.
func usedByTool(t *client.AuthToken, own int, wt *webTarget) bool {
	return t.ID == own || (wt.vcsTokenID() != 0 && t.ID == wt.vcsTokenID())
}

func tokenMatches(t *client.AuthToken, tok string) bool {
	if t.Secret != "" {
		return t.Secret == tok
	}
	return t.Masked != "" && t.Masked == secret.Mask(tok)
}

// defaultDescription is what the web UI would show for a token this tool
// creates: which tool, for whom, on which machine.
func defaultDescription(hostname func() (string, error), kind, username string) string {
	host, err := hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	if kind != "" {
		kind += " "
	}
	return fmt.Sprintf("rhodecode-cli %s%s@%s", kind, username, host)
}

// machineDescription is defaultDescription for recognising the tool's
// older tokens on this machine, "" when the host name is unknown: every
// such machine's tokens read "@unknown-host", so one machine's login
// would revoke another's. Then only recorded ids are recognised.
func machineDescription(hostname func() (string, error), kind, username string) string {
	if host, err := hostname(); err != nil || host == "" {
		return ""
	}
	return defaultDescription(hostname, kind, username)
}

// createAndReveal creates a token and reveals its secret
// (client.WebSession.CreateAndReveal). A role the server does not offer
// is the user's mistake: a usage error in the CLI's short role names.
func createAndReveal(ctx context.Context, ws *client.WebSession, role, description string, minutes int) (*client.AuthToken, string, error) {
	created, tok, err := ws.CreateAndReveal(ctx, role, description, minutes)
	var notOffered *client.RoleNotOfferedError
	if errors.As(err, &notOffered) {
		var offered []string
		for _, r := range notOffered.Offered {
			offered = append(offered, client.RoleShortName(r.Value))
		}
		return nil, "", usageErrorf("this server (RhodeCode %s) offers no role %s; it offers: %s", notOffered.Version, client.RoleShortName(role), strings.Join(offered, ", "))
	}
	return created, tok, err
}

// Replacing the tool's older tokens. A password login and setup-git make a
// new token each time; once the new one works they revoke the older ones
// the tool made for the same user on this machine, so that logging out and
// in again leaves no live token behind. A token is the tool's own when it
// is on the user's own token page with exactly the description the tool
// gives (defaultDescription: tool, user, machine) and the role it asks for,
// or when the config file recorded its id for this instance. Ids the file
// records for another instance of the same server (two names for one
// account) and the token just made are never touched.
//
// Adopting the old token instead (4.19+ reveals its secret, older pages
// show it) was rejected: it would ignore --lifetime and a shorter expiry
// already set, and keep alive a secret that outlived a logout, which is
// often why one logs out.

// staleToolTokens lists the tokens on page that the tool made earlier for
// this user and machine: role and description match exactly (no
// description, "", matches none), or the id is recorded; ids in keep are
// left out.
func staleToolTokens(page *client.TokenPage, role, description string, recorded int, keep map[int]bool) []client.AuthToken {
	var out []client.AuthToken
	for _, t := range page.Tokens {
		if keep[t.ID] {
			continue
		}
		if (description != "" && t.Role == role && t.Description == description) || (recorded != 0 && t.ID == recorded) {
			out = append(out, t)
		}
	}
	return out
}

// keptTokenIDs are the ids no cleanup may revoke: ids (the token just
// made) and every token id the config file records for another instance
// of the same server.
func keptTokenIDs(cfg *rhoderc.File, name, url string, ids ...int) map[int]bool {
	keep := map[int]bool{}
	for _, id := range ids {
		keep[id] = true
	}
	if cfg == nil {
		return keep
	}
	for _, in := range cfg.Instances() {
		if in.Name != name && baseurl.Same(in.URL, url) {
			keep[in.TokenID], keep[in.VCSTokenID] = true, true
		}
	}
	delete(keep, 0)
	return keep
}

// retireOldToolTokens revokes the older tokens staleToolTokens finds. The
// new token already works, so a failure is a warning that names the
// command to finish the job, never an error.
func retireOldToolTokens(ctx context.Context, io *iostreams.IOStreams, ws *client.WebSession, instance, role, description string, recorded int, keep map[int]bool, what string) {
	page, err := ws.TokenPage(ctx)
	if err != nil {
		termPrintf(io.ErrOut, "%s could not list your tokens to revoke older %ss rhodecode made on this machine: %v\n", io.WarningIcon(), what, err)
		return
	}
	for _, t := range staleToolTokens(page, role, description, recorded, keep) {
		if err := ws.DeleteToken(ctx, t.ID); err != nil {
			termPrintf(io.ErrOut, "%s could not revoke token %d (%s), an older %s of rhodecode: %v; revoke it with: rhodecode token revoke -i %s %d\n", io.WarningIcon(), t.ID, t.Description, what, err, instance, t.ID)
			continue
		}
		termPrintf(io.ErrOut, "%s Revoked token %d (%s), the %s rhodecode used before\n", io.SuccessIcon(), t.ID, t.Description, what)
	}
}

// retireOldVCSTokens revokes, through the web session, the VCS tokens the
// tool made before for in's user on this machine (retireOldToolTokens),
// keeping newID. kind is the VCS word in their description.
func retireOldVCSTokens(ctx context.Context, d *deps, sf *sessionFlags, in rhoderc.Instance, newID int) {
	cfg, err := d.cfg.Load()
	if err != nil {
		return // without it, another instance's tokens cannot be told apart
	}
	keep := keptTokenIDs(cfg, in.Name, in.URL, newID)
	err = d.sessions.with(ctx, &webTarget{Instance: in}, sf, func(ws *client.WebSession) error {
		retireOldToolTokens(ctx, d.io, ws, in.Name, "token_role_vcs", machineDescription(d.hostname, "git", in.Username), in.VCSTokenID, keep, "VCS token")
		return nil
	})
	if err != nil {
		termPrintf(d.io.ErrOut, "%s could not revoke older VCS tokens rhodecode made on this machine: %v\n", d.io.WarningIcon(), err)
	}
}
