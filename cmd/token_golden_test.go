package cmd

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/internal/golden"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/keyring/keyringtest"
)

// secretScrubber remembers every secret alice's tokens ever had, so that
// a token revoked after it was printed still becomes <TOKEN id>, and
// turns any other 40-hex string into a placeholder and a test failure.
type secretScrubber struct {
	srv  *fakerc.Server
	seen map[string]int // secret -> token id
}

var hex40 = regexp.MustCompile(`[0-9a-f]{40}`)

func newSecretScrubber(srv *fakerc.Server) *secretScrubber {
	s := &secretScrubber{srv: srv, seen: map[string]int{}}
	s.snapshot()
	return s
}

func (s *secretScrubber) snapshot() {
	for _, tk := range s.srv.Tokens("alice") {
		s.seen[tk.Secret] = tk.ID
	}
}

func (s *secretScrubber) scrub(t *testing.T, out string) string {
	t.Helper()
	s.snapshot()
	for secret, id := range s.seen {
		out = strings.ReplaceAll(out, secret, fmt.Sprintf("<TOKEN %d>", id))
	}
	for secret, id := range s.seen {
		out = strings.ReplaceAll(out, secret[:4]+"****", fmt.Sprintf("%04d****", id))
	}
	out = hex40.ReplaceAllStringFunc(out, func(string) string {
		t.Errorf("an unknown 40-hex secret in the output")
		return "<UNKNOWN SECRET>"
	})
	return scrub(out, s.srv)
}

// TestTokenGolden records stdout and stderr of create, show, revoke and
// rotate for both token-page layouts, on a terminal, off one and as JSON.
func TestTokenGolden(t *testing.T) {
	for _, v := range layouts {
		t.Run(v, func(t *testing.T) {
			for _, mode := range []struct {
				name string
				tty  bool
				json bool
			}{
				{"tty", true, false},
				{"notty", false, false},
				{"json", false, true},
			} {
				t.Run(mode.name, func(t *testing.T) {
					srv := fakeTokenServer(t, v)
					e := newTestEnv(t)
					passwordLoginEnv(t, e, srv)
					e.tty = mode.tty
					sc := newSecretScrubber(srv)
					step := func(name string, args ...string) result {
						t.Helper()
						if mode.json {
							args = append(args, "--json")
						}
						sc.snapshot()
						r := e.mustRun(args...)
						golden.Assert(t, name+".stdout", []byte(sc.scrub(t, r.stdout)))
						golden.Assert(t, name+".stderr", []byte(sc.scrub(t, r.stderr)))
						if mode.json && !json.Valid([]byte(r.stdout)) {
							t.Errorf("%s: stdout is not JSON: %q", name, r.stdout)
						}
						return r
					}
					secretOf := func(id int) string {
						t.Helper()
						for _, tk := range srv.Tokens("alice") {
							if tk.ID == id {
								return tk.Secret
							}
						}
						t.Fatalf("no token %d on the server", id)
						return ""
					}

					apiID := readTokenID(t, e)
					r := step("create", "token", "create", "--role", "vcs", "--description", "laptop", "--lifetime", "30d")
					tokens := srv.Tokens("alice")
					created := tokens[len(tokens)-1]
					if created.ID != 5 || created.Description != "laptop" || created.Expires != float64(testNow.Add(30*24*time.Hour).Unix()) {
						t.Fatalf("created %+v", created)
					}
					if !mode.json && r.stdout != created.Secret+"\n" {
						t.Errorf("create stdout %q", r.stdout)
					}

					r = step("show", "token", "show", "5")
					if !mode.json && r.stdout != created.Secret+"\n" {
						t.Errorf("show stdout %q", r.stdout)
					}

					step("revoke", "token", "revoke", "5", "--yes")
					// --expired always with --json, and once more without
					// anything left to revoke.
					args := []string{"token", "revoke", "--expired", "--yes"}
					if !mode.json {
						args = append(args, "--json")
					}
					step("revoke-expired", args...)
					step("revoke-expired-none", "token", "revoke", "--expired", "--yes")
					for _, tk := range srv.Tokens("alice") {
						if tk.ID == 3 || tk.ID == 5 {
							t.Errorf("token %d still on the server", tk.ID)
						}
					}

					r = step("rotate-expiring", "token", "rotate", "2", "--lifetime", "30d")
					tokens = srv.Tokens("alice")
					rotated := tokens[len(tokens)-1]
					if rotated.ID != 6 || rotated.Description != "CI runner <main>" || rotated.Role != fakerc.RoleVCS {
						t.Errorf("rotated %+v", rotated)
					}
					if !mode.json && r.stdout != secretOf(6)+"\n" {
						t.Errorf("rotate stdout %q", r.stdout)
					}

					oldAPI, _ := e.secret("work", srv.URL, keyring.AccountAPIToken)
					r = step("rotate-own", "token", "rotate", apiID)
					newAPI, _ := e.secret("work", srv.URL, keyring.AccountAPIToken)
					if newAPI == oldAPI || newAPI != secretOf(7) {
						t.Errorf("stored API token not replaced by token 7")
					}
					if !mode.json && r.stdout != newAPI+"\n" {
						t.Errorf("rotate own stdout %q", r.stdout)
					}
					if got := readTokenID(t, e); got != "7" {
						t.Errorf("token_id %q, want 7", got)
					}
				})
			}
		})
	}
}

