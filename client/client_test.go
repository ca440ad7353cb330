package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
)

// instance is a fake server with an active user "alice" and her tokens.
type instance struct {
	srv    *fakerc.Server
	alice  fakerc.User
	api    fakerc.Token // token_role_api
	all    fakerc.Token // token_role_all
	vcs    fakerc.Token // token_role_vcs
	admin  fakerc.Token // admin's token_role_all
	secret []string     // every secret on the server, for leak checks
}

func newInstance(t *testing.T, opts ...fakerc.Option) *instance {
	t.Helper()
	s := fakerc.New(t, opts...)
	in := &instance{srv: s}
	in.alice = s.AddUser(fakerc.User{Username: "alice", Email: "Alice@Example.com", FirstName: "Alice", Active: true})
	s.AddUser(fakerc.User{Username: "root", Email: "root@example.com", Active: true, Admin: true})
	in.api = s.AddToken("alice", fakerc.RoleAPI, "cli", -1)
	in.all = s.AddToken("alice", fakerc.RoleAll, "all", 60)
	in.vcs = s.AddToken("alice", fakerc.RoleVCS, "git", -1)
	in.admin = s.AddToken("root", fakerc.RoleAll, "admin", -1)
	for _, u := range []string{"alice", "root"} {
		for _, tok := range s.Tokens(u) {
			in.secret = append(in.secret, tok.Secret)
		}
	}
	return in
}

func newClient(t *testing.T, base, token string, opts Options) *Client {
	t.Helper()
	c, err := New(base, token, opts)
	if err != nil {
		t.Fatalf("New(%q): %v", base, err)
	}
	return c
}

// checkMessage asserts the properties every error message must have: one
// line, the host named, no secret.
func checkMessage(t *testing.T, err error, host string, secrets ...string) {
	t.Helper()
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("message has several lines: %q", msg)
	}
	if !strings.Contains(msg, host) {
		t.Errorf("message does not name %s: %q", host, msg)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			t.Errorf("message contains a secret: %q", msg)
		}
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{in: "https://code.example.com", want: "https://code.example.com"},
		{in: "https://code.example.com/", want: "https://code.example.com"},
		{in: " HTTPS://Code.Example.com:8443/rc// ", want: "https://code.example.com:8443/rc"},
		{in: "http://10.0.0.5/code/_admin/api", want: "http://10.0.0.5/code"},
		{in: "code.example.com", wantErr: `has no scheme; use https://code.example.com`},
		{in: "ftp://code.example.com", wantErr: "must start with http:// or https://"},
		{in: "https://", wantErr: "has no host"},
		{in: "https://bob:hunter2@code.example.com", wantErr: "must not contain a user name or password"},
		{in: "https://code.example.com/?x=1", wantErr: "must not contain a query"},
		{in: "", wantErr: "no instance URL"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			c, err := New(tc.in, "tok", Options{})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.BaseURL() != tc.want {
				t.Errorf("BaseURL = %q, want %q", c.BaseURL(), tc.want)
			}
		})
	}
}

