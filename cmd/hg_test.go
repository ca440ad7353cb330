package cmd

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/internal/hgtest"
	"github.com/rhodecode-cli/rhodecode/internal/testenv"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// userHgrc is a ~/.hgrc someone already has: setup-hg adds to it and
// logout and --remove give it back byte for byte.
const userHgrc = `# mine
[ui]
username = Alice <alice@example.com>
%include ~/.hgrc.d/extra.rc

[auth]
; an old server of someone else
old.prefix = hg.example.org
old.username = al
old.password = pw
`

// hgServer is gitServer plus a Mercurial repository alice may write.
func hgServer(t *testing.T, opts ...fakerc.Option) *fakerc.Server {
	t.Helper()
	srv := gitServer(t, opts...)
	srv.SeedHgRepo("team/hgapp", map[string]string{"README": "hello hg\n"})
	srv.GrantRepo("alice", "team/hgapp", "write")
	return srv
}

// hgFor runs real hg with the test's HOME: only its ~/.hgrc is read.
func hgFor(t *testing.T, e *testEnv) *hgtest.Client {
	t.Helper()
	hg := hgtest.New(t)
	hg.Home = e.home
	return hg
}

func (e *testEnv) readFile(rel string) string {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(e.home, rel))
	if err != nil && !os.IsNotExist(err) {
		e.t.Fatal(err)
	}
	return string(b)
}

const hgTokenRel = ".config/rhodecode/hg/work.rc"

// currentVCS is the managed VCS token as the store has it.
func currentVCS(t *testing.T, e *testEnv, srv *fakerc.Server) (string, int) {
	t.Helper()
	in, _ := readConfig(t, e).Instance("work")
	tok := in.VCSToken
	if tok == "" {
		var err error
		if tok, err = e.secret("work", srv.URL, keyring.AccountVCSToken); err != nil {
			t.Fatal(err)
		}
	}
	return tok, in.VCSTokenID
}

