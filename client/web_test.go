package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
)

// webServer is a RhodeCode web UI written for these tests: it serves the
// fixture templates and records what the client sends. The routes behave
// as CE's LoginView and MyAccountView (protocol §5).
type webServer struct {
	t       *testing.T
	srv     *httptest.Server
	version string // "4.27.0" or "4.18.3"

	mu       sync.Mutex
	sessions map[string]string // session id → user
	csrf     map[string]string // session id → CSRF token
	flash    map[string]string // session id → pending alertMessagePayloads
	tokens   []fxToken
	nextID   int
	requests []recorded
	// hooks to misbehave
	override map[string]http.HandlerFunc // "METHOD path" → handler
}

type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Form                   url.Values
}

const (
	alicePassword = "correct horse battery staple"
	carolPassword = "must-change-it"
	sessionPrefix = "beaker-session-"
)

func newWebServer(t *testing.T, version string) *webServer {
	ws := &webServer{
		t: t, version: version,
		sessions: map[string]string{}, csrf: map[string]string{}, flash: map[string]string{},
		nextID: 20, override: map[string]http.HandlerFunc{},
	}
	ws.tokens = append(ws.tokens, fxManyTokens[:3]...)
	ws.srv = httptest.NewServer(http.HandlerFunc(ws.serve))
	t.Cleanup(ws.srv.Close)
	return ws
}

func (ws *webServer) host() string { return strings.TrimPrefix(ws.srv.URL, "http://") }

func (ws *webServer) serve(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	ws.mu.Lock()
	ws.requests = append(ws.requests, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), r.PostForm})
	h := ws.override[r.Method+" "+r.URL.Path]
	ws.mu.Unlock()
	if h != nil {
		h(w, r)
		return
	}
	if r.URL.Path == loginPath && r.Method == http.MethodPost {
		ws.login(w, r)
		return
	}
	sess, user := ws.session(r)
	if user == "" {
		http.Redirect(w, r, ws.srv.URL+loginPath+"?came_from="+url.QueryEscape(r.URL.Path), http.StatusFound)
		return
	}
	if user == "carol" {
		http.Redirect(w, r, ws.srv.URL+passwordPath, http.StatusFound)
		return
	}
	switch r.Method + " " + r.URL.Path {
	case "GET " + tokensPath:
		ws.list(w, sess)
	case "POST " + tokensPath + "/new":
		if !ws.checkCSRF(w, r, sess) {
			return
		}
		lifetime, _ := strconv.Atoi(r.PostForm.Get("lifetime"))
		tok := fxToken{Secret: fxSecret(ws.nextID), Description: r.PostForm.Get("description"), Role: r.PostForm.Get("role"), Scope: "Global"}
		if lifetime != -1 {
			tok.Expires = time.Now().Add(time.Duration(lifetime) * time.Minute)
		}
		ws.mu.Lock()
		tok.ID = ws.nextID
		ws.nextID++
		ws.tokens = append(ws.tokens, tok)
		ws.flash[sess] = fxCreatedMsg
		ws.mu.Unlock()
		http.Redirect(w, r, ws.srv.URL+tokensPath, http.StatusFound)
	case "POST " + tokensPath + "/delete":
		if !ws.checkCSRF(w, r, sess) {
			return
		}
		id, err := strconv.Atoi(r.PostForm.Get("del_auth_token"))
		ws.mu.Lock()
		i := slices.IndexFunc(ws.tokens, func(t fxToken) bool { return t.ID == id })
		if err != nil || i < 0 {
			ws.mu.Unlock()
			http.NotFound(w, r)
			return
		}
		ws.tokens = slices.Delete(ws.tokens, i, i+1)
		ws.flash[sess] = `[{"message": {"message": "Auth token successfully deleted", "level": "success", "force": true, "subdata": {}}}]`
		ws.mu.Unlock()
		http.Redirect(w, r, ws.srv.URL+tokensPath, http.StatusFound)
	case "POST " + tokensPath + "/view":
		// Route registered with xhr=True: other requests do not match it.
		if r.Header.Get("X-Requested-With") != "XMLHttpRequest" || !VersionAtLeast(ws.version, 4, 19) {
			http.NotFound(w, r)
			return
		}
		if !ws.checkCSRF(w, r, sess) {
			return
		}
		id, _ := strconv.Atoi(r.PostForm.Get("auth_token_id"))
		ws.mu.Lock()
		i := slices.IndexFunc(ws.tokens, func(t fxToken) bool { return t.ID == id })
		var secret string
		if i >= 0 {
			secret = ws.tokens[i].Secret
		}
		ws.mu.Unlock()
		if i < 0 {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"auth_token": secret})
	default:
		http.NotFound(w, r)
	}
}

