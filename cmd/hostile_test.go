package cmd

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/keyring/keyringtest"
)

// Hostile servers on 127.0.0.1 (issue 11). A proxy in front of a fake
// RhodeCode passes everything through until a case arms it; then it
// answers what a hostile or broken server would. Every case must end with
// one clear error line, the documented exit code, no secret in any output
// and nothing changed on disk or in the keyring (assertHostile).
//
// Covered elsewhere, not repeated here:
//   - client/client_test.go TestRedirectsNotFollowed, TestRedirectToHTTPS,
//     TestFaults; client/web_test.go TestWebRedirectsStayOnInstance,
//     TestWebStatusErrors: the classifier on both surfaces.
//   - cmd/auth_test.go TestLoginFailuresSaveNothing: an HTML page, a 500,
//     a dropped connection, a slow server and a redirect to the login page
//     answering auth login --with-token.
//   - cmd/servertext_test.go: a user name in auth login and a repository
//     name in setup-git; a JSON-RPC error that echoes auth login's request.
//   - client/errsecrets_test.go: JSON-RPC errors, ids and status texts that
//     echo the token, the password or the cookie; cmd/tokensecret_test.go:
//     a secret that is not a token, from token create/show/rotate.

const hostilePassword = "wonderland"

// hostileProxy is a server (plain or TLS) in front of a fake RhodeCode.
type hostileProxy struct {
	*httptest.Server
	mu sync.Mutex
	h  func(w http.ResponseWriter, r *http.Request) bool
}

// arm makes h see every request first; h returns false to pass it on.
func (p *hostileProxy) arm(h func(w http.ResponseWriter, r *http.Request) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.h = h
}

// hostileEnv is alice, logged in by password through the proxy to the
// instance "work" (API token, web session and managed VCS token stored).
type hostileEnv struct {
	e     *testEnv
	fake  *fakerc.Server
	p     *hostileProxy
	rp    *httputil.ReverseProxy
	other *httptest.Server // another host; no request may reach it
	hits  *atomic.Int32    // requests other received
	// written counts what a giant answer managed to write.
	written atomic.Int64
}

func newHostileEnv(t *testing.T, tls bool) *hostileEnv {
	t.Helper()
	opts := []fakerc.Option{fakerc.WithClock(func() time.Time { return testNow })}
	if tls {
		opts = append(opts, fakerc.WithTLS())
	}
	fake := fakerc.New(t, opts...)
	u := fake.AddUser(fakerc.User{Username: "alice", Password: hostilePassword, Email: "alice@example.com", Active: true})
	fake.InsertToken(fakerc.Token{UserID: u.ID, Role: fakerc.RoleFeed, Description: "feed", Expires: -1})
	fu, _ := url.Parse(fake.URL)
	h := &hostileEnv{fake: fake, p: &hostileProxy{}, rp: httputil.NewSingleHostReverseProxy(fu), hits: &atomic.Int32{}}
	if tls {
		h.rp.Transport = fake.Client().Transport
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.p.mu.Lock()
		armed := h.p.h
		h.p.mu.Unlock()
		if armed != nil && armed(w, r) {
			return
		}
		h.rp.ServeHTTP(w, r)
	})
	if tls {
		h.p.Server = httptest.NewTLSServer(handler)
	} else {
		h.p.Server = httptest.NewServer(handler)
	}
	h.other = httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { h.hits.Add(1) }))
	// Closed after the proxy: cleanups run last in, first out.
	t.Cleanup(h.other.Close)
	t.Cleanup(h.p.Close)

	h.e = newTestEnv(t)
	if tls {
		ca := filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h.p.Certificate().Raw}), 0o600); err != nil {
			t.Fatal(err)
		}
		h.e.env["RHODECODE_CA_CERT"] = ca
	}
	h.e.stdin = hostilePassword + "\n"
	h.e.mustRun("auth", "login", "--url", h.p.URL, "--username", "alice", "--password-stdin", "--name", "work")
	h.e.stdin = ""
	h.e.mustRun("setup-git")
	return h
}

// secrets are every secret at stake: the password, the stored ones (API
// token, VCS token, session cookie) and every token alice has.
func (h *hostileEnv) secrets() []string {
	out := []string{hostilePassword}
	for _, v := range h.e.secrets.(*keyringtest.Mem).Items() {
		if _, after, ok := strings.Cut(v, "="); ok {
			v = after // the cookie's value, not its name
		}
		out = append(out, v)
	}
	for _, tk := range h.fake.Tokens("alice") {
		out = append(out, tk.Secret)
	}
	return out
}

