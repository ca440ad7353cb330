package cmd

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
)

// fetch GETs a printed URL without following redirects, as a feed
// reader's first request.
func fetch(t *testing.T, u string) (int, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// urlEnv is alice logged in to a fake with a public repository team/app;
// her tokens are fakeTokenServer's: feed (id 1), vcs, an expired http one.
func urlEnv(t *testing.T, version string) (*fakerc.Server, *testEnv) {
	t.Helper()
	srv := fakeTokenServer(t, version)
	srv.AddRepo(fakerc.Repo{Name: "team/app"})
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv)
	return srv, e
}

func TestURLFeeds(t *testing.T) {
	for _, v := range layouts {
		t.Run(v, func(t *testing.T) {
			srv, e := urlEnv(t, v)
			feed := srv.Tokens("alice")[0]
			if feed.Role != fakerc.RoleFeed {
				t.Fatalf("first token %+v", feed)
			}
			// A second feed token: RhodeCode's links use the first one.
			srv.AddToken("alice", fakerc.RoleFeed, "reader", -1)
			before := len(srv.Tokens("alice"))

			for _, tc := range []struct {
				args  []string
				path  string
				title string
			}{
				{[]string{"url", "feed", "team/app"}, "/team/app/feed-rss", "<title>team/app rss feed</title>"},
				{[]string{"url", "feed", "/team/app/", "--atom"}, "/team/app/feed-atom", "<title>team/app atom feed</title>"},
				{[]string{"url", "feed", srv.URL + "/team/app"}, "/team/app/feed-rss", "team/app rss feed"},
				{[]string{"url", "journal"}, "/_admin/journal/rss", "RhodeCode journal rss feed"},
				{[]string{"url", "journal", "--atom"}, "/_admin/journal/atom", "RhodeCode journal atom feed"},
			} {
				r := e.mustRun(tc.args...)
				want := srv.URL + tc.path + "?auth_token=" + feed.Secret + "\n"
				if r.stdout != want {
					t.Fatalf("%v: stdout %q, want %q", tc.args, r.stdout, want)
				}
				if r.stderr != "" {
					t.Errorf("%v: stderr when piped: %q", tc.args, r.stderr)
				}
				code, body := fetch(t, strings.TrimSpace(r.stdout))
				if code != 200 || !strings.Contains(body, tc.title) {
					t.Errorf("%v: fetching the URL: %d\n%s", tc.args, code, body)
				}
			}

			r := e.mustRun("url", "feed", "team/app", "--atom", "--json")
			var j map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &j); err != nil {
				t.Fatalf("--json: %v\n%s", err, r.stdout)
			}
			if j["url"] != srv.URL+"/team/app/feed-atom?auth_token="+feed.Secret || j["token_id"] != float64(feed.ID) || j["role"] != "token_role_feed" || len(j) != 3 {
				t.Errorf("--json: %v", j)
			}
			if n := len(srv.Tokens("alice")); n != before {
				t.Errorf("url made tokens: %d, had %d", n, before)
			}
		})
	}
}

