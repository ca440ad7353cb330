package fakerc

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// browser is a raw HTTP client with a cookie jar that does not follow
// redirects, so every hop can be checked.
type browser struct {
	t   *testing.T
	srv *Server
	c   *http.Client
}

func newBrowser(t *testing.T, srv *Server) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, srv: srv, c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends method to path (relative to the instance URL, or absolute).
func (b *browser) do(method, path string, form url.Values, header map[string]string) rawResponse {
	b.t.Helper()
	u := path
	if !strings.HasPrefix(path, "http") {
		u = b.srv.URL + path
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return rawResponse{resp.StatusCode, resp.Header, string(data)}
}

func (b *browser) get(path string) rawResponse { return b.do("GET", path, nil, nil) }

func (b *browser) post(path string, form url.Values, header map[string]string) rawResponse {
	return b.do("POST", path, form, header)
}

// login signs in and follows the redirect to the token page.
func (b *browser) login(user, password string) {
	b.t.Helper()
	if r := b.get("/_admin/login"); r.status != 200 {
		b.t.Fatalf("login page: %d", r.status)
	}
	r := b.post("/_admin/login?came_from="+url.QueryEscape(b.srv.prefix+"/_admin/my_account/auth_tokens"),
		url.Values{"username": {user}, "password": {password}, "sign_in": {"Sign In"}}, nil)
	if r.status != http.StatusFound {
		b.t.Fatalf("login as %s: %d\n%s", user, r.status, r.body)
	}
}

// tokenPage loads the token list and returns the page and its CSRF token.
func (b *browser) tokenPage() (rawResponse, string) {
	b.t.Helper()
	r := b.get("/_admin/my_account/auth_tokens")
	if r.status != 200 {
		b.t.Fatalf("token page: %d %s", r.status, r.header.Get("Location"))
	}
	return r, csrfOf(b.t, r.body)
}

var csrfRe = regexp.MustCompile(`var CSRF_TOKEN = "([0-9a-f]{40})";`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("page has no CSRF_TOKEN:\n%s", page)
	}
	return m[1]
}

type alert struct {
	Message struct {
		Message string         `json:"message"`
		Level   string         `json:"level"`
		Force   bool           `json:"force"`
		Subdata map[string]any `json:"subdata"`
	} `json:"message"`
}

var alertsRe = regexp.MustCompile(`<script> var alertMessagePayloads = (.*); </script>`)

func alertsOf(t *testing.T, page string) []alert {
	t.Helper()
	m := alertsRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("page has no alertMessagePayloads")
	}
	var out []alert
	if err := json.Unmarshal([]byte(m[1]), &out); err != nil {
		t.Fatalf("alerts %q: %v", m[1], err)
	}
	return out
}

// tokenRow is one <tr> of the token table, parsed like a client would.
type tokenRow struct {
	class, token, description, role, roleTitle, scope, expiry string
	id                                                        int
}

var (
	rowRe    = regexp.MustCompile(`(?s)<tr class="([^"]*)">(.*?)</tr>`)
	tdRe     = regexp.MustCompile(`(?s)<td class="([^"]*)">(.*?)</td>`)
	codeRe   = regexp.MustCompile(`(?s)<code[^>]*>\s*(.*?)\s*</code>`)
	spanRe   = regexp.MustCompile(`<span class="[^"]*tag disabled"(?: title="([^"]*)")?>([^<]*)</span>`)
	delIDRe  = regexp.MustCompile(`<input (?:id="del_auth_token" )?name="del_auth_token" type="hidden" value="(\d+)"`)
	spacesRe = regexp.MustCompile(`\s+`)
)