// diskState is every file under the test's HOME and every keyring entry.
type diskState struct {
	files   map[string]string
	keyring map[string]string
}

func (e *testEnv) diskState() diskState {
	e.t.Helper()
	s := diskState{files: map[string]string{}, keyring: e.secrets.(*keyringtest.Mem).Items()}
	err := filepath.WalkDir(e.home, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		info, _ := d.Info()
		s.files[p] = info.Mode().String() + "\n" + string(b)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// hostileWant is how a case must end.
type hostileWant struct {
	code int
	msg  string // in the error line (auth status: its line per instance on stderr)
}

// assertHostile checks the four rules of a hostile case: one clear error
// line and the documented exit code, no secret and no terminal control in
// any output, nothing changed on disk or in the keyring. With --debug the
// trace comes before the error line.
func assertHostile(t *testing.T, r result, debug bool, before, after diskState, want hostileWant, secrets []string) {
	t.Helper()
	if r.code != want.code {
		t.Errorf("exit %d, want %d", r.code, want.code)
	}
	var errLines, other []string
	for _, l := range strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n") {
		switch {
		// token revoke's line per token, auth status's detail per instance
		case strings.HasPrefix(l, "rhodecode: "), strings.HasPrefix(l, "X "):
			errLines = append(errLines, l)
		case l != "":
			other = append(other, l)
		}
	}
	if len(errLines) > 1 || !debug && len(other) > 0 {
		t.Errorf("want at most one error line and nothing else on stderr:\n%s", r.stderr)
	}
	if !strings.Contains(strings.Join(errLines, "")+r.stdout, want.msg) {
		t.Errorf("the error does not say %q:\nstdout: %s\nstderr: %s", want.msg, r.stdout, r.stderr)
	}
	out := r.stdout + r.stderr
	for _, s := range secrets {
		if strings.Contains(out, s) || len(s) >= 8 && strings.Contains(out, s[:8]) {
			t.Errorf("a secret (%.4s…) is in the output:\nstdout: %s\nstderr: %s", s, r.stdout, r.stderr)
		}
	}
	if strings.ContainsAny(out, "\x1b\x07\r\u202E\u2066") {
		t.Errorf("terminal controls in the output: %+q", out)
	}
	if !reflect.DeepEqual(before.keyring, after.keyring) {
		t.Errorf("the keyring changed:\nbefore %q\nafter  %q", before.keyring, after.keyring)
	}
	for p, b := range before.files {
		if a, ok := after.files[p]; !ok || a != b {
			t.Errorf("%s changed (present %v)", p, ok)
		}
	}
	for p := range after.files {
		if _, ok := before.files[p]; !ok {
			t.Errorf("%s appeared", p)
		}
	}
}

// drain reads a request's body, so that the server notices when the
// client goes away (r.Context is canceled then).
func drain(r *http.Request) string {
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

// on is a hostile answer for the requests to path (below the instance)
// with method ("" for any).
func on(method, path string, answer func(h *hostileEnv, w http.ResponseWriter, r *http.Request)) func(*hostileEnv) func(http.ResponseWriter, *http.Request) bool {
	return func(h *hostileEnv) func(http.ResponseWriter, *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path != path || method != "" && r.Method != method {
				return false
			}
			answer(h, w, r)
			return true
		}
	}
}

// redirect answers code to the Location loc(h, r) makes.
func redirect(code int, loc func(h *hostileEnv, r *http.Request) string) func(*hostileEnv, http.ResponseWriter, *http.Request) {
	return func(h *hostileEnv, w http.ResponseWriter, r *http.Request) {
		drain(r)
		w.Header().Set("Location", loc(h, r))
		w.WriteHeader(code)
	}
}

// toOther is the same path on another host, over plain HTTP.
func toOther(h *hostileEnv, r *http.Request) string { return h.other.URL + r.URL.Path }

// toHTTP is the same URL on the same host and port, over plain HTTP.
func toHTTP(h *hostileEnv, r *http.Request) string { return "http://" + r.Host + r.URL.Path }

const (
	hApiPath    = "/_admin/api"
	hLoginPath  = "/_admin/login"
	hTokensPath = "/_admin/my_account/auth_tokens"
)

// The commands of the cases: the API, the login form, the token pages.
var (
	statusArgs = []string{"auth", "status"}
	tokLogin   = []string{"auth", "login", "--with-token", "--name", "work", "--url"} // + URL; stdin: the API token
	pwLogin    = []string{"auth", "login", "--username", "alice", "--password-stdin", "--name", "work", "--url"}
	listArgs   = []string{"token", "list"}
	createArgs = []string{"token", "create", "--role", "feed"}
	showArgs   = []string{"token", "show", "2"} // the feed token newHostileEnv adds
	revokeArgs = []string{"token", "revoke", "2", "--yes"}
)

type hostileCase struct {
	name string
	tls  bool
	arm  func(*hostileEnv) func(http.ResponseWriter, *http.Request) bool
	args []string
	want hostileWant
	// timeout, if set, is the Factory's HTTPTimeout; the command must
	// end soon after it.
	timeout time.Duration
	// url, if set, is the instance URL a login goes to instead of the
	// proxy's.
	url func(t *testing.T, h *hostileEnv) string
	// after checks more, e.g. how much a server managed to write.
	after func(t *testing.T, h *hostileEnv)
}

// runHostile runs each case, without and with --debug, in an environment
// of its own.
func runHostile(t *testing.T, cases []hostileCase) {
	for _, tc := range cases {
		for _, debug := range []bool{false, true} {
			name := tc.name
			if debug {
				name += "/debug"
			}
			t.Run(name, func(t *testing.T) {
				h := newHostileEnv(t, tc.tls)
				args := append([]string(nil), tc.args...)
				target := h.p.URL
				if tc.url != nil {
					target = tc.url(t, h)
					for i := range args {
						if args[i] == "work" {
							args[i] = "elsewhere" // work is the proxy's
						}
					}
				}
				switch {
				case args[len(args)-1] == "--url" && args[1] == "login" && args[2] == "--with-token":
					args = append(args, target)
					h.e.stdin, _ = h.e.secret("work", h.p.URL, keyring.AccountAPIToken)
				case args[len(args)-1] == "--url":
					args = append(args, target)
					h.e.stdin = hostilePassword + "\n"
				}
				if tc.timeout != 0 {
					h.e.timeout = tc.timeout
				}
				if debug {
					args = append(args, "--debug")
				}
				secrets := h.secrets()
				h.p.arm(tc.arm(h))
				before := h.e.diskState()
				start := time.Now()
				r := h.e.run(args...)
				if took := time.Since(start); tc.timeout != 0 && took > 2*tc.timeout+time.Second {
					t.Errorf("took %v with a timeout of %v", took, tc.timeout)
				}
				t.Logf("exit %d\nstdout: %s\nstderr: %s\nkeyring: %d", r.code, r.stdout, r.stderr, len(before.keyring))
				assertHostile(t, r, debug, before, h.e.diskState(), tc.want, secrets)
				if n := h.hits.Load(); n != 0 {
					t.Errorf("the other host received %d request(s)", n)
				}
				if tc.after != nil {
					tc.after(t, h)
				}
			})
		}
	}
}

// TestHostileRedirects: a redirect to another host, or from https to
// http, is never followed, whatever it redirects: the JSON-RPC API, the
// login POST (which carries the password), the token pages (the cookie).
func TestHostileRedirects(t *testing.T) {
	runHostile(t, []hostileCase{
		{name: "api to another host/status", arm: on("", hApiPath, redirect(307, toOther)), args: statusArgs, want: hostileWant{1, "redirects to http://127.0.0.1"}},
		{name: "api to another host/login", arm: on("", hApiPath, redirect(308, toOther)), args: tokLogin, want: hostileWant{3, "redirects to http://127.0.0.1"}},
		{name: "api https to http/status", tls: true, arm: on("", hApiPath, redirect(301, toHTTP)), args: statusArgs, want: hostileWant{1, "redirects are not followed"}},
		{name: "api https to http/login", tls: true, arm: on("", hApiPath, redirect(307, toHTTP)), args: tokLogin, want: hostileWant{3, "redirects are not followed"}},
		{name: "login post to another host", arm: on(http.MethodPost, hLoginPath, redirect(307, toOther)), args: pwLogin, want: hostileWant{3, "outside the instance"}},
		{name: "login post https to another http host", tls: true, arm: on(http.MethodPost, hLoginPath, redirect(307, toOther)), args: pwLogin, want: hostileWant{3, "outside the instance"}},
		{name: "token page to another host", arm: on(http.MethodGet, hTokensPath, redirect(302, toOther)), args: listArgs, want: hostileWant{3, "outside the instance"}},
		{name: "token page https to another http host", tls: true, arm: on(http.MethodGet, hTokensPath, redirect(302, toOther)), args: listArgs, want: hostileWant{3, "outside the instance"}},
		{name: "token form to another host", arm: on(http.MethodPost, hTokensPath+"/new", redirect(307, toOther)), args: createArgs, want: hostileWant{3, "outside the instance"}},
		{name: "token delete to another host", tls: true, arm: on(http.MethodPost, hTokensPath+"/delete", redirect(307, toOther)), args: revokeArgs, want: hostileWant{1, "outside the instance"}},
		{name: "token reveal to another host", arm: on(http.MethodPost, hTokensPath+"/view", redirect(307, toOther)), args: showArgs, want: hostileWant{3, "outside the instance"}},
		// The same host over http: SameServer allows it (a TLS-terminating
		// proxy that does not pass the scheme on), but the Location is
		// never requested; the web session asks its own https URL.
		{name: "login post https to http", tls: true, arm: on(http.MethodPost, hLoginPath, redirect(302, toHTTP)), args: pwLogin, want: hostileWant{4, "sent the login back to the login page"}},
		{name: "token page https to http", tls: true, arm: on(http.MethodGet, hTokensPath, redirect(302, toHTTP)), args: listArgs, want: hostileWant{3, "instead of answering"}},
	})
}

// giantSize is the size a giant answer announces; the client reads at
// most 32 MiB of any answer.
const giantSize = 50 << 20

// giant answers a 50 MiB body of ctype that starts with prefix. After
// 36 MiB it writes nothing more until the client hangs up: a client that
// read the whole body would run into its timeout instead of the cap.
func giant(ctype, prefix string) func(*hostileEnv, http.ResponseWriter, *http.Request) {
	return func(h *hostileEnv, w http.ResponseWriter, r *http.Request) {
		drain(r)
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Length", strconv.Itoa(giantSize))
		n, _ := io.WriteString(w, prefix)
		h.written.Add(int64(n))
		buf := bytes.Repeat([]byte("a"), 64<<10)
		for h.written.Load() < 36<<20 {
			n, err := w.Write(buf)
			h.written.Add(int64(n))
			if err != nil {
				return
			}
		}
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}
}

// readLittle checks a giant answer was refused before the end.
func readLittle(t *testing.T, h *hostileEnv) {
	t.Logf("the server wrote %d bytes", h.written.Load())
	if n := h.written.Load(); n == 0 || n >= giantSize {
		t.Errorf("the server wrote %d bytes of %d", n, giantSize)
	}
}

// giantTimeout is the request timeout for the giant bodies: reading 32 MiB
// (over TLS, under -race, on a busy CI machine) takes seconds, and a client
// that read everything would still hit it instead of the cap.
const giantTimeout = 30 * time.Second

// TestHostileGiantBodies: a 50 MiB answer, JSON or HTML, is cut at the
// 32 MiB cap with a clear error.
func TestHostileGiantBodies(t *testing.T) {
	const capMsg = "answered with more than 32 MiB"
	rpc := giant("application/json", `{"id": 1, "result": {"username": "`)
	page := giant("text/html; charset=UTF-8", "<html><body><p>")
	runHostile(t, []hostileCase{
		{name: "api/status", arm: on("", hApiPath, rpc), args: statusArgs, want: hostileWant{1, capMsg}, after: readLittle, timeout: giantTimeout},
		{name: "api/login", tls: true, arm: on("", hApiPath, rpc), args: tokLogin, want: hostileWant{3, capMsg}, after: readLittle, timeout: giantTimeout},
		{name: "login post", arm: on(http.MethodPost, hLoginPath, page), args: pwLogin, want: hostileWant{3, capMsg}, after: readLittle, timeout: giantTimeout},
		{name: "token page", tls: true, arm: on(http.MethodGet, hTokensPath, page), args: listArgs, want: hostileWant{3, capMsg}, after: readLittle, timeout: giantTimeout},
		{name: "token reveal", arm: on(http.MethodPost, hTokensPath+"/view", rpc), args: showArgs, want: hostileWant{3, capMsg}, after: readLittle, timeout: giantTimeout},
	})
}

// stall sends partial, then nothing until the client hangs up.
func stall(partial string) func(*hostileEnv, http.ResponseWriter, *http.Request) {
	return func(h *hostileEnv, w http.ResponseWriter, r *http.Request) {
		drain(r)
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		_, _ = buf.WriteString(partial)
		_ = buf.Flush()
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, _ = io.Copy(io.Discard, conn)
	}
}

// silentTLS is an https:// URL whose server accepts connections and then
// says nothing, not even its half of the TLS handshake.
func silentTLS(t *testing.T, h *hostileEnv) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
				_, _ = io.Copy(io.Discard, c)
			}()
		}
	}()
	return "https://" + ln.Addr().String()
}