// TestRevokeOwnTokenLayouts: revoking the tool's own API token needs --yes
// and logs the tool out of the API, on both layouts (with 4.18 the own
// token is found by its full secret, not its mask).
func TestRevokeOwnTokenLayouts(t *testing.T) {
	for _, v := range layouts {
		t.Run(v, func(t *testing.T) {
			srv := fakeTokenServer(t, v)
			e := newTestEnv(t)
			passwordLoginEnv(t, e, srv)
			id := readTokenID(t, e)
			if r := e.run("token", "revoke", id); r.code != 2 || !strings.Contains(r.stderr, "API token rhodecode uses") {
				t.Fatalf("exit %d %q", r.code, r.stderr)
			}
			e.tty, e.stdin = true, "y\n"
			if r := e.run("token", "revoke", id); r.code != 2 {
				t.Fatalf("own token revoked on a terminal without --yes: exit %d", r.code)
			}
			e.tty, e.stdin = false, ""
			if n := len(srv.Tokens("alice")); n != 4 {
				t.Fatalf("%d tokens left, want 4", n)
			}
			r := e.mustRun("token", "revoke", id, "--yes")
			if !strings.Contains(r.stderr, "Revoked token "+id+" (rhodecode-cli alice@testhost)") || !strings.Contains(r.stderr, "logged out of its API") {
				t.Errorf("stderr %q", r.stderr)
			}
			for _, tk := range srv.Tokens("alice") {
				if fmt.Sprint(tk.ID) == id {
					t.Error("own token still on the server")
				}
			}
			if _, err := e.secret("work", srv.URL, keyring.AccountAPIToken); err == nil {
				t.Error("revoked API token still in the keyring")
			}
			if _, ok := readConfig(t, e).InstanceValue("work", keyTokenID); ok {
				t.Error("token_id still recorded")
			}
			if r := e.run("auth", "token"); r.code != 4 {
				t.Errorf("auth token after revoking it: exit %d", r.code)
			}
			// The web session still works for token commands.
			e.mustRun("token", "list")
		})
	}
}

