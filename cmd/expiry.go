package cmd

import (
	"fmt"
	"time"

	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// usedToken is a token the tool uses for an instance, with its expiry as
// the config file records it: the API token's since a password login or a
// rotation (token_expires), the managed VCS token's since setup-git
// (vcs_token_expires). Nothing here asks the server, so auth status
// --offline, the CI gate and the warnings all work from the file alone.
type usedToken struct {
	Instance rhoderc.Instance
	// Kind is "API token" or "VCS token".
	Kind string
	// Expires is unix seconds; -1 means never, 0 unknown (an API token
	// pasted with --with-token: only the token page knows its expiry).
	Expires int64
}

const (
	kindAPIToken = "API token"
	kindVCSToken = "VCS token"
)

// usedTokens lists the instance's API token and, when one is recorded and
// git has not rejected it, its managed VCS token.
func usedTokens(in rhoderc.Instance) []usedToken {
	out := []usedToken{{Instance: in, Kind: kindAPIToken, Expires: in.TokenExpires}}
	if !in.VCSTokenRejected && in.HasVCSToken() {
		out = append(out, usedToken{Instance: in, Kind: kindVCSToken, Expires: in.VCSTokenExpiry()})
	}
	return out
}

// expiresAt is the expiry as a time, nil for never or unknown.
func (t usedToken) expiresAt() *time.Time {
	if t.Expires <= 0 {
		return nil
	}
	at := time.Unix(t.Expires, 0).UTC()
	return &at
}

// expiresWithin says whether the token expires before now+d (an expired
// token does too). Never and unknown do not.
func (t usedToken) expiresWithin(now time.Time, d time.Duration) bool {
	at := t.expiresAt()
	return at != nil && !at.After(now.Add(d))
}

// renewCommand is the command line that gives the instance a new token of
// this kind: a password login makes a new API token (and retires the old
// one); an expired VCS token is replaced by setup-git, one that still works
// by rotating it (setup-git keeps a VCS token until it has expired).
func (t usedToken) renewCommand(now time.Time) string {
	in := t.Instance
	if t.Kind == kindAPIToken {
		user := in.Username
		if user == "" {
			user = "USER"
		}
		return fmt.Sprintf("rhodecode auth login --name %s --username %s", in.Name, user)
	}
	if in.VCSTokenID != 0 && t.expiresAt() != nil && t.expiresAt().After(now) {
		return fmt.Sprintf("rhodecode token rotate %d -i %s --lifetime 90d", in.VCSTokenID, in.Name)
	}
	return "rhodecode setup-git -i " + in.Name
}

// describe says in words when the token expires ("expires in 3 days",
// "expired 2 hours ago").
func (t usedToken) describe(now time.Time) string {
	rel := relativeExpiry(t.expiresAt(), now)
	if t.expiresAt() != nil && !t.expiresAt().After(now) {
		return rel // "expired … ago"
	}
	return "expires " + rel
}

// parseWithin reads the DUR of --expiring and --fail-if-expiring, in the
// syntax --lifetime takes ("7d", "2w", "12h"); forever makes no window.
func parseWithin(flag, s string) (time.Duration, error) {
	m, err := parseLifetime(s)
	if err != nil {
		return 0, usageErrorf("%s: %v", flag, err)
	}
	if m < 0 {
		return 0, usageErrorf("%s needs a duration like 7d, 2w or 12h, not %q", flag, s)
	}
	return time.Duration(m) * time.Minute, nil
}

// expiryJSON is an expiry as --json prints it: RFC 3339, or null for never
// and unknown.
func expiryJSON(at *time.Time) *string {
	if at == nil {
		return nil
	}
	s := at.UTC().Format(time.RFC3339)
	return &s
}
