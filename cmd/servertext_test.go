package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
)

// hostile is server-supplied text that would retitle the window, clear
// the screen, start a new line and reverse the rest of it if printed raw.
const hostile = "mal\x1b]0;owned\x07lory\x1b[2J\nrm -rf\u202Etxt.exe"

// assertClean fails if out holds any of hostile's control characters or
// more lines than want.
func assertClean(t *testing.T, what, out string, lines int) {
	t.Helper()
	if strings.ContainsAny(out, "\x1b\x07\u202E") {
		t.Errorf("%s printed terminal controls: %+q", what, out)
	}
	if n := strings.Count(out, "\n"); n != lines {
		t.Errorf("%s printed %d lines, want %d: %+q", what, n, lines, out)
	}
}

// TestServerTextIsSanitised: a user name and a repository name from the
// server reach the terminal only through termtext, on a terminal and
// piped alike.
func TestServerTextIsSanitised(t *testing.T) {
	srv := fakerc.New(t)
	u := srv.AddUser(fakerc.User{Username: hostile, Password: "wonderland", Active: true})
	api := srv.InsertToken(fakerc.Token{UserID: u.ID, Role: fakerc.RoleAPI, Expires: -1})
	vcs := srv.InsertToken(fakerc.Token{UserID: u.ID, Role: fakerc.RoleVCS, Expires: -1})
	srv.AddRepo(fakerc.Repo{Name: "team/" + hostile})

	e := newTestEnv(t)
	e.tty = true
	e.stdin = api.Secret + "\n"
	r := e.mustRun("auth", "login", "--url", srv.URL, "--with-token", "--name", "work", "--storage", "file")
	assertClean(t, "auth login", r.stderr, 2) // the plain-text warning and the login line
	if !strings.Contains(r.stderr, "as mal]0;ownedlory[2J rm -rftxt.exe (instance") {
		t.Errorf("auth login: %q", r.stderr)
	}

	e.tty = false
	e.stdin = vcs.Secret + "\n"
	r = e.run("setup-git", "--with-token")
	assertClean(t, "setup-git", r.stderr, 1)
	if !strings.Contains(r.stderr, "as mal]0;ownedlory[2J rm -rftxt.exe; check: ") {
		t.Errorf("setup-git: %q", r.stderr)
	}
}

// TestLoginErrorNeverShowsToken: a server that quotes the request in its
// JSON-RPC error does not get the token into the error line, with or
// without --debug.
func TestLoginErrorNeverShowsToken(t *testing.T) {
	const tok = "f00dface0123456789abcdef0123456789abcdef"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		q, _ := json.Marshal("bad request: " + string(b))
		fmt.Fprintf(w, `{"id": 1, "result": null, "error": %s}`, q)
	}))
	defer srv.Close()
	for _, debug := range []bool{false, true} {
		e := newTestEnv(t)
		e.stdin = tok + "\n"
		args := []string{"auth", "login", "--url", srv.URL, "--with-token"}
		if debug {
			args = append(args, "--debug")
		}
		r := e.run(args...)
		if r.code == 0 || strings.Contains(r.stdout+r.stderr, tok[:12]) || !strings.Contains(r.stderr, `get_user: bad request: {"id":1,"auth_token":"[REDACTED]"`) {
			t.Errorf("debug=%v: exit %d\nstdout %q\nstderr %q", debug, r.code, r.stdout, r.stderr)
		}
	}
}
