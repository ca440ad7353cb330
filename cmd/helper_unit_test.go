package cmd

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/internal/gitcred"
	"github.com/rhodecode-cli/rhodecode/keyring/keyringtest"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

func TestMatchInstance(t *testing.T) {
	in := func(name, url, user string) rhoderc.Instance {
		return rhoderc.Instance{Name: name, URL: url, Username: user}
	}
	type req = gitcred.Credential
	code := in("code", "https://code.example.com", "alice")
	plain := in("plain", "http://code.example.com", "alice")
	a := in("a", "https://code.example.com/a", "alice")
	ab := in("ab", "https://code.example.com/a/b", "alice")
	b := in("b", "https://code.example.com/b", "alice")
	bob := in("bob", "https://code.example.com", "bob")
	for _, tc := range []struct {
		name      string
		instances []rhoderc.Instance
		q         gitcred.Credential
		want      string // instance name, "" for no answer
	}{
		{"same scheme and host", []rhoderc.Instance{code}, req{Protocol: "https", Host: "code.example.com"}, "code"},
		{"http request, https instance", []rhoderc.Instance{code}, req{Protocol: "http", Host: "code.example.com"}, ""},
		{"https request, http instance", []rhoderc.Instance{plain}, req{Protocol: "https", Host: "code.example.com"}, ""},
		{"scheme picks the instance", []rhoderc.Instance{code, plain}, req{Protocol: "http", Host: "code.example.com"}, "plain"},
		{"host case", []rhoderc.Instance{code}, req{Protocol: "https", Host: "CODE.Example.COM"}, "code"},
		{"instance host case", []rhoderc.Instance{in("x", "https://Code.EXAMPLE.com", "alice")}, req{Protocol: "https", Host: "code.example.com"}, "x"},
		{"request has :443", []rhoderc.Instance{code}, req{Protocol: "https", Host: "code.example.com:443"}, "code"},
		{"instance has :443", []rhoderc.Instance{in("x", "https://code.example.com:443", "alice")}, req{Protocol: "https", Host: "code.example.com"}, "x"},
		{"request has :80", []rhoderc.Instance{plain}, req{Protocol: "http", Host: "code.example.com:80"}, "plain"},
		{"instance has :80", []rhoderc.Instance{in("x", "http://code.example.com:80", "alice")}, req{Protocol: "http", Host: "code.example.com"}, "x"},
		{":80 is not https's default", []rhoderc.Instance{code}, req{Protocol: "https", Host: "code.example.com:80"}, ""},
		{":443 is not http's default", []rhoderc.Instance{plain}, req{Protocol: "http", Host: "code.example.com:443"}, ""},
		{"other port in request", []rhoderc.Instance{code}, req{Protocol: "https", Host: "code.example.com:8443"}, ""},
		{"other port in instance", []rhoderc.Instance{in("x", "https://code.example.com:8443", "alice")}, req{Protocol: "https", Host: "code.example.com"}, ""},
		{"same non-default port", []rhoderc.Instance{in("x", "https://code.example.com:8443", "alice")}, req{Protocol: "https", Host: "code.example.com:8443"}, "x"},
		{"path under prefix", []rhoderc.Instance{a}, req{Protocol: "https", Host: "code.example.com", Path: "a/repo.git"}, "a"},
		{"path is the prefix", []rhoderc.Instance{a}, req{Protocol: "https", Host: "code.example.com", Path: "a"}, "a"},
		{"path is the prefix with slash", []rhoderc.Instance{a}, req{Protocol: "https", Host: "code.example.com", Path: "a/"}, "a"},
		{"path shares characters only", []rhoderc.Instance{a}, req{Protocol: "https", Host: "code.example.com", Path: "ab/repo.git"}, ""},
		{"path elsewhere", []rhoderc.Instance{a}, req{Protocol: "https", Host: "code.example.com", Path: "team/repo.git"}, ""},
		{"root instance serves any path", []rhoderc.Instance{code}, req{Protocol: "https", Host: "code.example.com", Path: "team/repo.git"}, "code"},
		{"longest prefix", []rhoderc.Instance{a, ab}, req{Protocol: "https", Host: "code.example.com", Path: "a/b/repo.git"}, "ab"},
		{"longest prefix, other order", []rhoderc.Instance{ab, a}, req{Protocol: "https", Host: "code.example.com", Path: "a/b/repo.git"}, "ab"},
		{"shorter prefix when the longer does not serve", []rhoderc.Instance{ab, a}, req{Protocol: "https", Host: "code.example.com", Path: "a/c/repo.git"}, "a"},
		{"b-prefix is not a/b", []rhoderc.Instance{a, ab, b}, req{Protocol: "https", Host: "code.example.com", Path: "b/repo.git"}, "b"},
		{"root and prefix, path under prefix", []rhoderc.Instance{code, a}, req{Protocol: "https", Host: "code.example.com", Path: "a/repo.git"}, "a"},
		{"root and prefix, path outside", []rhoderc.Instance{code, a}, req{Protocol: "https", Host: "code.example.com", Path: "team/repo.git"}, "code"},
		{"one prefixed instance, no path", []rhoderc.Instance{a}, req{Protocol: "https", Host: "code.example.com"}, "a"},
		{"two paths on one host, no path", []rhoderc.Instance{a, b}, req{Protocol: "https", Host: "code.example.com"}, ""},
		{"nested paths on one host, no path", []rhoderc.Instance{a, ab}, req{Protocol: "https", Host: "code.example.com"}, ""},
		{"root and prefix, no path", []rhoderc.Instance{code, a}, req{Protocol: "https", Host: "code.example.com"}, ""},
		{"username picks the instance", []rhoderc.Instance{code, bob}, req{Protocol: "https", Host: "code.example.com", Username: "bob", HasUsername: true}, "bob"},
		{"username picks the other", []rhoderc.Instance{code, bob}, req{Protocol: "https", Host: "code.example.com", Username: "alice", HasUsername: true}, "code"},
		{"unknown username", []rhoderc.Instance{code, bob}, req{Protocol: "https", Host: "code.example.com", Username: "carol", HasUsername: true}, ""},
		{"username of no instance here", []rhoderc.Instance{code}, req{Protocol: "https", Host: "code.example.com", Username: "bob", HasUsername: true}, ""},
		{"empty username sent", []rhoderc.Instance{code}, req{Protocol: "https", Host: "code.example.com", Username: "", HasUsername: true}, ""},
		{"same URL, no username: ambiguous", []rhoderc.Instance{code, bob}, req{Protocol: "https", Host: "code.example.com"}, ""},
		{"same URL, no username, with path: ambiguous", []rhoderc.Instance{code, bob}, req{Protocol: "https", Host: "code.example.com", Path: "team/repo.git"}, ""},
		{"same URL and user twice: ambiguous", []rhoderc.Instance{code, in("code2", "https://code.example.com/", "alice")}, req{Protocol: "https", Host: "code.example.com", Username: "alice", HasUsername: true}, ""},
		{"ambiguity at a shorter prefix does not hide a longer one", []rhoderc.Instance{code, bob, a}, req{Protocol: "https", Host: "code.example.com", Path: "a/repo.git"}, "a"},
		{"host suffix trick", []rhoderc.Instance{code}, req{Protocol: "https", Host: "code.example.com.evil.com"}, ""},
		{"host prefix trick", []rhoderc.Instance{code}, req{Protocol: "https", Host: "evilcode.example.com"}, ""},
		{"subdomain", []rhoderc.Instance{code}, req{Protocol: "https", Host: "x.code.example.com"}, ""},
		{"parent domain", []rhoderc.Instance{code}, req{Protocol: "https", Host: "example.com"}, ""},
		{"port trick", []rhoderc.Instance{code}, req{Protocol: "https", Host: "code.example.com:443.evil.com"}, ""},
		{"userinfo trick", []rhoderc.Instance{code}, req{Protocol: "https", Host: "code.example.com@evil.com"}, ""},
		{"suffix trick on a prefixed instance", []rhoderc.Instance{a}, req{Protocol: "https", Host: "code.example.com.evil.com", Path: "a/repo.git"}, ""},
		{"no instances", nil, req{Protocol: "https", Host: "code.example.com"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := matchInstance(tc.instances, tc.q)
			if ok != (tc.want != "") || got.Name != tc.want {
				t.Errorf("matchInstance = %q, %v; want %q", got.Name, ok, tc.want)
			}
			if !ok && got != (rhoderc.Instance{}) {
				t.Errorf("no match but returned %+v", got)
			}
		})
	}
}

