package cmd

import (
	"fmt"
	"time"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/secret"
)

// minutesUntil converts an --expires date (YYYY-MM-DD, the start of that
// day in UTC, as GitLab reads its expires_at) into a lifetime in minutes.
func minutesUntil(date string, now time.Time) (int, error) {
	t, err := time.Parse("2006-01-02", date)
	if err != nil {
		return 0, fmt.Errorf("invalid --expires %q: want YYYY-MM-DD", date)
	}
	m := int(t.Sub(now) / time.Minute)
	if m < 1 {
		return 0, fmt.Errorf("--expires %s is not in the future", date)
	}
	return m, nil
}

// relativeExpiry says when a token expires in words: "never",
// "in 29 days", "expired 3 days ago".
func relativeExpiry(exp *time.Time, now time.Time) string {
	if exp == nil {
		return "never"
	}
	d := exp.Sub(now)
	if d >= 0 {
		return "in " + humanDuration(d)
	}
	return "expired " + humanDuration(-d) + " ago"
}

func humanDuration(d time.Duration) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return plural(round(d, time.Minute), "minute")
	case d < 48*time.Hour:
		return plural(round(d, time.Hour), "hour")
	case d < 60*24*time.Hour:
		return plural(round(d, 24*time.Hour), "day")
	case d < 730*24*time.Hour:
		return plural(round(d, 30*24*time.Hour), "month")
	default:
		return plural(round(d, 365*24*time.Hour), "year")
	}
}

// round counts units to the nearest whole one: a 30-day token looked at a
// second after it was made expires "in 30 days", not 29.
func round(d, unit time.Duration) int {
	return int((d + unit/2) / unit)
}

// tokenJSON is a token as --json prints it.
type tokenJSON struct {
	ID          int    `json:"id"`
	Description string `json:"description"`
	Role        string `json:"role"`
	// RoleName is the role as --role takes it (vcs); Role stays RhodeCode's
	// constant (token_role_vcs) for the scripts that read it.
	RoleName    string  `json:"role_name"`
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
		ID: t.ID, Description: t.Description, Role: t.Role, RoleName: client.RoleShortName(t.Role), RoleLabel: t.RoleLabel,
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
