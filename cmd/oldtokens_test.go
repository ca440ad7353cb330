package cmd

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// The tool's own token descriptions on the test machine ("testhost").
const (
	toolAPIDesc = "rhodecode-cli alice@testhost"
	toolVCSDesc = "rhodecode-cli git alice@testhost"
)

// addLookalikes gives alice tokens of her own whose descriptions resemble
// the tool's: another machine, a suffix, a prefix, the tool's description
// with another role. No cleanup may touch them.
func addLookalikes(srv *fakerc.Server) []fakerc.Token {
	return []fakerc.Token{
		srv.AddToken("alice", fakerc.RoleAPI, "rhodecode-cli alice@otherhost", -1),
		srv.AddToken("alice", fakerc.RoleAPI, toolAPIDesc+"2", -1),
		srv.AddToken("alice", fakerc.RoleAPI, "my "+toolAPIDesc, -1),
		srv.AddToken("alice", fakerc.RoleAll, toolAPIDesc, -1),
		srv.AddToken("alice", fakerc.RoleVCS, "rhodecode-cli git alice@otherhost", -1),
		srv.AddToken("alice", fakerc.RoleAPI, toolVCSDesc, -1),
	}
}

// toolTokens returns alice's tokens on srv that are the tool's own for
// this machine, by role: description and role both match.
func toolTokens(srv *fakerc.Server) (api, vcs []fakerc.Token) {
	for _, tk := range srv.Tokens("alice") {
		switch {
		case tk.Role == fakerc.RoleAPI && tk.Description == toolAPIDesc:
			api = append(api, tk)
		case tk.Role == fakerc.RoleVCS && tk.Description == toolVCSDesc:
			vcs = append(vcs, tk)
		}
	}
	return api, vcs
}

// checkLookalikes fails the test when one of want is gone from srv.
func checkLookalikes(t *testing.T, srv *fakerc.Server, want []fakerc.Token) {
	t.Helper()
	have := map[int]bool{}
	for _, tk := range srv.Tokens("alice") {
		have[tk.ID] = true
	}
	for _, tk := range want {
		if !have[tk.ID] {
			t.Errorf("token %d (%s, %s) of the user's own was revoked", tk.ID, tk.Description, tk.Role)
		}
	}
}

// After logout (without --revoke), a new password login and setup-git,
// the server holds exactly one API token and one VCS token of the tool's
// for this machine, the ones now stored, and git works with them.
func TestReloginLeavesOneToolToken(t *testing.T) {
	for _, v := range layouts {
		t.Run(v, func(t *testing.T) {
			srv := gitServer(t, fakerc.WithVersion(v))
			mine := addLookalikes(srv)
			e := newTestEnv(t)
			for round := range 3 {
				// File storage: git's helper is another process and cannot
				// see the test's in-memory keyring.
				passwordLoginEnv(t, e, srv, "--storage", "file")
				e.mustRun("setup-git")
				if round < 2 {
					r := e.mustRun("auth", "logout", "work")
					if !strings.Contains(r.stderr, "API token ") || !strings.Contains(r.stderr, "stay valid on the server; to revoke them:") || !strings.Contains(r.stderr, "rhodecode auth logout --revoke work") {
						t.Errorf("logout said nothing about the tokens left:\n%s", r.stderr)
					}
				}
			}
			api, vcs := toolTokens(srv)
			if len(api) != 1 || len(vcs) != 1 {
				t.Fatalf("tool tokens on the server: %d API, %d VCS; want 1 and 1", len(api), len(vcs))
			}
			cfg := readConfig(t, e)
			if s, _ := cfg.InstanceValue("work", rhoderc.KeyToken); s != api[0].Secret {
				t.Error("the API token left on the server is not the stored one")
			}
			if s, _ := cfg.InstanceValue("work", keyVCSToken); s != vcs[0].Secret {
				t.Error("the VCS token left on the server is not the stored one")
			}
			checkLookalikes(t, srv, mine)
			if out, err := e.git(t.TempDir(), "ls-remote", srv.RepoCloneURL("team/app")); err != nil {
				t.Fatalf("git: %v\n%s", err, out)
			}
		})
	}
}

// The command logout prints to revoke what it left does exactly that.
func TestLogoutHintRevokes(t *testing.T) {
	srv := gitServer(t)
	mine := addLookalikes(srv)
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv)
	e.mustRun("setup-git")
	r := e.mustRun("auth", "logout", "work")
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want two lines on stderr, got:\n%s", r.stderr)
	}
	cmds := strings.Split(strings.TrimSpace(lines[1]), " && ")
	if len(cmds) != 2 {
		t.Fatalf("not a command line: %q", lines[1])
	}
	for i, c := range cmds {
		args := strings.Fields(c)
		if args[0] != "rhodecode" {
			t.Fatalf("not a rhodecode command: %q", c)
		}
		args = args[1:]
		if i == 0 {
			e.stdin = "wonderland\n"
			args = append(args, "--password-stdin")
		}
		e.mustRun(args...)
		e.stdin = ""
	}
	if api, vcs := toolTokens(srv); len(api)+len(vcs) != 0 {
		t.Errorf("tool tokens left after the hint's commands: %d API, %d VCS", len(api), len(vcs))
	}
	checkLookalikes(t, srv, mine)
}

