package fakerc

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// fixture is a server with the users most tests need.
type fixture struct {
	srv      *Server
	admin    User
	alice    User
	apiTok   Token // alice, token_role_api
	allTok   Token // alice, token_role_all
	vcsTok   Token // alice, token_role_vcs
	adminTok Token // admin, token_role_all
	expired  Token // alice, api, expired
	scoped   Token // alice, api, scoped to a repository
	bob      User  // inactive
	bobTok   Token // bob, api
	fenced   User  // IP whitelist excludes 127.0.0.1
	fenceTok Token
}

func newFixture(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	s := New(t, opts...)
	f := &fixture{srv: s}
	f.admin = s.AddUser(User{Username: "admin", Password: "secret", Email: "Admin@Example.com", Active: true, Admin: true})
	f.alice = s.AddUser(User{Username: "alice", Password: "pw", Email: "alice@example.com", Active: true, FirstName: "Alice"})
	f.bob = s.AddUser(User{Username: "bob", Email: "bob@example.com", Active: false})
	f.fenced = s.AddUser(User{Username: "fenced", Email: "f@example.com", Active: true, IPWhitelist: []string{"10.0.0.0/8"}})
	f.adminTok = s.AddToken("admin", RoleAll, "admin all", -1)
	f.apiTok = s.AddToken("alice", RoleAPI, "api", -1)
	f.allTok = s.AddToken("alice", RoleAll, "all", 60)
	f.vcsTok = s.AddToken("alice", RoleVCS, "vcs", -1)
	f.expired = s.InsertToken(Token{UserID: f.alice.ID, Role: RoleAPI, Description: "old", Expires: float64(time.Now().Add(-time.Hour).Unix())})
	repo := s.AddRepo(Repo{Name: "team/project", OwnerID: f.alice.ID})
	f.scoped = s.InsertToken(Token{UserID: f.alice.ID, Role: RoleAPI, Expires: -1, RepoID: repo.ID})
	f.bobTok = s.AddToken("bob", RoleAPI, "", -1)
	f.fenceTok = s.AddToken("fenced", RoleAPI, "", -1)
	return f
}

type rawResponse struct {
	status int
	header http.Header
	body   string
}

// do sends a request; body nil means no body, chunked forces
// Transfer-Encoding: chunked (no Content-Length).
func do(t *testing.T, method, url, body string, chunked bool, header map[string]string) rawResponse {
	t.Helper()
	var rd io.Reader
	if body != "" || method == http.MethodPost && !chunked {
		rd = strings.NewReader(body)
	}
	if chunked {
		rd = io.NopCloser(strings.NewReader(body)) // hides the length
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawResponse{resp.StatusCode, resp.Header, string(b)}
}

func rpcBody(fields map[string]any) string {
	b, _ := json.Marshal(fields)
	return string(b)
}

type envelope struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

func decodeEnvelope(t *testing.T, r rawResponse) envelope {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q", ct)
	}
	var env envelope
	dec := json.NewDecoder(strings.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		t.Fatalf("not an envelope: %v\n%s", err, r.body)
	}
	if env.ID == nil || env.Result == nil || env.Error == nil {
		t.Fatalf("envelope lacks a key: %s", r.body)
	}
	return env
}

