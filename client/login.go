package client

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/secret"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Login signs in through the login form (POST <base>/_admin/login, no
// CSRF token, protocol §5.1) and keeps the session cookie. A wrong
// password gives ErrInvalidCredentials, a disabled account
// ErrAccountDisabled; a forced password change shows as
// ErrPasswordChangeRequired on the first page requested after the login.
func (w *WebSession) Login(ctx context.Context, username, password string) error {
	if username == "" || password == "" {
		return errors.New("client: Login needs a user name and a password")
	}
	w.addSecret(password)
	// The server invalidates the old session anyway; a stale cookie must
	// not outlive a failed login.
	w.mu.Lock()
	w.cookies, w.csrf, w.last = nil, secret.Value{}, nil
	w.mu.Unlock()

	resp, err := w.do(ctx, webRequest{
		method: http.MethodPost,
		path:   loginPath,
		query:  url.Values{"came_from": {w.base.Path + tokensPath}},
		form: url.Values{
			"username": {username},
			"password": {password},
			"remember": {"True"},
			"sign_in":  {"Sign In"},
		},
	})
	if err != nil {
		return err
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		return w.loginFailure(resp, password)
	case resp.StatusCode < 300 || resp.StatusCode >= 400:
		return w.statusError(resp)
	}
	switch kind, _ := w.locate(resp); kind {
	case locLogin:
		return w.fail(ErrInvalidCredentials, nil, "%s sent the login back to the login page; check the user name and password", w.host)
	case locPassword:
		return w.passwordChangeError()
	case locForeign:
		return w.redirectError(resp)
	}
	if w.SessionCookie() == "" {
		return w.fail(ErrNotRhodeCode, nil, "%s accepted the login but set no session cookie; check the URL and any proxy in front of RhodeCode", w.host)
	}
	return nil
}

// loginFailure explains a 200 answer to the login POST: RhodeCode
// re-renders the form with the errors of LoginForm/ValidAuth
// (rhodecode/model/validators.py) next to the fields.
func (w *WebSession) loginFailure(resp *response, password string) error {
	lp := parseLoginPage(resp.body)
	if !lp.isLogin {
		return w.fail(ErrNotRhodeCode, nil, "%s answered the login with a page that is not RhodeCode's login form; check the URL", resp.url)
	}
	var msgs []string
	for _, f := range lp.errors {
		msgs = append(msgs, f.msg)
	}
	for _, f := range lp.flash {
		if f.Level == "error" || f.Level == "warning" {
			msgs = append(msgs, f.Message)
		}
	}
	reason := strings.Join(slices.Compact(msgs), "; ")
	// A server text never contains the password, but make sure.
	reason = strings.ReplaceAll(reason, password, Redacted)
	var user, pass bool
	for _, f := range lp.errors {
		switch f.msg {
		case "Your account is disabled":
			return w.fail(ErrAccountDisabled, nil, "%s refused the login: the account is disabled; ask a RhodeCode administrator", w.host)
		case "invalid user name", "invalid password":
			return w.fail(ErrInvalidCredentials, nil, "%s refused the login: invalid user name or password", w.host)
		}
		user = user || f.field == "username"
		pass = pass || f.field == "password"
	}
	switch {
	case user && pass:
		// ValidAuth marks both fields; the texts are translated.
		return w.fail(ErrInvalidCredentials, nil, "%s refused the login (%s): invalid user name or password", w.host, reason)
	case reason != "":
		return w.fail(ErrInvalidCredentials, nil, "%s refused the login: %s", w.host, reason)
	}
	return w.fail(ErrInvalidCredentials, nil, "%s showed the login form again without a reason; check the user name and password", w.host)
}

// loginPage is what parseLoginPage finds on an answer to the login POST.
type loginPage struct {
	isLogin bool
	errors  []fieldError
	flash   []FlashMessage
}

// fieldError is the error message the form shows next to a field.
type fieldError struct{ field, msg string }

// parseLoginPage reads login.mako: inputs username and password, each
// followed by <span class="error-message"> when the form refused it.
func parseLoginPage(body []byte) loginPage {
	var lp loginPage
	var hasUser, hasPass, inErr, inScript bool
	lastField := ""
	var text []byte
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			lp.isLogin = hasUser && hasPass
			return lp
		case html.StartTagToken, html.SelfClosingTagToken:
			tag := tagAtom(z)
			if tag != atom.Input && tag != atom.Span && tag != atom.Script {
				continue
			}
			a := readAttrs(z)
			switch tag {
			case atom.Input:
				switch a.name {
				case "username":
					hasUser, lastField = true, "username"
				case "password":
					hasPass, lastField = true, "password"
				}
			case atom.Span:
				if hasClass(a.class, "error-message") {
					inErr, text = true, text[:0]
				}
			case atom.Script:
				inScript = true
			}
		case html.EndTagToken:
			switch tagAtom(z) {
			case atom.Span:
				if inErr {
					inErr = false
					if msg := collapseSpace(text); msg != "" {
						lp.errors = append(lp.errors, fieldError{field: lastField, msg: msg})
					}
				}
			case atom.Script:
				inScript = false
			}
		case html.TextToken:
			t := z.Text()
			switch {
			case inErr:
				text = append(text, t...)
			case inScript && lp.flash == nil:
				if i := bytes.Index(t, []byte("alertMessagePayloads")); i >= 0 {
					lp.flash = parseFlash(t[i+len("alertMessagePayloads"):])
				}
			}
		}
	}
}
