package fakerc

import "net/http"

// DefaultVCSRealm is the realm of the 401 a VCS client gets: RhodeCode's
// rhodecode_realm setting, "RhodeCode" unless an admin changed it
// (protocol §6.3).
const DefaultVCSRealm = "RhodeCode"

// SetVCSRealm changes the realm of the VCS 401 (the rhodecode_realm
// setting), for tests of clients that must read it rather than assume it.
func (s *Server) SetVCSRealm(realm string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vcsRealm = realm
}

// vcsGate is simplevcs._handle_request from the repository lookup to the
// point where the backend serves the request, the same for every VCS:
// recordVCS adds rec, with the status sw answered, to VCSRequests; the
// VCS handlers defer it.
func (s *Server) recordVCS(sw *statusWriter, rec *VCSRequest) {
	rec.Status = sw.status
	s.mu.Lock()
	s.web.vcs = append(s.web.vcs, *rec)
	s.mu.Unlock()
}

// 404 for an unknown repository or one of another type (before any
// authentication), Basic auth with the token rules of vcsAuthLocked (401
// with the realm), the forced password change (406), the IP whitelist and
// the pull or push permission of rec.Action (403). It answers a refusal
// itself and returns ok=false; otherwise the authenticated user and the
// repository. It fills rec's Username, Repo and Authenticated.
func (s *Server) vcsGate(w http.ResponseWriter, r *http.Request, name, vcsType string, rec *VCSRequest) (user *User, repo Repo, ok bool) {
	username, password, hasAuth := r.BasicAuth()
	rec.Username = username

	s.mu.Lock()
	found := s.repoByNameLocked(name)
	if found == nil || found.Type != vcsType {
		s.mu.Unlock()
		s.notFound(w)
		return nil, Repo{}, false
	}
	repo = *found
	rec.Repo = repo.Name
	if hasAuth {
		user = s.vcsAuthLocked(username, password, found)
	}
	if user == nil {
		realm := s.vcsRealm
		s.mu.Unlock()
		if realm == "" {
			realm = DefaultVCSRealm
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="`+realm+`"`)
		writeText(w, http.StatusUnauthorized, "401 Unauthorized\n\nThis server could not verify that you are authorized "+
			"to access the document you requested.  Either you supplied the wrong credentials (e.g., bad password), "+
			"or your browser does not understand how to supply the credentials required.\n")
		return nil, Repo{}, false
	}
	rec.Authenticated = true
	perm := s.repoPermLocked(user, found)
	s.mu.Unlock()

	switch {
	case user.ForcePasswordChange:
		writeText(w, http.StatusNotAcceptable, "406 Not Acceptable\n\npassword change required\n")
		return nil, Repo{}, false
	case !ipAllowed(user.IPWhitelist, clientIP(r)),
		rec.Action == "pull" && permRank(perm) < permRank(permRead),
		rec.Action == "push" && permRank(perm) < permRank(permWrite):
		writeText(w, http.StatusForbidden, "403 Forbidden\n\nAccess was denied to this resource.\n")
		return nil, Repo{}, false
	}
	return user, repo, true
}
