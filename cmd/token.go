package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/secret"
	"github.com/spf13/cobra"
)

func newTokenCmd(f *Factory, g *globalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "token <command>",
		Short: "Create, list, reveal, rotate and revoke your RhodeCode auth tokens",
		Long: `Manage the auth tokens of your RhodeCode account, as My Account → Auth tokens
does in the web UI.

RhodeCode has no API for this, so these commands use the web session: the
first one asks for your password (or reads it with --password-stdin) and
the session is kept with the instance's API token, so later commands need
no password until it expires. The password itself is never stored.`,
		Example: `  $ rhodecode token list
  $ TOKEN=$(rhodecode token create --role vcs --lifetime 30d)
  $ rhodecode token rotate 42
  $ rhodecode token revoke --expired --yes`,
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

// tokenJSON is a token as --json prints it.
type tokenJSON struct {
	ID          int     `json:"id"`
	Description string  `json:"description"`
	Role        string  `json:"role"`
	RoleLabel   string  `json:"role_label"`
	Scope       string  `json:"scope"`
	Expires     *string `json:"expires"`
	Expired     bool    `json:"expired"`
	TokenMasked string  `json:"token_masked"`
	// InUse says the tool uses this token for the instance, as its own API
	// token or as the VCS token it hands to git.
	InUse bool `json:"in_use"`
	// Token is the secret, only where the user asked for it.
	Token string `json:"token,omitempty"`
}

func toTokenJSON(t *client.AuthToken, inUse bool) tokenJSON {
	j := tokenJSON{
		ID: t.ID, Description: t.Description, Role: t.Role, RoleLabel: t.RoleLabel,
		Scope: t.Scope, Expired: t.Expired, TokenMasked: t.Masked, InUse: inUse,
	}
	if j.TokenMasked == "" && t.Secret != "" {
		j.TokenMasked = secret.Mask(t.Secret)
	}
	if t.Expires != nil {
		s := t.Expires.UTC().Format(time.RFC3339)
		j.Expires = &s
	}
	return j
}

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
