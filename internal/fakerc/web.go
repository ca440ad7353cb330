package fakerc

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// The web half of the fake: Beaker-like server-side sessions, the login
// form, CSRF, flash messages and the page skeleton of base/root.mako
// (protocol §5.1, §5.2). The token pages are in tokens_page.go, git in
// git.go.

// sessionCookie is beaker.session.key in the shipped configs.
const sessionCookie = "rhodecode"

// csrfMessage is the explanation of CSRFRequired's HTTPForbidden.
const csrfMessage = "Cross-site request forgery detected, request denied. See " +
	"http://en.wikipedia.org/wiki/Cross-site_request_forgery for more information."

// WebRequest is one request to a web view (everything but the API and
// git), recorded for assertions.
type WebRequest struct {
	Method string
	Path   string // relative to the path prefix, without the query
	// Cookie is true when a session cookie was sent, Session when it
	// also named a live session.
	Cookie  bool
	Session bool
	// CSRF is true when a csrf_token form field or X-CSRF-Token header
	// was sent (whether or not it was right).
	CSRF   bool
	XHR    bool // X-Requested-With: XMLHttpRequest
	Status int  // the HTTP status answered
}

// session is what Beaker keeps server-side for one cookie.
type session struct {
	id     string
	userID int // 0: anonymous
	// password is the user's password at login: RhodeCode keeps a hash of
	// it in the session and drops the login when it changes.
	password string
	csrf     string // "" until a page needs one (get_csrf_token)
	flashes  []flashMsg
}

type flashMsg struct{ message, level string }

// flashLevels is Flash.categories: pop_messages returns them in this order.
var flashLevels = []string{"warning", "notice", "error", "success"}

// webState is the state of the web and git halves; it is guarded by
// Server.mu except where noted.
type webState struct {
	sessions    map[string]*session
	requests    []WebRequest
	vcs         []VCSRequest
	perms       map[int]map[int]string // repo id → user id → read/write/admin/none
	tokenPlugin *bool                  // nil: enabled (4.18+ default)
	repoCreated map[int]time.Time

	gitMu   sync.Mutex // guards gitRoot and repository creation; not Server.mu
	gitRoot string
}

// ExpireSessions forgets every web session, as if they had timed out: the
// next request with an old cookie is anonymous.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.web.sessions = nil
}

// ExpireSession forgets the web sessions of one user.
func (s *Server) ExpireSession(username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByNameLocked(username)
	if u == nil {
		return
	}
	for id, sess := range s.web.sessions {
		if sess.userID == u.ID {
			delete(s.web.sessions, id)
		}
	}
}

// WebRequests returns the web requests received so far, oldest first.
func (s *Server) WebRequests() []WebRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]WebRequest(nil), s.web.requests...)
}

// ResetWebRequests forgets the recorded web requests.
func (s *Server) ResetWebRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.web.requests = nil
}

// statusWriter remembers the status code for the request records.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the first status code.
func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets git's streamed answers through.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// webCtx is one web request with its session.
type webCtx struct {
	w    *statusWriter
	r    *http.Request
	rel  string
	sess *session // nil: no live session
	user *User    // copy of the logged-in user; nil: anonymous
}

// webRoute returns the view for a path; the view returns false when the
// route exists but not for this request (method or xhr predicate), which
// Pyramid answers with 404.
func (s *Server) webRoute(rel string) func(*webCtx) bool {
	if h := s.feedRoute(rel); h != nil {
		return h // feeds.go
	}
	switch rel {
	case "/":
		return s.viewHome
	case "/_admin/login":
		return s.viewLogin
	case "/_admin/logout":
		return s.viewLogout
	case "/_admin/my_account/password":
		return s.viewPassword
	case "/_admin/my_account/password/update":
		return s.viewPasswordUpdate
	case "/_admin/my_account/auth_tokens":
		return s.viewAuthTokens
	case "/_admin/my_account/auth_tokens/new":
		return s.viewAuthTokensAdd
	case "/_admin/my_account/auth_tokens/delete":
		return s.viewAuthTokensDelete
	case "/_admin/my_account/auth_tokens/view":
		if s.version.atLeast(4, 19) {
			return s.viewAuthTokensView
		}
	}
	if v := s.adminTokenView(rel); v != nil {
		return v
	}
	return nil
}

