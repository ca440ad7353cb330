package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/keyring"
)

// badSecret is what a broken or hostile server might hand out as a token:
// long enough, but with a window title, a bell and a line of its own.
const badSecret = "0123456789abcdef\x1b]0;owned\x07\nrm -rf ~"

// assertSecretRefused checks a command that got badSecret from the server
// failed without printing it, or any part of it beyond its harmless start.
func assertSecretRefused(t *testing.T, what string, r result) {
	t.Helper()
	if r.code == 0 || r.stdout != "" {
		t.Errorf("%s: exit %d, stdout %+q; want a failure and nothing on stdout", what, r.code, r.stdout)
	}
	if strings.ContainsAny(r.stderr, "\x1b\x07") || strings.Contains(r.stderr, "rm -rf") || strings.Contains(r.stderr, "0123456789abcdef") {
		t.Errorf("%s: stderr shows the secret: %+q", what, r.stderr)
	}
	if !strings.Contains(r.stderr, "not a token") {
		t.Errorf("%s: stderr does not say why: %+q", what, r.stderr)
	}
}

// TestShowRefusesMalformedSecret: token show prints a secret only if it
// looks like a token, in both page layouts (listed in full before 4.19,
// revealed through …/view after).
func TestShowRefusesMalformedSecret(t *testing.T) {
	for _, v := range layouts {
		t.Run(v, func(t *testing.T) {
			srv := fakeTokenServer(t, v)
			u, _ := srv.User("alice")
			bad := srv.InsertToken(fakerc.Token{UserID: u.ID, Secret: badSecret, Role: fakerc.RoleFeed, Description: "bad", Expires: -1})
			e := newTestEnv(t)
			passwordLoginEnv(t, e, srv)
			for _, args := range [][]string{{"token", "show", strconv.Itoa(bad.ID)}, {"token", "show", strconv.Itoa(bad.ID), "--json"}} {
				assertSecretRefused(t, strings.Join(args, " "), e.run(args...))
			}
		})
	}
}

// revealProxy is a reverse proxy in front of srv that, while bad is set,
// answers the 4.19+ reveal call (…/auth_tokens/view) with badSecret.
func revealProxy(t *testing.T, srv *fakerc.Server, bad *atomic.Bool) *httptest.Server {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		if !bad.Load() || !strings.HasSuffix(resp.Request.URL.Path, "/auth_tokens/view") || resp.StatusCode != http.StatusOK {
			return nil
		}
		b, _ := json.Marshal(map[string]string{"auth_token": badSecret})
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(b))
		resp.ContentLength = int64(len(b))
		resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	p := httptest.NewServer(rp)
	t.Cleanup(p.Close)
	return p
}

// TestCreateRefusesMalformedSecret: a secret that is not a token is
// neither printed nor stored, and the token the server made for it is
// deleted again; rotate keeps the old token.
func TestCreateRefusesMalformedSecret(t *testing.T) {
	srv := fakeTokenServer(t, "4.27.0")
	var bad atomic.Bool
	proxy := revealProxy(t, srv, &bad)
	e := newTestEnv(t)
	e.stdin = "wonderland\n"
	e.mustRun("auth", "login", "--url", proxy.URL, "--username", "alice", "--password-stdin", "--name", "work")
	e.stdin = ""
	apiBefore, _ := e.secret("work", proxy.URL, keyring.AccountAPIToken)
	bad.Store(true)

	n := len(srv.Tokens("alice"))
	assertSecretRefused(t, "token create", e.run("token", "create", "--role", "vcs"))
	assertSecretRefused(t, "token create --json", e.run("token", "create", "--role", "vcs", "--json"))
	if got := len(srv.Tokens("alice")); got != n {
		t.Errorf("%d token(s) left on the server for refused secrets", got-n)
	}

	own := readTokenID(t, e)
	assertSecretRefused(t, "token rotate", e.run("token", "rotate", own))
	if got, _ := e.secret("work", proxy.URL, keyring.AccountAPIToken); got != apiBefore {
		t.Error("rotate replaced the stored API token with a refused one")
	}
	kept := false
	for _, tk := range srv.Tokens("alice") {
		kept = kept || fmt.Sprint(tk.ID) == own
	}
	if !kept || len(srv.Tokens("alice")) != n {
		t.Errorf("rotate: old token kept %v, %d token(s) more", kept, len(srv.Tokens("alice"))-n)
	}

	// A password login that gets one saves nothing.
	e2 := newTestEnv(t)
	e2.stdin = "wonderland\n"
	assertSecretRefused(t, "auth login", e2.run("auth", "login", "--url", proxy.URL, "--username", "alice", "--password-stdin"))
	if got := len(srv.Tokens("alice")); got != n {
		t.Errorf("auth login left %d token(s) on the server", got-n)
	}
}
