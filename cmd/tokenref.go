package cmd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/termtext"
)

// A token on the command line is its id, or its description when no other
// token has the same one (as glab takes a token's name).

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

// errNoToken says that ref names no token; revoke reports it per token.
type errNoToken struct{ ref, instance string }

func (e *errNoToken) Error() string {
	if _, err := strconv.Atoi(e.ref); err == nil {
		return fmt.Sprintf("no token with id %s on %q (see rhodecode token list)", e.ref, e.instance)
	}
	return fmt.Sprintf("no token with id or description %q on %q (see rhodecode token list)", termtext.Sanitize(e.ref), e.instance)
}

// findToken finds the token ref names on the page: the id first, then the
// description (exactly as the list shows it). A description several
// tokens share is a usage error that lists their ids.
func findToken(page *client.TokenPage, ref, instance string) (*client.AuthToken, error) {
	if id, err := strconv.Atoi(ref); err == nil {
		if t := page.FindToken(id); t != nil {
			return t, nil
		}
	}
	var found []*client.AuthToken
	for i := range page.Tokens {
		if page.Tokens[i].Description == ref {
			found = append(found, &page.Tokens[i])
		}
	}
	switch len(found) {
	case 0:
		return nil, &errNoToken{ref: ref, instance: instance}
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i, t := range found {
		ids[i] = strconv.Itoa(t.ID)
	}
	return nil, usageErrorf("%d tokens on %q have the description %q (ids %s); give the id", len(found), instance, termtext.Sanitize(ref), strings.Join(ids, ", "))
}
