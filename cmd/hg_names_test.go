package cmd

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/internal/testenv"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// loginAs logs alice in to srv as instance name.
func loginAs(t *testing.T, e *testEnv, srv *fakerc.Server, name string, extra ...string) {
	t.Helper()
	e.stdin = "wonderland\n"
	e.mustRun(append([]string{"auth", "login", "--url", srv.URL, "--username", "alice", "--password-stdin", "--name", name}, extra...)...)
	e.stdin = ""
}

// vcsTokenOf is the managed VCS token of instance name.
func vcsTokenOf(t *testing.T, e *testEnv, srv *fakerc.Server, name string) (string, int) {
	t.Helper()
	in, ok := readConfig(t, e).Instance(name)
	if !ok {
		t.Fatalf("no instance %s", name)
	}
	if in.VCSToken != "" {
		return in.VCSToken, in.VCSTokenID
	}
	tok, err := e.secret(name, srv.URL, keyring.AccountVCSToken)
	if err != nil {
		t.Fatal(err)
	}
	return tok, in.VCSTokenID
}

// TestHgInstanceNamesDoNotShare: instances "a.b" and "a_b" on two
// servers get an [auth] entry and a token file each; a new token of a.b
// never reaches b's server (real hg still clones from it with its own),
// and logging out of a.b leaves a_b's set-up alone.
func TestHgInstanceNamesDoNotShare(t *testing.T) {
	srvA, srvB := hgServer(t), hgServer(t)
	e := newTestEnv(t)
	hg := hgFor(t, e)
	loginAs(t, e, srvA, "a.b", "--storage", "file")
	loginAs(t, e, srvB, "a_b", "--storage", "file")
	e.mustRun("setup-hg", "-i", "a.b")
	e.mustRun("setup-hg", "-i", "a_b")
	tokA, idA := vcsTokenOf(t, e, srvA, "a.b")
	tokB, _ := vcsTokenOf(t, e, srvB, "a_b")

	dir := filepath.Join(e.home, ".config", "rhodecode", "hg")
	files, _ := filepath.Glob(filepath.Join(dir, "*.rc"))
	if len(files) != 2 {
		t.Fatalf("token files: %v", files)
	}
	fileB := filepath.Join(dir, "a_b.rc") // a plain name stays as it was
	hgrcB := "rhodecode_a_b.prefix = " + srvB.URL + "/\nrhodecode_a_b.username = alice\nrhodecode_a_b.schemes = http\n%include " + fileB + "\n"
	if got := e.readFile(".hgrc"); !strings.Contains(got, hgrcB) || !strings.Contains(got, srvA.URL+"/\n") {
		t.Fatalf("~/.hgrc:\n%s", got)
	}

	// A new token for a.b: rotate, and --with-token.
	e.mustRun("token", "rotate", "-i", "a.b", strconv.Itoa(idA))
	tokA2, _ := vcsTokenOf(t, e, srvA, "a.b")
	given := srvA.AddToken("alice", fakerc.RoleVCS, "given", -1)
	e.stdin = given.Secret + "\n"
	e.mustRun("setup-git", "-i", "a.b", "--with-token")
	e.stdin = ""
	for _, tok := range []string{tokA, tokA2, given.Secret} {
		if got, _ := os.ReadFile(fileB); strings.Contains(string(got), tok) {
			t.Fatalf("a.b's token went into a_b's token file")
		}
	}
	if got, _ := os.ReadFile(fileB); !strings.Contains(string(got), "rhodecode_a_b.password = "+tokB+"\n") {
		t.Fatalf("a_b's token file lost its token")
	}
	if !strings.Contains(e.readFile(".hgrc"), hgrcB) {
		t.Fatalf("a_b's entry changed:\n%s", e.readFile(".hgrc"))
	}
	hg.Must(t.TempDir(), "clone", "-q", srvA.RepoCloneURL("team/hgapp"), "a")
	hg.Must(t.TempDir(), "clone", "-q", srvB.RepoCloneURL("team/hgapp"), "b")
	for _, req := range srvB.VCSRequests() {
		if req.Authenticated && req.Username != "alice" {
			t.Errorf("b's server saw %q", req.Username)
		}
	}

	// logout a.b: a_b keeps its entry and token file.
	e.mustRun("auth", "logout", "a.b")
	if got := e.readFile(".hgrc"); !strings.Contains(got, hgrcB) || strings.Contains(got, srvA.URL) {
		t.Fatalf("~/.hgrc after logout a.b:\n%s", got)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.rc")); len(files) != 1 || files[0] != fileB {
		t.Fatalf("token files after logout a.b: %v", files)
	}
	if r := e.mustRun("auth", "status", "-i", "a_b", "--offline", "--json"); !strings.Contains(r.stdout, `"token": "current",
          "where": "`+filepath.Join(e.home, ".hgrc")+", "+fileB) {
		t.Errorf("status of a_b: %s", r.stdout)
	}
	hg.Must(t.TempDir(), "clone", "-q", srvB.RepoCloneURL("team/hgapp"), "b")
}