func TestGetUser(t *testing.T) {
	in := newInstance(t)
	c := newClient(t, in.srv.URL+"/", in.api.Secret, Options{UserAgent: "rhodecode-cli/test"})
	u, err := c.GetUser(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if u.UserID != in.alice.ID || u.Username != "alice" || u.Email != "alice@example.com" || u.FirstName != "Alice" ||
		u.LastName != "" || !u.Active || u.Admin || u.ExternType != "rhodecode" {
		t.Errorf("user = %+v", u)
	}
	var want []string
	for _, tok := range in.srv.Tokens("alice") {
		want = append(want, tok.Secret)
	}
	if fmt.Sprint(u.AuthTokens) != fmt.Sprint(want) {
		t.Errorf("AuthTokens = %v, want %v", u.AuthTokens, want)
	}
	calls := in.srv.Calls()
	if len(calls) != 1 {
		t.Fatalf("calls = %+v", calls)
	}
	if got := calls[0]; got.Method != "get_user" || got.Token != in.api.Secret || string(got.Args) != "{}" ||
		got.UserAgent != "rhodecode-cli/test" || string(got.ID) != "1" {
		t.Errorf("call = %+v", got)
	}
	// Ids increase per call.
	if _, err := c.GetUser(context.Background()); err != nil {
		t.Fatal(err)
	}
	if id := string(in.srv.Calls()[1].ID); id != "2" {
		t.Errorf("second id = %s", id)
	}
}

func TestGetUserOlderShapes(t *testing.T) {
	for _, v := range []string{"4.8.0", "4.5.0", "4.16.2"} {
		t.Run(v, func(t *testing.T) {
			in := newInstance(t, fakerc.WithVersion(v))
			u, err := newClient(t, in.srv.URL, in.api.Secret, Options{}).GetUser(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, tok := range in.srv.Tokens("alice") {
				want = append(want, tok.Secret)
			}
			if fmt.Sprint(u.AuthTokens) != fmt.Sprint(want) {
				t.Errorf("AuthTokens = %v, want %v", u.AuthTokens, want)
			}
		})
	}
}

func TestAuthErrors(t *testing.T) {
	in := newInstance(t)
	revoked := in.srv.AddToken("alice", fakerc.RoleAPI, "gone", -1)
	in.srv.RevokeToken(revoked.ID)
	expired := in.srv.InsertToken(fakerc.Token{UserID: in.alice.ID, Role: fakerc.RoleAPI, Expires: float64(time.Now().Add(-time.Minute).Unix())})
	repo := in.srv.AddRepo(fakerc.Repo{Name: "team/app", OwnerID: in.alice.ID})
	scoped := in.srv.InsertToken(fakerc.Token{UserID: in.alice.ID, Role: fakerc.RoleAll, Expires: -1, RepoID: repo.ID})
	in.srv.AddUser(fakerc.User{Username: "gone", Active: false})
	inactive := in.srv.AddToken("gone", fakerc.RoleAPI, "", -1)
	in.srv.AddUser(fakerc.User{Username: "fenced", Active: true, IPWhitelist: []string{"192.0.2.0/24"}})
	fenced := in.srv.AddToken("fenced", fakerc.RoleAPI, "", -1)

	tests := []struct {
		name     string
		token    string
		wantKind ErrorKind
		wantText string
	}{
		{"unknown", strings.Repeat("0", 40), KindInvalidToken, "rejected the API token (Invalid API KEY): it is wrong, expired or revoked; run rhodecode auth login"},
		{"expired", expired.Secret, KindInvalidToken, "Invalid API KEY"},
		{"revoked", revoked.Secret, KindInvalidToken, "Invalid API KEY"},
		{"vcs role", in.vcs.Secret, KindBadRole, "API KEY invalid or, has bad role for an API call"},
		{"feed role", in.srv.Tokens("alice")[0].Secret, KindBadRole, `role "api calls" or "all"`},
		{"repository scope", scoped.Secret, KindBadRole, "no repository scope"},
		{"inactive user", inactive.Secret, KindUserNotAllowed, "Request from this user not allowed"},
		{"IP whitelist", fenced.Secret, KindIPNotAllowed, "Request from IP:127.0.0.1 not allowed"},
		{"no token", "", KindMissingToken, "needs an API token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, in.srv.URL, tc.token, Options{})
			u, err := c.GetUser(context.Background())
			if err == nil {
				t.Fatalf("GetUser = %+v, want error", u)
			}
			if !errors.Is(err, ErrAuth) {
				t.Errorf("errors.Is(err, ErrAuth) = false for %v", err)
			}
			if errors.Is(err, ErrUnreachable) || errors.Is(err, ErrNotRhodeCode) {
				t.Errorf("err matches a transport sentinel: %v", err)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("not an *APIError: %T", err)
			}
			if apiErr.Kind != tc.wantKind || apiErr.Method != "get_user" {
				t.Errorf("kind = %v method = %q, want %v", apiErr.Kind, apiErr.Method, tc.wantKind)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("message %q lacks %q", err, tc.wantText)
			}
			checkMessage(t, err, in.srv.Host(), in.secret...)
		})
	}
}

func TestAPIErrorsThatAreNotAuth(t *testing.T) {
	in := newInstance(t)
	user := newClient(t, in.srv.URL, in.all.Secret, Options{})
	admin := newClient(t, in.srv.URL, in.admin.Secret, Options{})
	tests := []struct {
		name     string
		c        *Client
		method   string
		args     any
		wantKind ErrorKind
		wantMsg  string
	}{
		{"forbidden", user, "get_ip", nil, KindForbidden, "Access was denied to this resource."},
		{"no such method", user, "get_auth_tokens", nil, KindNoSuchMethod, "No such method: get_auth_tokens. Similar methods:"},
		{"method error", user, "get_user", map[string]any{"userid": 1}, KindOther, "userid is not the same as your user"},
		{"internal error", admin, "get_user", map[string]any{"userid": nil}, KindInternal, "Internal server error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Call(context.Background(), tc.method, tc.args, nil)
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if errors.Is(err, ErrAuth) {
				t.Errorf("%v matches ErrAuth", err)
			}
			if apiErr.Kind != tc.wantKind || !strings.HasPrefix(apiErr.Message, tc.wantMsg) {
				t.Errorf("kind %v message %q, want %v %q", apiErr.Kind, apiErr.Message, tc.wantKind, tc.wantMsg)
			}
			if tc.wantKind == KindInternal && (apiErr.ExceptionID == "" || apiErr.ExceptionID != in.srv.LastExceptionID() ||
				!strings.Contains(err.Error(), apiErr.ExceptionID)) {
				t.Errorf("exception id %q (server %q) in %q", apiErr.ExceptionID, in.srv.LastExceptionID(), err)
			}
			checkMessage(t, err, in.srv.Host(), in.secret...)
		})
	}
}