// helperSetup logs alice in with file storage and runs setup-git with
// extra arguments against a git server; it returns the env and the
// request git sends for the server.
func helperSetup(t *testing.T, setupArgs ...string) (*testEnv, *fakerc.Server, string) {
	t.Helper()
	srv := gitServer(t)
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv, "--storage", "file")
	e.mustRun(append([]string{"setup-git"}, setupArgs...)...)
	return e, srv, "protocol=http\nhost=" + srv.Host() + "\n"
}

func configValue(t *testing.T, e *testEnv, key string) string {
	t.Helper()
	v, ok := readConfig(t, e).InstanceValue("work", key)
	if !ok {
		t.Fatalf("no %s in the config", key)
	}
	return v
}

func TestHelperGetManagedToken(t *testing.T) {
	e, srv, req := helperSetup(t)
	tok := configValue(t, e, keyVCSToken)
	if exp := configValue(t, e, keyVCSTokenExpires); exp != "-1" {
		t.Errorf("vcs_token_expires = %q, want -1", exp)
	}
	if len(tok) != 40 {
		t.Fatalf("vcs_token %q", tok)
	}
	want := "username=alice\npassword=" + tok + "\n"
	for _, tc := range []struct{ name, in, want string }{
		{"host", req + "\n", want},
		{"host and path", req + "path=team/app.git\n\n", want},
		{"username alice", req + "username=alice\n\n", want},
		{"no blank line", req, want},
		{"username bob", req + "username=bob\n\n", ""},
		{"https", "protocol=https\nhost=" + srv.Host() + "\n\n", ""},
		{"other port", "protocol=http\nhost=127.0.0.1:1\n\n", ""},
		{"localhost for 127.0.0.1", "protocol=http\nhost=" + strings.Replace(srv.Host(), "127.0.0.1", "localhost", 1) + "\n\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := e.helper(tc.in, "--storage", "file", "get")
			if out != tc.want || code != 0 || errOut != "" {
				t.Errorf("get: exit %d stdout %q stderr %q; want %q", code, out, errOut, tc.want)
			}
		})
	}

	// erase with another password (git rejected something else) keeps the
	// token; erase with the token marks it rejected and get goes quiet.
	if _, errOut, code := e.helper(req+"username=alice\npassword=wonderland\n\n", "--storage", "file", "erase"); code != 0 || errOut != "" {
		t.Errorf("erase of another password: exit %d %q", code, errOut)
	}
	if out, _, _ := e.helper(req+"\n", "--storage", "file", "get"); out != want {
		t.Fatalf("get after erasing another password: %q", out)
	}
	_, errOut, code := e.helper(req+"username=alice\npassword="+tok+"\n\n", "--storage", "file", "erase")
	if code != 0 || !strings.Contains(errOut, "rhodecode setup-git -i work mints a new one") || strings.Contains(errOut, tok) {
		t.Errorf("erase: exit %d %q", code, errOut)
	}
	if v := configValue(t, e, keyVCSTokenRejected); v != "true" {
		t.Errorf("vcs_token_rejected = %q", v)
	}
	for _, in := range []string{req + "\n", req + "username=alice\n\n", req + "path=team/app.git\n\n"} {
		if out, errOut, code := e.helper(in, "--storage", "file", "get"); out != "" || code != 0 || strings.Contains(errOut, tok) {
			t.Errorf("get after rejection: exit %d stdout %q stderr %q", code, out, errOut)
		}
	}
	// The token stays in the config for setup-git to replace.
	if got := configValue(t, e, keyVCSToken); got != tok {
		t.Errorf("vcs_token changed by erase")
	}
}