// TestHgEndToEnd: setup-hg, then real hg clone, push and pull with the
// config it wrote; rotation, re-mint after a rejection, logout and
// logout --revoke, reading the token file after each.
func TestHgEndToEnd(t *testing.T) {
	for _, storage := range []string{"file", "keyring"} {
		t.Run(storage, func(t *testing.T) {
			if storage == "keyring" && !testenv.Required(testenv.Keyring) {
				t.Skip("set RHODECODE_TEST_KEYRING=1 with a Secret Service running (.ci/keyring.sh)")
			}
			srv := hgServer(t)
			e := newTestEnv(t)
			hg := hgFor(t, e)
			if storage == "keyring" {
				e.secrets = keyring.New(keyring.DefaultTimeout)
				t.Cleanup(func() {
					for _, a := range []string{keyring.AccountAPIToken, keyring.AccountWebSession, keyring.AccountVCSToken} {
						svc, acct := secretRef(rhoderc.Instance{Name: "work", URL: srv.URL}, a)
						_ = e.secrets.Delete(t.Context(), svc, acct)
					}
				})
			}
			if err := os.WriteFile(filepath.Join(e.home, ".hgrc"), []byte(userHgrc), 0o644); err != nil {
				t.Fatal(err)
			}
			passwordLoginEnv(t, e, srv, "--storage", storage)
			e.tty = true
			r := e.mustRun("setup-hg")
			e.tty = false
			if !strings.Contains(r.stderr, "VCS token in the token file "+filepath.Join(e.home, hgTokenRel)) ||
				!strings.Contains(r.stderr, "check: ok (team/hgapp)") {
				t.Errorf("setup-hg said: %s", r.stderr)
			}
			hgrcAfter := e.readFile(".hgrc")
			r = e.mustRun("setup-hg", "--json")
			if !strings.Contains(r.stdout, `"verified": "ok (team/hgapp)"`) || !strings.Contains(r.stdout, `"vcs_token_created": false`) {
				t.Errorf("second run: %s", r.stdout)
			}
			if e.readFile(".hgrc") != hgrcAfter {
				t.Errorf("second setup-hg changed ~/.hgrc:\n%s", e.readFile(".hgrc"))
			}
			tok, id := currentVCS(t, e, srv)
			if !strings.HasPrefix(hgrcAfter, userHgrc) || strings.Contains(hgrcAfter, tok) ||
				!strings.Contains(hgrcAfter, "rhodecode_work.prefix = "+srv.URL+"/\nrhodecode_work.username = alice\nrhodecode_work.schemes = http\n%include "+filepath.Join(e.home, hgTokenRel)+"\n") {
				t.Fatalf("~/.hgrc:\n%s", hgrcAfter)
			}
			if fi, err := os.Stat(filepath.Join(e.home, hgTokenRel)); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("token file: %v %v", fi, err)
			}
			assertHgToken := func(want string) {
				t.Helper()
				if got := e.readFile(hgTokenRel); want == "" && got != "" || want != "" && !strings.Contains(got, "rhodecode_work.password = "+want+"\n") {
					t.Fatalf("token file = %q, want token %q", got, want)
				}
			}
			assertHgToken(tok)

			// Real hg: clone, commit, push, pull.
			work := t.TempDir()
			url := srv.RepoCloneURL("team/hgapp")
			hg.Must(work, "clone", "-q", url, "app")
			app := filepath.Join(work, "app")
			if err := os.WriteFile(filepath.Join(app, "new.txt"), []byte("x\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			hg.Must(app, "commit", "-q", "-A", "-m", "x")
			hg.Must(app, "push", "-q")
			hg.Must(app, "pull", "-q")
			for _, req := range srv.VCSRequests() {
				if req.Authenticated && req.Username != "alice" {
					t.Errorf("hg authenticated as %q", req.Username)
				}
			}

			// token rotate of the managed token: the copy follows.
			e.mustRun("token", "rotate", strconv.Itoa(id))
			tok2, id2 := currentVCS(t, e, srv)
			if tok2 == tok || id2 == id {
				t.Fatal("rotate did not replace the managed token")
			}
			assertHgToken(tok2)
			hg.Must(app, "pull", "-q")

			// Revoked on the server: hg fails with an authorization error.
			srv.RevokeToken(id2)
			if out, err := hg.Run(app, "pull"); err == nil || !strings.Contains(out, "authorization failed") {
				t.Fatalf("pull with a revoked token: %v\n%s", err, out)
			}
			// git's helper records the rejection (as git's erase does);
			// setup-git, or setup-hg, then mints a new one, and hg's copy
			// follows either.
			tok3 := tok2
			for _, setup := range []string{"setup-git", "setup-hg"} {
				e.stdin = "protocol=http\nhost=" + srv.Host() + "\nusername=alice\npassword=" + tok3 + "\n\n"
				e.mustRun("credential-helper", "erase")
				e.stdin = ""
				e.mustRun(setup)
				prev := tok3
				tok3, _ = currentVCS(t, e, srv)
				if tok3 == prev {
					t.Fatalf("%s: no new token after the rejection", setup)
				}
				assertHgToken(tok3)
				hg.Must(app, "pull", "-q")
			}

			// auth status knows.
			r = e.mustRun("auth", "status", "--json", "--offline")
			if !strings.Contains(r.stdout, `"hg": {`) || !strings.Contains(r.stdout, `"token": "current"`) {
				t.Errorf("status: %s", r.stdout)
			}

			// logout: no copy left, ~/.hgrc as it was.
			e.mustRun("auth", "logout", "work")
			assertHgToken("")
			if got := e.readFile(".hgrc"); got != userHgrc {
				t.Errorf("~/.hgrc after logout:\n%s", got)
			}
			if out, err := hg.Run(work, "clone", url, "again"); err == nil {
				t.Errorf("clone after logout worked:\n%s", out)
			}

			// logout --revoke: the token is gone on the server as well.
			passwordLoginEnv(t, e, srv, "--storage", storage)
			e.mustRun("setup-hg")
			tok4, id4 := currentVCS(t, e, srv)
			assertHgToken(tok4)
			e.stdin = "wonderland\n"
			e.mustRun("auth", "logout", "--revoke", "--password-stdin", "work")
			e.stdin = ""
			assertHgToken("")
			if got := e.readFile(".hgrc"); got != userHgrc {
				t.Errorf("~/.hgrc after logout --revoke:\n%s", got)
			}
			for _, tk := range srv.Tokens("alice") {
				if tk.ID == id4 {
					t.Error("logout --revoke left the VCS token on the server")
				}
			}
		})
	}
}

// TestSetupHgRemoveLocalAndBroken: --remove gives ~/.hgrc back byte for
// byte; --local writes the repository's .hg/hgrc; a broken hgrc is left
// alone and no token is made for it.
func TestSetupHgRemoveLocalAndBroken(t *testing.T) {
	srv := hgServer(t)
	e := newTestEnv(t)
	hg := hgFor(t, e)
	if err := os.WriteFile(filepath.Join(e.home, ".hgrc"), []byte(userHgrc), 0o644); err != nil {
		t.Fatal(err)
	}
	passwordLoginEnv(t, e, srv)
	e.mustRun("setup-hg")
	// A copy that is not the store's token shows in status; setup-hg
	// puts it right.
	tokenFile := filepath.Join(e.home, hgTokenRel)
	if err := os.WriteFile(tokenFile, []byte("[auth]\nrhodecode_work.password = old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.run("auth", "status", "--offline")
	if !strings.Contains(r.stdout, "\told VCS token: run rhodecode setup-hg\t") { // then the API token's expiry
		t.Errorf("status with a stale copy:\n%s", r.stdout)
	}
	e.mustRun("setup-hg")
	if r := e.mustRun("auth", "status", "--offline", "--json"); !strings.Contains(r.stdout, `"hg": {
          "configured": true,
          "token": "current",`) {
		t.Errorf("status after setup-hg:\n%s", r.stdout)
	}
	e.mustRun("setup-hg", "--remove")
	if got := e.readFile(".hgrc"); got != userHgrc {
		t.Errorf("~/.hgrc after --remove:\n%s", got)
	}
	if e.readFile(hgTokenRel) != "" {
		t.Error("--remove kept the token file")
	}

	// --local in a clone: .hg/hgrc gets the entry, ~/.hgrc nothing.
	work := t.TempDir()
	hg.Must(work, "clone", "-q", "--config", "auth.x.prefix="+srv.URL+"/", "--config", "auth.x.username=alice",
		"--config", "auth.x.password=wonderland", srv.RepoCloneURL("team/hgapp"), "app")
	app := filepath.Join(work, "app")
	repoRc, _ := os.ReadFile(filepath.Join(app, ".hg", "hgrc"))
	t.Chdir(filepath.Join(app, ".hg")) // anywhere inside the repository
	e.mustRun("setup-hg", "--local")
	if got := e.readFile(".hgrc"); got != userHgrc {
		t.Errorf("--local changed ~/.hgrc:\n%s", got)
	}
	hg.Must(app, "pull", "-q")
	e.mustRun("setup-hg", "--local", "--remove")
	if got, _ := os.ReadFile(filepath.Join(app, ".hg", "hgrc")); string(got) != string(repoRc) {
		t.Errorf(".hg/hgrc after --remove:\n%s", got)
	}
	if e.readFile(hgTokenRel) != "" {
		t.Error("--local --remove kept the token file")
	}
	t.Chdir(work)
	if r := e.run("setup-hg", "--local"); r.code != 1 || !strings.Contains(r.stderr, "not inside a Mercurial repository") {
		t.Errorf("--local outside a repository: %d %s", r.code, r.stderr)
	}

	// A file hg would refuse: left alone, and no token minted for it.
	broken := userHgrc + "this line is not hgrc\n"
	if err := os.WriteFile(filepath.Join(e.home, ".hgrc"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	before := len(srv.Tokens("alice"))
	in, _ := readConfig(t, e).Instance("work")
	if in.VCSTokenID == 0 {
		t.Fatal("no managed token to keep")
	}
	e.mustRun("token", "revoke", "--yes", strconv.Itoa(in.VCSTokenID)) // the next setup would mint
	r = e.run("setup-hg")
	if r.code != 1 || !strings.Contains(r.stderr, "line 11 is not valid hgrc syntax") {
		t.Errorf("broken hgrc: %d %s", r.code, r.stderr)
	}
	if e.readFile(".hgrc") != broken || len(srv.Tokens("alice")) != before-1 {
		t.Errorf("broken hgrc changed, or a token was made")
	}
}

// TestSetupHgFromEnvironment: CI mode, no config file.
func TestSetupHgFromEnvironment(t *testing.T) {
	srv := hgServer(t)
	tok := srv.AddToken("alice", fakerc.RoleVCS, "ci", -1)
	e := newTestEnv(t)
	hg := hgFor(t, e)
	e.env["RHODECODE_HOST"] = srv.URL
	e.env["RHODECODE_USERNAME"] = "alice"
	e.env["RHODECODE_VCS_TOKEN"] = tok.Secret
	e.mustRun("setup-hg")
	// Not "env": that is the name an instance "env" would have.
	entry := hgEntry(rhoderc.Instance{Name: "(env)"})
	if !strings.HasPrefix(entry, "rhodecode_env_") {
		t.Fatalf("CI's entry: %s", entry)
	}
	envRc := ".config/rhodecode/hg/" + strings.TrimPrefix(entry, "rhodecode_") + ".rc"
	if got := e.readFile(envRc); !strings.Contains(got, entry+".password = "+tok.Secret+"\n") {
		t.Fatalf("token file: %q", got)
	}
	if strings.Contains(e.readFile(".hgrc"), tok.Secret) {
		t.Fatal("the token went into ~/.hgrc")
	}
	hg.Must(t.TempDir(), "clone", "-q", srv.RepoCloneURL("team/hgapp"), "app")
	e.mustRun("setup-hg", "--remove")
	if e.readFile(".hgrc") != "" || e.readFile(envRc) != "" {
		t.Error("--remove left something")
	}
	delete(e.env, "RHODECODE_HOST")
	if r := e.run("setup-hg"); r.code != 2 || !strings.Contains(r.stderr, "RHODECODE_HOST") {
		t.Errorf("without RHODECODE_HOST: %d %s", r.code, r.stderr)
	}
}

// TestHgMercurialKeyring: with mercurial_keyring enabled and the
// instance's secrets in the real OS keyring, the token goes into the
// entry that extension reads, and hg (through the extension, against
// the real gnome-keyring) clones with it; rotate, logout follow it.
func TestHgMercurialKeyring(t *testing.T) {
	if !testenv.Required(testenv.Keyring) {
		t.Skip("set RHODECODE_TEST_KEYRING=1 with a Secret Service running (.ci/keyring.sh)")
	}
	hgtest.RequireKeyringExtension(t)
	srv := hgServer(t)
	e := newTestEnv(t)
	e.secrets = keyring.New(keyring.DefaultTimeout)
	hg := hgFor(t, e)
	// Debian 12: hg's lazy importer breaks python3-cryptography under
	// secretstorage ("substituted in sys.modules during a lazy load"), so
	// mercurial_keyring finds no keyring; HGDEMANDIMPORT=disable is the fix.
	hg.Env = append(hg.Env, "DBUS_SESSION_BUS_ADDRESS="+os.Getenv("DBUS_SESSION_BUS_ADDRESS"), "HGDEMANDIMPORT=disable")
	acct := "alice@@" + srv.URL + "/"
	t.Cleanup(func() {
		for _, a := range []string{keyring.AccountAPIToken, keyring.AccountWebSession, keyring.AccountVCSToken} {
			svc, ac := secretRef(rhoderc.Instance{Name: "work", URL: srv.URL}, a)
			_ = e.secrets.Delete(t.Context(), svc, ac)
		}
		_ = e.secrets.Delete(t.Context(), "Mercurial", acct)
	})
	rc := userHgrc + "\n[extensions]\nmercurial_keyring =\n"
	if err := os.WriteFile(filepath.Join(e.home, ".hgrc"), []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	passwordLoginEnv(t, e, srv, "--storage", "keyring")
	e.tty = true
	r := e.mustRun("setup-hg")
	e.tty = false
	if !strings.Contains(r.stderr, "VCS token in the OS keyring for mercurial_keyring (service Mercurial, user "+acct+")") {
		t.Errorf("setup-hg said: %s", r.stderr)
	}
	if got := e.readFile(".hgrc"); strings.Contains(got, "%include") && strings.Count(got, "%include") != 1 || e.readFile(hgTokenRel) != "" {
		t.Errorf("keyring path wrote a token file or an include:\n%s", got)
	}
	tok, id := currentVCS(t, e, srv)
	if got, err := e.secrets.Get(t.Context(), "Mercurial", acct); err != nil || got != tok {
		t.Fatalf("mercurial_keyring entry: %v (matches: %v)", err, got == tok)
	}
	hg.Must(t.TempDir(), "clone", "-q", srv.RepoCloneURL("team/hgapp"), "app")

	e.mustRun("token", "rotate", strconv.Itoa(id))
	tok2, _ := currentVCS(t, e, srv)
	if got, _ := e.secrets.Get(t.Context(), "Mercurial", acct); got != tok2 || tok2 == tok {
		t.Fatal("rotate did not update the mercurial_keyring entry")
	}
	hg.Must(t.TempDir(), "clone", "-q", srv.RepoCloneURL("team/hgapp"), "app")
	if r := e.mustRun("auth", "status", "--offline", "--json"); !strings.Contains(r.stdout, `"token": "current",
          "where": "`+filepath.Join(e.home, ".hgrc")+`, keyring Mercurial `+acct) {
		t.Errorf("status: %s", r.stdout)
	}

	e.mustRun("auth", "logout", "work")
	if _, err := e.secrets.Get(t.Context(), "Mercurial", acct); !keyring.IsNotFound(err) {
		t.Errorf("logout left the mercurial_keyring entry: %v", err)
	}
	if got := e.readFile(".hgrc"); got != rc {
		t.Errorf("~/.hgrc after logout:\n%s", got)
	}
}