func tokenRows(t *testing.T, page string) []tokenRow {
	t.Helper()
	var rows []tokenRow
	for _, m := range rowRe.FindAllStringSubmatch(page, -1) {
		row := tokenRow{class: m[1]}
		for _, td := range tdRe.FindAllStringSubmatch(m[2], -1) {
			content := strings.TrimSpace(spacesRe.ReplaceAllString(td[2], " "))
			switch td[1] {
			case "td-authtoken", "truncate-wrap td-authtoken":
				row.token = codeRe.FindStringSubmatch(td[2])[1]
			case "td-wrap":
				row.description = content
			case "td-tags":
				sm := spanRe.FindStringSubmatch(td[2])
				row.roleTitle, row.role = sm[1], sm[2]
			case "td":
				row.scope = content
			case "td-exp":
				row.expiry = content
			case "td-action":
				row.id, _ = strconv.Atoi(delIDRe.FindStringSubmatch(td[2])[1])
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// webFixture is newFixture with a password LoginForm accepts (3–72
// characters) for alice.
func webFixture(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	f := newFixture(t, opts...)
	f.srv.UpdateUser("alice", func(u *User) { u.Password = "alicepw" })
	return f
}

func TestLoginSuccess(t *testing.T) {
	f := webFixture(t)
	b := newBrowser(t, f.srv)
	page := b.get("/_admin/login")
	if page.status != 200 || !strings.Contains(page.body, "rhodecode_version: '4.27.0',") ||
		!strings.Contains(page.body, "rhodecode_edition: 'Community Edition'") {
		t.Fatalf("login page: %d\n%s", page.status, page.body)
	}
	anon := csrfOf(t, page.body)
	if !strings.Contains(page.header.Get("Set-Cookie"), "rhodecode=") {
		t.Errorf("anonymous page set no session cookie: %v", page.header)
	}
	for _, want := range []string{
		`<form action="/_admin/login?came_from=%2F" method="post">`,
		`<input class="focus" id="username" name="username" type="text" />`,
		`<input class="focus" id="password" name="password" type="password" />`,
		`<input id="remember" name="remember" type="checkbox" value="True" />`,
		`name="sign_in"`,
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("login page lacks %s", want)
		}
	}
	if strings.Contains(page.body, `name="csrf_token"`) {
		t.Errorf("login form carries a csrf_token")
	}

	r := b.post("/_admin/login?came_from=%2F_admin%2Fmy_account%2Fauth_tokens",
		url.Values{"username": {"alice"}, "password": {"alicepw"}, "remember": {"True"}}, nil)
	if r.status != 302 || r.header.Get("Location") != f.srv.URL+"/_admin/my_account/auth_tokens" {
		t.Fatalf("login: %d %q", r.status, r.header.Get("Location"))
	}
	ck := r.header.Get("Set-Cookie")
	if !regexp.MustCompile(`^rhodecode=[0-9a-f]{72}; Path=/; Expires=[^;]+; Max-Age=3153600\d; HttpOnly$`).MatchString(ck) {
		t.Errorf("Set-Cookie = %q", ck)
	}
	p1, csrf := b.tokenPage()
	if csrf == anon {
		t.Errorf("CSRF token survived the login")
	}
	if _, again := b.tokenPage(); again != csrf {
		t.Errorf("CSRF token not stable: %s then %s", csrf, again)
	}
	if !strings.Contains(p1.body, `<form action="/_admin/logout" method="POST">`+"\n"+`<input type="hidden" name="csrf_token" value="`+csrf+`">`) {
		t.Errorf("no logout form with the csrf token")
	}
	if u, _ := f.srv.User("alice"); u.LastLogin.IsZero() {
		t.Errorf("last login not set")
	}

	// Already logged in: the login page redirects to came_from.
	if r := b.get("/_admin/login?came_from=%2Ffoo"); r.status != 302 || r.header.Get("Location") != f.srv.URL+"/foo" {
		t.Errorf("logged-in login page: %d %q", r.status, r.header.Get("Location"))
	}

	// Without remember the cookie is a browser-session cookie.
	b2 := newBrowser(t, f.srv)
	r = b2.post("/_admin/login", url.Values{"username": {"admin"}, "password": {"secret"}}, nil)
	if r.status != 302 || r.header.Get("Location") != f.srv.URL+"/" || strings.Contains(r.header.Get("Set-Cookie"), "Max-Age") {
		t.Errorf("login without remember: %d %q %q", r.status, r.header.Get("Location"), r.header.Get("Set-Cookie"))
	}

	// Logout needs the CSRF token and ends the session.
	if r := b.post("/_admin/logout", url.Values{}, nil); r.status != 403 {
		t.Errorf("logout without csrf: %d", r.status)
	}
	if r := b.post("/_admin/logout", url.Values{"csrf_token": {csrf}}, nil); r.status != 302 || r.header.Get("Location") != f.srv.URL+"/" {
		t.Errorf("logout: %d %q", r.status, r.header.Get("Location"))
	}
	if r := b.get("/_admin/my_account/auth_tokens"); r.status != 302 {
		t.Errorf("after logout: %d", r.status)
	}
}

func TestLoginFailures(t *testing.T) {
	f := webFixture(t)
	f.srv.UpdateUser("bob", func(u *User) { u.Password = "bobpw" })
	errSpan := func(msg string) string { return `<span class="error-message">` + msg + `</span>` }
	tests := []struct {
		name, user, password string
		want, notWant        []string
	}{
		{"wrong password", "alice", "nope", []string{errSpan("invalid user name"), errSpan("invalid password"), `value="alice"`}, nil},
		{"unknown user", "nobody", "whatever", []string{errSpan("invalid user name"), errSpan("invalid password")}, nil},
		{"username case", "Alice", "alicepw", []string{errSpan("invalid user name")}, nil},
		{"token as password", "alice", f.allTok.Secret, []string{errSpan("invalid password")}, nil},
		{"disabled", "bob", "bobpw", []string{errSpan("Your account is disabled")}, []string{"invalid password"}},
		{"empty", "", "", []string{errSpan("Please enter a login"), errSpan("Please enter a password")}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, f.srv)
			r := b.post("/_admin/login", url.Values{"username": {tc.user}, "password": {tc.password}}, nil)
			if r.status != 200 || r.header.Get("Location") != "" {
				t.Fatalf("status %d, Location %q", r.status, r.header.Get("Location"))
			}
			for _, w := range tc.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("page lacks %s", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(r.body, w) {
					t.Errorf("page has %s", w)
				}
			}
			csrfOf(t, r.body)
		})
	}
	// LoginForm wants 3–72 characters, so a 2-character password fails
	// before it is checked.
	f.srv.AddUser(User{Username: "dave", Password: "pw", Active: true})
	r := newBrowser(t, f.srv).post("/_admin/login", url.Values{"username": {"dave"}, "password": {"pw"}}, nil)
	if !strings.Contains(r.body, errSpan("Enter 3 characters or more")) {
		t.Errorf("short password accepted or wrong message")
	}

	// A failed attempt also ends the current session.
	b := newBrowser(t, f.srv)
	b.login("admin", "secret")
	b.post("/_admin/login", url.Values{"username": {"admin"}, "password": {"wrong"}}, nil)
	if r := b.get("/_admin/my_account/auth_tokens"); r.status != 302 {
		t.Errorf("session survived a failed login: %d", r.status)
	}
}

func TestCameFrom(t *testing.T) {
	f := webFixture(t, WithPathPrefix("/code"))
	b := newBrowser(t, f.srv)
	r := b.get("/_admin/my_account/auth_tokens?token_role=token_role_vcs")
	want := f.srv.URL + "/_admin/login?came_from=%2Fcode%2F_admin%2Fmy_account%2Fauth_tokens%3Ftoken_role%3Dtoken_role_vcs"
	if r.status != 302 || r.header.Get("Location") != want {
		t.Fatalf("anonymous: %d %q\nwant %q", r.status, r.header.Get("Location"), want)
	}
	r = b.post(r.header.Get("Location"), url.Values{"username": {"admin"}, "password": {"secret"}}, nil)
	if r.status != 302 || r.header.Get("Location") != f.srv.URL+"/_admin/my_account/auth_tokens?token_role=token_role_vcs" {
		t.Fatalf("after login: %d %q", r.status, r.header.Get("Location"))
	}
	page := b.get(r.header.Get("Location"))
	if !strings.Contains(page.body, `<option selected="selected" value="token_role_vcs">vcs (git/hg/svn protocol)</option>`) {
		t.Errorf("token_role not preselected")
	}
	if !strings.Contains(page.body, `<form action="/code/_admin/my_account/auth_tokens/new" method="POST">`) {
		t.Errorf("form action lacks the prefix")
	}
	for _, cf := range []string{"http://evil.example/x", "//evil.example/x", "javascript:alert(1)"} {
		b := newBrowser(t, f.srv)
		r := b.post("/_admin/login?came_from="+url.QueryEscape(cf), url.Values{"username": {"admin"}, "password": {"secret"}}, nil)
		if r.header.Get("Location") != f.srv.URL+"/" {
			t.Errorf("came_from %s → %q", cf, r.header.Get("Location"))
		}
	}
	// The home page needs a login too.
	if r := newBrowser(t, f.srv).get("/"); r.status != 302 || r.header.Get("Location") != f.srv.URL+"/_admin/login?came_from=%2Fcode%2F" {
		t.Errorf("home: %d %q", r.status, r.header.Get("Location"))
	}
}

func TestTokenPage427(t *testing.T) {
	now := time.Date(2024, 5, 6, 7, 8, 9, 500000000, time.UTC)
	f := webFixture(t, WithClock(func() time.Time { return now }))
	f.srv.InsertToken(Token{UserID: f.alice.ID, Role: RoleFeed, Description: `<b>"x" & 'y'</b>`, Expires: float64(now.Unix() - 60)})
	b := newBrowser(t, f.srv)
	b.login("alice", "alicepw")
	page, csrf := b.tokenPage()
	rows := tokenRows(t, page.body)
	toks := f.srv.Tokens("alice")
	if len(rows) != len(toks) {
		t.Fatalf("%d rows for %d tokens", len(rows), len(toks))
	}
	for i, tok := range toks {
		row := rows[i]
		if row.id != tok.ID || row.token != tok.Secret[:4]+"****" {
			t.Errorf("row %d: id %d token %q, want %d %q", i, row.id, row.token, tok.ID, tok.Secret[:4]+"****")
		}
		if (row.class == "expired") != tok.Expired(now) {
			t.Errorf("row %d class %q", i, row.class)
		}
		if !strings.Contains(page.body, `onclick="showAuthToken(`+strconv.Itoa(tok.ID)+`)"`) {
			t.Errorf("no showAuthToken(%d)", tok.ID)
		}
	}
	if strings.Contains(page.body, f.apiTok.Secret) {
		t.Errorf("4.27 page shows a full secret")
	}
	feed := rows[0]
	if feed.role != "feed access" || feed.roleTitle != "Token to read RSS/ATOM feed." || feed.scope != "Global" ||
		feed.expiry != "never" || feed.description != "Generated feed token" {
		t.Errorf("feed row = %+v", feed)
	}
	vcs := rows[3]
	if vcs.roleTitle != "Token to interact over git/hg/svn protocols. Requires auth_token authentication plugin to be active. &lt;br/&gt;"+
		"Such Token should be used then instead of a password to interact with a repository, and additionally can be limited to single repository using repo scope." {
		t.Errorf("vcs title = %q", vcs.roleTitle)
	}
	if rows[5].scope != "Repository: team/project" {
		t.Errorf("scoped row scope = %q", rows[5].scope)
	}
	// The all token expires in 60 minutes from the clock.
	if want := `<time class="timeago tooltip" title="Mon, 06 May 2024 08:08:09+00:00" datetime="2024-05-06 08:08:09.500000+00:00">Mon, 06 May 2024 08:08:09</time>`; rows[2].expiry != want {
		t.Errorf("expiry = %s\nwant     %s", rows[2].expiry, want)
	}
	last := rows[len(rows)-1]
	if last.class != "expired" || last.description != "&lt;b&gt;&#34;x&#34; &amp; &#39;y&#39;&lt;/b&gt;" ||
		!strings.HasPrefix(last.expiry, `<span style="text-decoration: line-through"><time class="timeago tooltip" title="Mon, 06 May 2024 07:07:09+00:00" datetime="2024-05-06 07:07:09+00:00">`) {
		t.Errorf("expired row = %+v", last)
	}

	roleSelect := `<select id="role" name="role">
<optgroup label="Role">
<option value="token_role_all">all</option>
<option value="token_role_vcs">vcs (git/hg/svn protocol)</option>
<option value="token_role_api">api calls</option>
<option value="token_role_http">http/web interface</option>
<option value="token_role_feed">feed access</option>
<option value="role_artifact_download">artifacts downloads</option>
</optgroup>
</select>`
	for _, want := range []string{
		roleSelect,
		`<input class="medium" id="description" name="description" placeholder="Description" type="text" />`,
		`<input id="lifetime" name="lifetime" type="hidden" />`,
		`<select disabled="disabled" id="scope_repo_id_disabled" name="scope_repo_id_disabled">`,
		`<form action="/_admin/my_account/auth_tokens/new" method="POST">` + "\n" + `<input type="hidden" name="csrf_token" value="` + csrf + `">`,
		`<table class="rctable auth_tokens">`,
		"var alertMessagePayloads = [];",
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("page lacks:\n%s", want)
		}
	}

	// Create: 302 to the list, flash on the next page, newest row last.
	r := b.post("/_admin/my_account/auth_tokens/new", url.Values{
		"csrf_token": {csrf}, "description": {"cli"}, "lifetime": {"1440"}, "role": {RoleVCS},
	}, nil)
	if r.status != 302 || r.header.Get("Location") != f.srv.URL+"/_admin/my_account/auth_tokens" || strings.Contains(r.body, "successfully") {
		t.Fatalf("create: %d %q", r.status, r.header.Get("Location"))
	}
	page, _ = b.tokenPage()
	alerts := alertsOf(t, page.body)
	if len(alerts) != 1 || alerts[0].Message.Message != "Auth token successfully created" || alerts[0].Message.Level != "success" || !alerts[0].Message.Force {
		t.Errorf("alerts = %+v", alerts)
	}
	if !strings.Contains(page.body, `var alertMessagePayloads = [{"message": {"message": "Auth token successfully created", "level": "success", "force": true, "subdata": {}}}];`) {
		t.Errorf("alert JSON not in Python's shape")
	}
	if again, _ := b.tokenPage(); len(alertsOf(t, again.body)) != 0 {
		t.Errorf("flash shown twice")
	}
	toks = f.srv.Tokens("alice")
	created := toks[len(toks)-1]
	if created.Description != "cli" || created.Role != RoleVCS || created.Expires != float64(now.UnixNano())/1e9+1440*60 {
		t.Errorf("created = %+v", created)
	}
	rows = tokenRows(t, page.body)
	if rows[len(rows)-1].id != created.ID || rows[len(rows)-1].role != "vcs (git/hg/svn protocol)" {
		t.Errorf("new row = %+v", rows[len(rows)-1])
	}

	// Lifetime not an int → never; role verbatim; missing role → none.
	b.post("/_admin/my_account/auth_tokens/new", url.Values{"csrf_token": {csrf}, "lifetime": {"soon"}, "role": {"bogus"}}, nil)
	b.post("/_admin/my_account/auth_tokens/new", url.Values{"csrf_token": {csrf}}, nil)
	toks = f.srv.Tokens("alice")
	if a, c := toks[len(toks)-2], toks[len(toks)-1]; a.Expires != -1 || a.Role != "bogus" || c.Role != "" {
		t.Errorf("verbatim tokens = %+v %+v", a, c)
	}
	rows = tokenRows(t, b.get("/_admin/my_account/auth_tokens").body)
	if rows[len(rows)-2].role != "bogus" || rows[len(rows)-1].role != "" {
		t.Errorf("unknown role labels: %q %q", rows[len(rows)-2].role, rows[len(rows)-1].role)
	}

	// View (xhr + csrf).
	xhr := map[string]string{"X-Requested-With": "XMLHttpRequest"}
	r = b.post("/_admin/my_account/auth_tokens/view", url.Values{"csrf_token": {csrf}, "auth_token_id": {strconv.Itoa(created.ID)}}, xhr)
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" || r.body != `{"auth_token": "`+created.Secret+`"}` {
		t.Errorf("view: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	r = b.post("/_admin/my_account/auth_tokens/view", url.Values{"auth_token_id": {strconv.Itoa(created.ID)}},
		map[string]string{"X-Requested-With": "XMLHttpRequest", "X-CSRF-Token": csrf})
	if r.status != 200 || !strings.Contains(r.body, created.Secret) {
		t.Errorf("view with header csrf: %d", r.status)
	}
	for name, tc := range map[string]struct {
		form   url.Values
		header map[string]string
		status int
		body   string
	}{
		"no xhr":        {url.Values{"csrf_token": {csrf}, "auth_token_id": {strconv.Itoa(created.ID)}}, nil, 404, ""},
		"other user":    {url.Values{"csrf_token": {csrf}, "auth_token_id": {strconv.Itoa(f.adminTok.ID)}}, xhr, 404, ""},
		"unknown":       {url.Values{"csrf_token": {csrf}, "auth_token_id": {"9999"}}, xhr, 404, ""},
		"not int":       {url.Values{"csrf_token": {csrf}, "auth_token_id": {"x"}}, xhr, 404, ""},
		"missing":       {url.Values{"csrf_token": {csrf}}, xhr, 200, "null"},
		"no csrf":       {url.Values{"auth_token_id": {strconv.Itoa(created.ID)}}, xhr, 403, ""},
		"wrong field":   {url.Values{"csrf_token": {"x"}, "auth_token_id": {strconv.Itoa(created.ID)}}, map[string]string{"X-Requested-With": "XMLHttpRequest", "X-CSRF-Token": csrf}, 403, ""},
		"wrong csrf":    {url.Values{"csrf_token": {strings.Repeat("0", 40)}, "auth_token_id": {strconv.Itoa(created.ID)}}, xhr, 403, ""},
		"empty csrf":    {url.Values{"csrf_token": {""}, "auth_token_id": {strconv.Itoa(created.ID)}}, xhr, 403, ""},
		"GET with xhr":  {nil, xhr, 404, ""},
		"view of wrong": {url.Values{"csrf_token": {csrf}, "auth_token_id": {"1.0"}}, xhr, 404, ""},
	} {
		method := "POST"
		if tc.form == nil {
			method = "GET"
		}
		r := b.do(method, "/_admin/my_account/auth_tokens/view", tc.form, tc.header)
		if r.status != tc.status || tc.body != "" && r.body != tc.body {
			t.Errorf("%s: %d %q, want %d", name, r.status, r.body, tc.status)
		}
		if tc.status == 403 && !strings.Contains(r.body, "Cross-site request forgery detected, request denied") {
			t.Errorf("%s: 403 page lacks the CSRF text", name)
		}
	}

	// Delete.
	r = b.post("/_admin/my_account/auth_tokens/delete", url.Values{"csrf_token": {csrf}, "del_auth_token": {strconv.Itoa(created.ID)}}, nil)
	if r.status != 302 || r.header.Get("Location") != f.srv.URL+"/_admin/my_account/auth_tokens" {
		t.Errorf("delete: %d", r.status)
	}
	if alerts := alertsOf(t, b.get("/_admin/my_account/auth_tokens").body); len(alerts) != 1 || alerts[0].Message.Message != "Auth token successfully deleted" {
		t.Errorf("delete alerts = %+v", alerts)
	}
	for _, tok := range f.srv.Tokens("alice") {
		if tok.ID == created.ID {
			t.Errorf("token not deleted")
		}
	}
	// Another user's token: not deleted, same flash.
	r = b.post("/_admin/my_account/auth_tokens/delete", url.Values{"csrf_token": {csrf}, "del_auth_token": {strconv.Itoa(f.adminTok.ID)}}, nil)
	if r.status != 302 || len(f.srv.Tokens("admin")) != 2 {
		t.Errorf("delete of admin's token: %d, admin has %d tokens", r.status, len(f.srv.Tokens("admin")))
	}
	if alerts := alertsOf(t, b.get("/_admin/my_account/auth_tokens").body); len(alerts) != 1 || alerts[0].Message.Message != "Auth token successfully deleted" {
		t.Errorf("foreign delete alerts = %+v", alerts)
	}
	for _, v := range []string{"x", "9999"} {
		if r := b.post("/_admin/my_account/auth_tokens/delete", url.Values{"csrf_token": {csrf}, "del_auth_token": {v}}, nil); r.status != 404 {
			t.Errorf("delete %q: %d", v, r.status)
		}
	}
	if r := b.post("/_admin/my_account/auth_tokens/delete", url.Values{"csrf_token": {csrf}}, nil); r.status != 302 {
		t.Errorf("delete without id: %d", r.status)
	}
	if r := b.post("/_admin/my_account/auth_tokens/delete", url.Values{"del_auth_token": {strconv.Itoa(f.apiTok.ID)}}, nil); r.status != 403 {
		t.Errorf("delete without csrf: %d", r.status)
	}
	if r := b.post("/_admin/my_account/auth_tokens/new", url.Values{"csrf_token": {"nope"}}, nil); r.status != 403 {
		t.Errorf("create with wrong csrf: %d", r.status)
	}
	if r := b.get("/_admin/my_account/auth_tokens/new"); r.status != 404 {
		t.Errorf("GET new: %d", r.status)
	}

	// Empty list.
	for _, tok := range f.srv.Tokens("alice") {
		f.srv.RevokeToken(tok.ID)
	}
	if page := b.get("/_admin/my_account/auth_tokens"); !strings.Contains(page.body, `<tr><td><div class="ip">No additional auth tokens specified</div></td></tr>`) {
		t.Errorf("empty list row missing")
	}
}