// Without a usable token: an error naming --create, and nothing made;
// with --create: one token of the least role, whose URL works.
func TestURLCreate(t *testing.T) {
	for _, v := range layouts {
		t.Run(v, func(t *testing.T) {
			srv, e := urlEnv(t, v)
			feed := srv.Tokens("alice")[0]
			srv.RevokeToken(feed.ID)
			u, _ := srv.User("alice")
			// An expired and a repository-scoped feed token do not count.
			srv.InsertToken(fakerc.Token{UserID: u.ID, Role: fakerc.RoleFeed, Description: "old", Expires: float64(testNow.Add(-time.Hour).Unix())})
			// Nor does a token of role all, which would work but grants everything.
			srv.AddToken("alice", fakerc.RoleAll, "everything", -1)
			before := len(srv.Tokens("alice"))

			for _, args := range [][]string{{"url", "feed", "team/app"}, {"url", "journal"}, {"url", "status"}} {
				r := e.run(args...)
				if r.code != 1 || !strings.Contains(r.stderr, "--create") || r.stdout != "" {
					t.Errorf("%v without a token: exit %d\nstdout %q\nstderr %q", args, r.code, r.stdout, r.stderr)
				}
			}
			if n := len(srv.Tokens("alice")); n != before {
				t.Fatalf("a failed url made tokens: %d, had %d", n, before)
			}

			for _, tc := range []struct {
				args         []string
				role, desc   string
				path, answer string
			}{
				{[]string{"url", "feed", "team/app", "--create"}, fakerc.RoleFeed, "rhodecode-cli feed alice@testhost", "/team/app/feed-rss", "team/app rss feed"},
				{[]string{"url", "status", "--create"}, fakerc.RoleHTTP, "rhodecode-cli http alice@testhost", "/_admin/ops/status", `"healthcheck"`},
			} {
				r := e.mustRun(tc.args...)
				toks := srv.Tokens("alice")
				made := toks[len(toks)-1]
				if made.Role != tc.role || made.Description != tc.desc || made.Expires != -1 {
					t.Fatalf("%v created %+v", tc.args, made)
				}
				if want := srv.URL + tc.path + "?auth_token=" + made.Secret + "\n"; r.stdout != want {
					t.Errorf("%v: stdout %q, want %q", tc.args, r.stdout, want)
				}
				if !strings.Contains(r.stderr, "Created token") {
					t.Errorf("%v: stderr %q", tc.args, r.stderr)
				}
				code, body := fetch(t, strings.TrimSpace(r.stdout))
				if tc.role == fakerc.RoleHTTP && v < "4.27" {
					// No status page before 4.27: a warning says so.
					if code != http.StatusNotFound || !strings.Contains(r.stderr, "came with 4.27") {
						t.Errorf("%v on %s: %d, stderr %q", tc.args, v, code, r.stderr)
					}
				} else if code != 200 || !strings.Contains(body, tc.answer) {
					t.Errorf("%v: fetching the URL: %d %s", tc.args, code, body)
				}
				// The next run reuses it.
				again := e.mustRun(tc.args...)
				if again.stdout != r.stdout || len(srv.Tokens("alice")) != len(toks) {
					t.Errorf("%v again: %q, %d tokens (had %d)", tc.args, again.stdout, len(srv.Tokens("alice")), len(toks))
				}
			}

			// Each token opens only its own kind of view.
			status := strings.TrimSpace(e.mustRun("url", "status").stdout)
			feedURL := strings.TrimSpace(e.mustRun("url", "journal").stdout)
			httpSecret := status[strings.Index(status, "auth_token=")+len("auth_token="):]
			feedSecret := feedURL[strings.Index(feedURL, "auth_token=")+len("auth_token="):]
			wrongs := []string{
				srv.URL + "/_admin/journal/rss?auth_token=" + httpSecret,
				srv.URL + "/team/app/feed-atom?auth_token=" + httpSecret,
			}
			if v >= "4.27" {
				wrongs = append(wrongs, srv.URL+"/_admin/ops/status?auth_token="+feedSecret)
			}
			for _, wrong := range wrongs {
				if code, _ := fetch(t, wrong); code != http.StatusFound {
					t.Errorf("%s: %d, want 302 to the login page", strings.ReplaceAll(wrong, srv.URL, ""), code)
				}
			}
		})
	}
}

// The secret is on stdout only: not in --debug's trace, and on a terminal
// a warning says the URL holds it.
func TestURLSecretOnlyInURL(t *testing.T) {
	for _, v := range layouts {
		t.Run(v, func(t *testing.T) {
			srv, e := urlEnv(t, v)
			feed := srv.Tokens("alice")[0]
			r := e.mustRun("url", "feed", "team/app", "--debug")
			if !strings.Contains(r.stdout, feed.Secret) || strings.Contains(r.stderr, feed.Secret) {
				t.Errorf("secret in stderr, or not in stdout\nstdout %q\nstderr %s", r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, "/_admin/my_account/auth_tokens") {
				t.Errorf("--debug traced no token page:\n%s", r.stderr)
			}
			e.tty = true
			r = e.mustRun("url", "journal")
			if !strings.Contains(r.stderr, "The URL holds the secret of token 1 (feed)") || strings.Contains(r.stderr, feed.Secret) {
				t.Errorf("tty stderr %q", r.stderr)
			}
		})
	}
}

func TestURLUsage(t *testing.T) {
	_, e := urlEnv(t, "4.27.0")
	for _, args := range [][]string{
		{"url", "feed"},
		{"url", "feed", "a", "b"},
		{"url", "feed", "/"},
		{"url", "feed", "team/../x"},
		{"url", "journal", "x"},
		{"url", "status", "--atom"},
	} {
		if r := e.run(args...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, r.code, r.stderr)
		}
	}
	// Before 4.27 the status page does not exist: the URL is printed with a warning.
	old := fakeTokenServer(t, "4.26.0")
	e2 := newTestEnv(t)
	passwordLoginEnv(t, e2, old)
	r := e2.mustRun("url", "status", "--create")
	if !strings.Contains(r.stderr, "came with 4.27") {
		t.Errorf("no warning for 4.26: %q", r.stderr)
	}
}
