package cmd

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/internal/golden"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/keyring/keyringtest"
)

// fakeAdminServer is fakeTokenServer plus a super-admin, root, and a CI
// bot with the feed token every user gets and a VCS token that expires
// in 10 days.
func fakeAdminServer(t *testing.T, version string) (*fakerc.Server, fakerc.Token) {
	t.Helper()
	srv := fakeTokenServer(t, version)
	srv.AddUser(fakerc.User{Username: "root", Password: "rootpw", Email: "root@example.com", Active: true, Admin: true})
	bot := srv.AddUser(fakerc.User{Username: "ci-bot", Email: "ci@example.com", Active: true})
	deploy := srv.InsertToken(fakerc.Token{UserID: bot.ID, Secret: "dep1" + strings.Repeat("4", 36), Role: fakerc.RoleVCS, Description: "deploy", Expires: float64(testNow.Add(10 * 24 * time.Hour).Unix())})
	return srv, deploy
}

// allTokens is every token on the server by user, for "nothing changed".
func allTokens(srv *fakerc.Server) map[string][]fakerc.Token {
	out := map[string][]fakerc.Token{}
	for _, u := range []string{"alice", "root", "ci-bot"} {
		out[u] = srv.Tokens(u)
	}
	return out
}

func sameTokens(a, b map[string][]fakerc.Token) bool {
	return maps.EqualFunc(a, b, func(x, y []fakerc.Token) bool {
		return slices.EqualFunc(x, y, func(p, q fakerc.Token) bool { return p.ID == q.ID && p.Secret == q.Secret })
	})
}

