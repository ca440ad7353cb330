package fakerc

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestAdminUserTokens drives /_admin/users/{id}/edit/auth_tokens as a
// browser would, in both layouts: a super-admin lists, creates, reveals
// and deletes alice's tokens; alice herself, anonymous visitors and
// unknown user ids get what RhodeCode gives them (protocol §5.5).
func TestAdminUserTokens(t *testing.T) {
	for _, v := range []string{"4.18.0", "4.27.0"} {
		t.Run(v, func(t *testing.T) {
			f := webFixture(t, WithVersion(v))
			base := fmt.Sprintf("/_admin/users/%d/edit/auth_tokens", f.alice.ID)
			masked := v == "4.27.0"

			// Anonymous: LoginRequired sends it to the login page.
			anon := newBrowser(t, f.srv)
			if r := anon.get(base); r.status != http.StatusFound || !strings.Contains(r.header.Get("Location"), "/_admin/login?came_from=") {
				t.Errorf("anonymous: %d %s", r.status, r.header.Get("Location"))
			}

			// A signed-in non-admin: 404 on every admin route, nothing changes.
			alice := newBrowser(t, f.srv)
			alice.login("alice", "alicepw")
			_, aliceCSRF := alice.tokenPage()
			before := f.srv.Tokens("alice")
			adminHas := len(f.srv.Tokens("admin"))
			for _, r := range []rawResponse{
				alice.get(base),
				alice.get(fmt.Sprintf("/_admin/users/%d/edit/auth_tokens", f.admin.ID)),
				alice.post(base+"/new", url.Values{"csrf_token": {aliceCSRF}, "role": {RoleAPI}, "description": {"x"}}, nil),
				alice.post(base+"/delete", url.Values{"csrf_token": {aliceCSRF}, "del_auth_token": {strconv.Itoa(f.vcsTok.ID)}}, nil),
			} {
				if r.status != http.StatusNotFound {
					t.Errorf("non-admin got %d, want 404", r.status)
				}
			}
			if got := f.srv.Tokens("alice"); len(got) != len(before) {
				t.Errorf("a non-admin changed the tokens: %d → %d", len(before), len(got))
			}

			admin := newBrowser(t, f.srv)
			admin.login("admin", "secret")
			// Unknown ids do not match the route (user_route), for anyone.
			for _, p := range []string{"/_admin/users/999/edit/auth_tokens", "/_admin/users/x/edit/auth_tokens", base + "/other"} {
				if r := admin.get(p); r.status != http.StatusNotFound {
					t.Errorf("GET %s: %d, want 404", p, r.status)
				}
			}

			page := admin.get(base)
			if page.status != http.StatusOK {
				t.Fatalf("admin list: %d", page.status)
			}
			csrf := csrfOf(t, page.body)
			rows := tokenRows(t, page.body)
			if len(rows) != len(before) {
				t.Fatalf("%d rows for alice's %d tokens", len(rows), len(before))
			}
			for i, tok := range before {
				want := tok.Secret
				if masked {
					want = tok.Secret[:4] + "****"
				}
				if rows[i].id != tok.ID || rows[i].token != want {
					t.Errorf("row %d: %d %q, want %d %q", i, rows[i].id, rows[i].token, tok.ID, want)
				}
			}
			for _, want := range []string{
				`<form action="` + base + `/new" method="POST">`,
				`<form action="` + base + `/delete" method="POST">`,
				`<table class="rctable auth_tokens">`,
				"<title>alice user settings</title>",
			} {
				if !strings.Contains(page.body, want) {
					t.Errorf("admin page lacks %s", want)
				}
			}
			if strings.Contains(page.body, f.adminTok.Secret[:8]) || strings.Contains(page.body, "/_admin/my_account/auth_tokens/") {
				t.Errorf("admin page of alice shows the admin's own tokens or forms")
			}
			if masked != strings.Contains(page.body, fmt.Sprintf("pyroutes.url('edit_user_auth_tokens_view', {'user_id': '%d'})", f.alice.ID)) {
				t.Errorf("reveal route script present = %v", !masked)
			}

			// Create for alice: 302 back to her admin list, flash there.
			r := admin.post(base+"/new", url.Values{"csrf_token": {csrf}, "role": {RoleVCS}, "description": {"bot"}, "lifetime": {"43200"}}, nil)
			if r.status != http.StatusFound || !strings.HasSuffix(r.header.Get("Location"), base) {
				t.Fatalf("create: %d %s", r.status, r.header.Get("Location"))
			}
			after := f.srv.Tokens("alice")
			created := after[len(after)-1]
			if len(after) != len(before)+1 || created.Role != RoleVCS || created.Description != "bot" {
				t.Fatalf("created %+v", created)
			}
			if n := len(f.srv.Tokens("admin")); n != adminHas {
				t.Errorf("the admin now has %d tokens", n)
			}
			if next := admin.get(base); !strings.Contains(next.body, "Auth token successfully created") {
				t.Error("no flash after create")
			}
			// Without the CSRF token: 403, nothing made.
			if r := admin.post(base+"/new", url.Values{"role": {RoleVCS}}, nil); r.status != http.StatusForbidden {
				t.Errorf("create without CSRF: %d", r.status)
			}

			// Reveal (4.19+): xhr only, any token id.
			view := admin.post(base+"/view", url.Values{"csrf_token": {csrf}, "auth_token_id": {strconv.Itoa(created.ID)}}, map[string]string{"X-Requested-With": "XMLHttpRequest"})
			if masked {
				if view.status != http.StatusOK || view.body != `{"auth_token": "`+created.Secret+`"}` {
					t.Errorf("view: %d %s", view.status, view.body)
				}
				if r := admin.post(base+"/view", url.Values{"auth_token_id": {strconv.Itoa(created.ID)}}, nil); r.status != http.StatusNotFound {
					t.Errorf("view without xhr: %d", r.status)
				}
				if r := admin.post(base+"/view", url.Values{"auth_token_id": {"9999"}}, map[string]string{"X-Requested-With": "XMLHttpRequest"}); r.status != http.StatusNotFound {
					t.Errorf("view of an unknown id: %d", r.status)
				}
			} else if view.status != http.StatusNotFound {
				t.Errorf("4.18 has no view route: %d", view.status)
			}

			// Delete: another user's id is not deleted but "succeeds".
			r = admin.post(base+"/delete", url.Values{"csrf_token": {csrf}, "del_auth_token": {strconv.Itoa(f.adminTok.ID)}}, nil)
			if r.status != http.StatusFound || len(f.srv.Tokens("admin")) != adminHas {
				t.Errorf("delete of the admin's token via alice's page: %d, admin has %d", r.status, len(f.srv.Tokens("admin")))
			}
			r = admin.post(base+"/delete", url.Values{"csrf_token": {csrf}, "del_auth_token": {strconv.Itoa(created.ID)}}, nil)
			if r.status != http.StatusFound || !strings.HasSuffix(r.header.Get("Location"), base) {
				t.Fatalf("delete: %d %s", r.status, r.header.Get("Location"))
			}
			if got := f.srv.Tokens("alice"); len(got) != len(before) {
				t.Errorf("after delete alice has %d tokens, want %d", len(got), len(before))
			}
			if r := admin.post(base+"/delete", url.Values{"csrf_token": {csrf}, "del_auth_token": {"9999"}}, nil); r.status != http.StatusNotFound {
				t.Errorf("delete of an unknown id: %d", r.status)
			}
		})
	}
}