func (ws *webServer) session(r *http.Request) (string, string) {
	c, err := r.Cookie("rhodecode")
	if err != nil {
		return "", ""
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return c.Value, ws.sessions[c.Value]
}

// checkCSRF is CSRFRequired: the POST field, else the X-CSRF-Token header.
func (ws *webServer) checkCSRF(w http.ResponseWriter, r *http.Request, sess string) bool {
	got := r.PostForm.Get("csrf_token")
	if got == "" {
		got = r.Header.Get("X-CSRF-Token")
	}
	ws.mu.Lock()
	ok := got != "" && got == ws.csrf[sess]
	ws.mu.Unlock()
	if !ok {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, "<html><body><h1>403 Forbidden</h1>Cross-site request forgery detected, request denied. See http://en.wikipedia.org/wiki/Cross-site_request_forgery for more information.</body></html>")
	}
	return ok
}

func (ws *webServer) login(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	page := ""
	switch {
	case f.Get("username") == "alice" && f.Get("password") == alicePassword,
		f.Get("username") == "carol" && f.Get("password") == carolPassword:
		ws.mu.Lock()
		sess := fmt.Sprintf("%s%d", sessionPrefix, len(ws.sessions)+1000000)
		ws.sessions[sess] = f.Get("username")
		ws.csrf[sess] = fmt.Sprintf("%040x", len(ws.sessions)+0xc5)
		ws.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "rhodecode", Value: sess, Path: "/", HttpOnly: true})
		http.Redirect(w, r, ws.srv.URL+r.URL.Query().Get("came_from"), http.StatusFound)
		return
	case f.Get("username") == "bob":
		page = "login_disabled.html"
	case len(f.Get("password")) < 3:
		page = "login_short_password.html"
	case f.Get("username") == "jean":
		page = "login_translated.html"
	default:
		page = "login_invalid.html"
	}
	// The failed login invalidated the session.
	http.SetCookie(w, &http.Cookie{Name: "rhodecode", Value: "", Path: "/", MaxAge: -1})
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	_, _ = w.Write(fixture(ws.t, page))
}

func (ws *webServer) list(w http.ResponseWriter, sess string) {
	ws.mu.Lock()
	flash := ws.flash[sess]
	delete(ws.flash, sess)
	if flash == "" {
		flash = "[]"
	}
	var body []byte
	tokens := slices.Clone(ws.tokens)
	csrf := ws.csrf[sess]
	ws.mu.Unlock()
	if VersionAtLeast(ws.version, 4, 19) {
		p := fxPage427(tokens, flash)
		p.CSRF, p.Version = csrf, ws.version
		body = render(ws.t, "auth_tokens_4.27.html.tmpl", p)
	} else {
		p := fxPage418(tokens)
		p.CSRF, p.Flash, p.Version = csrf, flash, ws.version
		body = render(ws.t, "auth_tokens_4.18.html.tmpl", p)
	}
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	_, _ = w.Write(body)
}

func (ws *webServer) setOverride(route string, h http.HandlerFunc) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	ws.override[route] = h
}

func (ws *webServer) recordedRequests() []recorded {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return slices.Clone(ws.requests)
}

func (ws *webServer) sessionCSRF() map[string]string {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	out := map[string]string{}
	for k, v := range ws.csrf {
		out[k] = v
	}
	return out
}