func TestFaults(t *testing.T) {
	in := newInstance(t)
	tests := []struct {
		name     string
		fault    fakerc.Fault
		timeout  time.Duration
		want     error
		wantText string
	}{
		{"HTML page", fakerc.FaultHTML200, 0, ErrNotRhodeCode, "answered with an HTML page (HTTP 200), not the RhodeCode API; check the URL"},
		{"HTTP 500", fakerc.FaultHTTP500, 0, ErrNotRhodeCode, "failed with HTTP 500 Internal Server Error (RhodeCode exception id "},
		{"dropped connection", fakerc.FaultDropConnection, 0, ErrUnreachable, "the connection was closed before an answer arrived"},
		{"redirect to login", fakerc.FaultRedirectLogin, 0, ErrNotRhodeCode, "redirected to a login page"},
		{"slow server", fakerc.FaultSlow, 200 * time.Millisecond, ErrUnreachable, "did not answer within 200ms"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in.srv.SetFault(tc.fault)
			in.srv.SetDelay(time.Minute)
			defer in.srv.SetFault(fakerc.FaultNone)
			c := newClient(t, in.srv.URL, in.api.Secret, Options{Timeout: tc.timeout})
			start := time.Now()
			_, err := c.GetUser(context.Background())
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("took %v", elapsed)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("message %q lacks %q", err, tc.wantText)
			}
			if tc.fault == fakerc.FaultHTTP500 && !strings.Contains(err.Error(), in.srv.LastExceptionID()) {
				t.Errorf("message %q lacks exception id %s", err, in.srv.LastExceptionID())
			}
			for _, other := range []error{ErrAuth, ErrUnreachable, ErrNotRhodeCode} {
				if other != tc.want && errors.Is(err, other) {
					t.Errorf("err also matches %v", other)
				}
			}
			checkMessage(t, err, in.srv.Host(), in.secret...)
		})
	}
}

func TestContextCanceled(t *testing.T) {
	in := newInstance(t)
	in.srv.SetFault(fakerc.FaultSlow)
	in.srv.SetDelay(time.Minute)
	c := newClient(t, in.srv.URL, in.api.Secret, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.GetUser(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if errors.Is(err, ErrUnreachable) {
		t.Errorf("cancellation reported as unreachable: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v", time.Since(start))
	}

	// The caller's own deadline is a timeout, not a cancellation.
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.GetUser(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrUnreachable) {
		t.Errorf("deadline: err = %v", err)
	}
}

func TestConnectionRefused(t *testing.T) {
	s := fakerc.New(t)
	base := s.URL
	s.Close()
	_, err := newClient(t, base, "0123456789abcdef0123", Options{}).GetUser(context.Background())
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v", err)
	}
	if want := "cannot reach " + strings.TrimPrefix(base, "http://") + ": connection refused"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("message %q, want prefix %q", err, want)
	}
}

func TestUnknownHost(t *testing.T) {
	_, err := newClient(t, "https://no-such-host.invalid", "0123456789abcdef0123", Options{Timeout: 3 * time.Second}).GetUser(context.Background())
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v", err)
	}
	checkMessage(t, err, "no-such-host.invalid")
}

