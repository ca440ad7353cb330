package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/internal/golden"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/keyring/keyringtest"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// testNow is the clock of both the fake server and the commands.
var testNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// layouts are the two token-page layouts: full secrets before 4.19,
// masked with a reveal call from 4.19 on.
var layouts = []string{"4.18.0", "4.27.0"}

// fakeTokenServer starts a fake of the given version with alice and a
// mix of tokens: the feed token every new user gets, a VCS token that
// expires in 30 days and one that expired 3 days ago.
func fakeTokenServer(t *testing.T, version string) *fakerc.Server {
	t.Helper()
	srv := fakerc.New(t, fakerc.WithVersion(version), fakerc.WithClock(func() time.Time { return testNow }))
	u := srv.AddUser(fakerc.User{Username: "alice", Password: "wonderland", Email: "alice@example.com", Active: true})
	srv.InsertToken(fakerc.Token{UserID: u.ID, Secret: "c1c1" + strings.Repeat("2", 36), Role: fakerc.RoleVCS, Description: "CI runner <main>", Expires: float64(testNow.Add(30 * 24 * time.Hour).Unix())})
	srv.InsertToken(fakerc.Token{UserID: u.ID, Secret: "01d0" + strings.Repeat("3", 36), Role: fakerc.RoleHTTP, Description: "old dashboard", Expires: float64(testNow.Add(-3 * 24 * time.Hour).Unix())})
	return srv
}

// passwordLogin logs e in to srv as alice with --password-stdin.
func passwordLoginEnv(t *testing.T, e *testEnv, srv *fakerc.Server, extra ...string) result {
	t.Helper()
	e.stdin = "wonderland\n"
	r := e.mustRun(append([]string{"auth", "login", "--url", srv.URL, "--username", "alice", "--password-stdin", "--name", "work"}, extra...)...)
	e.stdin = ""
	return r
}

// scrubTokens makes token output comparable: secrets of alice's tokens
// become <TOKEN id>, masks become a zero-padded id, and ports become PORTn.
func scrubTokens(s string, srv *fakerc.Server) string {
	for _, tk := range srv.Tokens("alice") {
		s = strings.ReplaceAll(s, tk.Secret, fmt.Sprintf("<TOKEN %d>", tk.ID))
		s = strings.ReplaceAll(s, tk.Secret[:4]+"****", fmt.Sprintf("%04d****", tk.ID))
	}
	return scrub(s, srv)
}

func TestPasswordLogin(t *testing.T) {
	for _, v := range layouts {
		t.Run(v, func(t *testing.T) {
			srv := fakeTokenServer(t, v)
			e := newTestEnv(t)
			r := passwordLoginEnv(t, e, srv, "--json")
			golden.Assert(t, "stdout", []byte(scrubTokens(r.stdout, srv)))

			tokens := srv.Tokens("alice")
			newest := tokens[len(tokens)-1]
			if newest.Role != fakerc.RoleAPI || newest.Expires != -1 || !strings.HasPrefix(newest.Description, "rhodecode-cli alice@") {
				t.Fatalf("created token %+v", newest)
			}
			got, err := e.secret("work", srv.URL, keyring.AccountAPIToken)
			if err != nil || got != newest.Secret {
				t.Fatalf("stored API token %q, %v", got, err)
			}
			cookie, err := e.secret("work", srv.URL, keyring.AccountWebSession)
			if err != nil || !strings.Contains(cookie, "rhodecode=") {
				t.Fatalf("web session not kept: %q, %v", cookie, err)
			}
			b, _ := os.ReadFile(e.config)
			if strings.Contains(string(b), "wonderland") || strings.Contains(string(b), newest.Secret) || strings.Contains(string(b), cookie) {
				t.Errorf("config file holds a secret:\n%s", b)
			}
			if v, _ := readConfig(t, e).InstanceValue("work", keyTokenID); v != fmt.Sprint(newest.ID) {
				t.Errorf("token_id = %q, want %d", v, newest.ID)
			}
			// The new token was checked with get_user before it was saved.
			var sawGetUser bool
			for _, c := range srv.Calls() {
				sawGetUser = sawGetUser || (c.Method == "get_user" && c.Token == newest.Secret)
			}
			if !sawGetUser {
				t.Error("the minted token was not verified with get_user")
			}
		})
	}
}