// serveWeb answers a web view or the 404 page, and records the request.
func (s *Server) serveWeb(w http.ResponseWriter, r *http.Request, rel string) {
	sw := &statusWriter{ResponseWriter: w}
	_ = r.ParseForm()
	c := &webCtx{w: sw, r: r, rel: rel}
	rec := WebRequest{
		Method: r.Method,
		Path:   rel,
		XHR:    r.Header.Get("X-Requested-With") == "XMLHttpRequest",
		CSRF:   r.Header.Get("X-CSRF-Token") != "" || r.PostForm.Has("csrf_token"),
	}
	s.mu.Lock()
	if ck, err := r.Cookie(sessionCookie); err == nil {
		rec.Cookie = true
		if sess := s.web.sessions[ck.Value]; sess != nil {
			rec.Session = true
			c.sess = sess
			c.user = s.sessionUserLocked(sess)
		}
	}
	s.mu.Unlock()
	if s.webToken(r) != "" {
		// get_auth_user: a token in the request replaces the session's
		// user; only views that accept tokens look at it (feeds.go).
		c.user = nil
	}

	if h := s.webRoute(rel); h == nil || !h(c) {
		s.notFound(sw)
	}
	rec.Status = sw.status
	s.mu.Lock()
	s.web.requests = append(s.web.requests, rec)
	s.mu.Unlock()
}

// sessionUserLocked is the user a session is logged in as, or nil. A
// login ends when the user is deactivated or its password changes.
func (s *Server) sessionUserLocked(sess *session) *User {
	if sess.userID == 0 {
		return nil
	}
	u := s.userByIDLocked(sess.userID)
	if u == nil || !u.Active || u.Password != sess.password {
		return nil
	}
	c := copyUser(u)
	return &c
}

// newSessionLocked starts a session and sets its cookie; remember makes
// the cookie last a year (store_user_in_session).
func (s *Server) newSessionLocked(c *webCtx, userID int, password string, remember bool) *session {
	if s.web.sessions == nil {
		s.web.sessions = map[string]*session{}
	}
	// Beaker's signed cookie: 40 hex of HMAC and a 32-hex session id.
	sess := &session{id: randomHex(36), userID: userID, password: password}
	s.web.sessions[sess.id] = sess
	ck := &http.Cookie{Name: sessionCookie, Value: sess.id, Path: "/", HttpOnly: true}
	if remember {
		ck.MaxAge = 365 * 24 * 3600
		ck.Expires = time.Now().Add(365 * 24 * time.Hour)
	}
	http.SetCookie(c.w, ck)
	c.sess = sess
	return sess
}

// flash is h.flash with ignore_duplicate=True; it needs a session, as in
// Beaker, so it starts an anonymous one if there is none.
func (s *Server) flash(c *webCtx, level, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.sess == nil || s.web.sessions[c.sess.id] == nil {
		s.newSessionLocked(c, 0, "", false)
	}
	for _, f := range c.sess.flashes {
		if f == (flashMsg{message, level}) {
			return
		}
	}
	c.sess.flashes = append(c.sess.flashes, flashMsg{message, level})
}

// redirect answers 302 with an absolute Location (WebOb makes relative
// ones absolute). target is a path below the server root, prefix included.
func (s *Server) redirect(c *webCtx, target string) {
	loc := target
	if strings.HasPrefix(target, "/") && !strings.HasPrefix(target, "//") {
		loc = s.hostURL(c.r) + target
	}
	c.w.Header().Set("Location", loc)
	c.w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	c.w.WriteHeader(http.StatusFound)
	fmt.Fprintf(c.w, "<html><head><title>302 Found</title></head><body><h1>302 Found</h1>"+
		"The resource was found at <a href=\"%s\">%s</a>; you should be redirected automatically.</body></html>\n",
		html.EscapeString(loc), html.EscapeString(loc))
}

// hostURL is scheme://host, without the prefix.
func (s *Server) hostURL(r *http.Request) string {
	return strings.TrimSuffix(s.baseURL(r), s.prefix)
}