func TestTLS(t *testing.T) {
	in := newInstance(t, fakerc.WithTLS())
	_, err := newClient(t, in.srv.URL, in.api.Secret, Options{}).GetUser(context.Background())
	if !errors.Is(err, ErrUnreachable) || !strings.HasPrefix(err.Error(), "TLS certificate of "+in.srv.Host()+" is not trusted: ") {
		t.Fatalf("err = %v", err)
	}
	// Trusting the certificate through Options.Transport works.
	u, err := newClient(t, in.srv.URL, in.api.Secret, Options{Transport: in.srv.Client().Transport}).GetUser(context.Background())
	if err != nil || u.Username != "alice" {
		t.Fatalf("GetUser = %v, %v", u, err)
	}
}

func TestPathPrefix(t *testing.T) {
	in := newInstance(t, fakerc.WithPathPrefix("/code"))
	if _, err := newClient(t, in.srv.URL+"/", in.api.Secret, Options{}).GetUser(context.Background()); err != nil {
		t.Fatalf("with prefix: %v", err)
	}
	// Forgetting the prefix hits a 404 page.
	_, err := newClient(t, "http://"+in.srv.Host(), in.api.Secret, Options{}).GetUser(context.Background())
	if !errors.Is(err, ErrNotRhodeCode) || !strings.Contains(err.Error(), "HTTP 404 Not Found") {
		t.Fatalf("without prefix: %v", err)
	}
	checkMessage(t, err, in.srv.Host(), in.secret...)
}

// TestRedirectsNotFollowed checks that a redirect, even a 307/308 that
// would resend the body with the token, never reaches the target.
func TestRedirectsNotFollowed(t *testing.T) {
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	defer other.Close()
	for _, code := range []int{301, 302, 307, 308} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+"/_admin/api", code)
			}))
			defer redirector.Close()
			token := strings.Repeat("ab", 20)
			err := newClient(t, redirector.URL, token, Options{}).Call(context.Background(), "get_user", nil, nil)
			if !errors.Is(err, ErrNotRhodeCode) {
				t.Fatalf("err = %v", err)
			}
			if !strings.Contains(err.Error(), "redirects to "+other.URL+"/_admin/api") {
				t.Errorf("message %q does not say where", err)
			}
			checkMessage(t, err, redirector.Listener.Addr().String(), token)
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("redirect target received %d requests", n)
	}
}

func TestRedirectToHTTPS(t *testing.T) {
	var target string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	}))
	defer srv.Close()
	host := srv.Listener.Addr().String()
	tests := []struct{ location, want string }{
		{"https://" + host + "/rc/_admin/api", "use https://" + host + "/rc as the URL"},
		{"https://" + host + "/", "use https://" + host + "/rc as the URL"},
	}
	for _, tc := range tests {
		target = tc.location
		err := newClient(t, srv.URL+"/rc", "tok", Options{}).Call(context.Background(), "get_user", nil, nil)
		if !errors.Is(err, ErrNotRhodeCode) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Location %s: err = %v, want %q", tc.location, err, tc.want)
		}
	}
}