func TestPasswordLoginTTY(t *testing.T) {
	srv := fakeTokenServer(t, "4.27.0")
	e := newTestEnv(t)
	e.tty = true
	e.stdin = "wonderland\n"
	r := e.mustRun("auth", "login", "--url", srv.URL, "--username", "alice", "--lifetime", "30d")
	if !strings.HasPrefix(r.stderr, "Password for alice on "+srv.URL+": ") || strings.Contains(r.stderr, "wonderland") {
		t.Errorf("stderr %q", r.stderr)
	}
	tokens := srv.Tokens("alice")
	if exp := tokens[len(tokens)-1].Expires; exp != float64(testNow.Add(30*24*time.Hour).Unix()) {
		t.Errorf("lifetime 30d gave expiry %v", exp)
	}
}

func TestPasswordLoginFailures(t *testing.T) {
	for _, tc := range []struct {
		name     string
		setup    func(*fakerc.Server)
		password string
		args     []string
		wantCode int
		wantErr  string
	}{
		{name: "wrong password", password: "nottheone", wantCode: 4, wantErr: "invalid user name or password"},
		{name: "disabled account", setup: func(s *fakerc.Server) { s.UpdateUser("alice", func(u *fakerc.User) { u.Active = false }) }, password: "wonderland", wantCode: 4, wantErr: "disabled"},
		{name: "password change required", setup: func(s *fakerc.Server) { s.UpdateUser("alice", func(u *fakerc.User) { u.ForcePasswordChange = true }) }, password: "wonderland", wantCode: 4, wantErr: "password change"},
		{name: "csrf refused", setup: func(s *fakerc.Server) { s.SetFault(fakerc.FaultCSRFReject) }, password: "wonderland", wantCode: 4, wantErr: "CSRF"},
		{name: "html everywhere", setup: func(s *fakerc.Server) { s.SetFault(fakerc.FaultHTML200) }, password: "wonderland", wantCode: 3, wantErr: "not"},
		{name: "no password, no terminal", args: []string{"auth", "login", "--url", "URL", "--username", "alice"}, wantCode: 4, wantErr: "--password-stdin"},
		{name: "password-stdin without username", args: []string{"auth", "login", "--url", "URL", "--password-stdin"}, password: "x", wantCode: 2, wantErr: "--username"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeTokenServer(t, "4.27.0")
			if tc.setup != nil {
				tc.setup(srv)
			}
			before := len(srv.Tokens("alice"))
			e := newTestEnv(t)
			e.stdin = tc.password
			args := []string{"auth", "login", "--url", srv.URL, "--username", "alice", "--password-stdin"}
			if tc.args != nil {
				args = append([]string(nil), tc.args...)
				args[3] = srv.URL
			}
			r := e.run(args...)
			if r.code != tc.wantCode || !strings.Contains(r.stderr, tc.wantErr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tc.wantCode, tc.wantErr)
			}
			if tc.password != "" && strings.Contains(r.stderr, tc.password) {
				t.Error("password in the error")
			}
			if _, err := os.Stat(e.config); !os.IsNotExist(err) {
				t.Error("config written after a failed login")
			}
			if n := len(e.secrets.(*keyringtest.Mem).Items()); n != 0 {
				t.Errorf("%d keyring entries after a failed login", n)
			}
			srv.SetFault(fakerc.FaultNone)
			if after := len(srv.Tokens("alice")); after != before {
				t.Errorf("a failed login left %d new token(s) on the server", after-before)
			}
		})
	}
}

func TestTokenList(t *testing.T) {
	for _, v := range layouts {
		t.Run(v, func(t *testing.T) {
			srv := fakeTokenServer(t, v)
			e := newTestEnv(t)
			passwordLoginEnv(t, e, srv)
			for _, mode := range []struct {
				name string
				tty  bool
				args []string
			}{
				{"tty", true, nil},
				{"notty", false, nil},
				{"json", false, []string{"--json"}},
				{"vcs", true, []string{"--role", "vcs"}},
				{"expired", false, []string{"--expired", "--json"}},
				{"active", true, []string{"--active"}},
			} {
				e.tty = mode.tty
				r := e.mustRun(append([]string{"token", "list"}, mode.args...)...)
				golden.Assert(t, mode.name, []byte(scrubTokens(r.stdout, srv)))
				if strings.Contains(r.stdout, "c1c1"+strings.Repeat("2", 36)) {
					t.Errorf("%s: a secret was listed", mode.name)
				}
			}
			if r := e.run("token", "list", "--role", "nope"); r.code != 2 {
				t.Errorf("unknown role: exit %d", r.code)
			}
			if r := e.run("token", "list", "--expired", "--active"); r.code != 2 {
				t.Errorf("--expired --active: exit %d", r.code)
			}
		})
	}
}

