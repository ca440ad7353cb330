package fakerc

import (
	"fmt"
	"html"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The my-account token pages (protocol §5.3–§5.6). The HTML follows
// admin/my_account/my_account_auth_tokens.mako of the imitated version as
// rendered by webhelpers2 (attributes sorted, void tags closed with " />"):
//
//	4.8–4.15  full secret, columns Token, Scope, Description, Role, …
//	4.16–4.18 full secret, columns Token, Description, Role, Repository Scope, …
//	4.19      masked secret + showAuthToken(id), …/view
//	4.20+     as 4.19, role tooltip and the "Available roles" list

// roleLabel is UserApiKeys._get_role_name: unknown roles show verbatim.
func roleLabel(role string) string {
	switch role {
	case RoleAll:
		return "all"
	case RoleHTTP:
		return "http/web interface"
	case RoleVCS:
		return "vcs (git/hg/svn protocol)"
	case RoleAPI:
		return "api calls"
	case RoleFeed:
		return "feed access"
	case RoleArtifactDownload:
		return "artifacts downloads"
	}
	return role
}

// roleDescription is UserApiKeys._get_role_description (4.20+).
func roleDescription(role string) string {
	switch role {
	case RoleAll:
		return "Token for all actions."
	case RoleHTTP:
		return "Token to access RhodeCode pages via web interface without " +
			"login using `api_access_controllers_whitelist` functionality."
	case RoleVCS:
		return "Token to interact over git/hg/svn protocols. " +
			"Requires auth_token authentication plugin to be active. <br/>" +
			"Such Token should be used then instead of a password to " +
			"interact with a repository, and additionally can be " +
			"limited to single repository using repo scope."
	case RoleAPI:
		return "Token limited to api calls."
	case RoleFeed:
		return "Token to read RSS/ATOM feed."
	case RoleArtifactDownload:
		return "Token for artifacts downloads."
	}
	return role
}

// selectableRoles is UserApiKeys.ROLES of the imitated version.
func (s *Server) selectableRoles() []string {
	switch {
	case s.version.atLeast(4, 20):
		return []string{RoleAll, RoleVCS, RoleAPI, RoleHTTP, RoleFeed, RoleArtifactDownload}
	case s.version.atLeast(4, 18):
		return []string{RoleAll, RoleHTTP, RoleVCS, RoleAPI, RoleFeed, RoleArtifactDownload}
	}
	return []string{RoleAll, RoleHTTP, RoleVCS, RoleAPI, RoleFeed}
}

// scopeTextLocked is UserApiKeys.scope_humanized.
func (s *Server) scopeTextLocked(t Token) string {
	r := s.repoByIDLocked(t.RepoID)
	switch {
	case r == nil && s.version.atLeast(4, 16):
		return "Global"
	case r == nil:
		return "global"
	case s.version.atLeast(4, 16):
		return "Repository: " + r.Name
	}
	return fmt.Sprintf("<Repository('%d:%s')>", r.ID, r.Name)
}

// optionsHTML is webhelpers2's select() of [(values, label)]: one optgroup.
func optionsHTML(group string, values, labels []string, selected string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<optgroup label=\"%s\">\n", html.EscapeString(group))
	for i, v := range values {
		sel := ""
		if v == selected {
			sel = ` selected="selected"`
		}
		fmt.Fprintf(&b, "<option%s value=\"%s\">%s</option>\n", sel, html.EscapeString(v), html.EscapeString(labels[i]))
	}
	b.WriteString("</optgroup>\n")
	return b.String()
}

// pyUTCDatetime is str(datetime.utcfromtimestamp(ts)) and the
// format_date() text of the same instant.
func pyUTCDatetime(ts float64) (iso, title string) {
	sec, frac := math.Modf(ts)
	us := int64(math.Round(frac * 1e6))
	t := time.Unix(int64(sec), us*1000).UTC()
	iso = t.Format("2006-01-02 15:04:05")
	if t.Nanosecond() != 0 {
		iso += fmt.Sprintf(".%06d", t.Nanosecond()/1000)
	}
	return iso, t.Format("Mon, 02 Jan 2006 15:04:05")
}

// ageComponent is h.age_component(h.time_to_utcdatetime(expires)).
func ageComponent(expires float64) string {
	iso, title := pyUTCDatetime(expires)
	return fmt.Sprintf(`<time class="timeago tooltip" title="%s+00:00" datetime="%s+00:00">%s</time>`, title, iso, title)
}

