package fakerc

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// The admin pages of one user's tokens (protocol §5.5; CE
// rhodecode/apps/admin/views/users.py, UsersView.auth_tokens*): the
// template of My Account's list below /_admin/users/{user_id}/edit, for
// super-admins only. Every view is LoginRequired, then
// HasPermissionAllDecorator('hg.admin'), which answers a signed-in user
// without it 404 "to prevent resource discovery"; the route's user_route
// predicate answers an unknown user id 404 before any of that.

// adminTokenRoute matches /_admin/users/{user_id:\d+}/edit/auth_tokens[/op];
// op is "", "new", "delete" or "view".
func adminTokenRoute(rel string) (userID int, op string, ok bool) {
	rest, ok := strings.CutPrefix(rel, "/_admin/users/")
	if !ok {
		return 0, "", false
	}
	id, rest, ok := strings.Cut(rest, "/edit/auth_tokens")
	if !ok || id == "" || strings.Trim(id, "0123456789") != "" {
		return 0, "", false
	}
	switch rest {
	case "", "/new", "/delete", "/view":
	default:
		return 0, "", false
	}
	n, err := strconv.Atoi(id)
	if err != nil {
		return 0, "", false
	}
	return n, strings.TrimPrefix(rest, "/"), true
}

// adminTokenView returns the view for an admin token route, or nil when
// the route does not exist for this server (…/view before 4.19) or the
// user id names nobody (user_route).
func (s *Server) adminTokenView(rel string) func(*webCtx) bool {
	userID, op, ok := adminTokenRoute(rel)
	if !ok || op == "view" && !s.version.atLeast(4, 19) {
		return nil
	}
	s.mu.Lock()
	exists := s.userByIDLocked(userID) != nil
	s.mu.Unlock()
	if !exists {
		return nil
	}
	switch op {
	case "new":
		return func(c *webCtx) bool { return s.viewUserTokensAdd(c, userID) }
	case "delete":
		return func(c *webCtx) bool { return s.viewUserTokensDelete(c, userID) }
	case "view":
		return func(c *webCtx) bool { return s.viewUserTokensView(c) }
	}
	return func(c *webCtx) bool { return s.viewUserTokens(c, userID) }
}

// superAdmin is HasPermissionAllDecorator('hg.admin') after LoginRequired:
// a signed-in user without the permission gets 404.
func (s *Server) superAdmin(c *webCtx) bool {
	if !c.user.Admin {
		s.notFound(c.w)
		return false
	}
	return true
}

func (s *Server) userTokensBase(userID int) string {
	return fmt.Sprintf("%s/_admin/users/%d/edit/auth_tokens", s.prefix, userID)
}

// viewUserTokens is UsersView.auth_tokens: the list in user_edit.mako.
func (s *Server) viewUserTokens(c *webCtx, userID int) bool {
	if c.r.Method != http.MethodGet && c.r.Method != http.MethodHead {
		return false
	}
	if !s.loginRequired(c) || !s.superAdmin(c) {
		return true
	}
	csrf := s.csrfToken(c)
	s.mu.Lock()
	u := s.userByIDLocked(userID)
	if u == nil { // deleted meanwhile
		s.mu.Unlock()
		s.notFound(c.w)
		return true
	}
	edited := copyUser(u)
	panel := s.tokensPanelLocked(tokenPanel{base: s.userTokensBase(userID), admin: &edited}, userID, csrf, "")
	s.mu.Unlock()
	s.renderPage(c, http.StatusOK, edited.Username+" user settings", s.adminUserBody(panel, &edited))
	return true
}

// viewUserTokensAdd is UsersView.auth_tokens_add: CSRF, then the token
// for the edited user, a flash and the way back to its list.
func (s *Server) viewUserTokensAdd(c *webCtx, userID int) bool {
	if c.r.Method != http.MethodPost {
		return false
	}
	if !s.loginRequired(c) || !s.superAdmin(c) || !s.csrfOK(c) {
		return true
	}
	lifetime := -1
	if n, err := strconv.Atoi(strings.TrimSpace(c.r.PostForm.Get("lifetime"))); err == nil {
		lifetime = n
	}
	s.mu.Lock()
	if u := s.userByIDLocked(userID); u != nil {
		s.addTokenLocked(u.ID, u.Username, c.r.PostForm.Get("role"), c.r.PostForm.Get("description"), lifetime)
	}
	s.mu.Unlock()
	s.flash(c, "success", "Auth token successfully created")
	s.redirect(c, s.userTokensBase(userID))
	return true
}

// viewUserTokensDelete is UsersView.auth_tokens_delete: any existing id
// passes get_or_404, only the edited user's token is deleted
// (AuthTokenModel.delete(id, user)), and success is flashed either way.
func (s *Server) viewUserTokensDelete(c *webCtx, userID int) bool {
	if c.r.Method != http.MethodPost {
		return false
	}
	if !s.loginRequired(c) || !s.superAdmin(c) || !s.csrfOK(c) {
		return true
	}
	if v := c.r.PostForm.Get("del_auth_token"); v != "" {
		s.mu.Lock()
		t, ok := s.tokenByFormIDLocked(v)
		if ok && t.UserID == userID {
			s.deleteTokenLocked(t.ID)
		}
		s.mu.Unlock()
		if !ok {
			s.notFound(c.w)
			return true
		}
		s.flash(c, "success", "Auth token successfully deleted")
	}
	s.redirect(c, s.userTokensBase(userID))
	return true
}

// viewUserTokensView is UsersView.auth_tokens_view (4.19+): xhr only, no
// CSRF check in 4.27, and get_or_404 of any token id, whoever owns it.
func (s *Server) viewUserTokensView(c *webCtx) bool {
	if c.r.Method != http.MethodPost || c.r.Header.Get("X-Requested-With") != "XMLHttpRequest" {
		return false
	}
	if !s.loginRequired(c) || !s.superAdmin(c) {
		return true
	}
	body := "null"
	if v := c.r.PostForm.Get("auth_token_id"); v != "" {
		s.mu.Lock()
		t, ok := s.tokenByFormIDLocked(v)
		s.mu.Unlock()
		if !ok {
			s.notFound(c.w)
			return true
		}
		body = `{"auth_token": ` + pyJSONString(t.Secret) + `}`
	}
	writeJSONBody(c.w, body)
	return true
}

// adminUserBody wraps a panel in user_edit.mako's sidebar layout.
func (s *Server) adminUserBody(panel string, u *User) string {
	item := func(active bool, path, label string) string {
		cls := ""
		if active {
			cls = "active"
		}
		return fmt.Sprintf(`          <li class="%s"><a href="%s/_admin/users/%d/%s">%s</a></li>`+"\n", cls, s.prefix, u.ID, path, label)
	}
	warn := ""
	if !u.Active {
		warn = `    <div class="alert alert-warning text-center" style="margin: 0 0 15px 0">
        <strong>This user is set as non-active and disabled.</strong>
    </div>
`
	}
	return `<div id="content" class="wrapper">
      <div class="main">
<div class="box user_settings">
` + warn + `  <div class="sidebar-col-wrapper">
    <div class="sidebar">
        <ul class="nav nav-pills nav-stacked">
` + item(false, "edit", "User Profile") +
		item(true, "edit/auth_tokens", "Auth tokens") +
		item(false, "edit/ssh_keys", "SSH Keys") +
		item(false, "edit/advanced", "Advanced") + `        </ul>
    </div>

    <div class="main-content-full-width">
` + panel + `
    </div>
  </div>
</div>
      </div>
</div>`
}