func TestAPIErrorStrings(t *testing.T) {
	f := newFixture(t)
	old := newFixture(t, WithVersion("4.6.2"))
	api := f.srv.URL + "/_admin/api"
	call := func(token, method string, args any) string {
		return rpcBody(map[string]any{"id": 7, "auth_token": token, "method": method, "args": args})
	}
	noArgs := map[string]any{}

	tests := []struct {
		name    string
		url     string
		method  string
		body    string
		chunked bool
		header  map[string]string
		wantErr string // exact error string
		wantID  string // id in the reply, as JSON
	}{
		{name: "PUT", method: "PUT", body: "{}", wantErr: `unsupported request method "PUT". Please use POST`, wantID: "null"},
		{name: "DELETE without body", method: "DELETE", wantErr: `unsupported request method "DELETE". Please use POST`, wantID: "null"},
		{name: "chunked POST", method: "POST", body: call(f.apiTok.Secret, "get_user", noArgs), chunked: true, wantErr: "Empty body, No Content-Length in request", wantID: "null"},
		{name: "GET without body", method: "GET", wantErr: "Empty body, No Content-Length in request", wantID: "null"},
		{name: "empty body", method: "POST", body: "", wantErr: "JSON parse error ERR:No JSON object could be decoded RAW:''", wantID: "null"},
		{name: "not JSON", method: "POST", body: "hello", wantErr: "JSON parse error ERR:No JSON object could be decoded RAW:'hello'", wantID: "null"},
		{name: "quotes in raw", method: "POST", body: "it's", wantErr: `JSON parse error ERR:No JSON object could be decoded RAW:"it's"`, wantID: "null"},
		{name: "extra data", method: "POST", body: "{} {}", wantErr: "JSON parse error ERR:Extra data: line 1 column 4 - line 1 column 6 (char 3 - 5) RAW:'{} {}'", wantID: "null"},
		{name: "bad key", method: "POST", body: "{\n 1: 2}", wantErr: `JSON parse error ERR:Expecting property name enclosed in double quotes: line 2 column 2 (char 3) RAW:'{\n 1: 2}'`, wantID: "null"},
		{name: "missing token", method: "POST", body: rpcBody(map[string]any{"id": 7, "method": "get_user", "args": noArgs}), wantErr: "Incorrect JSON data. Missing 'api_key or auth_token'", wantID: "7"},
		{name: "empty token", method: "POST", body: call("", "get_user", noArgs), wantErr: "Incorrect JSON data. Missing 'api_key or auth_token'", wantID: "7"},
		{name: "missing id", method: "POST", body: rpcBody(map[string]any{"auth_token": "x", "method": "get_user", "args": noArgs}), wantErr: "Incorrect JSON data. Missing 'id'", wantID: "null"},
		{name: "missing method", method: "POST", body: rpcBody(map[string]any{"id": "abc", "auth_token": "x", "args": noArgs}), wantErr: "Incorrect JSON data. Missing 'method'", wantID: `"abc"`},
		{name: "missing args", method: "POST", body: rpcBody(map[string]any{"id": 7, "auth_token": "x", "method": "get_user"}), wantErr: "Incorrect JSON data. Missing 'args'", wantID: "7"},
		{name: "unknown method before auth", method: "POST", body: call("bogus", "get_token", noArgs), wantErr: "No such method: get_token. Similar methods: get_ip, get_repos, get_server_info, get_user, get_users", wantID: "7"},
		{name: "unknown method no similar", method: "POST", body: call("bogus", "frobnicate", noArgs), wantErr: "No such method: frobnicate. Similar methods: none", wantID: "7"},
		{name: "non-string method", method: "POST", body: call("bogus", "x", noArgs)[:0] + `{"id":7,"auth_token":"x","method":12,"args":{}}`, wantErr: "No such method: 12. Similar methods: none", wantID: "7"},
		{name: "unknown token", method: "POST", body: call(strings.Repeat("ab", 20), "get_user", noArgs), wantErr: "Invalid API KEY", wantID: "7"},
		{name: "expired token", method: "POST", body: call(f.expired.Secret, "get_user", noArgs), wantErr: "Invalid API KEY", wantID: "7"},
		{name: "non-string token", method: "POST", body: `{"id":7,"auth_token":123,"method":"get_user","args":{}}`, wantErr: "Invalid API KEY", wantID: "7"},
		{name: "inactive user", method: "POST", body: call(f.bobTok.Secret, "get_user", noArgs), wantErr: "Request from this user not allowed", wantID: "7"},
		{name: "IP not allowed", method: "POST", body: call(f.fenceTok.Secret, "get_user", noArgs), wantErr: "Request from IP:127.0.0.1 not allowed", wantID: "7"},
		{name: "IP from X-Real-IP", method: "POST", body: call(f.fenceTok.Secret, "get_user", noArgs), header: map[string]string{"X-Real-IP": "192.0.2.9"}, wantErr: "Request from IP:192.0.2.9 not allowed", wantID: "7"},
		{name: "vcs token", method: "POST", body: call(f.vcsTok.Secret, "get_user", noArgs), wantErr: "API KEY invalid or, has bad role for an API call", wantID: "7"},
		{name: "scoped token", method: "POST", body: call(f.scoped.Secret, "get_user", noArgs), wantErr: "API KEY invalid or, has bad role for an API call", wantID: "7"},
		{name: "feed token", method: "POST", body: call(f.srv.Tokens("alice")[0].Secret, "get_user", noArgs), wantErr: "API KEY invalid or, has bad role for an API call", wantID: "7"},
		{name: "vcs token 4.6", url: old.srv.URL + "/_admin/api", method: "POST", body: call(old.vcsTok.Secret, "get_user", noArgs), wantErr: "API KEY has bad role for an API call", wantID: "7"},
		{name: "api_key wins over auth_token", method: "POST", body: rpcBody(map[string]any{"id": 7, "api_key": f.vcsTok.Secret, "auth_token": f.apiTok.Secret, "method": "get_user", "args": noArgs}), wantErr: "API KEY invalid or, has bad role for an API call", wantID: "7"},
		{name: "missing required arg", method: "POST", body: call(f.apiTok.Secret, "delete_user", noArgs), wantErr: "Missing non optional `userid` arg in JSON DATA", wantID: "7"},
		{name: "other userid", method: "POST", body: call(f.apiTok.Secret, "get_user", map[string]any{"userid": f.admin.ID}), wantErr: "userid is not the same as your user", wantID: "7"},
		{name: "own username as userid", method: "POST", body: call(f.apiTok.Secret, "get_user", map[string]any{"userid": "alice"}), wantErr: "userid is not the same as your user", wantID: "7"},
		{name: "admin unknown user", method: "POST", body: call(f.adminTok.Secret, "get_user", map[string]any{"userid": "nobody"}), wantErr: "user `nobody` does not exist", wantID: "7"},
		{name: "admin unknown id", method: "POST", body: call(f.adminTok.Secret, "get_user", map[string]any{"userid": 999}), wantErr: "user `999` does not exist", wantID: "7"},
		{name: "get_ip non-admin", method: "POST", body: call(f.allTok.Secret, "get_ip", noArgs), wantErr: "Access was denied to this resource.", wantID: "7"},
		{name: "get_users non-admin", method: "POST", body: call(f.apiTok.Secret, "get_users", noArgs), wantErr: "Access was denied to this resource.", wantID: "7"},
		{name: "admin userid null", method: "POST", body: call(f.adminTok.Secret, "get_user", map[string]any{"userid": nil}), wantErr: "Internal server error", wantID: "7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url := api
			if tc.url != "" {
				url = tc.url
			}
			r := do(t, tc.method, url, tc.body, tc.chunked, tc.header)
			env := decodeEnvelope(t, r)
			var got string
			if err := json.Unmarshal(env.Error, &got); err != nil {
				t.Fatalf("error is not a string: %s", env.Error)
			}
			if got != tc.wantErr {
				t.Errorf("error = %q\nwant    %q", got, tc.wantErr)
			}
			if string(env.ID) != tc.wantID {
				t.Errorf("id = %s, want %s", env.ID, tc.wantID)
			}
			if string(env.Result) != "null" {
				t.Errorf("result = %s, want null", env.Result)
			}
			if !strings.Contains(r.body, "\n    \"error\": ") {
				t.Errorf("body is not 4-space indented:\n%s", r.body)
			}
		})
	}
}