func TestTokenCreateShowRevoke(t *testing.T) {
	for _, v := range layouts {
		t.Run(v, func(t *testing.T) {
			srv := fakeTokenServer(t, v)
			e := newTestEnv(t)
			passwordLoginEnv(t, e, srv)

			r := e.mustRun("token", "create", "--role", "vcs", "--description", "laptop", "--lifetime", "1d")
			tokens := srv.Tokens("alice")
			created := tokens[len(tokens)-1]
			if r.stdout != created.Secret+"\n" {
				t.Fatalf("stdout %q, want the new secret", r.stdout)
			}
			if created.Role != fakerc.RoleVCS || created.Description != "laptop" || created.Expires != float64(testNow.Add(24*time.Hour).Unix()) {
				t.Errorf("created %+v", created)
			}
			masked := v >= "4.19"
			if got := strings.Contains(r.stderr, "it is printed only this once"); got != masked {
				t.Errorf("stderr %q: warning shown = %v, want %v", r.stderr, got, masked)
			}

			r = e.mustRun("token", "create", "--role", "feed", "--json", "--expires", "2027-01-01")
			var j tokenJSON
			if err := json.Unmarshal([]byte(r.stdout), &j); err != nil {
				t.Fatal(err)
			}
			feed := srv.Tokens("alice")[len(srv.Tokens("alice"))-1]
			if j.Token != feed.Secret || j.Role != fakerc.RoleFeed || j.Expires == nil || *j.Expires != "2027-01-01T00:00:00Z" {
				t.Errorf("json %+v", j)
			}

			if r := e.mustRun("token", "show", fmt.Sprint(created.ID)); r.stdout != created.Secret+"\n" {
				t.Errorf("show: %q", r.stdout)
			}
			if r := e.run("token", "show", "999"); r.code != 1 || !strings.Contains(r.stderr, "no token with id 999") {
				t.Errorf("show 999: exit %d %q", r.code, r.stderr)
			}
			if r := e.run("token", "create", "--role", "root"); r.code != 2 {
				t.Errorf("bad role: exit %d", r.code)
			}
			if r := e.run("token", "create", "--role", "vcs", "--lifetime", "10s"); r.code != 2 {
				t.Errorf("10s lifetime: exit %d", r.code)
			}

			// Not a terminal and no --yes: refuse, delete nothing.
			id := fmt.Sprint(created.ID)
			if r := e.run("token", "revoke", id); r.code != 2 || !strings.Contains(r.stderr, "--yes") {
				t.Errorf("revoke without --yes: exit %d %q", r.code, r.stderr)
			}
			if len(srv.Tokens("alice")) != len(tokens)+1 {
				t.Fatal("a token was revoked without --yes")
			}
			// A terminal asks; "n" keeps it.
			e.tty, e.stdin = true, "n\n"
			if r := e.run("token", "revoke", id); r.code != 1 || !strings.Contains(r.stderr, "Revoke "+id+" (laptop, vcs)? [y/N]") {
				t.Errorf("revoke answered n: exit %d %q", r.code, r.stderr)
			}
			e.stdin = "y\n"
			r = e.mustRun("token", "revoke", id)
			if !strings.Contains(r.stderr, "Revoked token "+id+" (laptop)") {
				t.Errorf("stderr %q", r.stderr)
			}
			e.tty, e.stdin = false, ""
			for _, tk := range srv.Tokens("alice") {
				if tk.ID == created.ID {
					t.Fatal("token still on the server")
				}
			}
			// Unknown ids are reported per id, with exit 1.
			r = e.run("token", "revoke", "999", "--yes", "--json")
			if r.code != 1 || !strings.Contains(r.stdout, `"error": "no such token"`) {
				t.Errorf("revoke 999: exit %d %q", r.code, r.stdout)
			}
			// --expired removes the expired one only.
			n := len(srv.Tokens("alice"))
			e.mustRun("token", "revoke", "--expired", "--yes")
			if len(srv.Tokens("alice")) != n-1 {
				t.Error("--expired did not revoke exactly the expired token")
			}
		})
	}
}

func readTokenID(t *testing.T, e *testEnv) string {
	t.Helper()
	v, ok := readConfig(t, e).InstanceValue("work", keyTokenID)
	if !ok {
		t.Fatal("no token_id recorded")
	}
	return v
}

