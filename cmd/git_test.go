package cmd

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/internal/testenv"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/keyring/keyringtest"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// gitServer is a fake RhodeCode with alice, a readable and writable git
// repository "team/app" and, optionally, a path prefix.
func gitServer(t *testing.T, opts ...fakerc.Option) *fakerc.Server {
	t.Helper()
	srv := fakerc.New(t, opts...)
	srv.AddUser(fakerc.User{Username: "alice", Password: "wonderland", Email: "alice@example.com", Active: true})
	srv.SeedRepo("team/app", map[string]string{"README": "hello\n"})
	srv.GrantRepo("alice", "team/app", "write")
	return srv
}

func (e *testEnv) helperEntries(url string) []string {
	e.t.Helper()
	out, _ := e.git(e.home, "config", "--global", "--get-all", "credential."+url+".helper")
	return strings.Split(strings.TrimRight(out, "\n"), "\n")
}

// TestGitEndToEnd: password login, setup-git, then real git clone, push
// and ls-remote through the helper; a revoked token makes git fail, the
// helper's erase marks it, and the helper then stays silent.
func TestGitEndToEnd(t *testing.T) {
	for _, storage := range []string{"file", "keyring"} {
		t.Run(storage, func(t *testing.T) {
			if storage == "keyring" && !testenv.Required(testenv.Keyring) {
				t.Skip("set RHODECODE_TEST_KEYRING=1 with a Secret Service running (.ci/keyring.sh)")
			}
			srv := gitServer(t)
			e := newTestEnv(t)
			if storage == "keyring" {
				// git starts the helper as a separate process: both must
				// see the same, real keyring.
				e.secrets = keyring.New(keyring.DefaultTimeout)
				t.Cleanup(func() {
					for _, a := range []string{keyring.AccountAPIToken, keyring.AccountWebSession, keyring.AccountVCSToken} {
						svc, acct := secretRef(rhoderc.Instance{Name: "work", URL: srv.URL}, a)
						_ = e.secrets.Delete(t.Context(), svc, acct)
					}
				})
			}
			passwordLoginEnv(t, e, srv, "--storage", storage)
			e.mustRun("setup-git")
			r := e.mustRun("setup-git", "--json")
			if !strings.Contains(r.stdout, `"verified": "ok (team/app)"`) {
				t.Errorf("setup-git did not verify the token: %s", r.stdout)
			}
			// Idempotent: one reset and one helper entry.
			if got := e.helperEntries(srv.URL); len(got) != 2 || got[0] != "" || !strings.HasSuffix(got[1], "git-credential-rhodecode'"+map[string]string{"file": " --storage file", "keyring": ""}[storage]) {
				t.Fatalf("helper entries %q", got)
			}
			vcs := srv.Tokens("alice")
			vcsTok := vcs[len(vcs)-1]
			if vcsTok.Role != fakerc.RoleVCS || !strings.HasPrefix(vcsTok.Description, "rhodecode-cli git alice@") {
				t.Fatalf("managed token %+v", vcsTok)
			}

			work := t.TempDir()
			if out, err := e.git(work, "clone", srv.RepoCloneURL("team/app"), "app"); err != nil {
				t.Fatalf("clone: %v\n%s", err, out)
			}
			app := filepath.Join(work, "app")
			os.WriteFile(filepath.Join(app, "new.txt"), []byte("x\n"), 0o644)
			for _, args := range [][]string{{"add", "new.txt"}, {"commit", "-qm", "x"}, {"push", "-q", "origin", "HEAD"}} {
				if out, err := e.git(app, args...); err != nil {
					t.Fatalf("git %v: %v\n%s", args, err, out)
				}
			}
			if out, err := e.git(work, "ls-remote", srv.RepoCloneURL("team/app")); err != nil || !strings.Contains(out, "refs/heads/main") {
				t.Fatalf("ls-remote: %v\n%s", err, out)
			}
			for _, req := range srv.VCSRequests() {
				if req.Authenticated && req.Username != "alice" {
					t.Errorf("git authenticated as %q", req.Username)
				}
			}

			// status shows the VCS token and the git setup.
			r = e.mustRun("auth", "status", "--json")
			if !strings.Contains(r.stdout, `"git_configured": true`) || !strings.Contains(r.stdout, `"vcs_token": "`+vcsTok.Secret[:4]+`****"`) {
				t.Errorf("status: %s", r.stdout)
			}

			// Revoked on the server: git fails, erase marks the token.
			srv.RevokeToken(vcsTok.ID)
			out, err := e.git(work, "ls-remote", srv.RepoCloneURL("team/app"))
			if err == nil || !strings.Contains(out, "Authentication failed") && !strings.Contains(out, "could not read Username") {
				t.Fatalf("ls-remote with a revoked token: %v\n%s", err, out)
			}
			if !strings.Contains(out, "rhodecode setup-git -i work mints a new one") {
				t.Errorf("no hint from erase: %s", out)
			}
			if v, _ := readConfig(t, e).InstanceValue("work", keyVCSTokenRejected); v != "true" {
				t.Error("erase did not mark the token rejected")
			}
			c := exec.Command(testBinary(t), "credential-helper", "get")
			c.Env = e.gitEnv()
			c.Stdin = strings.NewReader("protocol=http\nhost=" + srv.Host() + "\n\n")
			if got, err := c.Output(); err != nil || len(got) != 0 {
				t.Errorf("helper after erase: %v, %q", err, got)
			}

			// setup-git mints a new one and git works again.
			e.mustRun("setup-git")
			if out, err := e.git(work, "ls-remote", srv.RepoCloneURL("team/app")); err != nil {
				t.Fatalf("after setup-git: %v\n%s", err, out)
			}

			// --remove undoes the config.
			e.mustRun("setup-git", "--remove")
			if got := e.helperEntries(srv.URL); len(got) != 1 || got[0] != "" {
				t.Errorf("after --remove: %q", got)
			}
		})
	}
}

