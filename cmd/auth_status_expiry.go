package cmd

import (
	"fmt"
	"io"
	"time"
)

// statusExpiries fills in when each row's tokens expire, from what the
// config file recorded (usedTokens): the EXPIRES cell, the JSON fields,
// and, on a terminal, the VCS token's expiry in words for the GIT column.
func statusExpiries(rows []*instanceStatus, now time.Time, tty bool) {
	for _, r := range rows {
		r.apiExpiry = "-"
		for _, t := range usedTokens(r.instance) {
			if !r.uses(t) {
				continue
			}
			at := t.expiresAt()
			switch t.Kind {
			case kindAPIToken:
				// RHODECODE_TOKEN's instance records nothing: unknown.
				r.APITokenExpires = expiryJSON(at)
				r.apiExpiry = expiryCell(t, now, tty)
			case kindVCSToken:
				r.VCSTokenExpiresAt = expiryJSON(at)
				if tty && at != nil {
					r.VCSTokenExpires = relativeExpiry(at, now)
				}
			}
		}
	}
}

// expiryCell is a token's expiry in a table: in words on a terminal,
// RFC 3339 piped; "never" or "unknown" either way.
func expiryCell(t usedToken, now time.Time, tty bool) string {
	at := t.expiresAt()
	switch {
	case t.Expires == 0:
		return "unknown"
	case at == nil:
		return "never"
	case tty:
		return relativeExpiry(at, now)
	default:
		return at.Format(time.RFC3339)
	}
}

// expiryGate is --fail-if-expiring: one line on w per token the tool uses
// that expires within d (or has expired), naming its instance and the
// command that renews it; errTokensExpiring (exit 5) if there was any. An
// API token the server rejected is not counted: the row reports it.
func expiryGate(w io.Writer, rows []*instanceStatus, now time.Time, d time.Duration) error {
	n := 0
	for _, r := range rows {
		for _, t := range usedTokens(r.instance) {
			if !r.uses(t) || !t.expiresWithin(now, d) {
				continue
			}
			if t.Kind == kindAPIToken && (r.State == "token-rejected" || r.State == "user-mismatch") {
				continue // it does not work now: not "expiring"; the row says why
			}
			n++
			termPrintf(w, "rhodecode: the %s of instance %s %s (%s); renew it: %s\n",
				t.Kind, r.Name, t.describe(now), t.expiresAt().Format(time.RFC3339), t.renewCommand(now))
		}
	}
	if n == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", errSilent, errTokensExpiring)
}

// uses says whether the row has the token: an API token was found, or a
// managed VCS token that git has not rejected.
func (r *instanceStatus) uses(t usedToken) bool {
	if t.Kind == kindAPIToken {
		return r.token != ""
	}
	return r.VCSToken != "" && r.VCSTokenState != "rejected"
}
