package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/secret"
)

// The tokens the tool itself makes and uses: its API token, the managed
// VCS token, and how to recognise them in a token list.

// ownTokenID finds which listed token is the tool's own API token: the id
// recorded at login when it is still listed, else the one row whose
// (masked) secret matches.
func ownTokenID(page *client.TokenPage, wt *webTarget) int {
	if wt.apiToken == "" {
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
	return t.ID == own || (wt.VCSTokenID != 0 && t.ID == wt.VCSTokenID)
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
