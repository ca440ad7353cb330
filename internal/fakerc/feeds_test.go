package fakerc

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Feeds and the health check take a token of the view's role (or all) in
// the URL and refuse every other, as LoginRequired(auth_token_access=…).
func TestTokenViews(t *testing.T) {
	f := webFixture(t)
	s := f.srv
	feed := s.Tokens("alice")[0] // AddUser's "Generated feed token"
	if feed.Role != RoleFeed {
		t.Fatalf("first token of alice is %+v", feed)
	}
	httpTok := s.AddToken("alice", RoleHTTP, "status", -1)
	expiredFeed := s.InsertToken(Token{UserID: f.alice.ID, Role: RoleFeed, Expires: float64(time.Now().Add(-time.Hour).Unix())})
	scopedFeed := s.InsertToken(Token{UserID: f.alice.ID, Role: RoleFeed, Expires: -1, RepoID: 1})
	private := s.AddRepo(Repo{Name: "secret/box", Private: true})
	s.AddRepo(Repo{Name: "team/open"})
	bobFeed := s.Tokens("bob")[0]

	for _, tc := range []struct {
		name, path, token string
		status            int
		body              string // substring; for 302, of Location
	}{
		{"repo rss", "/team/project/feed-rss", feed.Secret, 200, "<title>team/project rss feed</title>"},
		{"repo atom", "/team/project/feed-atom", feed.Secret, 200, "<title>team/project atom feed</title>"},
		{"legacy path", "/team/project/feed/rss", feed.Secret, 200, "team/project rss feed"},
		{"repo by id", "/_1/feed-atom", feed.Secret, 200, "team/project atom feed"},
		{"all role", "/team/project/feed-rss", f.allTok.Secret, 200, "rss feed"},
		{"journal rss", "/_admin/journal/rss", feed.Secret, 200, "RhodeCode journal rss feed"},
		{"journal atom", "/_admin/journal/atom", feed.Secret, 200, "RhodeCode journal atom feed"},
		{"status", "/_admin/ops/status", httpTok.Secret, 200, `"healthcheck"`},
		{"status all role", "/_admin/ops/status", f.allTok.Secret, 200, `"healthcheck"`},
		{"http token on a feed", "/team/project/feed-rss", httpTok.Secret, 302, "came_from=%2Fteam%2Fproject%2Ffeed-rss"},
		{"feed token on status", "/_admin/ops/status", feed.Secret, 302, "/_admin/login"},
		{"api token on journal", "/_admin/journal/rss", f.apiTok.Secret, 302, "/_admin/login"},
		{"vcs token on a feed", "/team/project/feed-atom", f.vcsTok.Secret, 302, "/_admin/login"},
		{"expired feed token", "/team/project/feed-rss", expiredFeed.Secret, 302, "/_admin/login"},
		{"scoped feed token", "/team/project/feed-rss", scopedFeed.Secret, 302, "/_admin/login"},
		{"inactive user", "/_admin/journal/rss", bobFeed.Secret, 302, "/_admin/login"},
		{"unknown token", "/_admin/journal/rss", strings.Repeat("a", 40), 302, "/_admin/login"},
		{"no token", "/_admin/journal/rss", "", 302, "/_admin/login"},
		{"private repo, no access", "/" + private.Name + "/feed-rss", feed.Secret, 404, "Not Found"},
		{"unknown repo", "/no/such/feed-rss", feed.Secret, 404, "Not Found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.path
			if tc.token != "" {
				p += "?auth_token=" + tc.token
			}
			r := newBrowser(t, s).get(p)
			if r.status != tc.status {
				t.Fatalf("%s: %d, want %d\n%s", p, r.status, tc.status, r.body)
			}
			got := r.body
			if r.status == http.StatusFound {
				got = r.header.Get("Location")
				if tc.token != "" && strings.Contains(got, tc.token) {
					t.Errorf("the token is in came_from: %s", got)
				}
			}
			if !strings.Contains(got, tc.body) {
				t.Errorf("%s: want %q in\n%s", p, tc.body, got)
			}
		})
	}

	// Content types, and the other places a token may come from.
	b := newBrowser(t, s)
	if r := b.get("/team/project/feed-rss?auth_token=" + feed.Secret); r.header.Get("Content-Type") != rssContentType {
		t.Errorf("rss content type %q", r.header.Get("Content-Type"))
	}
	if r := b.get("/team/project/feed-atom?api_key=" + feed.Secret); r.status != 200 || r.header.Get("Content-Type") != atomContentType {
		t.Errorf("legacy api_key: %d %q", r.status, r.header.Get("Content-Type"))
	}
	if r := b.do("GET", "/_admin/ops/status", nil, map[string]string{"X-Rc-Auth-Token": httpTok.Secret}); r.status != 200 {
		t.Errorf("X-Rc-Auth-Token: %d", r.status)
	}

	// A logged-in browser reads feeds with its session; a wrong token in
	// the URL wins over the session (the cookie is ignored).
	b.login("alice", "alicepw")
	if r := b.get("/_admin/journal/rss"); r.status != 200 {
		t.Errorf("journal with a session: %d", r.status)
	}
	if r := b.get("/_admin/journal/rss?auth_token=" + httpTok.Secret); r.status != http.StatusFound {
		t.Errorf("journal with a session and an http token: %d, want 302", r.status)
	}
	if r := b.get("/_admin/my_account/auth_tokens?auth_token=" + f.allTok.Secret); r.status != http.StatusFound {
		t.Errorf("token page with a token in the URL: %d, want 302 (not whitelisted)", r.status)
	}
}

// Before 4.27 there is no health check view.
func TestOpsStatusVersion(t *testing.T) {
	f := webFixture(t, WithVersion("4.26.0"))
	tok := f.srv.AddToken("alice", RoleHTTP, "", -1)
	r := newBrowser(t, f.srv).get("/_admin/ops/status?auth_token=" + url.QueryEscape(tok.Secret))
	if r.status != http.StatusNotFound {
		t.Fatalf("4.26 ops/status: %d, want 404", r.status)
	}
}