func TestTokenPage418(t *testing.T) {
	f := webFixture(t, WithVersion("4.18.3"))
	b := newBrowser(t, f.srv)
	b.login("alice", "alicepw")
	page, csrf := b.tokenPage()
	if !strings.Contains(page.body, "rhodecode_version: '4.18.3'") {
		t.Errorf("version line missing")
	}
	rows := tokenRows(t, page.body)
	toks := f.srv.Tokens("alice")
	for i, tok := range toks {
		if rows[i].token != tok.Secret || rows[i].id != tok.ID {
			t.Errorf("row %d = %+v, want full secret of %d", i, rows[i], tok.ID)
		}
	}
	if rows[0].roleTitle != "" || rows[0].role != "feed access" {
		t.Errorf("4.18 role span = %q %q", rows[0].role, rows[0].roleTitle)
	}
	roleSelect := `<select id="role" name="role">
<optgroup label="Role">
<option value="token_role_all">all</option>
<option value="token_role_http">http/web interface</option>
<option value="token_role_vcs">vcs (git/hg/svn protocol)</option>
<option value="token_role_api">api calls</option>
<option value="token_role_feed">feed access</option>
<option value="role_artifact_download">artifacts downloads</option>
</optgroup>
</select>`
	for _, want := range []string{
		roleSelect,
		`<code>` + toks[0].Secret + `</code>`,
		`<input id="del_auth_token" name="del_auth_token" type="hidden" value="` + strconv.Itoa(toks[0].ID) + `" />`,
		`<input type="hidden" name="csrf_token" value="` + csrf + `">`,
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("4.18 page lacks:\n%s", want)
		}
	}
	if strings.Contains(page.body, "showAuthToken") {
		t.Errorf("4.18 page has showAuthToken")
	}
	r := b.post("/_admin/my_account/auth_tokens/view", url.Values{"csrf_token": {csrf}, "auth_token_id": {strconv.Itoa(toks[0].ID)}},
		map[string]string{"X-Requested-With": "XMLHttpRequest"})
	if r.status != 404 {
		t.Errorf("4.18 view route: %d", r.status)
	}
	r = b.post("/_admin/my_account/auth_tokens/new", url.Values{"csrf_token": {csrf}, "role": {RoleAPI}, "lifetime": {"-1"}}, nil)
	if r.status != 302 {
		t.Fatalf("4.18 create: %d", r.status)
	}
	page = b.get("/_admin/my_account/auth_tokens")
	toks = f.srv.Tokens("alice")
	if !strings.Contains(page.body, "<code>"+toks[len(toks)-1].Secret+"</code>") {
		t.Errorf("new secret not on the 4.18 page")
	}

	// 4.15: old column order, webhelpers 1 csrf input, five roles.
	old := webFixture(t, WithVersion("4.15.0"))
	ob := newBrowser(t, old.srv)
	ob.login("alice", "alicepw")
	op, ocsrf := ob.tokenPage()
	if !strings.Contains(op.body, `<input type="hidden" id="csrf_token" name="csrf_token" value="`+ocsrf+`">`) ||
		!strings.Contains(op.body, "<th>Token</th>\n            <th>Scope</th>") ||
		strings.Contains(op.body, "role_artifact_download") {
		t.Errorf("4.15 layout wrong:\n%s", op.body)
	}
	if rows := tokenRows(t, op.body); rows[0].scope != "global" || rows[5].scope != "<Repository('1:team/project')>" && rows[5].scope != "&lt;Repository(&#39;1:team/project&#39;)&gt;" {
		t.Errorf("4.15 scopes = %q %q", rows[0].scope, rows[5].scope)
	}
}

