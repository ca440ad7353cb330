package cmd

import (
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