// idsOf are the ids of the tokens, in order.
func idsOf(ts []fakerc.Token) []int {
	ids := make([]int, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return ids
}

// TestTokenUserAdmin: a super-admin lists, creates, shows, rotates and
// revokes a CI bot's tokens with --user, in both page layouts; the bot's
// tokens change on the server, the admin's own do not, and neither do the
// API and VCS tokens the tool keeps for the admin, even where a bot token
// looks like one of them in the masked list.
func TestTokenUserAdmin(t *testing.T) {
	for _, v := range layouts {
		t.Run(v, func(t *testing.T) {
			srv, deploy := fakeAdminServer(t, v)
			e := newTestEnv(t)
			e.stdin = "rootpw\n"
			e.mustRun("auth", "login", "--url", srv.URL, "--username", "root", "--password-stdin", "--name", "work")
			e.stdin = ""
			e.mustRun("setup-git")
			mem := e.secrets.(*keyringtest.Mem)
			apiTok, _ := e.secret("work", srv.URL, keyring.AccountAPIToken)
			vcsTok, _ := e.secret("work", srv.URL, keyring.AccountVCSToken)
			if apiTok == "" || vcsTok == "" {
				t.Fatal("the admin has no stored API or VCS token")
			}
			// Bot tokens that look like the admin's own in a masked list.
			botID := srv.Tokens("ci-bot")[0].UserID
			twinAPI := srv.InsertToken(fakerc.Token{UserID: botID, Secret: apiTok[:4] + strings.Repeat("5", 36), Role: fakerc.RoleAPI, Description: "bot api", Expires: -1})
			srv.InsertToken(fakerc.Token{UserID: botID, Secret: vcsTok[:4] + strings.Repeat("6", 36), Role: fakerc.RoleVCS, Description: "bot git", Expires: -1})

			rootBefore := srv.Tokens("root")
			aliceBefore := srv.Tokens("alice")
			keyringBefore := mem.Items()
			cfgBefore, _ := os.ReadFile(e.config)
			unchanged := func(what string) {
				t.Helper()
				if got := srv.Tokens("root"); !sameTokens(map[string][]fakerc.Token{"r": got}, map[string][]fakerc.Token{"r": rootBefore}) {
					t.Errorf("%s: the admin's own tokens changed: %v → %v", what, idsOf(rootBefore), idsOf(got))
				}
				if got := srv.Tokens("alice"); len(got) != len(aliceBefore) {
					t.Errorf("%s: alice's tokens changed", what)
				}
				if !maps.Equal(mem.Items(), keyringBefore) {
					t.Errorf("%s: the tool's stored secrets changed", what)
				}
				if b, _ := os.ReadFile(e.config); string(b) != string(cfgBefore) {
					t.Errorf("%s: config changed:\n%s", what, b)
				}
			}

			// list: the bot's tokens, none marked as the tool's.
			r := e.mustRun("token", "list", "--user", "ci-bot", "--json")
			var listed []tokenJSON
			if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil {
				t.Fatal(err)
			}
			var ids []int
			for _, j := range listed {
				ids = append(ids, j.ID)
				if j.InUse {
					t.Errorf("bot token %d (%s) marked as used by the tool", j.ID, j.Description)
				}
			}
			if want := idsOf(srv.Tokens("ci-bot")); !slices.Equal(ids, want) {
				t.Fatalf("listed %v, the bot has %v", ids, want)
			}
			e.tty = true
			if r := e.mustRun("token", "list", "--user", "ci-bot"); strings.Contains(r.stdout, "used by") || !strings.Contains(r.stdout, "deploy") {
				t.Errorf("table:\n%s", r.stdout)
			}
			e.tty = false
			unchanged("list")

			// create
			r = e.mustRun("token", "create", "--user", "ci-bot", "--role", "vcs", "--lifetime", "30d")
			bot := srv.Tokens("ci-bot")
			created := bot[len(bot)-1]
			if r.stdout != created.Secret+"\n" || created.Role != fakerc.RoleVCS || created.Description != "rhodecode-cli vcs ci-bot@testhost, by root" ||
				created.Expires != float64(testNow.Add(30*24*time.Hour).Unix()) {
				t.Errorf("created %+v, printed %q", created, r.stdout)
			}
			unchanged("create")

			// show
			if r := e.mustRun("token", "show", "--user", "ci-bot", strconv.Itoa(created.ID)); r.stdout != created.Secret+"\n" {
				t.Errorf("show printed %q", r.stdout)
			}
			if r := e.run("token", "show", "--user", "ci-bot", strconv.Itoa(rootBefore[0].ID)); r.code != 1 || !strings.Contains(r.stderr, "of user ci-bot on \"work\"") || r.stdout != "" {
				t.Errorf("show of the admin's token via --user: exit %d %q", r.code, r.stderr)
			}
			unchanged("show")

			// rotate the bot token that looks like the tool's API token.
			r = e.mustRun("token", "rotate", "--user", "ci-bot", strconv.Itoa(twinAPI.ID))
			bot = srv.Tokens("ci-bot")
			newAPI := bot[len(bot)-1]
			if slices.Contains(idsOf(bot), twinAPI.ID) || newAPI.Role != fakerc.RoleAPI || newAPI.Description != "bot api" || r.stdout != newAPI.Secret+"\n" {
				t.Errorf("rotate: bot has %v, new %+v", idsOf(bot), newAPI)
			}
			if strings.Contains(r.stderr, "now uses") || strings.Contains(r.stderr, "git now gets") || !strings.Contains(r.stderr, "for user ci-bot") {
				t.Errorf("rotate stderr %q", r.stderr)
			}
			unchanged("rotate")

			// revoke
			r = e.mustRun("token", "revoke", "--user", "ci-bot", strconv.Itoa(created.ID), "--yes")
			if slices.Contains(idsOf(srv.Tokens("ci-bot")), created.ID) || !strings.Contains(r.stderr, "for user ci-bot") {
				t.Errorf("revoke: bot still has %d; stderr %q", created.ID, r.stderr)
			}
			unchanged("revoke")

			// The cron job: a new VCS token for the bot every month.
			r = e.mustRun("token", "rotate", "--user", "ci-bot", strconv.Itoa(deploy.ID), "--lifetime", "30d", "--json")
			bot = srv.Tokens("ci-bot")
			newVCS := bot[len(bot)-1]
			if slices.Contains(idsOf(bot), deploy.ID) || newVCS.Role != fakerc.RoleVCS || newVCS.Description != "deploy" ||
				newVCS.Expires != float64(testNow.Add(30*24*time.Hour).Unix()) {
				t.Errorf("cron rotate: bot has %v, new %+v", idsOf(bot), newVCS)
			}
			out := r.stdout
			for _, tk := range bot {
				out = strings.ReplaceAll(out, tk.Secret, fmt.Sprintf("<TOKEN %d>", tk.ID))
				out = strings.ReplaceAll(out, tk.Secret[:4]+"****", fmt.Sprintf("%04d****", tk.ID))
			}
			if hex40.MatchString(out) {
				t.Errorf("another secret in the output: %s", r.stdout)
			}
			golden.Assert(t, "cron.stdout", []byte(out))
			if r.stderr != "" {
				t.Errorf("cron rotate stderr %q", r.stderr)
			}
			unchanged("cron rotate")
			if got, _ := e.secret("work", srv.URL, keyring.AccountVCSToken); got != vcsTok {
				t.Error("the admin's VCS token for git was replaced")
			}

			// Next month's run names the token by its description, which
			// the rotation kept (README, Scripting).
			e.mustRun("token", "rotate", "--user", "ci-bot", "deploy", "--lifetime", "30d", "--json")
			bot = srv.Tokens("ci-bot")
			if last := bot[len(bot)-1]; slices.Contains(idsOf(bot), newVCS.ID) || last.Description != "deploy" {
				t.Errorf("second rotate by description: bot has %v", idsOf(bot))
			}
			unchanged("second cron rotate")

			// No API token: the user cannot be looked up (exit 4).
			e.mustRun("token", "revoke", readTokenID(t, e), "--yes")
			if r := e.run("token", "list", "--user", "ci-bot"); r.code != 4 || !strings.Contains(r.stderr, "needs the API token") {
				t.Errorf("--user without an API token: exit %d %q", r.code, r.stderr)
			}
		})
	}
}

// TestTokenUserRefused: a non-admin's --user and an admin's --user of an
// unknown user are one clear line, exit 1, nothing asked of the admin
// pages and nothing changed; --user naming oneself is one's own list.
func TestTokenUserRefused(t *testing.T) {
	for _, v := range layouts {
		t.Run(v, func(t *testing.T) {
			srv, deploy := fakeAdminServer(t, v)
			commands := func(user string) [][]string {
				id := strconv.Itoa(deploy.ID)
				return [][]string{
					{"token", "list", "--user", user},
					{"token", "list", "--user", user, "--json"},
					{"token", "create", "--user", user, "--role", "vcs"},
					{"token", "show", "--user", user, id},
					{"token", "revoke", "--user", user, id, "--yes"},
					{"token", "revoke", "--user", user, "--expired", "--yes"},
					{"token", "rotate", "--user", user, id, "--lifetime", "30d", "--json"},
				}
			}
			check := func(e *testEnv, user, want string) {
				t.Helper()
				before := allTokens(srv)
				cfgBefore, _ := os.ReadFile(e.config)
				keyringBefore := e.secrets.(*keyringtest.Mem).Items()
				srv.ResetWebRequests()
				for _, args := range commands(user) {
					r := e.run(args...)
					if r.code != 1 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, want) {
						t.Errorf("%v: exit %d stdout %q stderr %q; want exit 1 and %q", args, r.code, r.stdout, r.stderr, want)
					}
				}
				if !sameTokens(allTokens(srv), before) {
					t.Errorf("--user %s changed tokens on the server", user)
				}
				for _, wr := range srv.WebRequests() {
					if strings.HasPrefix(wr.Path, "/_admin/users/") || wr.Method == "POST" {
						t.Errorf("--user %s: %s %s was sent", user, wr.Method, wr.Path)
					}
				}
				if b, _ := os.ReadFile(e.config); string(b) != string(cfgBefore) {
					t.Error("config changed")
				}
				if !maps.Equal(e.secrets.(*keyringtest.Mem).Items(), keyringBefore) {
					t.Error("stored secrets changed")
				}
			}

			// alice is no super-admin.
			e := newTestEnv(t)
			passwordLoginEnv(t, e, srv)
			check(e, "ci-bot", `rhodecode: --user ci-bot: only super-admins can manage another user's tokens, and alice is not one on "work"`+"\n")
			check(e, "root", `--user root: only super-admins can manage another user's tokens`)
			// Naming herself is her own list.
			if r := e.mustRun("token", "list", "--user", "alice"); !strings.Contains(r.stdout, "CI runner <main>") {
				t.Errorf("--user alice by alice: %q", r.stdout)
			}

			// root is, but there is no user "nobody".
			a := newTestEnv(t)
			a.stdin = "rootpw\n"
			a.mustRun("auth", "login", "--url", srv.URL, "--username", "root", "--password-stdin", "--name", "work")
			a.stdin = ""
			check(a, "nobody", `rhodecode: --user nobody: there is no user nobody on "work" (user names are exact, as in Admin → Users)`+"\n")
		})
	}
}