func TestHelperGetExpiringToken(t *testing.T) {
	e, srv, req := helperSetup(t, "--lifetime", "30d")
	tok := configValue(t, e, keyVCSToken)
	exp := configValue(t, e, keyVCSTokenExpires)
	if exp == "-1" || exp == "" || exp == "0" {
		t.Fatalf("vcs_token_expires = %q for a 30-day token", exp)
	}
	tokens := srv.Tokens("alice")
	if managed := tokens[len(tokens)-1]; managed.Secret != tok || exp != strconv.FormatInt(int64(managed.Expires), 10) {
		t.Errorf("recorded expiry %s, server has %v", exp, managed.Expires)
	}
	out, errOut, code := e.helper(req+"\n", "--storage", "file", "get")
	want := "username=alice\npassword=" + tok + "\npassword_expiry_utc=" + exp + "\n"
	if out != want || code != 0 || errOut != "" {
		t.Errorf("get: exit %d stdout %q stderr %q; want %q", code, out, errOut, want)
	}
	// git itself takes it (password_expiry_utc needs git >= 2.40; older
	// ones ignore the line).
	if out, err := e.git(t.TempDir(), "ls-remote", srv.RepoCloneURL("team/app")); err != nil {
		t.Fatalf("ls-remote: %v\n%s", err, out)
	}
}

