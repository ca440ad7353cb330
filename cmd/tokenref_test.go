package cmd

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
)

// show, rotate and revoke take a unique description as well as an id; a
// shared one is a usage error that lists the ids and changes nothing.
func TestTokenByDescription(t *testing.T) {
	for _, v := range layouts {
		t.Run(v, func(t *testing.T) {
			srv := fakeTokenServer(t, v)
			e := newTestEnv(t)
			passwordLoginEnv(t, e, srv)
			byDesc := func(desc string) fakerc.Token {
				for _, tk := range srv.Tokens("alice") {
					if tk.Description == desc {
						return tk
					}
				}
				t.Fatalf("no token %q", desc)
				return fakerc.Token{}
			}

			ci := byDesc("CI runner <main>")
			if r := e.mustRun("token", "show", "CI runner <main>"); r.stdout != ci.Secret+"\n" {
				t.Errorf("show by description: %q", r.stdout)
			}

			// Two tokens described "laptop": show, rotate and revoke refuse
			// and name both ids.
			e.mustRun("token", "create", "--role", "vcs", "--description", "laptop")
			e.mustRun("token", "create", "--role", "feed", "--description", "laptop")
			tokens := srv.Tokens("alice")
			a, b := tokens[len(tokens)-2], tokens[len(tokens)-1]
			for _, args := range [][]string{
				{"token", "show", "laptop"},
				{"token", "rotate", "laptop"},
				{"token", "revoke", "laptop", "--yes"},
				{"token", "revoke", "old dashboard", "laptop", "--yes"},
			} {
				r := e.run(args...)
				want := `rhodecode: 2 tokens on "work" have the description "laptop" (ids ` + itoa(a.ID) + ", " + itoa(b.ID) + "); give the id\n"
				if first, _, _ := strings.Cut(r.stderr, "\n"); r.code != 2 || first+"\n" != want || r.stdout != "" {
					t.Errorf("%v: exit %d stderr %q\nwant %q", args, r.code, r.stderr, want)
				}
			}
			if n := len(srv.Tokens("alice")); n != len(tokens) {
				t.Fatalf("an ambiguous description changed the tokens: %d, want %d", n, len(tokens))
			}

			// Rotate by description: the replacement keeps it, so it still
			// names one token afterwards.
			r := e.mustRun("token", "rotate", "Generated feed token")
			feeds := 0
			for _, tk := range srv.Tokens("alice") {
				if tk.Description == "Generated feed token" {
					feeds++
					if r.stdout != tk.Secret+"\n" {
						t.Errorf("rotate printed %q, the new token is %s", r.stdout, tk.Secret)
					}
				}
			}
			if feeds != 1 {
				t.Errorf("%d feed tokens after rotate", feeds)
			}

			// Revoke by id and by description in one go; the same token
			// twice is revoked once; an unknown description is reported.
			r = e.run("token", "revoke", itoa(ci.ID), "CI runner <main>", "old dashboard", "no such thing", "--yes", "--json")
			if r.code != 1 {
				t.Fatalf("exit %d, want 1 (one not found): %s", r.code, r.stderr)
			}
			var res []revokeResult
			if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
				t.Fatal(err)
			}
			if len(res) != 3 || res[0].Ref != "no such thing" || res[0].ID != 0 || !res[1].Revoked || res[1].ID != ci.ID || !res[2].Revoked {
				t.Errorf("results %+v", res)
			}
			for _, tk := range srv.Tokens("alice") {
				if tk.Description == "CI runner <main>" || tk.Description == "old dashboard" {
					t.Errorf("token %d (%s) not revoked", tk.ID, tk.Description)
				}
			}
			r = e.run("token", "revoke", "no such thing", "--yes")
			if r.code != 1 || r.stderr != "X Token no such thing: no such token\n" {
				t.Errorf("exit %d stderr %q", r.code, r.stderr)
			}
			r = e.run("token", "show", "no such thing")
			if r.code != 1 || r.stderr != `rhodecode: no token with id or description "no such thing" on "work" (see rhodecode token list)`+"\n" {
				t.Errorf("exit %d stderr %q", r.code, r.stderr)
			}
			if r := e.run("token", "show", "0"); r.code != 2 {
				t.Errorf("show 0: exit %d", r.code)
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestTokenRefNumericIsID: a number is an id only; a token described with
// that number is not taken when no token has the id.
func TestTokenRefNumericIsID(t *testing.T) {
	srv := fakeTokenServer(t, layouts[0])
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv)
	e.mustRun("token", "create", "--role", "feed", "--description", "999")
	before := len(srv.Tokens("alice"))
	for _, args := range [][]string{
		{"token", "show", "999"},
		{"token", "rotate", "999"},
		{"token", "revoke", "999", "--yes"},
	} {
		if r := e.run(args...); r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "no token with id 999") && !strings.Contains(r.stderr, "Token 999: no such token") {
			t.Errorf("%v: exit %d stdout %q stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
	if n := len(srv.Tokens("alice")); n != before {
		t.Errorf("a token described 999 was taken for id 999: %d tokens, want %d", n, before)
	}
}