func TestAPINonJSONAnswers(t *testing.T) {
	f := newFixture(t, WithPathPrefix("/code"))
	tests := []struct {
		name       string
		path       string
		body       string
		wantStatus int
	}{
		{"array body", "/code/_admin/api", "[1, 2]", http.StatusInternalServerError},
		{"null body", "/code/_admin/api", "null", http.StatusInternalServerError},
		{"trailing slash", "/code/_admin/api/", `{"id":1}`, http.StatusNotFound},
		{"outside prefix", "/_admin/api", `{"id":1}`, http.StatusNotFound},
		{"prefix look-alike", "/codex/_admin/api", `{"id":1}`, http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, "POST", "http://"+f.srv.Host()+tc.path, tc.body, false, nil)
			if r.status != tc.wantStatus {
				t.Errorf("status = %d, want %d", r.status, tc.wantStatus)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type = %q, want HTML", ct)
			}
			if tc.wantStatus == 500 && r.header.Get("RhodeCode-Exception-Id") == "" {
				t.Errorf("500 without RhodeCode-Exception-Id")
			}
		})
	}
}

func TestGetUser(t *testing.T) {
	f := newFixture(t)
	login := time.Date(2023, 3, 27, 6, 18, 12, 123456000, time.Local)
	f.srv.UpdateUser("alice", func(u *User) { u.LastLogin = login })
	body := rpcBody(map[string]any{"id": 1, "auth_token": f.apiTok.Secret, "method": "get_user", "args": map[string]any{}})
	r := do(t, "POST", f.srv.URL+"/_admin/api", body, false, nil)
	env := decodeEnvelope(t, r)
	if string(env.Error) != "null" {
		t.Fatalf("error: %s", env.Error)
	}
	var res map[string]any
	if err := json.Unmarshal(env.Result, &res); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"user_id", "username", "firstname", "lastname", "description", "email", "emails",
		"auth_tokens", "active", "admin", "extern_type", "extern_name", "last_login", "last_activity",
		"ip_addresses", "language", "permissions", "permissions_summary"} {
		if _, ok := res[k]; !ok {
			t.Errorf("result lacks %q", k)
		}
	}
	if _, ok := res["api_keys"]; ok {
		t.Errorf("4.27 result has api_keys")
	}
	if res["username"] != "alice" || res["user_id"] != float64(f.alice.ID) || res["lastname"] != nil {
		t.Errorf("wrong identity: %v %v %v", res["username"], res["user_id"], res["lastname"])
	}
	if res["last_login"] != "2023-03-27T06:18:12.123" {
		t.Errorf("last_login = %v", res["last_login"])
	}
	var want []any
	for _, tok := range f.srv.Tokens("alice") {
		want = append(want, tok.Secret)
	}
	if fmt.Sprint(res["auth_tokens"]) != fmt.Sprint(want) || len(want) != 6 {
		t.Errorf("auth_tokens = %v\nwant %v (feed, api, all, vcs, expired, scoped)", res["auth_tokens"], want)
	}
	for _, s := range want {
		if !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(s.(string)) {
			t.Errorf("secret %q is not 40 lowercase hex", s)
		}
	}

	// Own numeric id is allowed for a non-admin; 2.0 equals 2 in Python.
	for _, id := range []any{f.alice.ID, float64(f.alice.ID) + 0.0} {
		body := rpcBody(map[string]any{"id": 2, "auth_token": f.allTok.Secret, "method": "get_user", "args": map[string]any{"userid": id}})
		if env := decodeEnvelope(t, do(t, "POST", f.srv.URL+"/_admin/api", body, false, nil)); string(env.Error) != "null" {
			t.Errorf("userid %v: %s", id, env.Error)
		}
	}
	// Admin may ask for anyone, by name or by numeric string.
	for _, id := range []any{"alice", fmt.Sprint(f.alice.ID)} {
		body := rpcBody(map[string]any{"id": 3, "auth_token": f.adminTok.Secret, "method": "get_user", "args": map[string]any{"userid": id}})
		env := decodeEnvelope(t, do(t, "POST", f.srv.URL+"/_admin/api", body, false, nil))
		if !strings.Contains(string(env.Result), `"username": "alice"`) {
			t.Errorf("admin get_user %v: %s %s", id, env.Error, env.Result)
		}
	}
	calls := f.srv.Calls()
	if len(calls) != 5 || calls[0].Method != "get_user" || calls[0].Token != f.apiTok.Secret || string(calls[0].Args) != "{}" {
		t.Errorf("calls = %+v", calls)
	}
}