func newWeb(t *testing.T, base string, opts Options) *WebSession {
	t.Helper()
	if opts.UserAgent == "" {
		opts.UserAgent = "rhodecode-cli/test"
	}
	w, err := NewWebSession(base, opts)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWebSession427(t *testing.T) {
	ws := newWebServer(t, "4.27.0")
	ctx := context.Background()
	w := newWeb(t, ws.srv.URL+"/", Options{})
	if err := w.Login(ctx, "alice", alicePassword); err != nil {
		t.Fatal(err)
	}
	cookie := w.SessionCookie()
	if !strings.HasPrefix(cookie, "rhodecode="+sessionPrefix) || strings.Contains(cookie, ";") {
		t.Errorf("SessionCookie = %q", cookie)
	}
	page, err := w.TokenPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !page.Masked || len(page.Tokens) != 3 || page.Version != "4.27.0" {
		t.Fatalf("page: Masked %v, %d tokens, version %q", page.Masked, len(page.Tokens), page.Version)
	}
	if err := w.CreateToken(ctx, "api calls", "ci <deploy>", -1); err != nil {
		t.Fatal(err)
	}
	newest := w.LastPage().Newest()
	if newest == nil || newest.Description != "ci <deploy>" || newest.Role != "token_role_api" || newest.Expires != nil {
		t.Fatalf("new token = %+v", newest)
	}
	if err := w.CreateToken(ctx, "token_role_vcs", "laptop", 60); err != nil {
		t.Fatal(err)
	}
	vcs := w.LastPage().Newest()
	if vcs.Role != "token_role_vcs" || vcs.Expires == nil || time.Until(*vcs.Expires) < 59*time.Minute {
		t.Errorf("vcs token = %+v", vcs)
	}
	secret, err := w.RevealToken(ctx, newest.ID)
	if err != nil || secret != fxSecret(newest.ID) {
		t.Fatalf("RevealToken = %q, %v", secret, err)
	}
	if err := w.DeleteToken(ctx, newest.ID); err != nil {
		t.Fatal(err)
	}
	if w.LastPage().FindToken(newest.ID) != nil {
		t.Errorf("deleted token still listed")
	}

	// What went over the wire.
	csrf := ws.sessionCSRF()[strings.TrimPrefix(cookie, "rhodecode=")]
	reqs := ws.recordedRequests()
	var sawView bool
	for i, r := range reqs {
		if got := r.Header.Get("User-Agent"); got != "rhodecode-cli/test" {
			t.Errorf("request %d: User-Agent %q", i, got)
		}
		if i == 0 {
			if r.Method != "POST" || r.Path != loginPath || r.RawQuery != "came_from=%2F_admin%2Fmy_account%2Fauth_tokens" {
				t.Errorf("login request: %s %s?%s", r.Method, r.Path, r.RawQuery)
			}
			want := url.Values{"username": {"alice"}, "password": {alicePassword}, "remember": {"True"}, "sign_in": {"Sign In"}}
			if !equalForm(r.Form, want) {
				t.Errorf("login form = %v", r.Form)
			}
			if r.Header.Get("Cookie") != "" {
				t.Errorf("login sent a cookie: %q", r.Header.Get("Cookie"))
			}
			continue
		}
		if got := r.Header.Get("Cookie"); got != cookie {
			t.Errorf("request %d (%s %s): Cookie %q, want %q", i, r.Method, r.Path, got, cookie)
		}
		if r.Method == "POST" && r.Form.Get("csrf_token") != csrf {
			t.Errorf("request %d (%s): csrf_token %q, want the session's", i, r.Path, r.Form.Get("csrf_token"))
		}
		switch r.Path {
		case tokensPath + "/new":
			if r.Form.Get("role") != "token_role_api" && r.Form.Get("role") != "token_role_vcs" {
				t.Errorf("create sent role %q (labels must be mapped to constants)", r.Form.Get("role"))
			}
		case tokensPath + "/view":
			sawView = true
			if r.Header.Get("X-Requested-With") != "XMLHttpRequest" || r.Form.Get("auth_token_id") != strconv.Itoa(newest.ID) {
				t.Errorf("view request: XHR %q, form %v", r.Header.Get("X-Requested-With"), r.Form)
			}
		case tokensPath + "/delete":
			if r.Form.Get("del_auth_token") != strconv.Itoa(newest.ID) {
				t.Errorf("delete form = %v", r.Form)
			}
		}
	}
	if !sawView {
		t.Errorf("RevealToken did not use …/view on 4.27")
	}
	// login, list, new + list, new + list, view, delete + list
	if len(reqs) != 9 {
		t.Errorf("%d requests, want 9: %v", len(reqs), reqs)
	}
}

func equalForm(got, want url.Values) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if !slices.Equal(got[k], v) {
			return false
		}
	}
	return true
}

func TestWebSession418(t *testing.T) {
	ws := newWebServer(t, "4.18.3")
	ctx := context.Background()
	w := newWeb(t, ws.srv.URL, Options{})
	if err := w.Login(ctx, "alice", alicePassword); err != nil {
		t.Fatal(err)
	}
	// RevealToken right after login: loads the page (CSRF, layout) and
	// reads the full secret from it.
	secret, err := w.RevealToken(ctx, 2)
	if err != nil || secret != fxSecret(2) {
		t.Fatalf("RevealToken(2) = %q, %v", secret, err)
	}
	if err := w.CreateToken(ctx, "token_role_feed", "rss", 43200); err != nil {
		t.Fatal(err)
	}
	newest := w.LastPage().Newest()
	if newest.Secret != fxSecret(newest.ID) || newest.Masked != fxSecret(newest.ID)[:4]+"****" || w.LastPage().Masked {
		t.Errorf("4.18 newest token = %+v", newest)
	}
	if got, err := w.RevealToken(ctx, newest.ID); err != nil || got != newest.Secret {
		t.Errorf("RevealToken(new) = %q, %v", got, err)
	}
	if err := w.DeleteToken(ctx, 1); err != nil {
		t.Fatal(err)
	}
	_, err = w.RevealToken(ctx, 1)
	if !errors.Is(err, ErrTokenNotFound) {
		t.Errorf("RevealToken(deleted) = %v, want ErrTokenNotFound", err)
	}
	for _, r := range ws.recordedRequests() {
		if r.Path == tokensPath+"/view" {
			t.Errorf("4.18 client called …/view")
		}
	}
}