// TestProtocolAnswers covers answers the fake does not produce: handlers
// that play a broken server or proxy.
func TestProtocolAnswers(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		ctype    string
		body     string // %d is replaced by the request id
		header   map[string]string
		want     error
		wantText string
		check    func(t *testing.T, err error)
	}{
		{name: "id mismatch", status: 200, ctype: "application/json", body: `{"id": 999, "result": {}, "error": null}`,
			want: ErrNotRhodeCode, wantText: "answered request 1 with the answer to request 999"},
		{name: "string id", status: 200, ctype: "application/json", body: `{"id": "1", "result": {}, "error": null}`,
			want: ErrNotRhodeCode, wantText: "mixing up answers"},
		{name: "error with other id", status: 200, ctype: "application/json", body: `{"id": 5, "result": null, "error": "Invalid API KEY"}`,
			want: ErrNotRhodeCode, wantText: "mixing up answers"},
		{name: "not an envelope", status: 200, ctype: "application/json", body: `{"status": "ok"}`,
			want: ErrNotRhodeCode, wantText: "answered with JSON that is not a JSON-RPC response"},
		{name: "JSON array", status: 200, ctype: "application/json", body: `[1]`,
			want: ErrNotRhodeCode, wantText: "JSON that is not a JSON-RPC response"},
		{name: "bare empty string", status: 200, ctype: "application/json", body: `""`,
			want: ErrNotRhodeCode, wantText: "JSON that is not a JSON-RPC response"},
		{name: "plain text", status: 200, ctype: "text/plain", body: "hello",
			want: ErrNotRhodeCode, wantText: "answered with a text/plain body (HTTP 200)"},
		{name: "HTML without content type", status: 200, body: "<!DOCTYPE html><html></html>",
			want: ErrNotRhodeCode, wantText: "answered with an HTML page (HTTP 200)"},
		{name: "bad gateway", status: 502, ctype: "text/html", body: "<html>bad gateway</html>",
			want: ErrUnreachable, wantText: "HTTP 502 Bad Gateway: the RhodeCode server behind the proxy is down"},
		{name: "plain 500", status: 500, ctype: "text/html", body: "<html>oops</html>",
			want: ErrNotRhodeCode, wantText: "answered HTTP 500 Internal Server Error with an HTML page"},
		{name: "proxy auth", status: 401, ctype: "text/html", body: "<html>login</html>", header: map[string]string{"WWW-Authenticate": "Basic"},
			want: ErrNotRhodeCode, wantText: "asks for its own authentication"},
		{name: "schema error", status: 200, ctype: "application/json", body: `{"id": %d, "result": null, "error": {"username": "Required", "email": "Invalid email address"}}`,
			check: func(t *testing.T, err error) {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.Kind != KindValidation || apiErr.Fields["username"] != "Required" ||
					apiErr.Message != "email: Invalid email address; username: Required" {
					t.Errorf("err = %#v", err)
				}
			}},
		{name: "float id echo", status: 200, ctype: "application/json", body: `{"id": 1.0, "result": {"user_id": 3}, "error": null}`,
			check: func(t *testing.T, err error) {
				if err != nil {
					t.Errorf("err = %v", err)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				if tc.ctype != "" {
					w.Header().Set("Content-Type", tc.ctype)
				} else {
					w.Header()["Content-Type"] = nil // no sniffing
				}
				w.WriteHeader(tc.status)
				body := tc.body
				if strings.Contains(body, "%d") {
					body = fmt.Sprintf(body, 1)
				}
				fmt.Fprint(w, body)
			}))
			defer srv.Close()
			token := strings.Repeat("cd", 20)
			err := newClient(t, srv.URL, token, Options{}).Call(context.Background(), "get_user", nil, &map[string]any{})
			if tc.check != nil {
				tc.check(t, err)
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("message %q lacks %q", err, tc.wantText)
			}
			checkMessage(t, err, srv.Listener.Addr().String(), token)
		})
	}
}

func TestCallArgs(t *testing.T) {
	in := newInstance(t)
	c := newClient(t, in.srv.URL, in.admin.Secret, Options{})
	var u User
	if err := c.Call(context.Background(), "get_user", map[string]any{"userid": "alice"}, &u); err != nil || u.Username != "alice" {
		t.Fatalf("get_user alice: %+v %v", u, err)
	}
	if got := string(in.srv.Calls()[0].Args); got != `{"userid":"alice"}` {
		t.Errorf("args sent = %s", got)
	}
	if err := c.Call(context.Background(), "get_user", []string{"x"}, nil); err == nil || !strings.Contains(err.Error(), "must be a JSON object") {
		t.Errorf("list args: %v", err)
	}
	if len(in.srv.Calls()) != 1 {
		t.Errorf("bad args reached the server")
	}
}

