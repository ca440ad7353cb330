package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/secret"
)

// The token operations of the web session: create, reveal, delete
// (protocol §5.3), on the session's own tokens or, after ManageUser, on
// another user's through the admin pages (§5.5), which take the same forms. They post forms with the session's CSRF token. The
// server answers a form with a redirect and a flash message, never with
// the result, so create and delete check the outcome on the reloaded list.

// RoleNotOfferedError means the token form of the server offers no such
// role. CreateToken checks this before sending anything because the server
// would store any role it is sent (protocol §4.1); which roles exist
// depends on the RhodeCode version.
type RoleNotOfferedError struct {
	Host    string       // host[:port] of the server
	Role    string       // the role asked for, as given
	Version string       // RhodeCode version the page names; "" when it does not
	Offered []RoleOption // the options of the page's role select
}

// Error names the role and the offered ones as "constant (label)".
func (e *RoleNotOfferedError) Error() string {
	var valid []string
	for _, r := range e.Offered {
		valid = append(valid, fmt.Sprintf("%s (%s)", r.Value, r.Label))
	}
	return fmt.Sprintf("%s offers no token role %q; choose one of: %s", e.Host, e.Role, strings.Join(valid, ", "))
}

// roleNotOffered explains a role the page does not offer; what the page
// says is scrubbed like any server text in an error.
func (w *WebSession) roleNotOffered(page *TokenPage, role string) error {
	offered := make([]RoleOption, len(page.Roles))
	for i, r := range page.Roles {
		offered[i] = RoleOption{Value: w.scrubText(r.Value), Label: w.scrubText(r.Label)}
	}
	return &RoleNotOfferedError{Host: w.host, Role: role, Version: w.scrubText(page.Version), Offered: offered}
}

// CreateToken adds a token through the add form (POST …/auth_tokens/new,
// protocol §5.3). role is a constant or a label the page's role select
// offers (else *RoleNotOfferedError, and nothing is sent);
// lifetimeMinutes is -1 (never expires) or positive. The server answers
// without id or secret: the list is reloaded (see LastPage,
// TokenPage.Newest) and its flash message checked. CreateAndReveal also
// finds the new token and its secret.
func (w *WebSession) CreateToken(ctx context.Context, role, description string, lifetimeMinutes int) error {
	if lifetimeMinutes != -1 && lifetimeMinutes <= 0 {
		return fmt.Errorf("token lifetime must be -1 (never expires) or a positive number of minutes, not %d", lifetimeMinutes)
	}
	page, csrf, err := w.pageAndCSRF(ctx)
	if err != nil {
		return err
	}
	// The server stores any role verbatim (protocol §4.1): check it here.
	value, ok := page.RoleValue(role)
	if !ok {
		return w.roleNotOffered(page, role)
	}
	form := url.Values{
		"description": {description},
		"lifetime":    {strconv.Itoa(lifetimeMinutes)},
		"role":        {value},
		"csrf_token":  {csrf},
	}
	if err := w.post(ctx, w.tokensPath()+"/new", form, nil); err != nil {
		return err
	}
	after, err := w.TokenPage(ctx)
	if err != nil {
		return err
	}
	for _, f := range after.Flash {
		if f.Level == "error" {
			return w.errorf("%s did not create the token: %s", w.host, f.Message)
		}
	}
	return nil
}

// CreateAndReveal creates a token like CreateToken and returns it with its
// secret. The server answers a create with a redirect only, so the new
// token is found on the reloaded list: the highest id above those listed
// before, with the description and role asked for (protocol §5.3). On
// 4.19+ the list masks secrets, so the new one is then revealed. A secret
// that is not a token (see RevealToken) is an error, and the new token is
// deleted again.
func (w *WebSession) CreateAndReveal(ctx context.Context, role, description string, lifetimeMinutes int) (*AuthToken, string, error) {
	// A fresh list: the highest id on it tells the new token apart from
	// older ones with the same description.
	before, err := w.TokenPage(ctx)
	if err != nil {
		return nil, "", err
	}
	value, ok := before.RoleValue(role)
	if !ok {
		return nil, "", w.roleNotOffered(before, role)
	}
	maxID := 0
	if n := before.Newest(); n != nil {
		maxID = n.ID
	}
	if err := w.CreateToken(ctx, role, description, lifetimeMinutes); err != nil {
		return nil, "", fmt.Errorf("creating the token: %w", err)
	}
	after := w.LastPage() // CreateToken reloaded the list
	if after == nil {
		if after, err = w.TokenPage(ctx); err != nil {
			return nil, "", err
		}
	}
	var created *AuthToken
	// The page comes back through an HTML parser, which turns CR and
	// CRLF into LF (a user name with a CR in a default description).
	lf := strings.NewReplacer("\r\n", "\n", "\r", "\n")
	for i := range after.Tokens {
		t := &after.Tokens[i]
		if t.ID > maxID && t.Description == lf.Replace(description) && t.Role == value && (created == nil || t.ID > created.ID) {
			created = t
		}
	}
	if created == nil {
		return nil, "", errors.New("the server accepted the new token but it is not in the token list; check My Account → Auth tokens")
	}
	tok := created.Secret
	if tok == "" {
		tok, err = w.RevealToken(ctx, created.ID)
	} else {
		err = w.checkSecret(created.ID, tok)
	}
	if err != nil {
		// A token nobody can be given must not stay behind.
		if errors.Is(err, secret.ErrNotToken) {
			if derr := w.DeleteToken(ctx, created.ID); derr != nil {
				return nil, "", fmt.Errorf("reading the new token %d: %w; deleting it failed too (%v), delete it in the web UI", created.ID, err, derr)
			}
			return nil, "", fmt.Errorf("reading the new token %d: %w; the token was deleted again", created.ID, err)
		}
		return nil, "", fmt.Errorf("reading the new token %d: %w", created.ID, err)
	}
	return created, tok, nil
}

