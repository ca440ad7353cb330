package fakerc

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The views a token in the URL may open (protocol §5.7, §7): repository
// and journal feeds (role feed or all) and the health check (role http or
// all). As in CE 4.27's LoginRequired(auth_token_access=[…]), a request
// that carries a token is judged by the token alone: the session cookie
// is ignored (get_auth_user), the token must be live, unscoped, of an
// active user and of one of the view's roles (authenticate_by_token adds
// token_role_all); anything else is 302 to the login page, without the
// token in came_from.

// Content types of rhodecode.lib.feedgenerator.
const (
	rssContentType  = "application/rss+xml; charset=utf-8"
	atomContentType = "application/atom+xml; charset=utf-8"
)

// webToken is the token a request presents to a web view (get_auth_user):
// ?auth_token=, the legacy ?api_key=, or the X-Rc-Auth-Token header (4.24+).
func (s *Server) webToken(r *http.Request) string {
	q := r.URL.Query()
	if t := q.Get("auth_token"); t != "" {
		return t
	}
	if t := q.Get("api_key"); t != "" {
		return t
	}
	if s.version.atLeast(4, 24) {
		return r.Header.Get("X-Rc-Auth-Token")
	}
	return ""
}

// feedRoute matches the token-accessible views; nil for any other path.
func (s *Server) feedRoute(rel string) func(*webCtx) bool {
	switch rel {
	case "/_admin/journal/rss":
		return func(c *webCtx) bool { return s.viewJournalFeed(c, false) }
	case "/_admin/journal/atom":
		return func(c *webCtx) bool { return s.viewJournalFeed(c, true) }
	case "/_admin/ops/status":
		if s.version.atLeast(4, 27) {
			return s.viewOpsStatus
		}
		return nil
	}
	for _, suffix := range []string{"/feed-rss", "/feed/rss", "/feed-atom", "/feed/atom"} {
		if name, ok := strings.CutSuffix(rel, suffix); ok && len(name) > 1 {
			atom := strings.HasSuffix(suffix, "atom")
			name = strings.TrimPrefix(name, "/")
			return func(c *webCtx) bool { return s.viewRepoFeed(c, name, atom) }
		}
	}
	return nil
}

// tokenLoginRequired is LoginRequired(auth_token_access=roles): with a
// token in the request only that token counts; without one, the session
// does (loginRequired). It answers a refusal itself and returns false.
func (s *Server) tokenLoginRequired(c *webCtx, roles ...string) bool {
	tok := s.webToken(c.r)
	if tok == "" {
		return s.loginRequired(c)
	}
	c.user = nil // the cookie is ignored when a token is given
	s.mu.Lock()
	t := s.tokenBySecretLocked(tok)
	var u *User
	if t != nil && t.RepoID == 0 && (t.Role == RoleAll || slices.Contains(roles, t.Role)) {
		if found := s.userByIDLocked(t.UserID); found != nil && found.Active {
			uc := copyUser(found)
			u = &uc
		}
	}
	s.mu.Unlock()
	if u == nil || !ipAllowed(u.IPWhitelist, clientIP(c.r)) {
		s.redirectLogin(c)
		return false
	}
	c.user = u
	return true
}

// viewRepoFeed is RepoFeedView.rss/atom: the repository by name or by
// "_<id>" (the UI's links), then the token or session, then read access
// (a denied logged-in user gets 404, so that nothing is disclosed).
func (s *Server) viewRepoFeed(c *webCtx, name string, atom bool) bool {
	if c.r.Method != http.MethodGet {
		return false
	}
	s.mu.Lock()
	repo := s.repoByNameLocked(name)
	if repo == nil && strings.HasPrefix(name, "_") {
		if id, err := strconv.Atoi(name[1:]); err == nil {
			repo = s.repoByIDLocked(id)
		}
	}
	var r Repo
	if repo != nil {
		r = *repo
	}
	s.mu.Unlock()
	if repo == nil {
		return false // repo_route predicate: no such route
	}
	if !s.tokenLoginRequired(c, RoleFeed) {
		return true
	}
	s.mu.Lock()
	perm := s.repoPermLocked(c.user, &r)
	s.mu.Unlock()
	if permRank(perm) < permRank(permRead) {
		s.notFound(c.w)
		return true
	}
	kind := "rss"
	if atom {
		kind = "atom"
	}
	link := s.baseURL(c.r) + "/" + r.Name
	s.writeFeed(c, atom, fmt.Sprintf("%s %s feed", r.Name, kind), link, "Changes on "+r.Name+" repository")
	return true
}

// viewJournalFeed is JournalView.journal_rss/atom: the user's own
// journal, so the anonymous user is refused (NotAnonymous).
func (s *Server) viewJournalFeed(c *webCtx, atom bool) bool {
	if c.r.Method != http.MethodGet {
		return false
	}
	if !s.tokenLoginRequired(c, RoleFeed) {
		return true
	}
	kind := "rss feed"
	if atom {
		kind = "atom feed"
	}
	title := "RhodeCode journal " + kind
	s.writeFeed(c, atom, title, s.baseURL(c.r)+"/_admin/journal/atom", title)
	return true
}

// writeFeed writes an empty feed in feedgenerator's shape; the title
// tells a test which feed it got.
func (s *Server) writeFeed(c *webCtx, atom bool, title, link, desc string) {
	esc := html.EscapeString
	var body string
	if atom {
		c.w.Header().Set("Content-Type", atomContentType)
		body = fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<feed xml:lang="en-us" xmlns="http://www.w3.org/2005/Atom"><title>%s</title><link href="%s" rel="alternate"></link><id>%s</id><subtitle>%s</subtitle></feed>`,
			esc(title), esc(link), esc(link), esc(desc))
	} else {
		c.w.Header().Set("Content-Type", rssContentType)
		body = fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>%s</title><link>%s</link><description>%s</description><language>en-us</language><ttl>5</ttl></channel></rss>`,
			esc(title), esc(link), esc(desc))
	}
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write([]byte(body))
}

// viewOpsStatus is OpsView.ops_healthcheck (4.27): role http or all.
func (s *Server) viewOpsStatus(c *webCtx) bool {
	if c.r.Method != http.MethodGet {
		return false
	}
	if !s.tokenLoginRequired(c, RoleHTTP) {
		return true
	}
	b, _ := json.Marshal(map[string]any{"healthcheck": map[string]any{
		"caller_ip": clientIP(c.r),
		"vcsserver": map[string]any{"version": s.version.String(), "text": ""},
		"db":        map[string]any{"version": "fake", "type": "sqlite"},
	}})
	c.w.Header().Set("Content-Type", "application/json")
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(b)
	return true
}