func TestWebLoginErrors(t *testing.T) {
	ws := newWebServer(t, "4.27.0")
	ctx := context.Background()
	tests := []struct {
		user, pass string
		want       error
		msg        string
	}{
		{"alice", "wrong password", ErrInvalidCredentials, "refused the login: invalid user name or password"},
		{"bob", "whatever-password", ErrAccountDisabled, "the account is disabled; ask a RhodeCode administrator"},
		{"alice", "xy", ErrInvalidCredentials, "refused the login: Enter 3 characters or more"},
		{"jean", "mauvais mot de passe", ErrInvalidCredentials, "(nom d'utilisateur invalide; mot de passe invalide): invalid user name or password"},
	}
	for _, tc := range tests {
		w := newWeb(t, ws.srv.URL, Options{})
		_ = w.SetSessionCookie("rhodecode=stale-session-value")
		err := w.Login(ctx, tc.user, tc.pass)
		if !errors.Is(err, tc.want) || !errors.Is(err, ErrAuth) {
			t.Errorf("Login(%s) = %v, want %v (and ErrAuth)", tc.user, err, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("Login(%s) message %q lacks %q", tc.user, err, tc.msg)
		}
		checkMessage(t, err, ws.host(), tc.pass, "stale-session-value")
		if w.SessionCookie() != "" {
			t.Errorf("a failed login kept the cookie %q", w.SessionCookie())
		}
	}
	if err := newWeb(t, ws.srv.URL, Options{}).Login(ctx, "alice", ""); err == nil {
		t.Errorf("Login without password succeeded")
	}
}

func TestWebPasswordChangeRequired(t *testing.T) {
	ws := newWebServer(t, "4.27.0")
	ctx := context.Background()
	w := newWeb(t, ws.srv.URL, Options{})
	if err := w.Login(ctx, "carol", carolPassword); err != nil {
		t.Fatal(err)
	}
	_, err := w.TokenPage(ctx)
	if !errors.Is(err, ErrPasswordChangeRequired) || !errors.Is(err, ErrAuth) {
		t.Fatalf("TokenPage = %v, want ErrPasswordChangeRequired", err)
	}
	if !strings.Contains(err.Error(), "change the password in the web UI") {
		t.Errorf("message %q", err)
	}
	checkMessage(t, err, ws.host(), carolPassword)
	// Servers that redirect the login itself.
	ws.setOverride("POST "+loginPath, func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "rhodecode", Value: "x1234567", Path: "/"})
		http.Redirect(w, r, "/_admin/my_account/password", http.StatusFound)
	})
	if err := w.Login(ctx, "carol", carolPassword); !errors.Is(err, ErrPasswordChangeRequired) {
		t.Errorf("Login = %v, want ErrPasswordChangeRequired", err)
	}
}

func TestWebSessionExpiredAndRestore(t *testing.T) {
	ws := newWebServer(t, "4.27.0")
	ctx := context.Background()
	w := newWeb(t, ws.srv.URL, Options{})
	if _, err := w.TokenPage(ctx); !errors.Is(err, ErrSessionExpired) || !errors.Is(err, ErrAuth) {
		t.Fatalf("TokenPage without login = %v, want ErrSessionExpired", err)
	}
	if err := w.Login(ctx, "alice", alicePassword); err != nil {
		t.Fatal(err)
	}
	stored := w.SessionCookie()

	restored := newWeb(t, ws.srv.URL, Options{})
	if err := restored.SetSessionCookie(stored); err != nil {
		t.Fatal(err)
	}
	if restored.SessionCookie() != stored {
		t.Errorf("SessionCookie after restore = %q, want %q", restored.SessionCookie(), stored)
	}
	if _, err := restored.TokenPage(ctx); err != nil {
		t.Fatalf("restored session: %v", err)
	}
	if err := restored.SetSessionCookie("rhodecode=logged-out-session"); err != nil {
		t.Fatal(err)
	}
	err := restored.DeleteToken(ctx, 1)
	if !errors.Is(err, ErrSessionExpired) {
		t.Fatalf("DeleteToken with a dead session = %v", err)
	}
	checkMessage(t, err, ws.host(), "logged-out-session")
	for _, bad := range []string{"", "no cookie here", "=s3cr3t-value"} {
		err := restored.SetSessionCookie(bad)
		if err == nil {
			t.Errorf("SetSessionCookie(%q) succeeded", bad)
		} else if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("error quotes the cookie: %v", err)
		}
	}
}