// Two instances behind one host under /a and /b each get their own token.
func TestGitTwoInstancesOneHost(t *testing.T) {
	a := gitServer(t, fakerc.WithPathPrefix("/a"))
	b := gitServer(t, fakerc.WithPathPrefix("/b"))
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := a
		if strings.HasPrefix(r.URL.Path, "/b/") {
			target = b
		}
		u, _ := url.Parse(target.URL)
		u.Path = ""
		httputil.NewSingleHostReverseProxy(u).ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)

	e := newTestEnv(t)
	for _, name := range []string{"a", "b"} {
		e.stdin = "wonderland\n"
		e.mustRun("auth", "login", "--url", proxy.URL+"/"+name, "--username", "alice", "--password-stdin", "--name", name, "--storage", "file")
		e.stdin = ""
		e.mustRun("setup-git", "-i", name)
	}
	for _, name := range []string{"a", "b"} {
		if out, err := e.git(e.home, "config", "--global", "--get", "credential."+proxy.URL+"/"+name+".useHttpPath"); err != nil || strings.TrimSpace(out) != "true" {
			t.Fatalf("useHttpPath for %s: %v %q", name, err, out)
		}
		if out, err := e.git(t.TempDir(), "clone", "-q", proxy.URL+"/"+name+"/team/app", "app"); err != nil {
			t.Fatalf("clone from %s: %v\n%s", name, err, out)
		}
	}
	// Each server saw only its own token: the token of /a is unknown to /b.
	for _, srv := range []*fakerc.Server{a, b} {
		for _, req := range srv.VCSRequests() {
			if req.Username != "" && !req.Authenticated {
				t.Errorf("%s: rejected credentials at %s", srv.URL, req.Path)
			}
		}
	}
}

// CI: only environment variables, no config file, no keyring.
func TestGitCIMode(t *testing.T) {
	srv := gitServer(t)
	u := srv.AddToken("alice", fakerc.RoleVCS, "ci", -1)
	e := newTestEnv(t)
	e.env["RHODECODE_HOST"] = srv.URL
	e.env["RHODECODE_USERNAME"] = "alice"
	e.env["RHODECODE_VCS_TOKEN"] = u.Secret
	e.mustRun("setup-git")
	if out, err := e.git(t.TempDir(), "clone", "-q", srv.RepoCloneURL("team/app")); err != nil {
		t.Fatalf("clone: %v\n%s", err, out)
	}
	if _, err := os.Stat(e.config); !os.IsNotExist(err) {
		t.Error("CI mode wrote a config file")
	}
	if n := len(e.secrets.(*keyringtest.Mem).Items()); n != 0 {
		t.Error("CI mode used the keyring")
	}
	// RHODECODE_HOST limits the helper to that server.
	c := exec.Command(testBinary(t), "credential-helper", "get")
	c.Env = e.gitEnv()
	c.Stdin = strings.NewReader("protocol=https\nhost=elsewhere.example\n\n")
	if out, err := c.Output(); err != nil || len(out) != 0 {
		t.Errorf("answered for another host: %v %q", err, out)
	}
}

// helper runs the helper as git would, with stdin: git-credential-rhodecode,
// which setup-git makes git run (RHODECODE_TEST_HELPER=rhodecode runs
// `rhodecode credential-helper` instead). A get, which changes nothing, also
// runs `rhodecode credential-helper`, and the two must answer alike.
func (e *testEnv) helper(stdin string, args ...string) (stdout, stderr string, code int) {
	e.t.Helper()
	small := func() (string, string, int) {
		return e.runHelper(filepath.Join(filepath.Dir(testBinary(e.t)), "git-credential-rhodecode"), stdin, args...)
	}
	big := func() (string, string, int) {
		return e.runHelper(testBinary(e.t), stdin, append([]string{"credential-helper"}, args...)...)
	}
	if os.Getenv("RHODECODE_TEST_HELPER") == "rhodecode" {
		small, big = big, small
	}
	stdout, stderr, code = small()
	if len(args) > 0 && args[len(args)-1] == "get" {
		if o, er, c := big(); o != stdout || er != stderr || c != code {
			e.t.Errorf("the two helper programs answer differently:\n%q %q %d\n%q %q %d", stdout, stderr, code, o, er, c)
		}
	}
	return stdout, stderr, code
}