// TestHostileStalls: a server that starts an answer and never finishes
// it ends the command with a timeout error within the configured timeout.
func TestHostileStalls(t *testing.T) {
	const d = 300 * time.Millisecond
	const within = "did not answer within 300ms"
	status := stall("HTTP/1.1 20")
	headers := stall("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Never-Ends: ")
	rpcBody := stall("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\": 1, ")
	pageBody := stall("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n<html><body>")
	runHostile(t, []hostileCase{
		{name: "api status line/status", timeout: d, arm: on("", hApiPath, status), args: statusArgs, want: hostileWant{1, within}},
		{name: "api headers/login", timeout: d, arm: on("", hApiPath, headers), args: tokLogin, want: hostileWant{3, within}},
		{name: "api headers/login tls", tls: true, timeout: d, arm: on("", hApiPath, headers), args: tokLogin, want: hostileWant{3, within}},
		{name: "api body/status", timeout: d, arm: on("", hApiPath, rpcBody), args: statusArgs, want: hostileWant{1, within}},
		{name: "login post headers", timeout: d, arm: on(http.MethodPost, hLoginPath, headers), args: pwLogin, want: hostileWant{3, within}},
		{name: "login post body tls", tls: true, timeout: d, arm: on(http.MethodPost, hLoginPath, pageBody), args: pwLogin, want: hostileWant{3, within}},
		{name: "token page status line", timeout: d, arm: on(http.MethodGet, hTokensPath, status), args: listArgs, want: hostileWant{3, within}},
		{name: "token page body tls", tls: true, timeout: d, arm: on(http.MethodGet, hTokensPath, pageBody), args: listArgs, want: hostileWant{3, within}},
		{name: "tls handshake", timeout: d, url: silentTLS, arm: on("", "", nil), args: tokLogin, want: hostileWant{3, within}},
	})
}