func TestGetUserShapeByVersion(t *testing.T) {
	tests := []struct {
		version  string
		wantKeys []string
		noKeys   []string
		objects  bool
	}{
		{"4.27.0", []string{"auth_tokens", "description", "permissions_summary"}, []string{"api_keys", "api_key"}, false},
		{"4.12.1", []string{"auth_tokens"}, []string{"api_keys", "description"}, false},
		{"4.8.0", []string{"auth_tokens", "api_keys"}, []string{"api_key"}, true},
		{"4.5.2", []string{"api_key", "api_keys"}, []string{"auth_tokens"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.version, func(t *testing.T) {
			f := newFixture(t, WithVersion(tc.version))
			body := rpcBody(map[string]any{"id": 1, "auth_token": f.apiTok.Secret, "method": "get_user", "args": map[string]any{}})
			env := decodeEnvelope(t, do(t, "POST", f.srv.URL+"/_admin/api", body, false, nil))
			var res map[string]json.RawMessage
			if err := json.Unmarshal(env.Result, &res); err != nil {
				t.Fatal(err)
			}
			for _, k := range tc.wantKeys {
				if _, ok := res[k]; !ok {
					t.Errorf("missing %q", k)
				}
			}
			for _, k := range tc.noKeys {
				if _, ok := res[k]; ok {
					t.Errorf("unexpected %q", k)
				}
			}
			if tc.objects && !strings.Contains(string(res["auth_tokens"]), `"auth_token": "`+f.apiTok.Secret+`"`) {
				t.Errorf("auth_tokens objects: %s", res["auth_tokens"])
			}
		})
	}
}

func TestFalsyIDAndArgs(t *testing.T) {
	f := newFixture(t)
	for _, id := range []string{`0`, `""`, `false`, `null`} {
		body := `{"id":` + id + `,"auth_token":"` + f.apiTok.Secret + `","method":"get_user","args":null}`
		r := do(t, "POST", f.srv.URL+"/_admin/api", body, false, nil)
		if r.status != 200 || r.body != `""` {
			t.Errorf("id %s: status %d body %q, want bare \"\"", id, r.status, r.body)
		}
	}
	// Errors keep the envelope even with a falsy id.
	r := do(t, "POST", f.srv.URL+"/_admin/api", `{"id":0,"auth_token":"nope","method":"get_user","args":{}}`, false, nil)
	if env := decodeEnvelope(t, r); string(env.ID) != "0" {
		t.Errorf("id = %s", env.ID)
	}
}

func TestGetIP(t *testing.T) {
	f := newFixture(t)
	body := rpcBody(map[string]any{"id": 1, "auth_token": f.adminTok.Secret, "method": "get_ip", "args": map[string]any{"userid": "fenced"}})
	env := decodeEnvelope(t, do(t, "POST", f.srv.URL+"/_admin/api", body, false, nil))
	var res struct {
		ServerIP string `json:"server_ip_addr"`
		UserIPs  []struct {
			IPAddr  string   `json:"ip_addr"`
			IPRange []string `json:"ip_range"`
		} `json:"user_ips"`
	}
	if err := json.Unmarshal(env.Result, &res); err != nil {
		t.Fatal(err)
	}
	if res.ServerIP != "127.0.0.1" || len(res.UserIPs) != 1 || res.UserIPs[0].IPAddr != "10.0.0.0/8" ||
		fmt.Sprint(res.UserIPs[0].IPRange) != "[10.0.0.0 10.255.255.255]" {
		t.Errorf("get_ip = %+v", res)
	}
}

func TestTokens(t *testing.T) {
	now := time.Unix(1700000000, 0)
	s := New(t, WithClock(func() time.Time { return now }))
	u := s.AddUser(User{Username: "carol", Active: true})
	if u.ID != 2 {
		t.Errorf("first user id = %d, want 2", u.ID)
	}
	toks := s.Tokens("carol")
	if len(toks) != 1 || toks[0].Role != RoleFeed || toks[0].Description != "Generated feed token" || toks[0].Expires != -1 {
		t.Fatalf("new user tokens = %+v", toks)
	}
	a := s.AddToken("carol", RoleAPI, "one hour", 60)
	if a.Expires != float64(now.Unix()+3600) || a.ID != toks[0].ID+1 {
		t.Errorf("token = %+v", a)
	}
	if a.Expired(now.Add(59*time.Minute)) || !a.Expired(now.Add(61*time.Minute)) {
		t.Errorf("expiry wrong")
	}
	s.RevokeToken(toks[0].ID)
	if got := s.Tokens("carol"); len(got) != 1 || got[0].ID != a.ID {
		t.Errorf("after revoke: %+v", got)
	}
}

func TestFaults(t *testing.T) {
	f := newFixture(t, WithPathPrefix("/code"))
	body := rpcBody(map[string]any{"id": 1, "auth_token": f.apiTok.Secret, "method": "get_user", "args": map[string]any{}})
	api := f.srv.URL + "/_admin/api"

	f.srv.SetFault(FaultHTML200)
	if r := do(t, "POST", api, body, false, nil); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("HTML200: %d %s", r.status, r.header.Get("Content-Type"))
	}

	f.srv.SetFault(FaultHTTP500)
	r := do(t, "POST", api, body, false, nil)
	if r.status != 500 || r.header.Get("RhodeCode-Exception-Id") != f.srv.LastExceptionID() || f.srv.LastExceptionID() == "" {
		t.Errorf("HTTP500: %d %v", r.status, r.header)
	}

	f.srv.SetFault(FaultRedirectLogin)
	r = do(t, "POST", api, body, false, nil)
	if want := f.srv.URL + "/_admin/login?came_from=%2Fcode%2F_admin%2Fapi"; r.status != 302 || r.header.Get("Location") != want {
		t.Errorf("redirect: %d %q, want %q", r.status, r.header.Get("Location"), want)
	}
	if r := do(t, "GET", r.header.Get("Location"), "", false, nil); r.status != 200 || !strings.Contains(r.body, "rhodecode_version: '4.27.0'") {
		t.Errorf("login page: %d\n%s", r.status, r.body)
	}

	f.srv.SetFault(FaultDropConnection)
	if _, err := http.Post(api, "application/json", strings.NewReader(body)); err == nil {
		t.Errorf("drop: request succeeded")
	}

	f.srv.SetFault(FaultSlow)
	f.srv.SetDelay(50 * time.Millisecond)
	start := time.Now()
	if env := decodeEnvelope(t, do(t, "POST", api, body, false, nil)); string(env.Error) != "null" || time.Since(start) < 50*time.Millisecond {
		t.Errorf("slow: %s after %v", env.Error, time.Since(start))
	}

	f.srv.SetFault(FaultNone)
	if env := decodeEnvelope(t, do(t, "POST", api, body, false, nil)); string(env.Error) != "null" {
		t.Errorf("none: %s", env.Error)
	}
}