func TestSetupGitWithToken(t *testing.T) {
	srv := gitServer(t)
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv, "--storage", "file")
	before := len(srv.Tokens("alice"))
	mine := srv.AddToken("alice", fakerc.RoleVCS, "my own", -1)
	e.stdin = "  " + mine.Secret + "\n"
	r := e.mustRun("setup-git", "--with-token", "--json")
	e.stdin = ""
	if !strings.Contains(r.stdout, `"verified": "ok (team/app)"`) || !strings.Contains(r.stdout, `"vcs_token_created": false`) || strings.Contains(r.stdout+r.stderr, mine.Secret) {
		t.Errorf("setup-git --with-token: stdout %s stderr %q", r.stdout, r.stderr)
	}
	if after := len(srv.Tokens("alice")); after != before+1 {
		t.Errorf("setup-git --with-token created %d token(s)", after-before-1)
	}
	cfg := readConfig(t, e)
	if v, _ := cfg.InstanceValue("work", keyVCSToken); v != mine.Secret {
		t.Errorf("vcs_token = %q, want the token from stdin", v)
	}
	if v, _ := cfg.InstanceValue("work", keyVCSTokenExpires); v != "-1" {
		t.Errorf("vcs_token_expires = %q", v)
	}
	if v, ok := cfg.InstanceValue("work", keyVCSTokenID); ok {
		t.Errorf("vcs_token_id = %q for a token given on stdin", v)
	}
	if n := len(e.secrets.(*keyringtest.Mem).Items()); n != 0 {
		t.Errorf("%d keyring entries with file storage", n)
	}
	got := e.helperEntries(srv.URL)
	if len(got) != 2 || got[0] != "" || !strings.HasSuffix(got[1], "git-credential-rhodecode' --storage file") {
		t.Fatalf("git config: %q", got)
	}
	out, _, _ := e.helper("protocol=http\nhost="+srv.Host()+"\n\n", "--storage", "file", "get")
	if out != "username=alice\npassword="+mine.Secret+"\n" {
		t.Errorf("helper get: %q", out)
	}
	if out, err := e.git(t.TempDir(), "clone", "-q", srv.RepoCloneURL("team/app")); err != nil {
		t.Fatalf("clone: %v\n%s", err, out)
	}

	// Bad input: nothing, or two words.
	for _, in := range []string{"", "\n", "one two\n"} {
		e.stdin = in
		if r := e.run("setup-git", "--with-token"); r.code != 2 || !strings.Contains(r.stderr, "one VCS token on standard input") {
			t.Errorf("--with-token with %q: exit %d %q", in, r.code, r.stderr)
		}
	}
	e.stdin = ""
	if v, _ := readConfig(t, e).InstanceValue("work", keyVCSToken); v != mine.Secret {
		t.Error("a rejected --with-token input replaced the stored token")
	}
}