func TestSessionExpiry(t *testing.T) {
	f := webFixture(t)
	b := newBrowser(t, f.srv)
	b.login("alice", "alicepw")
	a := newBrowser(t, f.srv)
	a.login("admin", "secret")
	f.srv.ExpireSession("alice")
	if r := b.get("/_admin/my_account/auth_tokens"); r.status != 302 ||
		r.header.Get("Location") != f.srv.URL+"/_admin/login?came_from=%2F_admin%2Fmy_account%2Fauth_tokens" {
		t.Errorf("expired alice: %d %q", r.status, r.header.Get("Location"))
	}
	if r := a.get("/_admin/my_account/auth_tokens"); r.status != 200 {
		t.Errorf("admin lost the session: %d", r.status)
	}
	_, csrf := a.tokenPage()
	f.srv.ExpireSessions()
	if r := a.post("/_admin/my_account/auth_tokens/new", url.Values{"csrf_token": {csrf}}, nil); r.status != 302 ||
		!strings.Contains(r.header.Get("Location"), "/_admin/login?came_from=%2F_admin%2Fmy_account%2Fauth_tokens%2Fnew") {
		t.Errorf("expired POST: %d %q", r.status, r.header.Get("Location"))
	}
	// A password change elsewhere ends the login too.
	b.login("alice", "alicepw")
	f.srv.UpdateUser("alice", func(u *User) { u.Password = "changed" })
	if r := b.get("/_admin/my_account/auth_tokens"); r.status != 302 {
		t.Errorf("session survived a password change: %d", r.status)
	}
	// So does deactivation.
	b.login("alice", "changed")
	f.srv.UpdateUser("alice", func(u *User) { u.Active = false })
	if r := b.get("/_admin/my_account/auth_tokens"); r.status != 302 {
		t.Errorf("session survived deactivation: %d", r.status)
	}
}