func TestWebCSRFRefused(t *testing.T) {
	ws := newWebServer(t, "4.27.0")
	ctx := context.Background()
	w := newWeb(t, ws.srv.URL, Options{})
	if err := w.Login(ctx, "alice", alicePassword); err != nil {
		t.Fatal(err)
	}
	if _, err := w.TokenPage(ctx); err != nil {
		t.Fatal(err)
	}
	// The server forgets the session's CSRF token (e.g. a new session).
	ws.mu.Lock()
	var old string
	for k, v := range ws.csrf {
		old = v
		ws.csrf[k] = strings.Repeat("0", 40)
	}
	ws.mu.Unlock()
	for name, op := range map[string]func() error{
		"create": func() error { return w.CreateToken(ctx, "all", "x", -1) },
		"delete": func() error { return w.DeleteToken(ctx, 1) },
		"reveal": func() error { _, err := w.RevealToken(ctx, 1); return err },
	} {
		err := op()
		if !errors.Is(err, ErrCSRF) || !errors.Is(err, ErrAuth) {
			t.Errorf("%s = %v, want ErrCSRF", name, err)
			continue
		}
		if !strings.Contains(err.Error(), "refused the session's CSRF token (HTTP 403); log in again") {
			t.Errorf("%s message %q", name, err)
		}
		checkMessage(t, err, ws.host(), old, strings.Repeat("0", 40))
	}
}

func TestWebRedirectsStayOnInstance(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
	}))
	defer other.Close()
	ws := newWebServer(t, "4.27.0")
	ctx := context.Background()
	w := newWeb(t, ws.srv.URL, Options{})
	if err := w.Login(ctx, "alice", alicePassword); err != nil {
		t.Fatal(err)
	}
	toOther := func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "other", Value: "from-redirect", Path: "/"})
		http.Redirect(w, r, other.URL+tokensPath, http.StatusFound)
	}
	ws.setOverride("POST "+tokensPath+"/new", toOther)
	ws.setOverride("GET "+tokensPath, toOther)
	err := w.CreateToken(ctx, "all", "x", -1)
	if !errors.Is(err, ErrNotRhodeCode) || !strings.Contains(err.Error(), "outside the instance; it was not followed") {
		t.Errorf("CreateToken with a foreign redirect = %v", err)
	}
	_, err = w.TokenPage(ctx)
	if !errors.Is(err, ErrNotRhodeCode) {
		t.Errorf("TokenPage with a foreign redirect = %v", err)
	}
	ws.setOverride("POST "+loginPath, toOther)
	if err := w.Login(ctx, "alice", alicePassword); !errors.Is(err, ErrNotRhodeCode) {
		t.Errorf("Login with a foreign redirect = %v", err)
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the other server got %d requests", n)
	}
}

func TestWebCreateValidation(t *testing.T) {
	ws := newWebServer(t, "4.27.0")
	ctx := context.Background()
	w := newWeb(t, ws.srv.URL, Options{})
	if err := w.Login(ctx, "alice", alicePassword); err != nil {
		t.Fatal(err)
	}
	if err := w.CreateToken(ctx, "token_password_reset", "x", -1); err == nil || !strings.Contains(err.Error(), "token_role_api (api calls)") {
		t.Errorf("unknown role: %v", err)
	}
	for _, lifetime := range []int{0, -2} {
		if err := w.CreateToken(ctx, "all", "x", lifetime); err == nil {
			t.Errorf("lifetime %d accepted", lifetime)
		}
	}
	for _, r := range ws.recordedRequests() {
		if r.Path == tokensPath+"/new" {
			t.Errorf("an invalid create was sent")
		}
	}
	// An error flash after the redirect.
	ws.setOverride("POST "+tokensPath+"/new", func(w http.ResponseWriter, r *http.Request) {
		sess, _ := ws.session(r)
		ws.mu.Lock()
		ws.flash[sess] = `[{"message": {"message": "Error occurred during creation of auth token", "level": "error", "force": true, "subdata": {}}}]`
		ws.mu.Unlock()
		http.Redirect(w, r, tokensPath, http.StatusFound) // relative Location
	})
	err := w.CreateToken(ctx, "all", "x", -1)
	if err == nil || !strings.Contains(err.Error(), "did not create the token: Error occurred during creation of auth token") {
		t.Errorf("create with an error flash = %v", err)
	}
}