// reply answers status with a body of ctype that body makes from the
// request and its body.
func reply(status int, ctype string, body func(r *http.Request, reqBody string) string) func(*hostileEnv, http.ResponseWriter, *http.Request) {
	return func(h *hostileEnv, w http.ResponseWriter, r *http.Request) {
		b := body(r, drain(r))
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, b)
	}
}

func fixed(s string) func(*http.Request, string) string {
	return func(*http.Request, string) string { return s }
}

// ssoLogin is the login page of a single sign-on proxy.
const ssoLogin = `<!DOCTYPE html><html><head><title>Sign in</title></head><body><form method="post" action="/sso/login"><input name="username"><input name="password" type="password"></form></body></html>`

// TestHostileWrongContent: HTML where JSON is expected and the reverse.
func TestHostileWrongContent(t *testing.T) {
	html := reply(200, "text/html; charset=UTF-8", fixed(ssoLogin))
	js := reply(200, "application/json", fixed(`{"id": 1, "result": {"auth_tokens": []}, "error": null}`))
	runHostile(t, []hostileCase{
		{name: "sso page for the api/status", arm: on("", hApiPath, html), args: statusArgs, want: hostileWant{1, "HTML page"}},
		{name: "sso page for the api/login", tls: true, arm: on("", hApiPath, html), args: tokLogin, want: hostileWant{3, "HTML page"}},
		{name: "json for the login post", arm: on(http.MethodPost, hLoginPath, js), args: pwLogin, want: hostileWant{3, "not RhodeCode's login form"}},
		{name: "sso page for the login post", tls: true, arm: on(http.MethodPost, hLoginPath, html), args: pwLogin, want: hostileWant{4, "showed the login form again"}},
		{name: "json for the token page", arm: on(http.MethodGet, hTokensPath, js), args: listArgs, want: hostileWant{3, "not RhodeCode's auth-token list"}},
		{name: "json for the token form", arm: on(http.MethodPost, hTokensPath+"/new", js), args: createArgs, want: hostileWant{3, "instead of redirecting"}},
		{name: "sso page for the token reveal", tls: true, arm: on(http.MethodPost, hTokensPath+"/view", html), args: showArgs, want: hostileWant{3, "HTML page where JSON was expected"}},
	})
}