// On a terminal logout offers to revoke the tokens; the default is no.
func TestLogoutOffersRevoke(t *testing.T) {
	for _, answer := range []string{"y", ""} {
		t.Run("answer="+answer, func(t *testing.T) {
			srv := gitServer(t)
			e := newTestEnv(t)
			passwordLoginEnv(t, e, srv)
			e.mustRun("setup-git")
			e.tty, e.stdin = true, answer+"\n"
			r := e.mustRun("auth", "logout", "work")
			if !strings.Contains(r.stderr, "made by rhodecode for work, stay valid on the server after logout.") || !strings.Contains(r.stderr, "Revoke them now? [y/N]") {
				t.Errorf("no offer:\n%s", r.stderr)
			}
			api, vcs := toolTokens(srv)
			if answer == "y" {
				if len(api)+len(vcs) != 0 {
					t.Errorf("answered yes, yet %d API and %d VCS tokens are left", len(api), len(vcs))
				}
				if strings.Contains(r.stderr, "To revoke them later") {
					t.Errorf("revoked, yet told how to revoke:\n%s", r.stderr)
				}
			} else {
				if len(api) != 1 || len(vcs) != 1 {
					t.Errorf("default answer revoked tokens: %d API, %d VCS left", len(api), len(vcs))
				}
				if !strings.Contains(r.stderr, "To revoke them later:\n  rhodecode auth login --url") {
					t.Errorf("no hint:\n%s", r.stderr)
				}
			}
			if r := e.run("auth", "status", "-i", "work"); r.code == 0 {
				t.Error("still logged in")
			}
		})
	}
}

// A login that pasted its own token made nothing: logout has nothing to say.
func TestLogoutQuietForUserTokens(t *testing.T) {
	srv, tok := fakeWithAlice(t)
	e := newTestEnv(t)
	e.stdin = tok
	e.mustRun("auth", "login", "--url", srv.URL, "--with-token", "--name", "work")
	e.stdin = ""
	if r := e.mustRun("auth", "logout", "work"); r.stderr != "" {
		t.Errorf("stderr: %q", r.stderr)
	}
}

// Two instance names for one account on one machine: logging in to the
// second revokes nothing the first uses.
func TestReloginKeepsOtherInstancesTokens(t *testing.T) {
	srv := gitServer(t)
	e := newTestEnv(t)
	for _, name := range []string{"a", "b"} {
		e.stdin = "wonderland\n"
		e.mustRun("auth", "login", "--url", srv.URL, "--name", name, "--username", "alice", "--password-stdin")
		e.stdin = ""
		e.mustRun("setup-git", "-i", name)
	}
	if api, vcs := toolTokens(srv); len(api) != 2 || len(vcs) != 2 {
		t.Errorf("tool tokens: %d API, %d VCS; want 2 and 2 (one each for a and b)", len(api), len(vcs))
	}
	if r := e.mustRun("auth", "status", "--json"); strings.Count(r.stdout, `"state": "ok"`) != 2 {
		t.Errorf("status:\n%s", r.stdout)
	}
}

// A revoke that fails leaves the old token and says so; the login works.
func TestReloginRevokeFailureIsAWarning(t *testing.T) {
	srv := gitServer(t)
	target, _ := url.Parse(srv.URL)
	fail := false
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/auth_tokens/delete") {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		httputil.NewSingleHostReverseProxy(target).ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	e := newTestEnv(t)
	login := func() result {
		e.stdin = "wonderland\n"
		defer func() { e.stdin = "" }()
		return e.mustRun("auth", "login", "--url", proxy.URL, "--name", "work", "--username", "alice", "--password-stdin")
	}
	login()
	e.mustRun("auth", "logout", "work")
	fail = true
	r := login()
	if !strings.Contains(r.stderr, "could not revoke token") || !strings.Contains(r.stderr, "rhodecode token revoke -i work") {
		t.Errorf("no warning:\n%s", r.stderr)
	}
	if api, _ := toolTokens(srv); len(api) != 2 {
		t.Errorf("%d tool API tokens; want the old and the new", len(api))
	}
	if r := e.mustRun("auth", "status", "--json"); !strings.Contains(r.stdout, `"state": "ok"`) {
		t.Errorf("status:\n%s", r.stdout)
	}
}

// TestUnknownHostKeepsOtherTokens: without a host name every machine's
// tool tokens read "@unknown-host", so no login, setup-git or logout
// --revoke recognises older tokens by description then; the API token id
// this machine recorded is still replaced at the next login.
func TestUnknownHostKeepsOtherTokens(t *testing.T) {
	srv := gitServer(t)
	others := []fakerc.Token{
		srv.AddToken("alice", fakerc.RoleAPI, "rhodecode-cli alice@unknown-host", -1),
		srv.AddToken("alice", fakerc.RoleVCS, "rhodecode-cli git alice@unknown-host", -1),
	}
	e := newTestEnv(t)
	e.hostname = func() (string, error) { return "", errors.New("no host name") }
	passwordLoginEnv(t, e, srv, "--storage", "file")
	e.mustRun("setup-git")
	in, _ := readConfig(t, e).Instance("work")
	passwordLoginEnv(t, e, srv, "--storage", "file")
	for _, tk := range srv.Tokens("alice") {
		if tk.ID == in.TokenID {
			t.Errorf("API token %d, recorded and replaced, is still there", tk.ID)
		}
	}
	e.mustRun("auth", "logout", "work")
	passwordLoginEnv(t, e, srv, "--storage", "file")
	e.mustRun("setup-git") // a new VCS token
	checkLookalikes(t, srv, others)
	e.mustRun("auth", "logout", "--revoke", "work")
	checkLookalikes(t, srv, others)
}
