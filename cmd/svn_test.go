package cmd

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/internal/secret"
	"github.com/rhodecode-cli/rhodecode/internal/svnauth"
	"github.com/rhodecode-cli/rhodecode/keyring/keyringtest"
)

// svnServer is gitServer plus the Subversion repository team/svnapp,
// behind a real Apache mod_dav_svn, that alice may write. Without svn or
// Apache the test is skipped (failed under RHODECODE_TEST_SVN=1).
func svnServer(t *testing.T) (*fakerc.Server, string) {
	t.Helper()
	fakerc.RequireSVN(t)
	srv := gitServer(t)
	repoURL := fakerc.StartSVN(t, srv, "team/svnapp")
	srv.GrantRepo("alice", "team/svnapp", "write")
	return srv, repoURL
}

// svnIn runs the real svn with --non-interactive, the test's HOME and
// --config-dir dir: only what setup-svn wrote authenticates it.
func svnIn(t *testing.T, e *testEnv, dir string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args = append([]string{"--non-interactive", "--config-dir", dir}, args...)
	cmd := exec.CommandContext(ctx, "svn", args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + e.home, "LANG=C", "LC_ALL=C"}
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("svn %s: timed out (a prompt?)\n%s", strings.Join(args, " "), out)
	}
	return string(out), err
}