// TestHostileEchoes: a server whose error quotes the request: the
// JSON-RPC error is the whole request body with its auth_token, an HTML
// error page shows the posted password or the cookie. The error line says
// what failed and shows none of them.
func TestHostileEchoes(t *testing.T) {
	rpcEcho := func(h *hostileEnv, w http.ResponseWriter, r *http.Request) {
		body := drain(r)
		var req struct{ ID json.RawMessage }
		_ = json.Unmarshal([]byte(body), &req)
		q, _ := json.Marshal(body)
		fmt.Fprintf(w, `{"id": %s, "result": null, "error": %s}`, req.ID, q)
	}
	pageEcho := func(status int) func(*hostileEnv, http.ResponseWriter, *http.Request) {
		return reply(status, "text/html", func(r *http.Request, body string) string {
			return "<html><body><h1>Bad request</h1><pre>" + body + "\n" + r.Header.Get("Cookie") + "</pre></body></html>"
		})
	}
	loginEcho := reply(200, "text/html", func(r *http.Request, body string) string {
		_ = r.ParseForm()
		v, _ := url.ParseQuery(body)
		return `<html><body><form method="post"><input name="username"><span class="error-message">no user ` + v.Get("username") + ` with password ` + v.Get("password") + `</span><input name="password"><span class="error-message">` + body + `</span></form></body></html>`
	})
	runHostile(t, []hostileCase{
		{name: "json-rpc error/status", arm: on("", hApiPath, rpcEcho), args: statusArgs, want: hostileWant{1, `"auth_token":"[REDACTED]"`}},
		{name: "json-rpc error/login", arm: on("", hApiPath, rpcEcho), args: tokLogin, want: hostileWant{1, `"auth_token":"[REDACTED]"`}},
		{name: "login form error shows the password", arm: on(http.MethodPost, hLoginPath, loginEcho), args: pwLogin, want: hostileWant{4, "refused the login"}},
		{name: "login error page shows the password", tls: true, arm: on(http.MethodPost, hLoginPath, pageEcho(400)), args: pwLogin, want: hostileWant{3, "HTTP 400"}},
		{name: "token page error shows the cookie", arm: on(http.MethodGet, hTokensPath, pageEcho(500)), args: listArgs, want: hostileWant{3, "HTTP 500"}},
		{name: "token form error shows the cookie", tls: true, arm: on(http.MethodPost, hTokensPath+"/new", pageEcho(400)), args: createArgs, want: hostileWant{3, "HTTP 400"}},
		{name: "token delete error shows the cookie", arm: on(http.MethodPost, hTokensPath+"/delete", pageEcho(500)), args: revokeArgs, want: hostileWant{1, "HTTP 500"}},
		{name: "token reveal answers the cookie", arm: on(http.MethodPost, hTokensPath+"/view", reply(200, "application/json", func(r *http.Request, body string) string {
			q, _ := json.Marshal(r.Header.Get("Cookie") + " " + body)
			return `{"auth_token": ` + string(q) + `}`
		})), args: showArgs, want: hostileWant{3, "not a token"}},
	})
}