func TestForcedPasswordChange(t *testing.T) {
	f := webFixture(t)
	f.srv.UpdateUser("alice", func(u *User) { u.ForcePasswordChange = true; u.Password = "oldpw" })
	b := newBrowser(t, f.srv)
	r := b.post("/_admin/login?came_from=%2F_admin%2Fmy_account%2Fauth_tokens", url.Values{"username": {"alice"}, "password": {"oldpw"}}, nil)
	if r.status != 302 {
		t.Fatalf("login: %d", r.status)
	}
	for _, p := range []string{"/_admin/my_account/auth_tokens", "/"} {
		if r := b.get(p); r.status != 302 || r.header.Get("Location") != f.srv.URL+"/_admin/my_account/password" {
			t.Errorf("%s: %d %q", p, r.status, r.header.Get("Location"))
		}
	}
	if r := b.post("/_admin/my_account/auth_tokens/new", url.Values{}, nil); r.status != 302 || !strings.HasSuffix(r.header.Get("Location"), "/_admin/my_account/password") {
		t.Errorf("POST new: %d %q", r.status, r.header.Get("Location"))
	}
	page := b.get("/_admin/my_account/password")
	if page.status != 200 {
		t.Fatalf("password page: %d", page.status)
	}
	if alerts := alertsOf(t, page.body); len(alerts) != 1 || alerts[0].Message.Level != "warning" || alerts[0].Message.Message != "You are required to change your password" {
		t.Errorf("alerts = %+v", alerts)
	}
	csrf := csrfOf(t, page.body)
	r = b.post("/_admin/my_account/password/update", url.Values{"csrf_token": {csrf}, "current_password": {"oldpw"},
		"new_password": {"newpass1"}, "new_password_confirmation": {"newpass1"}}, nil)
	if r.status != 302 {
		t.Fatalf("update: %d", r.status)
	}
	if r := b.get("/_admin/my_account/auth_tokens"); r.status != 200 {
		t.Errorf("after change: %d", r.status)
	}
	if u, _ := f.srv.User("alice"); u.ForcePasswordChange || u.Password != "newpass1" {
		t.Errorf("user = %+v", u)
	}
}