// viewAuthTokens is MyAccountView.my_account_auth_tokens.
func (s *Server) viewAuthTokens(c *webCtx) bool {
	if c.r.Method != http.MethodGet && c.r.Method != http.MethodHead {
		return false
	}
	if !s.loginRequired(c) {
		return true
	}
	csrf := s.csrfToken(c)
	s.mu.Lock()
	panel := s.tokensPanelLocked(tokenPanel{base: s.prefix + "/_admin/my_account/auth_tokens"}, c.user.ID, csrf, c.r.URL.Query().Get("token_role"))
	s.mu.Unlock()
	s.renderPage(c, http.StatusOK, "My account "+c.user.Username, s.myAccountBody(panel, "auth_tokens"))
	return true
}

// tokenPanel says which of the two token templates to render: My
// Account's (my_account_auth_tokens.mako) or the admin page of one user
// (admin/users/user_edit_auth_tokens.mako). They differ only in the form
// targets, the reveal route, the heading and the delete button.
type tokenPanel struct {
	base  string // the list's path, prefix included; forms post below it
	admin *User  // the user the admin page edits; nil for My Account
}

// tokensPanelLocked renders the template for the user's tokens, all of
// them (AuthTokenModel.get_auth_tokens(show_expired=True), every role, in
// id order).
func (s *Server) tokensPanelLocked(tp tokenPanel, userID int, csrf, tokenRole string) string {
	v := s.version
	masked := v.atLeast(4, 19)
	now := s.now()
	var b strings.Builder
	b.WriteString(`<div class="panel panel-default">
`)
	if masked {
		route := "'my_account_auth_tokens_view'"
		if tp.admin != nil {
			route = fmt.Sprintf("'edit_user_auth_tokens_view', {'user_id': '%d'}", tp.admin.ID)
		}
		fmt.Fprintf(&b, `    <script>
    var showAuthToken = function(authTokenId) {
        return _showAuthToken(authTokenId, pyroutes.url(%s))
    }
    </script>

`, route)
	}
	if tp.admin != nil && (v.atLeast(4, 19) || v.atLeast(4, 18) && v.patch >= 3) {
		// base.gravatar_with_user before the title (4.18.3+).
		fmt.Fprintf(&b, `    <div class="panel-heading">
      <h3 class="panel-title">
          <div class="rc-user pull-left"><img class="gravatar" height="16" width="16" src="" alt=""> <span class="user">%s</span></div>
          &nbsp;- Authentication Tokens
      </h3>
    </div>`, html.EscapeString(tp.admin.Username))
	} else {
		b.WriteString(`    <div class="panel-heading">
    <h3 class="panel-title">Authentication Tokens</h3>
    </div>`)
	}
	b.WriteString(`
    <div class="panel-body">
    <div class="apikeys_wrap">
      <p>
`)
	switch {
	case v.atLeast(4, 20):
		b.WriteString("         Available roles:\n        <ul>\n")
		for _, role := range s.selectableRoles() {
			fmt.Fprintf(&b, `             <li>
                 <span class="tag disabled">%s</span>
                 <span>%s</span>
             </li>
`, html.EscapeString(roleLabel(role)), roleDescription(role))
		}
		b.WriteString("        </ul>\n")
	case v.atLeast(4, 16):
		b.WriteString("         Authentication tokens can be used to interact with the API, or VCS-over-http. " +
			"Each token can have a role. Token with a role can be used only in given context, " +
			"e.g. VCS tokens can be used together with the authtoken auth plugin for git/hg/svn operations only.\n")
	default:
		b.WriteString("         Each token can have a role. Token with a role can be used only in given context, " +
			"e.g. VCS tokens can be used together with the authtoken auth plugin for git/hg/svn operations only.\n")
	}
	b.WriteString(`      </p>
      <table class="rctable auth_tokens">
        <tr>
            <th>Token</th>
`)
	if v.atLeast(4, 16) {
		b.WriteString("            <th>Description</th>\n            <th>Role</th>\n            <th>Repository Scope</th>\n")
	} else {
		b.WriteString("            <th>Scope</th>\n            <th>Description</th>\n            <th>Role</th>\n")
	}
	b.WriteString("            <th>Expiration</th>\n            <th>Action</th>\n        </tr>\n")

	tokens := s.tokensOfLocked(userID)
	for _, t := range tokens {
		cls := ""
		if t.Expired(now) {
			cls = "expired"
		}
		obfuscated := t.Secret[:min(4, len(t.Secret))] + "****"
		fmt.Fprintf(&b, "              <tr class=\"%s\">\n", cls)
		if masked {
			fmt.Fprintf(&b, `                <td class="td-authtoken">
                    <div class="user_auth_tokens">
                    <code class="cursor-pointer" onclick="showAuthToken(%d)">
                        %s
                    </code>
                    </div>
                </td>
`, t.ID, html.EscapeString(obfuscated))
		} else {
			fmt.Fprintf(&b, `                <td class="truncate-wrap td-authtoken">
                    <div class="user_auth_tokens truncate autoexpand">
                    <code>%s</code>
                    </div>
                </td>
`, html.EscapeString(t.Secret))
		}
		scope := fmt.Sprintf("                <td class=\"td\">%s</td>\n", html.EscapeString(s.scopeTextLocked(t)))
		if !v.atLeast(4, 16) {
			b.WriteString(scope)
		}
		fmt.Fprintf(&b, "                <td class=\"td-wrap\">%s</td>\n", html.EscapeString(t.Description))
		if v.atLeast(4, 20) {
			fmt.Fprintf(&b, `                <td class="td-tags">
                    <span class="tooltip tag disabled" title="%s">%s</span>
                </td>
`, html.EscapeString(roleDescription(t.Role)), html.EscapeString(roleLabel(t.Role)))
		} else {
			fmt.Fprintf(&b, `                <td class="td-tags">
                    <span class="tag disabled">%s</span>
                </td>
`, html.EscapeString(roleLabel(t.Role)))
		}
		if v.atLeast(4, 16) {
			b.WriteString(scope)
		}
		b.WriteString("                <td class=\"td-exp\">\n")
		switch {
		case t.Expires == -1:
			b.WriteString("                      never\n")
		case t.Expired(now):
			fmt.Fprintf(&b, "                            <span style=\"text-decoration: line-through\">%s</span>\n", ageComponent(t.Expires))
		default:
			fmt.Fprintf(&b, "                            %s\n", ageComponent(t.Expires))
		}
		b.WriteString("                </td>\n                <td class=\"td-action\">\n")
		fmt.Fprintf(&b, "                    %s\n", s.secureForm(tp.base+"/delete", csrf))
		if masked && tp.admin != nil {
			fmt.Fprintf(&b, `                            <input name="del_auth_token" type="hidden" value="%d">
                            <button class="btn btn-link btn-danger" type="submit"
                                    onclick="return confirm('Confirm to remove this auth token: %s');">
                                Delete
                            </button>
`, t.ID, html.EscapeString(obfuscated))
		} else if masked {
			fmt.Fprintf(&b, `                        <input name="del_auth_token" type="hidden" value="%d">
                        <button class="btn btn-link btn-danger" type="submit"
                                onclick="submitConfirm(event, this, _gettext('Confirm to delete this auth token'), _gettext('Delete'), '%s')"
                        >
                            Delete
                        </button>
`, t.ID, html.EscapeString(obfuscated))
		} else {
			fmt.Fprintf(&b, `                        <input id="del_auth_token" name="del_auth_token" type="hidden" value="%d" />
                        <button class="btn btn-link btn-danger" type="submit"
                                onclick="return confirm('Confirm to remove this auth token: %s');">
                            Delete
                        </button>
`, t.ID, html.EscapeString(obfuscated))
		}
		b.WriteString("                    </form>\n                </td>\n              </tr>\n")
	}
	if len(tokens) == 0 {
		b.WriteString("        <tr><td><div class=\"ip\">No additional auth tokens specified</div></td></tr>\n")
	}
	b.WriteString(`      </table>
    </div>

    <div class="user_auth_tokens">
`)
	fmt.Fprintf(&b, "        %s\n", s.secureForm(tp.base+"/new", csrf))
	b.WriteString(`        <div class="form form-vertical">
            <!-- fields -->
            <div class="fields">
                 <div class="field">
                    <div class="label">
                        <label for="new_email">New authentication token:</label>
                    </div>
                    <div class="input">
                        <input class="medium" id="description" name="description" placeholder="Description" type="text" />
`)
	if v.atLeast(4, 10) {
		b.WriteString("                        <input id=\"lifetime\" name=\"lifetime\" type=\"hidden\" />\n")
	} else {
		// 4.8–4.9: a plain select of the lifetime choices.
		b.WriteString("                        <select id=\"lifetime\" name=\"lifetime\">\n" + optionsHTML("Lifetime",
			[]string{"-1", "5", "60", "1440", "43200"},
			[]string{"forever", "5 minutes", "1 hour", "1 day", "1 month"}, "") + "</select>\n")
	}
	selected := ""
	if v.atLeast(4, 19) && tp.admin == nil {
		selected = tokenRole
	}
	roles := s.selectableRoles()
	labels := make([]string, len(roles))
	for i, r := range roles {
		labels[i] = roleLabel(r)
	}
	fmt.Fprintf(&b, "                        <select id=\"role\" name=\"role\">\n%s</select>\n", optionsHTML("Role", roles, labels, selected))
	b.WriteString(`
                            <select disabled="disabled" id="scope_repo_id_disabled" name="scope_repo_id_disabled">
<option value="Scopes available in EE edition">Scopes available in EE edition</option>
</select>
                    </div>
                    <p class="help-block">
                      Repository scope works only with tokens with VCS type.
                    </p>
                 </div>
                <div class="buttons">
                  <input class="btn" id="save" name="save" type="submit" value="Add" />
                  <input class="btn" id="reset" name="reset" type="reset" value="Reset" />
                </div>
            </div>
        </div>
        </form>
    </div>
    </div>
</div>
`)
	return b.String()
}