func TestTokenRotate(t *testing.T) {
	for _, v := range layouts {
		t.Run(v, func(t *testing.T) {
			srv := fakeTokenServer(t, v)
			e := newTestEnv(t)
			passwordLoginEnv(t, e, srv)
			oldAPI, _ := e.secret("work", srv.URL, keyring.AccountAPIToken)

			// The tool's own API token: the stored copy follows.
			r := e.mustRun("token", "rotate", readTokenID(t, e))
			newAPI := strings.TrimSpace(r.stdout)
			stored, _ := e.secret("work", srv.URL, keyring.AccountAPIToken)
			if newAPI == oldAPI || stored != newAPI {
				t.Fatalf("stored %q, printed %q, old %q", stored, newAPI, oldAPI)
			}
			if r := e.mustRun("auth", "status", "--json"); !strings.Contains(r.stdout, `"state": "ok"`) {
				t.Errorf("status after rotate: %s", r.stdout)
			}
			for _, tk := range srv.Tokens("alice") {
				if tk.Secret == oldAPI {
					t.Error("old API token not revoked")
				}
			}
			if got := readTokenID(t, e); got == "" || got == "0" {
				t.Errorf("token_id %q", got)
			}

			// A VCS token that expires needs --lifetime.
			vcsID := fmt.Sprint(srv.Tokens("alice")[1].ID)
			if r := e.run("token", "rotate", vcsID); r.code != 2 || !strings.Contains(r.stderr, "--lifetime") {
				t.Errorf("rotate expiring without --lifetime: exit %d %q", r.code, r.stderr)
			}
			r = e.mustRun("token", "rotate", vcsID, "--lifetime", "30d", "--json")
			var out struct {
				Revoked int
				Token   tokenJSON
			}
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
				t.Fatal(err)
			}
			if out.Token.Role != fakerc.RoleVCS || out.Token.Description != "CI runner <main>" || out.Token.Token == "" {
				t.Errorf("rotated %+v", out)
			}
		})
	}
}

// A replacement that fails verification leaves the old token on the
// server and in the keyring, and the new one is removed.
func TestRotateKeepsOldWhenNewFails(t *testing.T) {
	srv := fakeTokenServer(t, "4.27.0")
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv)
	oldAPI, _ := e.secret("work", srv.URL, keyring.AccountAPIToken)
	id := readTokenID(t, e)
	before := srv.Tokens("alice")
	srv.SetAPIReplicaLag(before[len(before)-1].ID)

	r := e.run("token", "rotate", id)
	if r.code != 4 || !strings.Contains(r.stderr, "does not work") || r.stdout != "" {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	stored, _ := e.secret("work", srv.URL, keyring.AccountAPIToken)
	if stored != oldAPI {
		t.Error("stored API token changed")
	}
	after := srv.Tokens("alice")
	if len(after) != len(before) || after[len(after)-1].Secret != oldAPI {
		t.Errorf("server tokens changed: %d before, %d after", len(before), len(after))
	}
	if got := readTokenID(t, e); got != id {
		t.Errorf("token_id %q, want %q", got, id)
	}
}

func TestTokenCommandsFileStorage(t *testing.T) {
	srv := fakeTokenServer(t, "4.18.0")
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv, "--storage", "file")
	if n := len(e.secrets.(*keyringtest.Mem).Items()); n != 0 {
		t.Errorf("%d keyring entries with file storage", n)
	}
	if v, ok := readConfig(t, e).InstanceValue("work", keySessionCookie); !ok || !strings.Contains(v, "rhodecode=") {
		t.Errorf("session cookie not in the file: %q", v)
	}
	fi, _ := os.Stat(e.config)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	r := e.mustRun("token", "create", "--role", "vcs")
	if len(strings.TrimSpace(r.stdout)) != 40 {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestLogoutRevoke(t *testing.T) {
	srv := fakeTokenServer(t, "4.27.0")
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv)
	api, _ := e.secret("work", srv.URL, keyring.AccountAPIToken)
	e.mustRun("setup-git")
	vcs, _ := e.secret("work", srv.URL, keyring.AccountVCSToken)
	if vcs == "" || len(e.helperEntries(srv.URL)) != 2 {
		t.Fatal("setup-git did not store a VCS token and write git config")
	}
	e.mustRun("auth", "logout", "--revoke", "work")
	for _, tk := range srv.Tokens("alice") {
		if tk.Secret == api || tk.Secret == vcs {
			t.Errorf("token %d (%s) still on the server", tk.ID, tk.Role)
		}
	}
	if got := e.helperEntries(srv.URL); len(got) != 1 || got[0] != "" {
		t.Errorf("git config left after logout: %q", got)
	}
	if n := len(e.secrets.(*keyringtest.Mem).Items()); n != 0 {
		t.Errorf("%d keyring entries left", n)
	}
}