// evil is server text with every kind of terminal control: a window
// title (OSC … BEL), a screen clear (CSI), a carriage return, a newline
// and two bidi controls (RLO, LRI).
const evil = "x\x1b]0;title\x07y\x1b[2J\rz\nw\u202Ev\u2066u"

// assertNoControls fails if out holds any of evil's controls raw.
func assertNoControls(t *testing.T, what, out string) {
	t.Helper()
	if strings.ContainsAny(out, "\x1b\x07\r\u202E\u2066") || strings.Contains(out, "z\nw") {
		t.Errorf("%s: terminal controls in the output: %+q", what, out)
	}
}

// holdsEvil reports whether a decoded JSON value holds evil's controls
// in a string: --json escapes, it does not sanitise. (Its line break may
// have changed: HTML turns CR into LF, and the role cell collapses space.)
func holdsEvil(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.Contains(v, "x\x1b]0;title\x07y\x1b[2J") && strings.Contains(v, "w\u202Ev\u2066u")
	case []any:
		for _, x := range v {
			if holdsEvil(x) {
				return true
			}
		}
	case map[string]any:
		for _, x := range v {
			if holdsEvil(x) {
				return true
			}
		}
	}
	return false
}

// TestHostileServerText: every server-supplied string printed for a
// person (user name, full name, e-mail, token descriptions, role names,
// repository names, error messages) reaches the terminal without its
// controls, in every command that prints it, on a terminal, piped and in
// the --debug trace; --json stays valid JSON with the text escaped, whole.
// cmd/servertext_test.go has the first two of these (auth login's user
// name, setup-git's repository name).
func TestHostileServerText(t *testing.T) {
	fake := fakerc.New(t, fakerc.WithClock(func() time.Time { return testNow }))
	u := fake.AddUser(fakerc.User{Username: "al" + evil, Password: hostilePassword, Email: "al" + evil + "@example.com", FirstName: evil, LastName: evil, Active: true})
	api := fake.InsertToken(fakerc.Token{UserID: u.ID, Role: fakerc.RoleAPI, Description: evil, Expires: -1})
	odd := fake.InsertToken(fakerc.Token{UserID: u.ID, Role: "token_role_" + evil, Description: evil, Expires: -1})
	fake.AddRepo(fakerc.Repo{Name: "team/" + evil})
	var revoke []int
	for range 4 {
		revoke = append(revoke, fake.InsertToken(fakerc.Token{UserID: u.ID, Role: fakerc.RoleFeed, Description: evil, Expires: -1}).ID)
	}
	id := func(n int) string { return strconv.Itoa(n) }

	e := newTestEnv(t)
	e.tty = true
	e.stdin = api.Secret + "\n"
	r := e.mustRun("auth", "login", "--url", fake.URL, "--with-token", "--name", "work")
	assertNoControls(t, "auth login", r.stdout+r.stderr)
	if !strings.Contains(r.stderr, "]0;title") {
		t.Errorf("auth login does not name the user: %q", r.stderr)
	}

	cases := []struct {
		name  string
		args  []string
		tty   bool
		shown string // what must be printed, sanitised ("" for --json)
		// sanitised: this --json prints the text sanitised, not whole.
		sanitised bool
		code      int
	}{
		{name: "auth login json", args: []string{"auth", "login", "--url", fake.URL, "--with-token", "--name", "work", "--json"}},
		{name: "auth status", args: []string{"auth", "status"}, tty: true, shown: "]0;title"},
		{name: "auth status piped", args: []string{"auth", "status"}, shown: "]0;title"},
		{name: "auth status json", args: []string{"auth", "status", "--json"}},
		{name: "setup-git", args: []string{"setup-git", "--password-stdin"}, tty: true, shown: "]0;title", code: 1}, // git cannot fetch that repository,
		{name: "setup-git json", args: []string{"setup-git", "--json"}},
		{name: "token list", args: []string{"token", "list", "--password-stdin"}, tty: true, shown: "]0;title"},
		{name: "token list piped", args: []string{"token", "list"}, shown: "]0;title"},
		{name: "token list debug", args: []string{"token", "list", "--debug"}, shown: "]0;title"},
		{name: "token list json", args: []string{"token", "list", "--json"}},
		{name: "token show json", args: []string{"token", "show", id(odd.ID), "--json"}},
		{name: "token create", args: []string{"token", "create", "--role", "feed", "--description", evil}, tty: true, shown: "Created token"},
		{name: "token create json", args: []string{"token", "create", "--role", "feed", "--description", evil, "--json"}},
		{name: "token revoke", args: []string{"token", "revoke", id(revoke[0]), "--yes"}, tty: true, shown: "]0;title"},
		{name: "token revoke piped", args: []string{"token", "revoke", id(revoke[1]), "--yes"}, shown: "]0;title"},
		{name: "token revoke debug", args: []string{"token", "revoke", id(revoke[2]), "--yes", "--debug"}, shown: "]0;title"},
		{name: "token revoke json", args: []string{"token", "revoke", id(revoke[3]), "--yes", "--json"}, sanitised: true},
		{name: "doctor", args: []string{"doctor"}, tty: true, shown: "]0;title", code: 1},
		{name: "doctor json", args: []string{"doctor", "--json"}, code: 1},
		{name: "auth logout", args: []string{"auth", "logout", "--revoke"}, tty: true, shown: "]0;title"}, // last: it logs out
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.tty = tc.tty
			e.stdin = ""
			if tc.args[0] == "auth" && tc.args[1] == "login" {
				e.stdin = api.Secret + "\n"
			} else if slices.Contains(tc.args, "--password-stdin") {
				e.stdin = hostilePassword + "\n"
			}
			r := e.run(tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
			}
			assertNoControls(t, tc.name, r.stdout+r.stderr)
			if !strings.Contains(r.stdout+r.stderr, tc.shown) {
				t.Errorf("%q not printed:\nstdout: %s\nstderr: %s", tc.shown, r.stdout, r.stderr)
			}
			if slices.Contains(tc.args, "--json") {
				var v any
				if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
					t.Fatalf("not JSON: %v\n%s", err, r.stdout)
				}
				if !tc.sanitised && !holdsEvil(v) {
					t.Errorf("the server's text is not in the JSON whole: %s", r.stdout)
				}
			}
		})
	}
}