// viewAuthTokensAdd is my_account_auth_tokens_add: lifetime in minutes
// (not an integer: -1), role and description taken verbatim.
func (s *Server) viewAuthTokensAdd(c *webCtx) bool {
	if c.r.Method != http.MethodPost {
		return false
	}
	if !s.loginRequired(c) || !s.csrfOK(c) {
		return true
	}
	lifetime := -1
	if n, err := strconv.Atoi(strings.TrimSpace(c.r.PostForm.Get("lifetime"))); err == nil {
		lifetime = n
	}
	s.mu.Lock()
	if u := s.userByIDLocked(c.user.ID); u != nil {
		s.addTokenLocked(u.ID, u.Username, c.r.PostForm.Get("role"), c.r.PostForm.Get("description"), lifetime)
	}
	s.mu.Unlock()
	s.flash(c, "success", "Auth token successfully created")
	s.redirect(c, s.prefix+"/_admin/my_account/auth_tokens")
	return true
}

// tokenByFormIDLocked is UserApiKeys.get_or_404: the id must be an integer
// naming an existing token of anyone.
func (s *Server) tokenByFormIDLocked(v string) (Token, bool) {
	id, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return Token{}, false
	}
	for _, t := range s.tokens {
		if t.ID == id {
			return t, true
		}
	}
	return Token{}, false
}