// cameFrom is auth.get_came_from: the request's own path (prefix
// included, as request.path is SCRIPT_NAME + PATH_INFO) and query,
// without any auth_token.
func (s *Server) cameFrom(r *http.Request, rel string) string {
	p := s.prefix + rel
	q := r.URL.Query()
	if q.Has("auth_token") {
		q.Del("auth_token")
		if enc := q.Encode(); enc != "" {
			return p + "?" + enc
		}
		return p
	}
	if r.URL.RawQuery != "" {
		p += "?" + r.URL.RawQuery
	}
	return p
}

// loginRequired runs the checks every web view makes before its body:
// BaseAppView._maybe_needs_password_change, then LoginRequired (IP
// whitelist and authentication). It answers the request and returns false
// when the view must not run.
func (s *Server) loginRequired(c *webCtx) bool {
	if c.user != nil && c.user.ForcePasswordChange &&
		c.rel != "/_admin/my_account/password" && c.rel != "/_admin/my_account/password/update" {
		s.flash(c, "warning", "You are required to change your password")
		s.redirect(c, s.prefix+"/_admin/my_account/password")
		return false
	}
	if c.user != nil && !ipAllowed(c.user.IPWhitelist, clientIP(c.r)) {
		s.flash(c, "warning", "IP "+clientIP(c.r)+" not allowed")
		s.redirectLogin(c)
		return false
	}
	if c.user == nil {
		s.redirectLogin(c)
		return false
	}
	return true
}

func (s *Server) redirectLogin(c *webCtx) {
	s.redirect(c, s.prefix+"/_admin/login?came_from="+url.QueryEscape(s.cameFrom(c.r, c.rel)))
}

// csrfOK is CSRFRequired: the csrf_token form field, or if there is none
// the X-CSRF-Token header, must equal the session's token. On failure it
// answers 403.
func (s *Server) csrfOK(c *webCtx) bool {
	supplied := c.r.Header.Get("X-CSRF-Token")
	if vs, ok := c.r.PostForm["csrf_token"]; ok {
		supplied = vs[0]
	}
	s.mu.Lock()
	ok := s.fault != FaultCSRFReject && c.sess != nil && c.sess.csrf != "" && supplied == c.sess.csrf
	s.mu.Unlock()
	if !ok {
		writeHTML(c.w, http.StatusForbidden, errorDocument("403", "Forbidden", csrfMessage))
	}
	return ok
}

// csrfToken is get_csrf_token: created on first use and kept for the
// session. Rendering a page therefore starts a session if needed.
func (s *Server) csrfToken(c *webCtx) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.sess == nil || s.web.sessions[c.sess.id] == nil {
		s.newSessionLocked(c, 0, "", false)
	}
	if c.sess.csrf == "" {
		c.sess.csrf = randomHex(20)
	}
	return c.sess.csrf
}

// popFlashes is Flash.json_alerts: the messages leave the session.
func (s *Server) popFlashes(c *webCtx) string {
	s.mu.Lock()
	var msgs []flashMsg
	if c.sess != nil {
		msgs = c.sess.flashes
		c.sess.flashes = nil
	}
	s.mu.Unlock()
	rank := func(level string) int {
		for i, l := range flashLevels {
			if l == level {
				return i
			}
		}
		return len(flashLevels)
	}
	sort.SliceStable(msgs, func(i, j int) bool { return rank(msgs[i].level) < rank(msgs[j].level) })
	parts := []string{}
	for _, m := range msgs {
		parts = append(parts, fmt.Sprintf(`{"message": {"message": %s, "level": %s, "force": true, "subdata": {}}}`,
			pyJSONString(m.message), pyJSONString(m.level)))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// pyJSONString is a string as Python's json.dumps writes it.
func pyJSONString(v string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // strings always encode
	return string(asciiJSON(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))))
}

