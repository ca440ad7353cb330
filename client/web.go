package client

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/secret"
)

// Web UI paths below the base URL (protocol §5).
const (
	loginPath    = "/_admin/login"
	tokensPath   = "/_admin/my_account/auth_tokens"
	passwordPath = "/_admin/my_account/password"
)

// userTokensPath is the admin page of one user's tokens (protocol §5.5):
// the same list, forms and reveal call as My Account's, below another base.
func userTokensPath(userID int) string {
	return "/_admin/users/" + strconv.Itoa(userID) + "/edit/auth_tokens"
}

// WebSession drives the RhodeCode web UI (login form, session cookie,
// CSRF, My Account → Auth tokens) like a browser: a real RhodeCode has no
// API to create, list or delete tokens (protocol §1).
//
// Redirects are never followed blindly: each 302 is classified by its
// Location, and only the instance's own pages are requested, so the
// session cookie goes nowhere else. It is safe for concurrent use.
type WebSession struct {
	*conn

	mu      sync.Mutex
	cookies []sessionCookie // the instance is the only scope
	csrf    secret.Value
	last    *TokenPage
	// user is whose tokens the token operations work on: 0 for the
	// session's own (My Account), else a user id (the admin pages).
	user int
}

// sessionCookie is a cookie the instance set: its name, and its value as
// a secret, so that no %v of a session shows it.
type sessionCookie struct {
	name  string
	value secret.Value
}

// NewWebSession returns a session, not yet logged in, for the instance at
// baseURL (same rules as New).
func NewWebSession(baseURL string, opts Options) (*WebSession, error) {
	cn, err := newConn(baseURL, opts)
	if err != nil {
		return nil, err
	}
	return &WebSession{conn: cn}, nil
}

// BaseURL returns the normalised instance URL, without trailing slash.
func (w *WebSession) BaseURL() string { return w.base.String() }

// SessionCookie returns the instance's cookies as a Cookie header value,
// "name=value; name2=value2", for storing in a keyring or file. It is ""
// before a login.
func (w *WebSession) SessionCookie() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return cookieHeader(w.cookies)
}

// SetSessionCookie restores a session stored with SessionCookie.
func (w *WebSession) SetSessionCookie(s string) error {
	cookies, err := http.ParseCookie(strings.TrimSpace(s))
	if err != nil || len(cookies) == 0 {
		// Never quote s: it is a session secret.
		return errors.New("the stored web session is not a cookie list (name=value; …); log in again")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cookies = w.cookies[:0]
	for _, c := range cookies {
		w.cookies = append(w.cookies, sessionCookie{c.Name, secret.New(c.Value)})
		w.addSecret(c.Value)
	}
	w.csrf, w.last = secret.Value{}, nil
	return nil
}

// ManageUser points the token operations (TokenPage, CreateToken,
// CreateAndReveal, RevealToken, DeleteToken) at the tokens of the user
// with this id through the admin pages, /_admin/users/{id}/edit/auth_tokens
// (protocol §5.5), which only a super-admin may open; 0 goes back to the
// session's own tokens (My Account). Both lists have the same layout and
// forms, so one code path serves both.
func (w *WebSession) ManageUser(userID int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.user != userID {
		w.user, w.last = userID, nil // the cached page is another user's
	}
}

// ManagedUser returns the user id ManageUser set, 0 for the session's own
// tokens.
func (w *WebSession) ManagedUser() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.user
}

// tokensPath is the path of the token list the operations work on.
func (w *WebSession) tokensPath() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.tokensPathLocked()
}

func (w *WebSession) tokensPathLocked() string {
	if w.user != 0 {
		return userTokensPath(w.user)
	}
	return tokensPath
}

// LastPage returns the token page parsed by the latest TokenPage,
// CreateToken or DeleteToken (the last two reload the list after their
// redirect), or nil. After CreateToken, LastPage().Newest() is the new
// token.
func (w *WebSession) LastPage() *TokenPage {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}

func cookieHeader(cookies []sessionCookie) string {
	parts := make([]string, len(cookies))
	for i, c := range cookies {
		parts[i] = c.name + "=" + c.value.Reveal()
	}
	return strings.Join(parts, "; ")
}

// storeCookies applies the Set-Cookie headers of an answer: Beaker sets
// the session cookie on login and expires it on logout or invalidation.
func (w *WebSession) storeCookies(resp *http.Response) {
	now := time.Now()
	for _, c := range resp.Cookies() {
		gone := c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(now)) || c.Value == ""
		w.mu.Lock()
		i := slices.IndexFunc(w.cookies, func(have sessionCookie) bool { return have.name == c.Name })
		switch {
		case gone && i >= 0:
			w.cookies = slices.Delete(w.cookies, i, i+1)
		case gone:
		case i >= 0:
			w.cookies[i].value = secret.New(c.Value)
		default:
			w.cookies = append(w.cookies, sessionCookie{c.Name, secret.New(c.Value)})
		}
		w.addSecret(c.Value)
		w.mu.Unlock()
	}
}