// viewAuthTokensDelete is my_account_auth_tokens_delete: another user's
// token id passes get_or_404, is not deleted, and still flashes success.
func (s *Server) viewAuthTokensDelete(c *webCtx) bool {
	if c.r.Method != http.MethodPost {
		return false
	}
	if !s.loginRequired(c) || !s.csrfOK(c) {
		return true
	}
	if v := c.r.PostForm.Get("del_auth_token"); v != "" {
		s.mu.Lock()
		t, ok := s.tokenByFormIDLocked(v)
		if ok && t.UserID == c.user.ID {
			s.deleteTokenLocked(t.ID)
		}
		s.mu.Unlock()
		if !ok {
			s.notFound(c.w)
			return true
		}
		s.flash(c, "success", "Auth token successfully deleted")
	}
	s.redirect(c, s.prefix+"/_admin/my_account/auth_tokens")
	return true
}

// viewAuthTokensView is my_account_auth_tokens_view (4.19+): an xhr-only
// route, so without X-Requested-With the route does not match at all.
func (s *Server) viewAuthTokensView(c *webCtx) bool {
	if c.r.Method != http.MethodPost || c.r.Header.Get("X-Requested-With") != "XMLHttpRequest" {
		return false
	}
	if !s.loginRequired(c) || !s.csrfOK(c) {
		return true
	}
	body := "null"
	if v := c.r.PostForm.Get("auth_token_id"); v != "" {
		s.mu.Lock()
		t, ok := s.tokenByFormIDLocked(v)
		s.mu.Unlock()
		if !ok || t.UserID != c.user.ID {
			s.notFound(c.w)
			return true
		}
		body = `{"auth_token": ` + pyJSONString(t.Secret) + `}`
	}
	writeJSONBody(c.w, body)
	return true
}

// deleteTokenLocked removes the token with this id.
func (s *Server) deleteTokenLocked(id int) {
	for i := range s.tokens {
		if s.tokens[i].ID == id {
			s.tokens = append(s.tokens[:i:i], s.tokens[i+1:]...)
			return
		}
	}
}

// writeJSONBody answers 200 with a json_ext renderer's body.
func writeJSONBody(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(body))
}