func TestWebDeleteAndRevealErrors(t *testing.T) {
	ws := newWebServer(t, "4.27.0")
	ctx := context.Background()
	w := newWeb(t, ws.srv.URL, Options{})
	if err := w.Login(ctx, "alice", alicePassword); err != nil {
		t.Fatal(err)
	}
	if err := w.DeleteToken(ctx, 999); !errors.Is(err, ErrTokenNotFound) {
		t.Errorf("DeleteToken(999) = %v", err)
	}
	if _, err := w.RevealToken(ctx, 999); !errors.Is(err, ErrTokenNotFound) {
		t.Errorf("RevealToken(999) = %v", err)
	}
	// Another user's token: the server says success but deletes nothing.
	ws.setOverride("POST "+tokensPath+"/delete", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, tokensPath, http.StatusFound)
	})
	if err := w.DeleteToken(ctx, 2); err == nil || !strings.Contains(err.Error(), "still lists auth token 2") {
		t.Errorf("DeleteToken without effect = %v", err)
	}
	ws.setOverride("POST "+tokensPath+"/view", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(fixture(ws.t, "login_invalid.html"))
	})
	_, err := w.RevealToken(ctx, 2)
	if !errors.Is(err, ErrNotRhodeCode) || !strings.Contains(err.Error(), "HTML page where JSON was expected") {
		t.Errorf("RevealToken getting HTML = %v", err)
	}
	ws.setOverride("POST "+tokensPath+"/view", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("null"))
	})
	if _, err := w.RevealToken(ctx, 2); !errors.Is(err, ErrNotRhodeCode) {
		t.Errorf("RevealToken getting null = %v", err)
	}
}

func TestWebStatusErrors(t *testing.T) {
	ws := newWebServer(t, "4.27.0")
	ctx := context.Background()
	w := newWeb(t, ws.srv.URL, Options{})
	if err := w.Login(ctx, "alice", alicePassword); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		handler http.HandlerFunc
		want    error
		msg     string
	}{
		{func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }, ErrUnreachable, "HTTP 502 Bad Gateway"},
		{http.NotFound, ErrNotRhodeCode, "no RhodeCode web UI at this address"},
		{func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("RhodeCode-Exception-Id", "e1")
			w.WriteHeader(500)
		}, ErrNotRhodeCode, "exception id e1"},
		{func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write(fixture(ws.t, "login_invalid.html"))
		}, ErrNotRhodeCode, "not RhodeCode's auth-token list (no table.rctable.auth_tokens)"},
	}
	for _, tc := range tests {
		ws.setOverride("GET "+tokensPath, tc.handler)
		_, err := w.TokenPage(ctx)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("TokenPage = %v, want %v with %q", err, tc.want, tc.msg)
		}
	}
	// A login answered by something else.
	ws.setOverride("POST "+loginPath, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("<html><body>Welcome to the corporate portal</body></html>"))
	})
	if err := w.Login(ctx, "alice", alicePassword); !errors.Is(err, ErrNotRhodeCode) {
		t.Errorf("Login on a portal = %v", err)
	}
	ws.setOverride("POST "+loginPath, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, tokensPath, http.StatusFound) // no cookie
	})
	if err := w.Login(ctx, "alice", alicePassword); !errors.Is(err, ErrNotRhodeCode) || !strings.Contains(err.Error(), "no session cookie") {
		t.Errorf("Login without cookie = %v", err)
	}
}

func TestWebDebugTrace(t *testing.T) {
	for _, version := range []string{"4.27.0", "4.18.3"} {
		t.Run(version, func(t *testing.T) {
			ws := newWebServer(t, version)
			ctx := context.Background()
			var trace bytes.Buffer
			w := newWeb(t, ws.srv.URL, Options{Debug: &trace})
			if err := w.Login(ctx, "alice", alicePassword); err != nil {
				t.Fatal(err)
			}
			if err := w.CreateToken(ctx, "all", "traced", -1); err != nil {
				t.Fatal(err)
			}
			id := w.LastPage().Newest().ID
			if _, err := w.RevealToken(ctx, id); err != nil {
				t.Fatal(err)
			}
			if _, err := w.RevealToken(ctx, 2); err != nil {
				t.Fatal(err)
			}
			if err := w.DeleteToken(ctx, id); err != nil {
				t.Fatal(err)
			}
			_ = w.Login(ctx, "alice", "wrong "+alicePassword)
			out := trace.String()
			secrets := []string{alicePassword, strings.TrimPrefix(w.SessionCookie(), "rhodecode=")}
			for _, csrf := range ws.sessionCSRF() {
				secrets = append(secrets, csrf)
			}
			for i := 1; i < 30; i++ {
				secrets = append(secrets, fxSecret(i))
			}
			for _, s := range secrets {
				if s != "" && strings.Contains(out, s) {
					t.Errorf("trace contains secret %.6s…", s)
				}
			}
			if strings.Contains(out, sessionPrefix) {
				t.Errorf("trace contains a session cookie")
			}
			for _, want := range []string{
				"> POST " + ws.srv.URL + "/_admin/login?came_from=%2F_admin%2Fmy_account%2Fauth_tokens HTTP/1.1\n",
				"> User-Agent: rhodecode-cli/test\n",
				"password=[REDACTED]",
				"< Set-Cookie: rhodecode=[REDACTED]; Path=/; HttpOnly\n",
				"> Cookie: rhodecode=[REDACTED]\n",
				`var CSRF_TOKEN = "[REDACTED]";`,
				"csrf_token=[REDACTED]",
				"del_auth_token=",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("trace lacks %q", want)
				}
			}
			if version == "4.27.0" && !strings.Contains(out, `<     "auth_token": "[REDACTED]"`) {
				t.Errorf("trace lacks the redacted view answer")
			}
			if t.Failed() {
				t.Logf("trace:\n%s", out)
			}
		})
	}
}