// TestTokenCommandsNeverLeakSecrets runs the token commands with --debug
// and checks that the password, the session cookie, the CSRF token and
// every secret appear only where the user asked for one.
func TestTokenCommandsNeverLeakSecrets(t *testing.T) {
	for _, v := range layouts {
		t.Run(v, func(t *testing.T) {
			srv := gitServer(t, fakerc.WithVersion(v))
			e := newTestEnv(t)
			var leaks strings.Builder
			secrets := map[string]string{"password": "wonderland"}
			// remember collects every secret alive now: tokens (revoked ones
			// vanish from the server later), the session cookie and its CSRF.
			remember := func(when string) {
				for _, tk := range srv.Tokens("alice") {
					secrets[fmt.Sprintf("token %d", tk.ID)] = tk.Secret
				}
				cookie, err := e.secret("work", srv.URL, keyring.AccountWebSession)
				if err != nil || cookie == "" {
					t.Fatalf("%s: no stored session: %v", when, err)
				}
				for _, c := range strings.Split(cookie, "; ") {
					if _, val, ok := strings.Cut(c, "="); ok {
						secrets["cookie "+when] = val
					}
				}
				ws, _ := client.NewWebSession(srv.URL, client.Options{})
				_ = ws.SetSessionCookie(cookie)
				page, err := ws.TokenPage(t.Context())
				if err != nil || page.CSRFToken == "" {
					t.Fatalf("%s: no CSRF token: %v", when, err)
				}
				secrets["csrf "+when] = page.CSRFToken
			}
			run := func(keepStdout bool, args ...string) string {
				r := e.mustRun(append(args, "--debug")...)
				if !keepStdout {
					leaks.WriteString(r.stdout)
				}
				leaks.WriteString(r.stderr)
				return strings.TrimSpace(r.stdout)
			}

			e.stdin = "wonderland\n"
			run(false, "auth", "login", "--url", srv.URL, "--username", "alice", "--password-stdin", "--name", "work")
			if !strings.Contains(leaks.String(), "auth_tokens") {
				t.Fatal("no debug trace")
			}
			remember("first session")
			run(false, "token", "list", "--json")
			created := run(true, "token", "create", "--role", "vcs") // stdout: the secret asked for
			run(true, "token", "show", "1")
			run(false, "setup-git")
			remember("after setup-git")
			id := readTokenID(t, e)
			run(true, "token", "rotate", id)
			remember("after rotate")
			srv.ExpireSessions()
			e.stdin = "wonderland\n"
			run(false, "token", "list", "--password-stdin")
			remember("second session")
			run(false, "token", "revoke", "--expired", "--yes")
			run(false, "auth", "status", "--json")
			run(false, "auth", "logout", "--revoke", "work")

			secrets["created"] = created
			out := leaks.String()
			if len(secrets) < 8 {
				t.Fatalf("only %d secrets collected", len(secrets))
			}
			for what, s := range secrets {
				if s != "" && strings.Contains(out, s) {
					t.Errorf("%s leaked into output", what)
				}
			}
		})
	}
}

// An unusable keyring is found out before the server is touched, so a
// refused login leaves no token behind.
func TestPasswordLoginKeyringLockedCreatesNothing(t *testing.T) {
	srv := fakeTokenServer(t, "4.27.0")
	before := len(srv.Tokens("alice"))
	e := newTestEnv(t)
	e.secrets = &keyringtest.Mem{Err: errKeyringLocked}
	e.stdin = "wonderland\n"
	r := e.run("auth", "login", "--url", srv.URL, "--username", "alice", "--password-stdin")
	if r.code != 1 || !strings.Contains(r.stderr, "--storage file") {
		t.Fatalf("exit %d %q", r.code, r.stderr)
	}
	if after := len(srv.Tokens("alice")); after != before {
		t.Errorf("%d token(s) created on the server", after-before)
	}
}