func svnMust(t *testing.T, e *testEnv, dir string, args ...string) string {
	t.Helper()
	out, err := svnIn(t, e, dir, args...)
	if err != nil {
		t.Fatalf("svn %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// svnEntry is alice's svn.simple entry for srv under dir, "" if none.
func svnEntry(t *testing.T, dir string, srv *fakerc.Server) (path, content string) {
	t.Helper()
	path = svnauth.Path(dir, "<http://"+srv.Host()+"> RhodeCode")
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return path, string(b)
}

// assertSVNToken checks that svn's entry holds alice and want ("": no
// entry), mode 0600.
func assertSVNToken(t *testing.T, dir string, srv *fakerc.Server, want string) {
	t.Helper()
	path, content := svnEntry(t, dir, srv)
	if want == "" {
		if content != "" {
			t.Fatalf("%s still there:\n%s", path, content)
		}
		return
	}
	held, err := svnauth.Holds(dir, "<http://"+srv.Host()+"> RhodeCode", "alice", want)
	if err != nil || !held {
		t.Fatalf("svn entry does not hold the current token (%v):\n%s", err, content)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("svn entry mode: %v %v", fi, err)
	}
}

// TestSvnEndToEnd: setup-svn, then real svn checkout, commit and update
// with only the entry it wrote; rotation, a revoked token, re-mint after a
// rejection, logout and logout --revoke, reading the entry after each.
func TestSvnEndToEnd(t *testing.T) {
	srv, repoURL := svnServer(t)
	e := newTestEnv(t)
	dir := filepath.Join(e.home, ".subversion")
	realm := "<http://" + srv.Host() + "> RhodeCode"
	passwordLoginEnv(t, e, srv)
	e.tty = true
	r := e.mustRun("setup-svn")
	e.tty = false
	path, entry := svnEntry(t, dir, srv)
	if !strings.Contains(r.stderr, "svn is set up for work ("+srv.URL+") as alice: realm "+realm+", VCS token in "+path+" (plain text, mode 0600") ||
		!strings.Contains(r.stderr, "check: ok (team/svnapp)") {
		t.Errorf("setup-svn said: %s", r.stderr)
	}
	if in, _ := readConfig(t, e).Instance("work"); in.SVNRealm != realm || in.SVNConfigDir != "" {
		t.Errorf("config file: svn_realm %q, svn_config_dir %q", in.SVNRealm, in.SVNConfigDir)
	}
	tok, id := currentVCS(t, e, srv)
	assertSVNToken(t, dir, srv, tok)

	// Idempotent: nothing minted, the entry byte for byte.
	r = e.mustRun("setup-svn", "--json")
	if !strings.Contains(r.stdout, `"verified": "ok (team/svnapp)"`) || !strings.Contains(r.stdout, `"vcs_token_created": false`) ||
		!strings.Contains(r.stdout, `"file": "`+path+`"`) {
		t.Errorf("second run: %s", r.stdout)
	}
	if _, again := svnEntry(t, dir, srv); again != entry {
		t.Errorf("second setup-svn changed the entry:\n%s", again)
	}

	// Real svn: checkout, commit, update.
	wc := filepath.Join(t.TempDir(), "wc")
	svnMust(t, e, dir, "checkout", repoURL+"/trunk", wc)
	if b, _ := os.ReadFile(filepath.Join(wc, "README.txt")); string(b) != "Hello from team/svnapp\n" {
		t.Fatalf("README.txt = %q", b)
	}
	if err := os.WriteFile(filepath.Join(wc, "new.txt"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	svnMust(t, e, dir, "add", filepath.Join(wc, "new.txt"))
	if out := svnMust(t, e, dir, "commit", "-m", "x", wc); !strings.Contains(out, "Committed revision 2") {
		t.Fatalf("commit: %s", out)
	}
	svnMust(t, e, dir, "update", wc)
	pushes := 0
	for _, req := range srv.VCSRequests() {
		if req.Authenticated && req.Username != "alice" {
			t.Errorf("svn authenticated as %q", req.Username)
		}
		if req.Authenticated && req.Action == "push" {
			pushes++
		}
	}
	if pushes == 0 {
		t.Error("the commit made no authenticated write request")
	}

	// token rotate of the managed token: the entry follows.
	e.mustRun("token", "rotate", strconv.Itoa(id))
	tok2, id2 := currentVCS(t, e, srv)
	if tok2 == tok || id2 == id {
		t.Fatal("rotate did not replace the managed token")
	}
	assertSVNToken(t, dir, srv, tok2)
	svnMust(t, e, dir, "update", wc)

	// Revoked on the server: svn fails with an authorization error, and
	// asks nobody.
	srv.RevokeToken(id2)
	if out, err := svnIn(t, e, dir, "update", wc); err == nil || !strings.Contains(out, "E215004") {
		t.Fatalf("update with a revoked token: %v\n%s", err, out)
	}
	// git's helper records the rejection; setup-git or setup-svn then
	// mints a new one, and svn's entry follows either.
	tok3 := tok2
	for _, setup := range []string{"setup-git", "setup-svn"} {
		e.stdin = "protocol=http\nhost=" + srv.Host() + "\nusername=alice\npassword=" + tok3 + "\n\n"
		e.mustRun("credential-helper", "erase")
		e.stdin = ""
		e.mustRun(setup)
		prev := tok3
		tok3, _ = currentVCS(t, e, srv)
		if tok3 == prev {
			t.Fatalf("%s: no new token after the rejection", setup)
		}
		assertSVNToken(t, dir, srv, tok3)
		svnMust(t, e, dir, "update", wc)
	}

	r = e.mustRun("auth", "status", "--json", "--offline")
	if !strings.Contains(r.stdout, `"svn": {
          "configured": true,
          "token": "current",
          "where": "`+path+`"`) {
		t.Errorf("status: %s", r.stdout)
	}

	// logout: no entry left, svn fails.
	e.mustRun("auth", "logout", "work")
	assertSVNToken(t, dir, srv, "")
	if out, err := svnIn(t, e, dir, "update", wc); err == nil {
		t.Errorf("update after logout worked:\n%s", out)
	}

	// logout --revoke: the token is gone on the server as well.
	passwordLoginEnv(t, e, srv)
	e.mustRun("setup-svn")
	tok4, id4 := currentVCS(t, e, srv)
	assertSVNToken(t, dir, srv, tok4)
	e.stdin = "wonderland\n"
	e.mustRun("auth", "logout", "--revoke", "--password-stdin", "work")
	e.stdin = ""
	assertSVNToken(t, dir, srv, "")
	for _, tk := range srv.Tokens("alice") {
		if tk.ID == id4 {
			t.Error("logout --revoke left the VCS token on the server")
		}
	}
}

// TestSetupSvnRemoveAndStatus: a stale entry shows in auth status and
// setup-svn puts it right; --remove takes out only our entry; an entry
// svn could not read is left alone and no token is made for it;
// --config-dir writes (and logout removes) the entry there.
func TestSetupSvnRemoveAndStatus(t *testing.T) {
	srv, repoURL := svnServer(t)
	e := newTestEnv(t)
	dir := filepath.Join(e.home, ".subversion")
	realm := "<http://" + srv.Host() + "> RhodeCode"
	passwordLoginEnv(t, e, srv)
	e.mustRun("setup-svn")
	old := svnauth.Entry{RealmString: realm, Username: "alice", Password: secret.New("old")}
	if err := svnauth.Write(dir, old); err != nil {
		t.Fatal(err)
	}
	if r := e.run("auth", "status", "--offline"); !strings.Contains(r.stdout, "\told VCS token: run rhodecode setup-svn\t") {
		t.Errorf("status with a stale entry:\n%s", r.stdout)
	}
	e.mustRun("setup-svn")
	tok, _ := currentVCS(t, e, srv)
	assertSVNToken(t, dir, srv, tok)

	e.tty = true
	r := e.mustRun("setup-svn", "--remove")
	e.tty = false
	if !strings.Contains(r.stderr, "Removed svn's credentials for "+srv.URL) {
		t.Errorf("--remove said: %s", r.stderr)
	}
	assertSVNToken(t, dir, srv, "")
	if in, _ := readConfig(t, e).Instance("work"); in.SVNRealm != "" {
		t.Errorf("--remove kept svn_realm %q", in.SVNRealm)
	}
	e.mustRun("setup-svn", "--remove") // nothing left: fine

	// Another user's entry for the realm: --remove and logout keep it.
	e.mustRun("setup-svn")
	bob := svnauth.Entry{RealmString: realm, Username: "bob", Password: secret.New("bobs")}
	if err := os.Remove(svnauth.Path(dir, realm)); err != nil { // Write keeps alice's
		t.Fatal(err)
	}
	if err := svnauth.Write(dir, bob); err != nil {
		t.Fatal(err)
	}
	e.mustRun("setup-svn", "--remove")
	if got, err := svnauth.Read(dir, realm); err != nil || got.Username != "bob" {
		t.Errorf("--remove took bob's entry: %v %+v", err, got)
	}

	// An entry svn could not read: left alone, no token minted for it.
	path, _ := svnEntry(t, dir, srv)
	if err := os.WriteFile(path, []byte("not svn's format\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Revoked, and git says so: the next setup would mint.
	in, _ := readConfig(t, e).Instance("work")
	e.mustRun("token", "revoke", "--yes", strconv.Itoa(in.VCSTokenID))
	e.stdin = "protocol=http\nhost=" + srv.Host() + "\nusername=alice\npassword=" + tok + "\n\n"
	e.mustRun("credential-helper", "erase")
	e.stdin = ""
	before := len(srv.Tokens("alice"))
	if r := e.run("setup-svn"); r.code != 1 || !strings.Contains(r.stderr, "not an svn credentials file") {
		t.Errorf("unparseable entry: %d %s", r.code, r.stderr)
	}
	if _, got := svnEntry(t, dir, srv); got != "not svn's format\n" || len(srv.Tokens("alice")) != before {
		t.Errorf("unparseable entry changed (%q), or a token was made", got)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}

	// --config-dir: the entry goes there, svn reads it there, logout
	// removes it.
	other := filepath.Join(t.TempDir(), "svn-config")
	e.mustRun("setup-svn", "--config-dir", other)
	tok, _ = currentVCS(t, e, srv)
	assertSVNToken(t, other, srv, tok)
	assertSVNToken(t, dir, srv, "")
	if in, _ := readConfig(t, e).Instance("work"); in.SVNConfigDir != other {
		t.Errorf("svn_config_dir = %q", in.SVNConfigDir)
	}
	svnMust(t, e, other, "checkout", repoURL+"/trunk", filepath.Join(t.TempDir(), "wc"))
	e.mustRun("auth", "logout", "work")
	assertSVNToken(t, other, srv, "")
}

// TestSetupSvnFromEnvironment: CI mode, no config file.
func TestSetupSvnFromEnvironment(t *testing.T) {
	srv, repoURL := svnServer(t)
	tok := srv.AddToken("alice", fakerc.RoleVCS, "ci", -1)
	e := newTestEnv(t)
	dir := filepath.Join(e.home, ".subversion")
	e.env["RHODECODE_HOST"] = srv.URL
	e.env["RHODECODE_USERNAME"] = "alice"
	e.env["RHODECODE_VCS_TOKEN"] = tok.Secret
	if r := e.run("setup-svn"); r.code != 2 || !strings.Contains(r.stderr, "pass --repo NAME") {
		t.Errorf("without --repo or an API token: %d %s", r.code, r.stderr)
	}
	e.mustRun("setup-svn", "--repo", "team/svnapp")
	assertSVNToken(t, dir, srv, tok.Secret)
	svnMust(t, e, dir, "checkout", repoURL+"/trunk", filepath.Join(t.TempDir(), "wc"))
	if _, err := os.Stat(e.config); !os.IsNotExist(err) {
		t.Errorf("CI mode wrote a config file: %v", err)
	}
	e.mustRun("setup-svn", "--remove", "--repo", "team/svnapp")
	assertSVNToken(t, dir, srv, "")

	// With an API token too, get_repos finds the repository.
	e.env["RHODECODE_TOKEN"] = srv.AddToken("alice", fakerc.RoleAPI, "ci api", -1).Secret
	e.mustRun("setup-svn")
	assertSVNToken(t, dir, srv, tok.Secret)
	e.mustRun("setup-svn", "--remove")
	assertSVNToken(t, dir, srv, "")

	delete(e.env, "RHODECODE_HOST")
	if r := e.run("setup-svn"); r.code != 2 || !strings.Contains(r.stderr, "RHODECODE_HOST") {
		t.Errorf("without RHODECODE_HOST: %d %s", r.code, r.stderr)
	}
}

// TestSetupSvnNoRepository: without an svn repository to ask for the
// realm, a clear error and no token; needs no svn.
func TestSetupSvnNoRepository(t *testing.T) {
	srv := gitServer(t)
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv)
	before := len(srv.Tokens("alice"))
	r := e.run("setup-svn")
	if r.code != 1 || !strings.Contains(r.stderr, "you can read no Subversion repository on "+srv.URL) || !strings.Contains(r.stderr, "--repo NAME") {
		t.Errorf("no svn repository: %d %s", r.code, r.stderr)
	}
	if r := e.run("setup-svn", "--repo", "team/app"); r.code != 1 || !strings.Contains(r.stderr, `no Subversion repository "team/app" there`) {
		t.Errorf("--repo of a git repository: %d %s", r.code, r.stderr)
	}
	if len(srv.Tokens("alice")) != before {
		t.Error("a token was made without an svn entry to put it in")
	}
	if _, err := os.Stat(filepath.Join(e.home, ".subversion")); !os.IsNotExist(err) {
		t.Errorf("~/.subversion was created: %v", err)
	}
}

// TestSetupSvnWithTokenAndAlias: --with-token puts a token from stdin in
// the store and svn's entry; auth setup-svn is the same command; --all
// sets up every instance.
func TestSetupSvnWithTokenAndAlias(t *testing.T) {
	srv, repoURL := svnServer(t)
	e := newTestEnv(t)
	dir := filepath.Join(e.home, ".subversion")
	passwordLoginEnv(t, e, srv)
	mine := srv.AddToken("alice", fakerc.RoleVCS, "from a file", -1)
	e.stdin = mine.Secret + "\n"
	r := e.mustRun("auth", "setup-svn", "--with-token", "--json")
	e.stdin = ""
	if !strings.Contains(r.stdout, `"verified": "ok (team/svnapp)"`) {
		t.Errorf("auth setup-svn --with-token: %s", r.stdout)
	}
	if tok, _ := currentVCS(t, e, srv); tok != mine.Secret {
		t.Fatal("--with-token did not store the token")
	}
	assertSVNToken(t, dir, srv, mine.Secret)
	svnMust(t, e, dir, "checkout", repoURL+"/trunk", filepath.Join(t.TempDir(), "wc"))

	if r := e.run("setup-svn", "--all", "--repo", "team/svnapp"); r.code != 2 {
		t.Errorf("--all --repo: %d %s", r.code, r.stderr)
	}
	e.mustRun("setup-svn", "--remove", "--all")
	assertSVNToken(t, dir, srv, "")
	e.mustRun("setup-svn", "--all")
	assertSVNToken(t, dir, srv, mine.Secret)
}

// TestSetupSvnLockedKeyring: a keyring that cannot be read is that error,
// not "pass --repo" (which only a missing API token means); nothing is
// written. No svn needed: it stops before any repository is asked.
func TestSetupSvnLockedKeyring(t *testing.T) {
	srv := gitServer(t)
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv) // keyring storage
	e.secrets.(*keyringtest.Mem).Err = errKeyringLocked
	r := e.run("setup-svn")
	if r.code != ExitError || strings.Contains(r.stderr, "--repo") || !strings.Contains(r.stderr, "keyring is locked") {
		t.Errorf("locked keyring: exit %d %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(e.home, ".subversion")); !os.IsNotExist(err) {
		t.Errorf("setup-svn wrote svn's config: %v", err)
	}
}

// TestSetupSvnOtherUsersEntry: svn's entry for the realm holds another
// user name (the user's own svn password, say): setup-svn leaves it as it
// was, mints no token, and says which file to remove; after that it works.
func TestSetupSvnOtherUsersEntry(t *testing.T) {
	srv, _ := svnServer(t)
	e := newTestEnv(t)
	dir := filepath.Join(e.home, ".subversion")
	realm := "<http://" + srv.Host() + "> RhodeCode"
	passwordLoginEnv(t, e, srv)
	if err := svnauth.Write(dir, svnauth.Entry{RealmString: realm, Username: "bob", Password: secret.New("bobs-own-password")}); err != nil {
		t.Fatal(err)
	}
	path, before := svnEntry(t, dir, srv)
	tokens := len(srv.Tokens("alice"))
	r := e.run("setup-svn")
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, path) || !strings.Contains(r.stderr, "bob") {
		t.Errorf("another user's entry: exit %d %q", r.code, r.stderr)
	}
	if _, got := svnEntry(t, dir, srv); got != before || len(srv.Tokens("alice")) != tokens {
		t.Errorf("the entry changed or a token was minted:\n%s", got)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	e.mustRun("setup-svn")
	if _, got := svnEntry(t, dir, srv); !strings.Contains(got, "alice") {
		t.Errorf("after removing it: %s", got)
	}
}