// TestSessionExpiryLayouts: when the stored web session expires, a token
// command asks for the password on a terminal, takes it from
// --password-stdin, and otherwise exits 4 with a hint, changing nothing.
func TestSessionExpiryLayouts(t *testing.T) {
	for _, v := range layouts {
		t.Run(v, func(t *testing.T) {
			srv := fakeTokenServer(t, v)
			e := newTestEnv(t)
			passwordLoginEnv(t, e, srv)
			cfgBefore, _ := os.ReadFile(e.config)
			cookieBefore, _ := e.secret("work", srv.URL, keyring.AccountWebSession)
			if cookieBefore == "" {
				t.Fatal("no web session stored at login")
			}

			srv.ExpireSessions()
			r := e.run("token", "list")
			if r.code != 4 || !strings.Contains(r.stderr, "expired") || !strings.Contains(r.stderr, "--password-stdin") || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
				t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
			}
			if b, _ := os.ReadFile(e.config); string(b) != string(cfgBefore) {
				t.Error("config changed")
			}
			if c, _ := e.secret("work", srv.URL, keyring.AccountWebSession); c != cookieBefore {
				t.Error("stored session changed")
			}

			e.stdin = "wonderland\n"
			if r := e.mustRun("token", "list", "--password-stdin"); !strings.Contains(r.stdout, "CI runner <main>") {
				t.Errorf("list after re-login: %q", r.stdout)
			}
			cookieAfter, _ := e.secret("work", srv.URL, keyring.AccountWebSession)
			if cookieAfter == cookieBefore || cookieAfter == "" {
				t.Error("new session not stored")
			}

			// On a terminal the password is asked for.
			srv.ExpireSessions()
			e.tty, e.stdin = true, "wonderland\n"
			if r := e.mustRun("token", "list"); !strings.Contains(r.stderr, "Password for alice on "+srv.URL) {
				t.Errorf("no password prompt: %q", r.stderr)
			}
			e.tty = false

			// A command that changes something also survives the expiry.
			srv.ExpireSessions()
			e.tty, e.stdin = true, "wonderland\n"
			r = e.mustRun("token", "create", "--role", "feed")
			if !strings.Contains(r.stderr, "Password for alice on "+srv.URL) {
				t.Errorf("no password prompt: %q", r.stderr)
			}
			tokens := srv.Tokens("alice")
			if got := strings.TrimSpace(r.stdout); got != tokens[len(tokens)-1].Secret {
				t.Errorf("create after prompt printed %q", got)
			}
			e.tty = false

			srv.ExpireSessions()
			e.stdin = "wrong-password\n"
			before := len(srv.Tokens("alice"))
			if r := e.run("token", "create", "--role", "vcs", "--password-stdin"); r.code != 4 || strings.Contains(r.stderr, "wrong-password") || r.stdout != "" {
				t.Errorf("wrong password: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
			}
			if after := len(srv.Tokens("alice")); after != before {
				t.Error("a token was created with a wrong password")
			}
			srv.ExpireSessions()
			e.stdin = "wrong-password\n"
			if r := e.run("token", "list", "--password-stdin"); r.code != 4 || strings.Contains(r.stderr, "wrong-password") {
				t.Errorf("wrong password: exit %d %q", r.code, r.stderr)
			}
		})
	}
}

// TestTokenServerDownLayouts: a dropped connection, an HTML page or a
// server that is down exit 3 and change nothing stored, neither the config
// nor the keyring, on both layouts.
func TestTokenServerDownLayouts(t *testing.T) {
	for _, v := range layouts {
		t.Run(v, func(t *testing.T) {
			srv := fakeTokenServer(t, v)
			e := newTestEnv(t)
			passwordLoginEnv(t, e, srv)
			cfgBefore, _ := os.ReadFile(e.config)
			mem := e.secrets.(*keyringtest.Mem)
			keyringBefore := mem.Items()
			if len(keyringBefore) != 2 {
				t.Fatalf("keyring after login: %d entries, want API token and session", len(keyringBefore))
			}
			unchanged := func(what string) {
				t.Helper()
				if b, _ := os.ReadFile(e.config); string(b) != string(cfgBefore) {
					t.Errorf("%s: config changed", what)
				}
				if !maps.Equal(mem.Items(), keyringBefore) {
					t.Errorf("%s: keyring changed", what)
				}
			}
			id := readTokenID(t, e)

			srv.SetFault(fakerc.FaultDropConnection)
			for _, args := range [][]string{
				{"token", "list"},
				{"token", "rotate", id},
				{"token", "revoke", id, "--yes"},
			} {
				if r := e.run(args...); r.code != 3 || r.stdout != "" {
					t.Errorf("dropped connection, %v: exit %d %q", args, r.code, r.stderr)
				}
				unchanged(fmt.Sprint("dropped connection ", args))
			}
			srv.SetFault(fakerc.FaultHTML200)
			if r := e.run("token", "create", "--role", "vcs"); r.code != 3 || r.stdout != "" {
				t.Errorf("HTML page: exit %d %q", r.code, r.stderr)
			}
			unchanged("HTML page")
			srv.SetFault(fakerc.FaultNone)
			n := len(srv.Tokens("alice"))
			srv.Close()
			for _, args := range [][]string{
				{"token", "list"},
				{"token", "show", "1"},
				{"token", "rotate", id},
				{"token", "revoke", "--expired", "--yes"},
			} {
				if r := e.run(args...); r.code != 3 || !strings.Contains(r.stderr, "connection refused") || r.stdout != "" {
					t.Errorf("server down, %v: exit %d %q", args, r.code, r.stderr)
				}
				unchanged(fmt.Sprint("server down ", args))
			}
			if got := len(srv.Tokens("alice")); got != n {
				t.Errorf("tokens on the server changed: %d -> %d", n, got)
			}
		})
	}
}