// TestSlowFaultHonoursClient checks that a slow handler stops when the
// client goes away, so Close does not wait for the whole delay.
func TestSlowFaultHonoursClient(t *testing.T) {
	s := New(t)
	s.SetFault(FaultSlow)
	s.SetDelay(time.Hour)
	conn, err := net.Dial("tcp", s.Host())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /_admin/api HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
	_ = conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := bufio.NewReader(conn).ReadByte(); err == nil {
		t.Fatal("slow server answered")
	}
	conn.Close()
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked on the slow handler")
	}
}

func TestPythonFormatting(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{json.Number("5"), "5"},
		{json.Number("5.0"), "5.0"},
		{json.Number("1e20"), "1e+20"},
		{json.Number("0.1"), "0.1"},
		{true, "True"},
		{nil, "None"},
		{[]any{"a", json.Number("1")}, "[u'a', 1]"},
		{map[string]any{"k": "v"}, "{u'k': u'v'}"},
	}
	for _, tc := range tests {
		if got := pyStr(tc.in); got != tc.want {
			t.Errorf("pyStr(%#v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := pyBytesRepr([]byte("a\n\x00\xff\\")); got != `'a\n\x00\xff\\'` {
		t.Errorf("pyBytesRepr = %s", got)
	}
}
