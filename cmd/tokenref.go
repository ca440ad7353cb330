package cmd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/termtext"
)

// A token on the command line is its id, or its description when no other
// token has the same one (as glab takes a token's name). A number is
// always an id.

// checkTokenRef rejects what can name no token before anything is asked.
func checkTokenRef(ref string) error {
	if strings.TrimSpace(ref) == "" {
		return usageErrorf("give a token id or description (see rhodecode token list)")
	}
	if id, err := strconv.Atoi(ref); err == nil && id <= 0 {
		return usageErrorf("token id must be a positive number, not %q (see rhodecode token list)", ref)
	}
	return nil
}

// tokenScope is whose tokens a command works on: the caller's own, or
// (other) those of user on the instance.
type tokenScope struct {
	instance, user string
	other          bool
}

// String is `on "work"`, or `of user ci-bot on "work"`.
func (s tokenScope) String() string {
	if s.other {
		return fmt.Sprintf("of user %s on %q", termtext.Sanitize(s.user), s.instance)
	}
	return fmt.Sprintf("on %q", s.instance)
}

// listCommand is the command that lists the tokens of the scope.
func (s tokenScope) listCommand() string {
	if s.other {
		return "rhodecode token list --user " + termtext.Sanitize(s.user)
	}
	return "rhodecode token list"
}

// errNoToken says that ref names no token; revoke reports it per token.
type errNoToken struct {
	ref   string
	scope tokenScope
}

func (e *errNoToken) Error() string {
	if _, err := strconv.Atoi(e.ref); err == nil {
		return fmt.Sprintf("no token with id %s %s (see %s)", e.ref, e.scope, e.scope.listCommand())
	}
	return fmt.Sprintf("no token with id or description %q %s (see %s)", termtext.Sanitize(e.ref), e.scope, e.scope.listCommand())
}

// findToken finds the token ref names on the page: a number is an id
// only (so "revoke 12" never takes a token described "12" once token 12
// is gone); anything else is a description, exactly as the list shows it.
// A description several tokens share is a usage error that lists their
// ids.
func findToken(page *client.TokenPage, ref string, scope tokenScope) (*client.AuthToken, error) {
	if id, err := strconv.Atoi(ref); err == nil {
		if t := page.FindToken(id); t != nil {
			return t, nil
		}
		return nil, &errNoToken{ref: ref, scope: scope}
	}
	var found []*client.AuthToken
	for i := range page.Tokens {
		if page.Tokens[i].Description == ref {
			found = append(found, &page.Tokens[i])
		}
	}
	switch len(found) {
	case 0:
		return nil, &errNoToken{ref: ref, scope: scope}
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i, t := range found {
		ids[i] = strconv.Itoa(t.ID)
	}
	return nil, usageErrorf("%d tokens %s have the description %q (ids %s); give the id", len(found), scope, termtext.Sanitize(ref), strings.Join(ids, ", "))
}