// TestHostileErrorText: an error message from the server with terminal
// controls in it reaches the error line (or auth status's table) without
// them, with and without --debug.
func TestHostileErrorText(t *testing.T) {
	rpc := func(h *hostileEnv, w http.ResponseWriter, r *http.Request) {
		var req struct{ ID json.RawMessage }
		_ = json.Unmarshal([]byte(drain(r)), &req)
		q, _ := json.Marshal(evil)
		fmt.Fprintf(w, `{"id": %s, "result": null, "error": %s}`, req.ID, q)
	}
	form := reply(200, "text/html", fixed(`<html><body><form method="post"><input name="username"><span class="error-message">`+evil+`</span><input name="password"></form></body></html>`))
	// A page whose title, text and headers carry controls, for the
	// --debug trace. A header with C0 controls is malformed: Go's client
	// refuses the answer and quotes the line.
	page := func(header string) func(h *hostileEnv, w http.ResponseWriter, r *http.Request) {
		return func(h *hostileEnv, w http.ResponseWriter, r *http.Request) {
			drain(r)
			w.Header().Set("X-Evil", header)
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html><head><title>"+evil+"</title></head><body>"+evil+"</body></html>")
		}
	}
	bidi, c0 := page("w\u202Ev\u2066u"), page(strings.NewReplacer("\r", "", "\n", "").Replace(evil))
	runHostile(t, []hostileCase{
		{name: "page with controls/login", arm: on("", hApiPath, bidi), args: tokLogin, want: hostileWant{3, "HTML page"}},
		{name: "page with controls/token page", tls: true, arm: on(http.MethodGet, hTokensPath, bidi), args: listArgs, want: hostileWant{3, "not RhodeCode's auth-token list"}},
		{name: "malformed header/status", arm: on("", hApiPath, c0), args: statusArgs, want: hostileWant{1, "malformed MIME header line"}},
		{name: "malformed header/token page", arm: on(http.MethodGet, hTokensPath, c0), args: listArgs, want: hostileWant{3, "malformed MIME header line"}},
		{name: "json-rpc error/status", arm: on("", hApiPath, rpc), args: statusArgs, want: hostileWant{1, "]0;title"}},
		{name: "json-rpc error/login", tls: true, arm: on("", hApiPath, rpc), args: tokLogin, want: hostileWant{1, "]0;title"}},
		{name: "login form error", arm: on(http.MethodPost, hLoginPath, form), args: pwLogin, want: hostileWant{4, "]0;title"}},
	})
}

// TestWriteJSONEscapesControls: --json writes every character termtext
// would drop as an escape, inside strings only, and the value decodes
// unchanged (the unit behind TestHostileServerText's --json cases).
func TestWriteJSONEscapesControls(t *testing.T) {
	in := map[string]string{"s": evil + "\u007f\u009b\u200b\U000E0041 café 日本 🏴"}
	var b strings.Builder
	if err := writeJSON(&b, in); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07\r\u202E\u2066\u007f\u009b\u200b\U000E0041") {
		t.Errorf("raw controls: %+q", out)
	}
	if !strings.Contains(out, `\u202e`) || !strings.Contains(out, `\udb40\udc41`) || !strings.Contains(out, "café 日本 🏴") || !strings.HasPrefix(out, "{\n  \"s\"") {
		t.Errorf("escapes: %s", out)
	}
	var back map[string]string
	if err := json.Unmarshal([]byte(out), &back); err != nil || back["s"] != in["s"] {
		t.Errorf("round trip: %v, %+q", err, back["s"])
	}
}