func TestRedactHTMLFullSecrets(t *testing.T) {
	page := string(fixture(t, "auth_tokens_4.18.html"))
	out := string(RedactHTML([]byte(page)))
	for _, tok := range fxManyTokens[:3] {
		if strings.Contains(out, tok.Secret) {
			t.Errorf("RedactHTML left secret %.4s…", tok.Secret)
		}
	}
	if !strings.Contains(out, "<code>[REDACTED]</code>") || !strings.Contains(out, "<code>1</code>") {
		t.Errorf("RedactHTML did not keep the <code> structure / short codes")
	}
	masked := string(fixture(t, "auth_tokens_4.27_many.html"))
	if got := string(RedactHTML([]byte(masked))); strings.Count(got, "****") != strings.Count(masked, "****") {
		t.Errorf("RedactHTML touched masked tokens")
	}
}

func TestNewWebSession(t *testing.T) {
	w, err := NewWebSession("HTTPS://Code.Example.com/rc/_admin/api/", Options{})
	if err != nil || w.BaseURL() != "https://code.example.com/rc" {
		t.Errorf("NewWebSession = %v, %v", w, err)
	}
	if _, err := NewWebSession("code.example.com", Options{}); err == nil {
		t.Errorf("URL without scheme accepted")
	}
}

func TestWebPathPrefix(t *testing.T) {
	ws := newWebServer(t, "4.27.0")
	mux := http.NewServeMux()
	mux.Handle("/rc/", http.StripPrefix("/rc", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Location headers carry the prefix, as behind a proxy with
		// SCRIPT_NAME set.
		rec := httptest.NewRecorder()
		ws.serve(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		if loc := rec.Header().Get("Location"); loc != "" {
			u, _ := url.Parse(loc)
			u.Host = r.Host
			if !strings.HasPrefix(u.Path, "/rc/") {
				u.Path = "/rc" + u.Path
			}
			w.Header().Set("Location", u.String())
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})))
	prefixed := httptest.NewServer(mux)
	defer prefixed.Close()
	ctx := context.Background()
	w := newWeb(t, prefixed.URL+"/rc", Options{})
	if err := w.Login(ctx, "alice", alicePassword); err != nil {
		t.Fatal(err)
	}
	if err := w.CreateToken(ctx, "all", "prefixed", -1); err != nil {
		t.Fatal(err)
	}
	reqs := ws.recordedRequests()
	if reqs[0].RawQuery != "came_from=%2Frc%2F_admin%2Fmy_account%2Fauth_tokens" {
		t.Errorf("came_from without the prefix: %s", reqs[0].RawQuery)
	}
}

// The same flows against the project's fake server (internal/fakerc), in
// both layouts and behind a path prefix.

func newFakeWeb(t *testing.T, opts ...fakerc.Option) (*fakerc.Server, []fakerc.Token) {
	t.Helper()
	s := fakerc.New(t, opts...)
	s.AddUser(fakerc.User{Username: "alice", Password: alicePassword, Email: "alice@example.com", Active: true})
	s.AddUser(fakerc.User{Username: "bob", Password: "bobs-password", Email: "bob@example.com", Active: false})
	s.AddUser(fakerc.User{Username: "carol", Password: carolPassword, Email: "carol@example.com", Active: true, ForcePasswordChange: true})
	// AddUser already gave alice her "Generated feed token".
	s.AddToken("alice", fakerc.RoleAPI, `ci <deploy> & "prod"`, -1)
	s.AddToken("alice", fakerc.RoleVCS, "expired", -5)
	return s, s.Tokens("alice")
}