// renderPage writes a full page in the skeleton of base/root.mako (plus
// the header of base/base.mako for logged-in users): templateContext,
// CSRF_TOKEN, the version lines and the flash messages.
func (s *Server) renderPage(c *webCtx, status int, title, body string) {
	csrf := s.csrfToken(c)
	alerts := s.popFlashes(c)
	user := map[string]any{"username": "default"}
	header := ""
	if c.user != nil {
		user = map[string]any{
			"username": c.user.Username, "email": c.user.Email, "notification_status": true,
			"first_name": c.user.FirstName, "last_name": c.user.LastName,
		}
		header = fmt.Sprintf(`
<div class="outerwrapper">
  <!-- HEADER -->
  <div class="header">
      <div id="header-inner" class="wrapper">
          <ul id="quick" class="main_nav navigation horizontal-list">
              <li id="quick_login_li" class="user">
                  <div class="user-menu">
                    <ol class="links">
                      <li class="logout">
                      %s
                          <input class="btn btn-primary" id="log_out" name="log_out" type="submit" value="Sign Out" />
                      </form>
                      </li>
                    </ol>
                  </div>
              </li>
          </ul>
      </div>
  </div>
  <!-- END HEADER -->
</div>`, s.secureForm(s.prefix+"/_admin/logout", csrf))
	}
	ctx, _ := json.Marshal(map[string]any{
		"repo_name":      "",
		"rhodecode_user": user,
		"default_user":   map[string]any{"username": "default", "user_id": 1},
		"visual":         map[string]any{"default_renderer": "markdown"},
	})
	versionLines := ""
	if s.version.atLeast(4, 7) {
		versionLines = fmt.Sprintf(`
              tags: {
                  rhodecode_version: '%s',
                  rhodecode_edition: 'Community Edition'
              }`, s.version)
	}
	page := fmt.Sprintf(`<!DOCTYPE html>

<html xmlns="http://www.w3.org/1999/xhtml">
    <head>
        <title>%s</title>
        <meta http-equiv="Content-Type" content="text/html;charset=utf-8" />
        <meta name="referrer" content="origin-when-cross-origin">
        <meta name="robots" content="index, nofollow"/>
            <script type="text/javascript">
            // register templateContext to pass template variables to JS
            var templateContext = %s;

            var APPLICATION_URL = "%s";
            var APPLICATION_PLUGINS = [];
            var ASSET_URL = "%s/_static/rhodecode/";
            var DEFAULT_RENDERER = "markdown";
            var CSRF_TOKEN = "%s";

            var APPENLIGHT = {
              enabled: false,
              key: '',
              requestInfo: {
              },%s
            };

            </script>
            <script> var alertMessagePayloads = %s; </script>
    </head>
    <body id="body">
        <noscript>
            <div class="noscript-error">
                Please enable JavaScript to use RhodeCode Enterprise
            </div>
        </noscript>
%s
%s
    <rhodecode-app></rhodecode-app>
    </body>
</html>
`, html.EscapeString(title), asciiJSON(ctx), s.prefix, s.prefix, csrf, versionLines, alerts, header, body)
	writeHTML(c.w, status, page)
}

// secureForm is h.secure_form: the form tag and the csrf_token input.
// Before 4.18 (webhelpers 1) the input also had an id.
func (s *Server) secureForm(action, csrf string) string {
	if !s.version.atLeast(4, 18) {
		return fmt.Sprintf(`<form action="%s" method="POST">`+"\n"+`<input type="hidden" id="csrf_token" name="csrf_token" value="%s">`,
			html.EscapeString(action), csrf)
	}
	return fmt.Sprintf(`<form action="%s" method="POST">`+"\n"+`<input type="hidden" name="csrf_token" value="%s">`,
		html.EscapeString(action), csrf)
}

// ---- views ----

// viewHome stands in for the home page: it only needs a login.
func (s *Server) viewHome(c *webCtx) bool {
	if c.r.Method != http.MethodGet && c.r.Method != http.MethodHead {
		return false
	}
	if !s.loginRequired(c) {
		return true
	}
	s.renderPage(c, http.StatusOK, "Dashboard", `<div class="main"><div class="box"><div class="title"><h1>Repositories</h1></div></div></div>`)
	return true
}

// loginCameFrom is login's get_came_from: the came_from query value,
// replaced by the home page when it points elsewhere.
func (s *Server) loginCameFrom(r *http.Request) string {
	home := s.prefix + "/"
	cf := r.URL.Query().Get("came_from")
	if cf == "" {
		return home
	}
	u, err := url.Parse(cf)
	switch {
	case err != nil:
		return home
	case u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https":
		return home
	case u.Host != "" && u.Host != r.Host:
		return home
	case strings.ContainsAny(u.Path, "\r\n"):
		return home
	}
	return cf
}