// Two users' instances on one server keep separate secrets: -i a never
// acts with b's session or token.
func TestTwoUsersOneServer(t *testing.T) {
	srv := fakeTokenServer(t, "4.27.0")
	srv.AddUser(fakerc.User{Username: "bob", Password: "builder", Active: true})
	e := newTestEnv(t)
	for _, u := range []struct{ name, user, pw string }{{"a", "alice", "wonderland"}, {"b", "bob", "builder"}} {
		e.stdin = u.pw + "\n"
		e.mustRun("auth", "login", "--url", srv.URL, "--name", u.name, "--username", u.user, "--password-stdin")
	}
	e.stdin = ""
	r := e.mustRun("token", "list", "-i", "a", "--json")
	if !strings.Contains(r.stdout, "rhodecode-cli alice@testhost") || strings.Contains(r.stdout, "bob@") {
		t.Errorf("-i a listed:\n%s", r.stdout)
	}
	if r := e.mustRun("auth", "status", "--json"); strings.Count(r.stdout, `"state": "ok"`) != 2 {
		t.Errorf("status:\n%s", r.stdout)
	}
	e.mustRun("auth", "logout", "a")
	if r := e.mustRun("token", "list", "-i", "b", "--json"); !strings.Contains(r.stdout, "bob@testhost") {
		t.Errorf("logging out of a broke b:\n%s", r.stdout)
	}
}

// Logging in again with the password replaces the tool's API token on the
// server too: the old one is revoked, not left behind.
func TestPasswordReloginRevokesOldToken(t *testing.T) {
	srv := fakeTokenServer(t, "4.27.0")
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv)
	first := readTokenID(t, e)
	passwordLoginEnv(t, e, srv)
	second := readTokenID(t, e)
	if first == second {
		t.Fatal("no new token")
	}
	for _, tk := range srv.Tokens("alice") {
		if fmt.Sprint(tk.ID) == first {
			t.Errorf("old API token %s still on the server", first)
		}
	}
	if r := e.mustRun("auth", "status", "--json"); !strings.Contains(r.stdout, `"state": "ok"`) {
		t.Errorf("status: %s", r.stdout)
	}
}

// The managed VCS token: rotating it replaces the copy git gets, and an
// expired one is replaced by setup-git.
func TestManagedVCSTokenRotateAndExpiry(t *testing.T) {
	srv := gitServer(t)
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv, "--storage", "file")
	e.mustRun("setup-git")
	cfg := readConfig(t, e)
	id, _ := cfg.InstanceValue("work", keyVCSTokenID)
	r := e.mustRun("token", "list")
	if !strings.Contains(r.stdout, "used by git via rhodecode") {
		t.Errorf("managed VCS token not marked:\n%s", r.stdout)
	}
	r = e.mustRun("token", "rotate", id)
	newSecret := strings.TrimSpace(r.stdout)
	if got, _ := readConfig(t, e).InstanceValue("work", keyVCSToken); got != newSecret {
		t.Fatalf("stored VCS token not replaced")
	}
	if out, err := e.git(t.TempDir(), "ls-remote", srv.RepoCloneURL("team/app")); err != nil {
		t.Fatalf("git after rotate: %v\n%s", err, out)
	}

	// Expired (as recorded): get offers nothing and says why; setup-git
	// makes a new one.
	if err := updateTestConfig(e, func(f *rhoderc.File) { f.SetInstanceValue("work", keyVCSTokenExpires, "1000") }); err != nil {
		t.Fatal(err)
	}
	out, errOut, _ := e.helper("protocol=http\nhost="+srv.Host()+"\n\n", "--storage", "file", "get")
	if out != "" || !strings.Contains(errOut, "expired on 1970-01-01") {
		t.Errorf("expired token: stdout %q stderr %q", out, errOut)
	}
	if r := e.mustRun("auth", "status", "--json"); !strings.Contains(r.stdout, `"vcs_token_state": "expired"`) {
		t.Errorf("status:\n%s", r.stdout)
	}
	e.mustRun("setup-git")
	if got, _ := readConfig(t, e).InstanceValue("work", keyVCSToken); got == newSecret {
		t.Error("setup-git kept the expired token")
	}
	if out, err := e.git(t.TempDir(), "ls-remote", srv.RepoCloneURL("team/app")); err != nil {
		t.Fatalf("git after setup-git: %v\n%s", err, out)
	}
}

func updateTestConfig(e *testEnv, fn func(*rhoderc.File)) error {
	return rhoderc.Update(e.t.Context(), e.config, func(f *rhoderc.File) error { fn(f); return nil })
}