func TestWebFakeRC(t *testing.T) {
	for _, tc := range []struct {
		version string
		opts    []fakerc.Option
		masked  bool
	}{
		{"4.18.0", nil, false},
		{"4.19.0", nil, true},
		{"4.27.0", nil, true},
		{"4.27.0", []fakerc.Option{fakerc.WithPathPrefix("/code")}, true},
	} {
		name := tc.version
		if tc.opts != nil {
			name += "-prefix"
		}
		t.Run(name, func(t *testing.T) {
			s, toks := newFakeWeb(t, append(tc.opts, fakerc.WithVersion(tc.version))...)
			ctx := context.Background()
			var trace bytes.Buffer
			w := newWeb(t, s.URL, Options{Debug: &trace})
			if err := w.Login(ctx, "alice", alicePassword); err != nil {
				t.Fatal(err)
			}
			page, err := w.TokenPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if page.Masked != tc.masked || page.Version != tc.version || page.CSRFToken == "" {
				t.Errorf("page: Masked %v, Version %q, CSRF set %v", page.Masked, page.Version, page.CSRFToken != "")
			}
			if len(page.Tokens) != len(toks) {
				t.Fatalf("%d tokens listed, want %d: %+v", len(page.Tokens), len(toks), page.Tokens)
			}
			for i, tok := range page.Tokens {
				src := toks[i]
				if tok.ID != src.ID || tok.Description != src.Description || tok.Role != src.Role ||
					tok.Masked != src.Secret[:4]+"****" || (tok.Expires == nil) != (src.Expires == -1) {
					t.Errorf("token %d = %+v, server has %+v", i, tok, src)
				}
				if tok.Expired != (src.Expires != -1 && src.Expires < float64(time.Now().Unix())) {
					t.Errorf("token %d: Expired %v", tok.ID, tok.Expired)
				}
				if tc.masked == (tok.Secret != "") || !tc.masked && tok.Secret != src.Secret {
					t.Errorf("token %d: Secret %.4s…", tok.ID, tok.Secret)
				}
			}

			if err := w.CreateToken(ctx, "api calls", "created by test", 60); err != nil {
				t.Fatal(err)
			}
			newest := w.LastPage().Newest()
			server := s.Tokens("alice")
			created := server[len(server)-1]
			if newest == nil || newest.ID != created.ID || newest.Role != fakerc.RoleAPI || created.Description != "created by test" {
				t.Fatalf("created %+v, server has %+v", newest, created)
			}
			secret, err := w.RevealToken(ctx, newest.ID)
			if err != nil || secret != created.Secret {
				t.Fatalf("RevealToken = %.4s…, %v", secret, err)
			}
			if _, err := w.RevealToken(ctx, 9999); !errors.Is(err, ErrTokenNotFound) {
				t.Errorf("RevealToken(9999) = %v", err)
			}
			if err := w.DeleteToken(ctx, newest.ID); err != nil {
				t.Fatal(err)
			}
			if n := len(s.Tokens("alice")); n != len(toks) {
				t.Errorf("%d tokens after delete, want %d", n, len(toks))
			}
			if err := w.DeleteToken(ctx, 9999); !errors.Is(err, ErrTokenNotFound) {
				t.Errorf("DeleteToken(9999) = %v", err)
			}

			var sawView bool
			for _, r := range s.WebRequests() {
				if r.Method == "POST" && r.Path != loginPath && (!r.CSRF || !r.Session) {
					t.Errorf("%s %s without CSRF token or session", r.Method, r.Path)
				}
				if r.Path == tokensPath+"/view" {
					sawView = true
					if !r.XHR {
						t.Errorf("view request without X-Requested-With")
					}
				}
			}
			if sawView != tc.masked {
				t.Errorf("…/view used: %v, want %v", sawView, tc.masked)
			}

			// The restored session works until the server forgets it.
			other := newWeb(t, s.URL, Options{})
			if err := other.SetSessionCookie(w.SessionCookie()); err != nil {
				t.Fatal(err)
			}
			if _, err := other.TokenPage(ctx); err != nil {
				t.Errorf("restored session: %v", err)
			}
			s.ExpireSessions()
			if _, err := other.TokenPage(ctx); !errors.Is(err, ErrSessionExpired) {
				t.Errorf("TokenPage after expiry = %v", err)
			}

			if err := newWeb(t, s.URL, Options{}).Login(ctx, "alice", "not the password"); !errors.Is(err, ErrInvalidCredentials) {
				t.Errorf("wrong password: %v", err)
			}
			if err := newWeb(t, s.URL, Options{}).Login(ctx, "bob", "bobs-password"); !errors.Is(err, ErrAccountDisabled) {
				t.Errorf("disabled account: %v", err)
			}
			carol := newWeb(t, s.URL, Options{})
			err = carol.Login(ctx, "carol", carolPassword)
			if err == nil {
				_, err = carol.TokenPage(ctx)
			}
			if !errors.Is(err, ErrPasswordChangeRequired) {
				t.Errorf("forced password change: %v", err)
			}

			out := trace.String()
			for _, secret := range []string{alicePassword, created.Secret, toks[0].Secret, toks[1].Secret, toks[2].Secret, page.CSRFToken} {
				if strings.Contains(out, secret) {
					t.Errorf("trace contains secret %.4s…", secret)
				}
			}
			if cookie := w.SessionCookie(); strings.Contains(out, cookie[strings.Index(cookie, "=")+1:]) {
				t.Errorf("trace contains the session cookie")
			}
		})
	}
}