// viewLogin is LoginView.login and login_post (protocol §5.1).
func (s *Server) viewLogin(c *webCtx) bool {
	cameFrom := s.loginCameFrom(c.r)
	switch c.r.Method {
	case http.MethodGet, http.MethodHead:
		if c.user != nil && ipAllowed(c.user.IPWhitelist, clientIP(c.r)) {
			s.redirect(c, cameFrom)
			return true
		}
		s.renderLogin(c, cameFrom, map[string]string{}, "", false)
		return true
	case http.MethodPost:
	default:
		return false
	}

	// session.invalidate() comes first, so a failed attempt also logs out.
	s.mu.Lock()
	if c.sess != nil {
		delete(s.web.sessions, c.sess.id)
	}
	c.sess, c.user = nil, nil
	s.mu.Unlock()

	username := strings.TrimSpace(c.r.PostForm.Get("username"))
	password := c.r.PostForm.Get("password")
	remember := pyStringBool(c.r.PostForm.Get("remember"))
	errs := map[string]string{}
	switch {
	case username == "":
		errs["username"] = "Please enter a login"
	}
	switch n := len([]rune(password)); {
	case password == "":
		errs["password"] = "Please enter a password"
	case n < 3:
		errs["password"] = "Enter 3 characters or more"
	case n > 72:
		errs["password"] = "Enter a value less than 72 characters long"
	}
	var user *User
	if len(errs) == 0 {
		// ValidAuth: the RhodeCode plugin checks the password of an
		// active user with exactly this username; tokens are VCS-only.
		s.mu.Lock()
		u := s.userByNameLocked(username)
		switch {
		case u != nil && u.Active && u.Password != "" && u.Password == password:
			uc := copyUser(u)
			user = &uc
		case u != nil && !u.Active:
			errs["username"] = "Your account is disabled"
		default:
			errs["username"] = "invalid user name"
			errs["password"] = "invalid password"
		}
		s.mu.Unlock()
	}
	if user == nil {
		s.renderLogin(c, cameFrom, errs, c.r.PostForm.Get("username"), remember)
		return true
	}
	s.mu.Lock()
	s.newSessionLocked(c, user.ID, user.Password, remember)
	if u := s.userByIDLocked(user.ID); u != nil {
		u.LastLogin = s.now()
	}
	s.mu.Unlock()
	s.redirect(c, cameFrom)
	return true
}

// pyStringBool is formencode's StringBoolean for the remember box.
func pyStringBool(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "on", "y", "t", "1":
		return true
	}
	return false
}

// renderLogin renders login.mako; errs maps field → message.
func (s *Server) renderLogin(c *webCtx, cameFrom string, errs map[string]string, username string, remember bool) {
	action := s.prefix + "/_admin/login?came_from=" + url.QueryEscape(cameFrom)
	userValue := ""
	if username != "" || len(errs) > 0 {
		userValue = fmt.Sprintf(` value="%s"`, html.EscapeString(username))
	}
	fieldError := func(field string) string {
		if msg, ok := errs[field]; ok {
			return fmt.Sprintf("\n                    <span class=\"error-message\">%s</span>\n                    <br />", html.EscapeString(msg))
		}
		return ""
	}
	checked := ""
	if remember {
		checked = ` checked="checked"`
	}
	body := fmt.Sprintf(`<style>body{background-color:#eeeeee;}</style>
<div class="loginbox">
    <div class="loginwrapper">
        <rhodecode-toast id="notifications"></rhodecode-toast>

        <div id="login" class="right-column">
            <!-- login -->
            <div class="sign-in-title">
                <h1>Sign In using username/password</h1>
            </div>
            <div class="inner form">
                <form action="%s" method="post">

                    <label for="username">Username:</label>
                    <input class="focus" id="username" name="username" type="text"%s />%s

                    <label for="password">Password:
                        <div class="pull-right"><a class="pwd_reset" href="%s/_admin/password_reset" tabindex="-1">Forgot your password?</a></div>

                    </label>
                    <input class="focus" id="password" name="password" type="password" />%s

                    <input%s id="remember" name="remember" type="checkbox" value="True" />
                    <label class="checkbox" for="remember">Remember me for 30d</label>

                    <p class="links">
                    </p>

                    <input class="btn sign-in" id="sign_in" name="sign_in" title="Sign in to Community Edition" type="submit" value="Sign In" />

                </form>
            </div>
            <!-- end login -->
        </div>
    </div>
</div>`, html.EscapeString(action), userValue, fieldError("username"), s.prefix, fieldError("password"), checked)
	s.renderPage(c, http.StatusOK, "Sign In", body)
}