// DeleteToken deletes the token with the given id (POST
// …/auth_tokens/delete, protocol §5.3) and checks on the reloaded list
// that it is gone.
func (w *WebSession) DeleteToken(ctx context.Context, id int) error {
	_, csrf, err := w.pageAndCSRF(ctx)
	if err != nil {
		return err
	}
	form := url.Values{"del_auth_token": {strconv.Itoa(id)}, "csrf_token": {csrf}}
	if err := w.post(ctx, w.tokensPath()+"/delete", form, w.notFound(id)); err != nil {
		return err
	}
	after, err := w.TokenPage(ctx)
	if err != nil {
		return err
	}
	if after.FindToken(id) != nil {
		return fmt.Errorf("%s still lists auth token %d after deleting it; delete it in the web UI", w.host, id)
	}
	return nil
}

func (w *WebSession) notFound(id int) error {
	if user := w.ManagedUser(); user != 0 {
		return w.fail(ErrTokenNotFound, nil, "%s has no auth token with id %d for user id %d; list the user's tokens to see their ids", w.host, id, user)
	}
	return w.fail(ErrTokenNotFound, nil, "%s has no auth token with id %d for this user; list the tokens to see their ids", w.host, id)
}

// checkSecret refuses a secret that cannot be a token (secret.CheckToken):
// it would be printed raw and handed to git. It is scrubbed from the trace
// and from errors all the same.
func (w *WebSession) checkSecret(id int, s string) error {
	w.addSecret(s)
	if err := secret.CheckToken(s); err != nil {
		return w.fail(ErrNotRhodeCode, err, "%s sent a secret for auth token %d that is %v", w.host, id, err)
	}
	return nil
}

// RevealToken returns the secret of the token with the given id: on 4.19+
// through POST …/auth_tokens/view (an XMLHttpRequest with the CSRF
// token), on older servers from the list page, which shows full secrets.
// A secret that is not a token (secret.CheckToken) is an error wrapping
// ErrNotRhodeCode and secret.ErrNotToken.
func (w *WebSession) RevealToken(ctx context.Context, id int) (string, error) {
	page, csrf, err := w.pageAndCSRF(ctx)
	if err != nil {
		return "", err
	}
	if !page.Masked {
		t := page.FindToken(id)
		if t == nil || t.Secret == "" {
			// The cached page may predate the token.
			if page, err = w.TokenPage(ctx); err != nil {
				return "", err
			}
			t = page.FindToken(id)
		}
		if t == nil {
			return "", w.notFound(id)
		}
		if t.Secret == "" {
			return "", w.fail(ErrNotRhodeCode, nil, "%s shows no secret for auth token %d; check the RhodeCode version", w.host, id)
		}
		if err := w.checkSecret(id, t.Secret); err != nil {
			return "", err
		}
		return t.Secret, nil
	}

	resp, err := w.do(ctx, webRequest{
		method: http.MethodPost,
		path:   w.tokensPath() + "/view",
		form:   url.Values{"auth_token_id": {strconv.Itoa(id)}, "csrf_token": {csrf}},
		xhr:    true,
	})
	if err != nil {
		return "", err
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return "", w.notFound(id)
	case resp.StatusCode != http.StatusOK:
		return "", w.statusError(resp)
	case looksHTML(resp.Header.Get("Content-Type"), resp.body):
		return "", w.fail(ErrNotRhodeCode, nil, "%s answered with an HTML page where JSON was expected; check the URL and the RhodeCode version", resp.url)
	}
	var answer struct {
		AuthToken *string `json:"auth_token"`
	}
	if err := json.Unmarshal(resp.body, &answer); err != nil || answer.AuthToken == nil || *answer.AuthToken == "" {
		return "", w.fail(ErrNotRhodeCode, nil, "%s answered with %s instead of {\"auth_token\": …}; check the RhodeCode version", resp.url, describeBody(resp.Response, resp.body))
	}
	if err := w.checkSecret(id, *answer.AuthToken); err != nil {
		return "", err
	}
	return *answer.AuthToken, nil
}