func (e *testEnv) runHelper(prog, stdin string, args ...string) (stdout, stderr string, code int) {
	e.t.Helper()
	c := exec.Command(prog, args...)
	c.Env = e.gitEnv()
	c.Stdin = strings.NewReader(stdin)
	var o, er strings.Builder
	c.Stdout, c.Stderr = &o, &er
	err := c.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatal(err)
	}
	return o.String(), er.String(), code
}

func TestHelperBadInput(t *testing.T) {
	e := newTestEnv(t)
	store := "protocol=https\nhost=keep.example\nusername=u\npassword=p\n\n"
	if _, errOut, code := e.helper(store, "--storage", "file", "store"); code != 0 {
		t.Fatalf("store: %d %s", code, errOut)
	}
	credFile := filepath.Join(e.home, gitCredentialsFile)
	before, err := os.ReadFile(credFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, in string }{
		{"garbage", "this is not a credential\n"},
		{"binary", "\x00\x01\x02\xff\xfe\n\x00"},
		{"1 MiB line", "host=" + strings.Repeat("a", 1<<20) + "\n"},
		{"host with NUL", "protocol=https\nhost=keep.example\x00evil\n\n"},
		{"unknown keys", "capability[]=authtype\nprotocol=https\nhost=nobody.example\nwwwauth[]=Basic realm=\"x\"\nfuture_key=1\n\n"},
		{"empty stdin", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, op := range []string{"get", "store", "erase"} {
				out, errOut, code := e.helper(tc.in, "--storage", "file", op)
				if out != "" {
					t.Errorf("%s wrote to stdout: %q", op, out)
				}
				if code != 0 && (code != 1 || strings.Count(strings.TrimSpace(errOut), "\n") > 0 || errOut == "") {
					t.Errorf("%s: exit %d, stderr %q", op, code, errOut)
				}
				if strings.Contains(errOut, "panic") {
					t.Fatalf("%s crashed: %s", op, errOut)
				}
			}
			if after, _ := os.ReadFile(credFile); string(after) != string(before) {
				t.Errorf("stored credentials changed")
			}
		})
	}
	if out, _, _ := e.helper("protocol=https\nhost=keep.example\n\n", "--storage", "file", "get"); out != "username=u\npassword=p\n" {
		t.Errorf("stored credential lost: %q", out)
	}
	if out, _, code := e.helper("protocol=https\nhost=keep.example\n\n", "--storage", "file", "frobnicate"); out != "" || code != 0 {
		t.Errorf("unknown operation: exit %d %q", code, out)
	}
}

// 20 processes storing and reading different hosts at once lose nothing.
func TestHelperConcurrentStore(t *testing.T) {
	e := newTestEnv(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			host := "h" + string(rune('a'+i)) + ".example"
			if _, errOut, code := e.helper("protocol=https\nhost="+host+"\nusername=u\npassword=p"+host+"\n\n", "--storage", "file", "store"); code != 0 {
				t.Errorf("store %s: %d %s", host, code, errOut)
			}
			e.helper("protocol=https\nhost="+host+"\n\n", "--storage", "file", "get")
		}()
	}
	wg.Wait()
	for i := range 20 {
		host := "h" + string(rune('a'+i)) + ".example"
		if out, _, _ := e.helper("protocol=https\nhost="+host+"\n\n", "--storage", "file", "get"); out != "username=u\npassword=p"+host+"\n" {
			t.Errorf("%s: %q", host, out)
		}
	}
}

// What git approves for a managed instance after a rejection is most
// likely the user's password: it is never stored, and get keeps answering
// with the VCS token only.
func TestHelperNeverStoresPasswordForInstance(t *testing.T) {
	srv := gitServer(t)
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv, "--storage", "file")
	e.mustRun("setup-git")
	req := "protocol=http\nhost=" + srv.Host() + "\n"
	e.helper(req+"username=alice\npassword=wonderland\n\n", "--storage", "file", "erase")
	if _, errOut, code := e.helper(req+"username=alice\npassword=wonderland\n\n", "--storage", "file", "store"); code != 0 {
		t.Fatalf("store: %d %s", code, errOut)
	}
	if b, err := os.ReadFile(filepath.Join(e.home, gitCredentialsFile)); err == nil && strings.Contains(string(b), "wonderland") {
		t.Fatal("the password was stored")
	}
	if out, _, _ := e.helper(req+"\n", "--storage", "file", "get"); strings.Contains(out, "wonderland") {
		t.Errorf("get answered with the password: %q", out)
	}
	if b, _ := os.ReadFile(e.config); strings.Contains(string(b), "wonderland") {
		t.Error("the password is in the config file")
	}
}

// With the server's token plugin off, setup-git says so instead of
// leaving git to fail later.
func TestSetupGitPluginDisabled(t *testing.T) {
	srv := gitServer(t)
	srv.SetTokenPluginEnabled(false)
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv, "--storage", "file")
	r := e.run("setup-git")
	if r.code != 1 || !strings.Contains(r.stderr, `"Rhodecode Token" auth plugin is probably disabled`) || !strings.Contains(r.stderr, "Admin → Authentication") {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
}