// viewLogout is LoginView.logout: CSRF only (no login needed), then the
// session is deleted and the browser goes home.
func (s *Server) viewLogout(c *webCtx) bool {
	if c.r.Method != http.MethodPost {
		return false
	}
	if !s.csrfOK(c) {
		return true
	}
	s.mu.Lock()
	delete(s.web.sessions, c.sess.id)
	s.mu.Unlock()
	http.SetCookie(c.w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	s.redirect(c, s.prefix+"/")
	return true
}

// viewPassword is a reduced my-account password page (the deform form of
// ChangePasswordSchema).
func (s *Server) viewPassword(c *webCtx) bool {
	if c.r.Method != http.MethodGet && c.r.Method != http.MethodHead {
		return false
	}
	if !s.loginRequired(c) {
		return true
	}
	s.renderPasswordPage(c, "")
	return true
}

func (s *Server) renderPasswordPage(c *webCtx, errMsg string) {
	csrf := s.csrfToken(c)
	errHTML := ""
	if errMsg != "" {
		errHTML = `<p class="error-block">` + html.EscapeString(errMsg) + `</p>`
	}
	body := fmt.Sprintf(`<div class="panel panel-default">
    <div class="panel-heading">
        <h3 class="panel-title">Change Your Account Password</h3>
    </div>
    <div class="panel-body">%s
        %s
            <input type="password" name="current_password" id="current_password">
            <input type="password" name="new_password" id="new_password">
            <input type="password" name="new_password_confirmation" id="new_password_confirmation">
            <button id="save" name="save" type="submit" class="btn">Update</button>
        </form>
    </div>
</div>`, errHTML, s.secureForm(s.prefix+"/_admin/my_account/password/update", csrf))
	s.renderPage(c, http.StatusOK, "My account "+c.user.Username, s.myAccountBody(body, "password"))
}

// viewPasswordUpdate changes the password and clears the forced change.
func (s *Server) viewPasswordUpdate(c *webCtx) bool {
	if c.r.Method != http.MethodPost {
		return false
	}
	if !s.loginRequired(c) || !s.csrfOK(c) {
		return true
	}
	cur := c.r.PostForm.Get("current_password")
	np := c.r.PostForm.Get("new_password")
	switch {
	case cur != c.user.Password:
		s.renderPasswordPage(c, "Invalid password")
		return true
	case len(np) < 6:
		s.renderPasswordPage(c, "Length must be at least 6")
		return true
	case np != c.r.PostForm.Get("new_password_confirmation"):
		s.renderPasswordPage(c, "Password confirmation must match")
		return true
	}
	s.mu.Lock()
	if u := s.userByIDLocked(c.user.ID); u != nil {
		u.Password = np
		u.ForcePasswordChange = false
	}
	c.sess.password = np // this session stays logged in, others end
	s.mu.Unlock()
	s.flash(c, "success", "Successfully updated password")
	s.redirect(c, s.prefix+"/_admin/my_account/password")
	return true
}

// myAccountBody wraps a panel in my_account.mako's sidebar layout.
func (s *Server) myAccountBody(panel, active string) string {
	item := func(key, path, label string) string {
		cls := ""
		if key == active {
			cls = "active"
		}
		return fmt.Sprintf(`          <li class="%s"><a href="%s/_admin/my_account/%s">%s</a></li>`+"\n", cls, s.prefix, path, label)
	}
	return `<div id="content" class="wrapper">
      <div class="main">
<div class="box">
  <div class="title">
      My Account
  </div>

  <div class="sidebar-col-wrapper scw-small">
    <div class="sidebar">
        <ul class="nav nav-pills nav-stacked">
` + item("profile", "profile", "Profile") +
		item("emails", "emails", "Emails") +
		item("password", "password", "Password") +
		item("bookmarks", "bookmarks", "Bookmarks") +
		item("auth_tokens", "auth_tokens", "Auth Tokens") +
		item("ssh_keys", "ssh_keys", "SSH Keys") + `        </ul>
    </div>

    <div class="main-content-full-width">
` + panel + `
    </div>
  </div>
</div>
      </div>
</div>`
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}