// TestHgEntryOfAnotherServer: an [auth] entry of the instance's name
// whose prefix is another server's (a set-up made before names were
// kept apart) is not the instance's: token changes and logout leave it
// and its token file alone, and status does not count it.
func TestHgEntryOfAnotherServer(t *testing.T) {
	srv := hgServer(t)
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv, "--storage", "file")
	tokenFile := filepath.Join(e.home, hgTokenRel)
	rc := userHgrc + "rhodecode_work.prefix = https://other.example.com/\nrhodecode_work.username = bob\n%include " + tokenFile + "\n"
	theirs := "[auth]\nrhodecode_work.password = bobs-secret\n"
	if err := os.WriteFile(filepath.Join(e.home, ".hgrc"), []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(tokenFile), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tokenFile, []byte(theirs), 0o600); err != nil {
		t.Fatal(err)
	}
	given := srv.AddToken("alice", fakerc.RoleVCS, "given", -1)
	e.stdin = given.Secret + "\n"
	e.mustRun("setup-git", "--with-token")
	e.stdin = ""
	if got := e.readFile(hgTokenRel); got != theirs {
		t.Fatalf("another server's token file was rewritten: %q", got)
	}
	if r := e.mustRun("auth", "status", "--offline", "--json"); !strings.Contains(r.stdout, `"hg": {
          "configured": false`) {
		t.Errorf("status: %s", r.stdout)
	}
	e.mustRun("auth", "logout", "work")
	if e.readFile(hgTokenRel) != theirs || e.readFile(".hgrc") != rc {
		t.Fatal("logout touched another server's entry")
	}
}

// TestHgTokenFileFromInclude: logout removes the token file the entry
// includes even when $XDG_CONFIG_HOME differs from setup-hg's.
func TestHgTokenFileFromInclude(t *testing.T) {
	srv := hgServer(t)
	e := newTestEnv(t)
	if err := os.WriteFile(filepath.Join(e.home, ".hgrc"), []byte(userHgrc), 0o644); err != nil {
		t.Fatal(err)
	}
	xdg := t.TempDir()
	passwordLoginEnv(t, e, srv)
	e.env["XDG_CONFIG_HOME"] = xdg
	e.mustRun("setup-hg")
	tokenFile := filepath.Join(xdg, "rhodecode", "hg", "work.rc")
	if _, err := os.Stat(tokenFile); err != nil {
		t.Fatal(err)
	}
	delete(e.env, "XDG_CONFIG_HOME")
	e.mustRun("auth", "logout", "work")
	if _, err := os.Stat(tokenFile); !os.IsNotExist(err) {
		t.Errorf("logout left the token file: %v", err)
	}
	if got := e.readFile(".hgrc"); got != userHgrc {
		t.Errorf("~/.hgrc after logout:\n%s", got)
	}

	// setup-hg --remove, and setup-hg again, the other way round.
	passwordLoginEnv(t, e, srv)
	e.mustRun("setup-hg")
	e.env["XDG_CONFIG_HOME"] = xdg
	e.mustRun("setup-hg") // moves the token file; no second %include
	if got := e.readFile(".hgrc"); strings.Count(got, "%include "+filepath.Join(e.home, hgTokenRel)) != 0 || e.readFile(hgTokenRel) != "" {
		t.Errorf("the old token file stayed in use:\n%s", got)
	}
	delete(e.env, "XDG_CONFIG_HOME")
	e.mustRun("setup-hg", "--remove")
	if _, err := os.Stat(tokenFile); !os.IsNotExist(err) {
		t.Errorf("--remove left the token file: %v", err)
	}
	if got := e.readFile(".hgrc"); got != userHgrc {
		t.Errorf("~/.hgrc after --remove:\n%s", got)
	}
}

// TestHgKeepsUsersKeyringPassword: mercurial_keyring's entry for the
// server is the user's own password unless it holds the tool's VCS
// token; setup-hg, --remove and logout delete only the tool's.
func TestHgKeepsUsersKeyringPassword(t *testing.T) {
	srv := hgServer(t)
	e := newTestEnv(t)
	if testenv.Required(testenv.Keyring) {
		e.secrets = keyring.New(keyring.DefaultTimeout)
	}
	acct := "alice@@" + srv.URL + "/"
	t.Cleanup(func() { _ = e.secrets.Delete(t.Context(), "Mercurial", acct) })
	passwordLoginEnv(t, e, srv, "--storage", "keyring")
	t.Cleanup(func() {
		for _, a := range []string{keyring.AccountAPIToken, keyring.AccountWebSession, keyring.AccountVCSToken} {
			svc, ac := secretRef(rhoderc.Instance{Name: "work", URL: srv.URL}, a)
			_ = e.secrets.Delete(t.Context(), svc, ac)
		}
	})
	if err := e.secrets.Set(t.Context(), "Mercurial", acct, "alices-own"); err != nil {
		t.Fatal(err)
	}
	own := func(when string) {
		t.Helper()
		if got, err := e.secrets.Get(t.Context(), "Mercurial", acct); err != nil || got != "alices-own" {
			t.Fatalf("%s: mercurial_keyring entry %v (kept: %v)", when, err, got == "alices-own")
		}
	}
	// No mercurial_keyring in ~/.hgrc: the token file.
	e.mustRun("setup-hg")
	own("setup-hg")
	e.mustRun("setup-hg", "--remove")
	own("setup-hg --remove")
	e.mustRun("setup-hg")
	e.mustRun("auth", "logout", "work")
	own("logout")

	// With mercurial_keyring the tool's token goes there, and goes again.
	passwordLoginEnv(t, e, srv, "--storage", "keyring")
	rc := "[extensions]\nmercurial_keyring =\n"
	if err := os.WriteFile(filepath.Join(e.home, ".hgrc"), []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	e.mustRun("setup-hg")
	tok, _ := currentVCS(t, e, srv)
	if got, _ := e.secrets.Get(t.Context(), "Mercurial", acct); got != tok {
		t.Fatal("setup-hg did not put the token into mercurial_keyring's entry")
	}
	e.mustRun("auth", "logout", "work")
	if _, err := e.secrets.Get(t.Context(), "Mercurial", acct); !keyring.IsNotFound(err) {
		t.Errorf("logout left the tool's token in mercurial_keyring's entry: %v", err)
	}
	if got := e.readFile(".hgrc"); got != rc {
		t.Errorf("~/.hgrc after logout:\n%s", got)
	}
}