func TestSetupGitLocal(t *testing.T) {
	testBinary(t) // builds in the module directory, before t.Chdir
	srv := gitServer(t)
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv, "--storage", "file")
	repo := filepath.Join(t.TempDir(), "repo")
	if out, err := e.git(filepath.Dir(repo), "init", "-q", "repo"); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}

	t.Chdir(repo)
	r := e.mustRun("setup-git", "--local")
	if !strings.Contains(r.stderr, "git is set up for work") {
		t.Errorf("stderr %q", r.stderr)
	}
	out, err := e.git(repo, "config", "--local", "--get-all", "credential."+srv.URL+".helper")
	if got := strings.Split(strings.TrimRight(out, "\n"), "\n"); err != nil || len(got) != 2 || got[0] != "" || !strings.HasSuffix(got[1], "git-credential-rhodecode' --storage file") {
		t.Errorf("local git config: %v %q", err, out)
	}
	b, _ := os.ReadFile(filepath.Join(repo, ".git", "config"))
	if !strings.Contains(string(b), `[credential "`+srv.URL+`"]`) {
		t.Errorf(".git/config:\n%s", b)
	}
	if b, err := os.ReadFile(filepath.Join(e.home, ".gitconfig")); err == nil && strings.Contains(string(b), "credential") {
		t.Errorf("~/.gitconfig written:\n%s", b)
	}
	if got := e.helperEntries(srv.URL); len(got) != 1 || got[0] != "" {
		t.Errorf("global helper entries %q", got)
	}
	// git in the repository uses it.
	if out, err := e.git(repo, "ls-remote", srv.RepoCloneURL("team/app")); err != nil || !strings.Contains(out, "refs/heads/") {
		t.Errorf("ls-remote in the repository: %v\n%s", err, out)
	}
	// Twice changes nothing; --remove undoes it.
	e.mustRun("setup-git", "--local")
	if out, _ := e.git(repo, "config", "--local", "--get-all", "credential."+srv.URL+".helper"); strings.Count(out, "\n") != 2 {
		t.Errorf("after a second run: %q", out)
	}
	e.mustRun("setup-git", "--local", "--remove")
	if out, _ := e.git(repo, "config", "--local", "--get-all", "credential."+srv.URL+".helper"); out != "" {
		t.Errorf("after --remove: %q", out)
	}
}

// setup-git --local outside a repository fails with git's reason.
func TestSetupGitLocalOutsideRepo(t *testing.T) {
	testBinary(t) // builds in the module directory, before t.Chdir
	srv := gitServer(t)
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv, "--storage", "file")
	before := len(srv.Tokens("alice"))
	outside := t.TempDir()
	e.env["GIT_CEILING_DIRECTORIES"] = filepath.Dir(outside)
	t.Chdir(outside)
	r := e.run("setup-git", "--local")
	if r.code == 0 || !strings.Contains(r.stderr, "inside a git repository") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
		t.Errorf("--local outside a repository: exit %d stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(outside, ".git")); err == nil {
		t.Error("a repository was created")
	}
	if b, err := os.ReadFile(filepath.Join(e.home, ".gitconfig")); err == nil && strings.Contains(string(b), "credential") {
		t.Errorf("~/.gitconfig written:\n%s", b)
	}
	// The failed run mints (and keeps) the VCS token before git refuses
	// (setup_git.go setupOne); a later run in a repository reuses it
	// instead of minting another.
	minted := len(srv.Tokens("alice")) - before
	if minted > 1 {
		t.Errorf("%d tokens minted by a failed run", minted)
	}
	repo := t.TempDir()
	if out, err := e.git(repo, "init", "-q"); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	t.Chdir(repo)
	e.mustRun("setup-git", "--local")
	if got := len(srv.Tokens("alice")) - before; got != 1 {
		t.Errorf("%d tokens after the retry in a repository, want 1", got)
	}
}