// webRequest describes one request to the instance.
type webRequest struct {
	method string
	path   string // below the base URL
	query  url.Values
	form   url.Values
	xhr    bool // an XMLHttpRequest expecting JSON
}

// do sends one request to the instance with the session cookie, reads
// the whole answer and keeps the cookies it sets.
func (w *WebSession) do(ctx context.Context, r webRequest) (*response, error) {
	target := w.base.String() + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	x := exchange{method: r.method, url: target, shown: RedactURL(target), want: webSurface}
	if r.form != nil {
		x.body = strings.NewReader(r.form.Encode())
	}
	x.prepare = func(req *http.Request) {
		if r.form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if r.xhr {
			req.Header.Set("X-Requested-With", "XMLHttpRequest")
			req.Header.Set("Accept", "application/json, text/javascript, */*; q=0.01")
		} else {
			req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
		}
		w.mu.Lock()
		if len(w.cookies) > 0 {
			req.Header.Set("Cookie", cookieHeader(w.cookies))
		}
		w.mu.Unlock()
	}
	resp, err := w.send(ctx, x)
	if err != nil {
		return nil, err
	}
	w.storeCookies(resp.Response)
	return resp, nil
}

// TokenPage loads and parses My Account → Auth tokens, or the admin page
// of the user ManageUser chose; there a 404 (RhodeCode's answer to a user
// who is not a super-admin, and to an unknown user id) is ErrNotSuperAdmin.
func (w *WebSession) TokenPage(ctx context.Context) (*TokenPage, error) {
	path := w.tokensPath()
	resp, err := w.do(ctx, webRequest{method: http.MethodGet, path: path})
	if err != nil {
		return nil, err
	}
	if user := w.ManagedUser(); user != 0 && resp.StatusCode == http.StatusNotFound {
		return nil, w.fail(ErrNotSuperAdmin, nil, "%s answered HTTP 404 for the token page of user id %d: only a super-admin can manage another user's tokens (or the user no longer exists)", w.host, user)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, w.statusError(resp)
	}
	page, err := ParseTokenPage(bytes.NewReader(resp.body))
	if err != nil {
		var pe *PageError
		if errors.As(err, &pe) {
			return nil, w.fail(ErrNotRhodeCode, err, "%s answered with a page that is not RhodeCode's auth-token list (%s); check the URL", resp.url, pe.Reason)
		}
		return nil, w.errorf("%s: reading the auth-token page: %w", w.host, err)
	}
	w.mu.Lock()
	if w.tokensPathLocked() == path { // not a page of a user since left
		w.last = page
	}
	if page.CSRFToken != "" {
		w.csrf = secret.New(page.CSRFToken)
		w.addSecret(page.CSRFToken)
	}
	w.mu.Unlock()
	return page, nil
}

// pageAndCSRF returns the last page and the session's CSRF token, loading
// the token page when there is none yet (right after Login).
func (w *WebSession) pageAndCSRF(ctx context.Context) (*TokenPage, string, error) {
	w.mu.Lock()
	page, csrf := w.last, w.csrf.Reveal()
	w.mu.Unlock()
	if page == nil || csrf == "" {
		var err error
		if page, err = w.TokenPage(ctx); err != nil {
			return nil, "", err
		}
		w.mu.Lock()
		csrf = w.csrf.Reveal()
		w.mu.Unlock()
	}
	if csrf == "" {
		return nil, "", w.fail(ErrNotRhodeCode, nil, "%s: the auth-token page carries no CSRF token, so nothing can be changed; check the RhodeCode version", w.host)
	}
	return page, csrf, nil
}

// post sends a form with the CSRF token and expects RhodeCode's 302 back
// to the token list; notFound is the error for a 404 (unknown id).
func (w *WebSession) post(ctx context.Context, path string, form url.Values, notFound error) error {
	resp, err := w.do(ctx, webRequest{method: http.MethodPost, path: path, form: form})
	if err != nil {
		return err
	}
	if resp.StatusCode == http.StatusNotFound && notFound != nil {
		return notFound
	}
	if resp.StatusCode < 300 || resp.StatusCode >= 400 {
		if resp.StatusCode == http.StatusOK {
			return w.fail(ErrNotRhodeCode, nil, "%s answered with a page instead of redirecting to the token list; check the RhodeCode version", resp.url)
		}
		return w.statusError(resp)
	}
	if !w.toTokenList(resp) {
		return w.redirectError(resp)
	}
	return nil
}

// toTokenList reports whether a redirect goes back to the token list the
// operations work on (My Account's, or the managed user's admin page).
func (w *WebSession) toTokenList(resp *response) bool {
	kind, loc := w.locate(resp)
	if w.ManagedUser() == 0 || loc == nil {
		return kind == locTokens
	}
	rel, _ := strings.CutPrefix(loc.Path, w.base.Path)
	return kind == locOther && strings.TrimRight(rel, "/") == w.tokensPath()
}