func TestCSRFFaultAndRecords(t *testing.T) {
	f := webFixture(t)
	b := newBrowser(t, f.srv)
	b.login("alice", "alicepw")
	_, csrf := b.tokenPage()
	f.srv.ResetWebRequests()
	f.srv.SetFault(FaultCSRFReject)
	if r := b.post("/_admin/my_account/auth_tokens/new", url.Values{"csrf_token": {csrf}}, nil); r.status != 403 {
		t.Errorf("FaultCSRFReject: %d", r.status)
	}
	f.srv.SetFault(FaultNone)
	if r := b.post("/_admin/my_account/auth_tokens/new", url.Values{"csrf_token": {csrf}}, nil); r.status != 302 {
		t.Errorf("after fault: %d", r.status)
	}
	newBrowser(t, f.srv).get("/_admin/my_account/auth_tokens")
	reqs := f.srv.WebRequests()
	want := []WebRequest{
		{Method: "POST", Path: "/_admin/my_account/auth_tokens/new", Cookie: true, Session: true, CSRF: true, Status: 403},
		{Method: "POST", Path: "/_admin/my_account/auth_tokens/new", Cookie: true, Session: true, CSRF: true, Status: 302},
		{Method: "GET", Path: "/_admin/my_account/auth_tokens", Status: 302},
	}
	if len(reqs) != len(want) {
		t.Fatalf("requests = %+v", reqs)
	}
	for i := range want {
		if reqs[i] != want[i] {
			t.Errorf("request %d = %+v, want %+v", i, reqs[i], want[i])
		}
	}
}