func TestDebugTrace(t *testing.T) {
	in := newInstance(t)
	var trace bytes.Buffer
	c := newClient(t, in.srv.URL, in.api.Secret, Options{Debug: &trace, UserAgent: "rhodecode-cli/test"})
	if _, err := c.GetUser(context.Background()); err != nil {
		t.Fatal(err)
	}
	in.srv.SetFault(fakerc.FaultRedirectLogin)
	_, _ = c.GetUser(context.Background())
	out := trace.String()
	for _, s := range in.secret {
		if strings.Contains(out, s) {
			t.Errorf("trace contains secret %s…", s[:4])
		}
	}
	for _, want := range []string{
		"> POST " + in.srv.URL + "/_admin/api HTTP/1.1\n",
		"> Content-Length: ",
		"> User-Agent: rhodecode-cli/test\n",
		`> {"id":1,"auth_token":"[REDACTED]","method":"get_user","args":{}}`,
		"< HTTP/1.1 200 OK (",
		"< Content-Type: application/json\n",
		`"auth_tokens": [` + "\n" + `<             "[REDACTED]",`,
		`"username": "alice"`,
		"< HTTP/1.1 302 Found (",
		"< Location: " + in.srv.URL + "/_admin/login?came_from=%2F_admin%2Fapi\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("trace:\n%s", out)
	}
}

func TestDebugTraceTruncates(t *testing.T) {
	big := strings.Repeat("x", 10000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, big)
	}))
	defer srv.Close()
	var trace bytes.Buffer
	err := newClient(t, srv.URL, "tok", Options{Debug: &trace}).Call(context.Background(), "get_user", nil, nil)
	if !errors.Is(err, ErrNotRhodeCode) {
		t.Fatalf("err = %v (the caller must still see the whole body)", err)
	}
	if !strings.Contains(trace.String(), "* body truncated, 5904 more bytes") || strings.Contains(trace.String(), big) {
		t.Errorf("trace not truncated at 4 KiB:\n%.300s", trace.String())
	}
}

// TestDebugTraceSanitised: what a server sends (a status text, an HTML
// page) reaches the --debug trace without terminal controls, and still
// redacted.
func TestDebugTraceSanitised(t *testing.T) {
	const tok = "a1ce000000000000000000000000000000000000"
	page := "<html><title>\x1b]0;owned\x07</title>\x1b[2J\r\n<p>\u202Etxt.exe " + tok + "\u009b31m\x9b</p></html>"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 500 Oops\x1b[2J\u202E\r\nContent-Type: text/html\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(page), page)
		buf.Flush()
	}))
	defer srv.Close()
	var trace bytes.Buffer
	err := newClient(t, srv.URL, tok, Options{Debug: &trace}).Call(context.Background(), "get_user", nil, nil)
	if !errors.Is(err, ErrNotRhodeCode) {
		t.Fatalf("err = %v", err)
	}
	out := trace.String()
	if strings.ContainsAny(out, "\x1b\x07\r\u009b\u202E") || strings.Contains(out, "\x9b") || strings.Contains(out, tok) {
		t.Errorf("trace:\n%+q", out)
	}
	for _, want := range []string{"< HTTP/1.1 500 Oops[2J (", "< <html><title>]0;owned</title>[2J ", "txt.exe [REDACTED]31m\uFFFD</p></html>\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %+q:\n%+q", want, out)
		}
	}
}

// TestDebugTraceTruncationKeepsSecrets: a secret that straddles the 4 KiB
// cut of a traced body is scrubbed before the cut, not left half shown.
func TestDebugTraceTruncationKeepsSecrets(t *testing.T) {
	const tok = "f00dface0123456789abcdef0123456789abcdef"
	body := strings.Repeat("x", maxTraceBody-20) + tok + strings.Repeat("y", 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	var trace bytes.Buffer
	_ = newClient(t, srv.URL, tok, Options{Debug: &trace}).Call(context.Background(), "get_user", nil, nil)
	if strings.Contains(trace.String(), tok[:12]) {
		t.Errorf("trace shows the start of the token:\n%s", trace.String()[trace.Len()-200:])
	}
	if !strings.Contains(trace.String(), "x"+Redacted) {
		t.Errorf("trace does not show where the token was:\n%s", trace.String()[trace.Len()-200:])
	}
}

// TestCheckServer: a RhodeCode API answers a call without a token with its
// "missing token" error, and that is enough to tell it from the rest; no
// token is sent, even by a client that has one.
func TestCheckServer(t *testing.T) {
	in := newInstance(t, fakerc.WithPathPrefix("/code"))
	closed := fakerc.New(t)
	closedURL := closed.URL
	closed.Close()
	notRC := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok": true}`)
	}))
	defer notRC.Close()
	// A JSON-RPC server that answers without asking for a token.
	anyAnswer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id": 1, "result": {}, "error": null}`)
	}))
	defer anyAnswer.Close()

	tests := []struct {
		name  string
		base  string
		fault fakerc.Fault
		want  error // nil: it is RhodeCode
		text  string
	}{
		{name: "rhodecode", base: in.srv.URL},
		{name: "prefix forgotten", base: "http://" + in.srv.Host(), want: ErrNotRhodeCode, text: "HTTP 404"},
		{name: "html page", base: in.srv.URL, fault: fakerc.FaultHTML200, want: ErrNotRhodeCode, text: "HTML page"},
		{name: "refused", base: closedURL, want: ErrUnreachable, text: "connection refused"},
		{name: "other json", base: notRC.URL, want: ErrNotRhodeCode, text: "not a JSON-RPC response"},
		{name: "answers without a token", base: anyAnswer.URL, want: ErrNotRhodeCode, text: "without a token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in.srv.SetFault(tc.fault)
			defer in.srv.SetFault(fakerc.FaultNone)
			in.srv.ResetCalls()
			err := newClient(t, tc.base, in.api.Secret, Options{}).CheckServer(context.Background())
			if tc.want == nil {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				calls := in.srv.Calls()
				if len(calls) != 1 || calls[0].Token != "" {
					t.Errorf("calls = %+v, want one without a token", calls)
				}
				return
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("err = %v, want %v saying %q", err, tc.want, tc.text)
			}
		})
	}
}