// TestTokenUserOwnID: get_user reads an all-digit userid as an id, so
// --user with one's own numeric id is oneself, like one's own name: the
// tool's own tokens are marked, rotating the tool's API token updates the
// stored copy, and revoking it still needs --yes. A non-admin's own id is
// her own list too (not the admin pages, which refuse her).
func TestTokenUserOwnID(t *testing.T) {
	srv, _ := fakeAdminServer(t, layouts[0])
	root, _ := srv.User("root")
	rootID := strconv.Itoa(root.ID)
	e := newTestEnv(t)
	e.stdin = "rootpw\n"
	e.mustRun("auth", "login", "--url", srv.URL, "--username", "root", "--password-stdin", "--name", "work")
	e.stdin = ""
	apiTok, _ := e.secret("work", srv.URL, keyring.AccountAPIToken)
	apiID := 0
	for _, tk := range srv.Tokens("root") {
		if tk.Secret == apiTok {
			apiID = tk.ID
		}
	}
	if apiID == 0 {
		t.Fatal("the stored API token is not on the server")
	}

	r := e.mustRun("token", "list", "--user", rootID, "--json")
	var listed []tokenJSON
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil {
		t.Fatal(err)
	}
	marked := false
	for _, j := range listed {
		marked = marked || (j.ID == apiID && j.InUse)
	}
	if !marked {
		t.Errorf("--user %s (own id): the tool's API token %d is not marked:\n%s", rootID, apiID, r.stdout)
	}

	id := strconv.Itoa(apiID)
	if r := e.run("token", "revoke", id, "--user", rootID); r.code != 2 || !strings.Contains(r.stderr, "is the API token rhodecode uses") {
		t.Errorf("revoke of the tool's API token with --user (own id) and no --yes: exit %d, %q", r.code, r.stderr)
	}
	e.mustRun("token", "rotate", id, "--user", rootID)
	newTok, _ := e.secret("work", srv.URL, keyring.AccountAPIToken)
	if newTok == apiTok {
		t.Fatal("rotating the tool's API token with --user (own id) left the stored copy unchanged")
	}
	e.mustRun("auth", "status") // the stored token works

	// alice is no admin, but get_user accepts her own id from her.
	alice, _ := srv.User("alice")
	a := newTestEnv(t)
	passwordLoginEnv(t, a, srv)
	if r := a.mustRun("token", "list", "--user", strconv.Itoa(alice.ID)); !strings.Contains(r.stdout, "CI runner <main>") {
		t.Errorf("--user <alice's id> by alice: %q", r.stdout)
	}
}