// CallRaw hands back the result and the whole envelope as the server sent
// them, with the client's own token redacted (get_user lists it), and an
// error reply as both the envelope and an *APIError.
func TestCallRaw(t *testing.T) {
	in := newInstance(t)
	c := newClient(t, in.srv.URL, in.api.Secret, Options{})
	r, err := c.CallRaw(t.Context(), "get_user", nil)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(r.Envelope, []byte(in.api.Secret)) || bytes.Contains(r.Result, []byte(in.api.Secret)) {
		t.Errorf("the client's token is in the answer: %s", r.Envelope)
	}
	if !bytes.Contains(r.Result, []byte(`"[REDACTED]"`)) || !bytes.Contains(r.Result, []byte(in.vcs.Secret)) {
		t.Errorf("auth_tokens should list the other tokens and [REDACTED] for the client's own: %s", r.Result)
	}
	if !bytes.Contains(r.Envelope, []byte(`"error": null`)) || bytes.HasPrefix(r.Result, []byte(`{"id"`)) {
		t.Errorf("envelope %s\nresult %s", r.Envelope, r.Result)
	}
	if calls := in.srv.Calls(); string(calls[len(calls)-1].Args) != "{}" {
		t.Errorf("nil args sent as %s; want {}", calls[len(calls)-1].Args)
	}

	r, err = c.CallRaw(t.Context(), "get_user", []byte(`{"userid":"root"}`))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Message != "userid is not the same as your user" {
		t.Fatalf("err = %v; want the server's APIError", err)
	}
	if r == nil || string(r.Result) != "null" || !bytes.Contains(r.Envelope, []byte(`"error": "userid is not the same as your user"`)) {
		t.Errorf("reply with the error: %+v", r)
	}

	// A rejected token: ErrAuth, and the envelope is still there.
	bad := newClient(t, in.srv.URL, strings.Repeat("ab", 20), Options{})
	r, err = bad.CallRaw(t.Context(), "get_user", nil)
	if !errors.Is(err, ErrAuth) || r == nil {
		t.Errorf("rejected token: %v, %v", r, err)
	}

	// Not the API at all: no reply, the usual classified error.
	in.srv.SetFault(fakerc.FaultHTML200)
	if r, err := c.CallRaw(t.Context(), "get_user", nil); r != nil || !errors.Is(err, ErrNotRhodeCode) {
		t.Errorf("HTML page: %v, %v", r, err)
	}
}

// A deprecated method's warning is handed to the caller.
func TestCallRawDeprecation(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id": 1, "result": {"ip": "10.0.0.1"}, "error": null, "DEPRECATION_WARNING": "DEPRECATED METHOD Please use method `+"`get_ip`"+` instead."}`)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, strings.Repeat("ab", 20), Options{})
	r, err := c.CallRaw(t.Context(), "show_ip", nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Deprecation != "DEPRECATED METHOD Please use method `get_ip` instead." || string(r.Result) != `{"ip": "10.0.0.1"}` {
		t.Errorf("reply %+v", r)
	}
}
