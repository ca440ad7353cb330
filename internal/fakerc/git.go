package fakerc

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Git over smart HTTP (protocol §6): RhodeCode's simplevcs checks in front
// of the real `git http-backend`, which serves bare repositories kept in a
// temporary directory (one per repository id, created on first use).

// VCSRequest is one git or svn request, recorded for assertions.
type VCSRequest struct {
	Method string
	Path   string // relative to the path prefix, without the query
	Repo   string // repository name; "" when no repository matched
	Action string // "pull" or "push"
	// Username is the Basic-auth user name as sent ("" without
	// credentials); Authenticated tells whether the credentials passed.
	Username      string
	Authenticated bool
	Status        int // the HTTP status answered
}

// gitProtoPat is simplegit's GIT_PROTO_PAT without the LFS endpoints,
// which the fake does not serve.
var gitProtoPat = regexp.MustCompile(`^/(.+)/(info/refs|git-upload-pack|git-receive-pack)$`)

// Repository permission levels, as granted by GrantRepo.
const (
	permNone  = "none"
	permRead  = "read"
	permWrite = "write"
	permAdmin = "admin"
)

func permRank(p string) int {
	switch p {
	case permRead:
		return 1
	case permWrite:
		return 2
	case permAdmin:
		return 3
	}
	return 0
}

// SetTokenPluginEnabled switches the "Rhodecode Token" authentication
// plugin (enabled by default, as on databases created by 4.18+). While it
// is off, git accepts passwords only.
func (s *Server) SetTokenPluginEnabled(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.web.tokenPlugin = &on
}

// GrantRepo sets a user's permission on a repository: "read", "write",
// "admin" or "none" (which also denies a public repository). Without a
// grant, owners and super-admins have admin, everybody else read on public
// and nothing on private repositories. Unknown names fail the test.
func (s *Server) GrantRepo(username, repo, perm string) {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByNameLocked(username)
	r := s.repoByNameLocked(repo)
	switch {
	case u == nil:
		s.tb.Fatalf("fakerc: GrantRepo: no user %q", username)
	case r == nil:
		s.tb.Fatalf("fakerc: GrantRepo: no repository %q", repo)
	case perm != permNone && permRank(perm) == 0:
		s.tb.Fatalf("fakerc: GrantRepo: bad permission %q", perm)
	default:
		if s.web.perms == nil {
			s.web.perms = map[int]map[int]string{}
		}
		if s.web.perms[r.ID] == nil {
			s.web.perms[r.ID] = map[int]string{}
		}
		s.web.perms[r.ID][u.ID] = perm
	}
}

// repoPermLocked is the user's effective permission on the repository.
func (s *Server) repoPermLocked(u *User, r *Repo) string {
	switch {
	case u.Admin, r.OwnerID == u.ID:
		return permAdmin
	}
	if p, ok := s.web.perms[r.ID][u.ID]; ok {
		return p
	}
	if !r.Private {
		return permRead // the default user's repository.read
	}
	return permNone
}

func (s *Server) repoByNameLocked(name string) *Repo {
	for i := range s.repos {
		if s.repos[i].Name == name {
			return &s.repos[i]
		}
	}
	return nil
}

// RepoCloneURL returns <URL>/<name>, the clone URL without a user part.
func (s *Server) RepoCloneURL(name string) string {
	return s.URL + "/" + name
}

// VCSRequests returns the git, hg and svn requests received so far, oldest first.
func (s *Server) VCSRequests() []VCSRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]VCSRequest(nil), s.web.vcs...)
}

// ResetVCSRequests forgets the recorded git and svn requests.
func (s *Server) ResetVCSRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.web.vcs = nil
}

// repoToSeed is the repository name of type typ, created (no owner,
// public) when it does not exist yet; one of another type is fatal to tb.
func (s *Server) repoToSeed(tb tbLike, name, typ, caller string) Repo {
	tb.Helper()
	s.mu.Lock()
	r := s.repoByNameLocked(name)
	var repo Repo
	if r != nil {
		repo = *r
	}
	s.mu.Unlock()
	if r == nil {
		repo = s.AddRepo(Repo{Name: name, Type: typ})
	}
	if repo.Type != typ {
		tb.Fatalf("fakerc: %s: %q is a %s repository", caller, name, repo.Type)
	}
	return repo
}

// SeedRepo commits files (path → content) on branch main of the git
// repository name, creating the repository (no owner, public) if it does
// not exist yet, and returns it. It needs the git binary.
func (s *Server) SeedRepo(name string, files map[string]string) Repo {
	s.tb.Helper()
	repo := s.repoToSeed(s.tb, name, "git", "SeedRepo")
	dir, err := s.gitRepoDir(repo.ID)
	if err != nil {
		s.tb.Fatalf("fakerc: SeedRepo: %v", err)
	}
	work := s.tb.TempDir()
	for p, content := range files {
		full := filepath.Join(work, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			s.tb.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			s.tb.Fatal(err)
		}
	}
	// Commit straight into the bare repository: HEAD is refs/heads/main.
	env := []string{"GIT_WORK_TREE=" + work, "GIT_INDEX_FILE=" + filepath.Join(work, ".fakerc-index")}
	for _, args := range [][]string{
		{"--git-dir", dir, "add", "-A", "--", "."},
		{"--git-dir", dir, "commit", "-q", "--allow-empty", "-m", "Initial commit"},
	} {
		if out, err := s.runGit(env, args...); err != nil {
			s.tb.Fatalf("fakerc: SeedRepo: git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return repo
}

// gitRootDir returns the directory holding the bare repositories, creating
// it on first use.
func (s *Server) gitRootDir() (string, error) {
	if s.web.gitRoot != "" {
		return s.web.gitRoot, nil
	}
	root, err := os.MkdirTemp("", "fakerc-git-")
	if err != nil {
		return "", err
	}
	if err := os.Mkdir(filepath.Join(root, "home"), 0o700); err != nil {
		return "", err
	}
	s.web.gitRoot = root
	s.tb.Cleanup(func() { _ = os.RemoveAll(root) })
	return root, nil
}

// gitRepoDir returns the bare repository of a repository id, creating it
// (with HEAD on main) when it does not exist yet.
func (s *Server) gitRepoDir(id int) (string, error) {
	s.web.gitMu.Lock()
	defer s.web.gitMu.Unlock()
	root, err := s.gitRootDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, strconv.Itoa(id)+".git")
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	for _, args := range [][]string{
		{"init", "-q", "--bare", dir},
		{"--git-dir", dir, "symbolic-ref", "HEAD", "refs/heads/main"},
	} {
		if out, err := s.runGit(nil, args...); err != nil {
			_ = os.RemoveAll(dir)
			return "", fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return dir, nil
}

// gitEnv keeps the fake's git away from the user's and system's config.
func (s *Server) gitEnv() []string {
	return []string{
		"HOME=" + filepath.Join(s.web.gitRoot, "home"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=RhodeCode Fake", "GIT_AUTHOR_EMAIL=fake@rhodecode.invalid",
		"GIT_COMMITTER_NAME=RhodeCode Fake", "GIT_COMMITTER_EMAIL=fake@rhodecode.invalid",
	}
}

// runGit runs git; the caller holds gitMu or has created the root.
func (s *Server) runGit(extraEnv []string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", args...)
	cmd.Env = append(append([]string{"PATH=" + os.Getenv("PATH")}, s.gitEnv()...), extraEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// serveGit is simplevcs._handle_request for git: the checks of vcsGate,
// then git http-backend.
func (s *Server) serveGit(w http.ResponseWriter, r *http.Request, rel string, m []string) {
	sw := &statusWriter{ResponseWriter: w}
	rec := VCSRequest{Method: r.Method, Path: rel, Action: "pull"}
	defer s.recordVCS(sw, &rec)

	name, suffix := strings.TrimSuffix(m[1], ".git"), m[2]
	if suffix == "git-receive-pack" || suffix == "info/refs" && r.URL.Query().Get("service") == "git-receive-pack" {
		rec.Action = "push"
	}
	user, repo, ok := s.vcsGate(sw, r, name, "git", &rec)
	if !ok {
		return
	}

	dir, err := s.gitRepoDir(repo.ID)
	if err != nil {
		s.serverError(sw)
		return
	}
	gitPath, err := exec.LookPath("git")
	if err != nil {
		s.serverError(sw)
		return
	}
	h := &cgi.Handler{
		Path: gitPath,
		Args: []string{"-c", "http.receivepack=true", "-c", "http.uploadpack=true", "http-backend"},
		Root: "/",
		Env: append(s.gitEnv(),
			"GIT_PROJECT_ROOT="+filepath.Dir(dir),
			"GIT_HTTP_EXPORT_ALL=1",
			"REMOTE_USER="+user.Username,
		),
		InheritEnv: []string{"PATH"},
	}
	// http-backend finds the repository from PATH_INFO below the root.
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/" + filepath.Base(dir) + "/" + suffix
	r2.URL.RawPath = ""
	h.ServeHTTP(sw, r2)
}

// vcsAuthLocked runs the enabled plugins in auth_plugins order (token,
// then rhodecode): the username must match exactly and the user must be
// active; a token needs role vcs or all, must not be expired, and if
// scoped must be scoped to this repository.
func (s *Server) vcsAuthLocked(username, password string, repo *Repo) *User {
	u := s.userByNameLocked(username)
	if u == nil || !u.Active || password == "" {
		return nil
	}
	if s.web.tokenPlugin == nil || *s.web.tokenPlugin {
		now := s.now()
		for _, t := range s.tokens {
			if t.UserID == u.ID && t.Secret == password && !t.Expired(now) &&
				(t.Role == RoleVCS || t.Role == RoleAll) && (t.RepoID == 0 || t.RepoID == repo.ID) {
				c := copyUser(u)
				return &c
			}
		}
	}
	if u.Password != "" && u.Password == password {
		c := copyUser(u)
		return &c
	}
	return nil
}

func writeText(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}

// apiGetRepos is repo_api.get_repos: the repositories the caller can read,
// in id order, each as Repository.get_api_data. root filters by a
// repository group (a name prefix here), traverse=false keeps only its
// direct children.
func (s *Server) apiGetRepos(c *rpcCall) (any, error) {
	root, _ := c.args["root"].(string)
	traverse := true
	if v, ok := c.args["traverse"]; ok {
		traverse = pyTruthy(v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByIDLocked(c.user.ID)
	if u == nil {
		return nil, &methodError{"user `" + strconv.Itoa(c.user.ID) + "` does not exist"}
	}
	if root != "" {
		found := false
		for _, r := range s.repos {
			if strings.HasPrefix(r.Name, root+"/") {
				found = true
			}
		}
		if !found {
			return nil, &methodError{"Root repository group `" + root + "` does not exist"}
		}
	}
	repos := append([]Repo(nil), s.repos...)
	sort.Slice(repos, func(i, j int) bool { return repos[i].ID < repos[j].ID })
	out := []any{}
	for i := range repos {
		r := &repos[i]
		rest := r.Name
		if root != "" {
			var ok bool
			if rest, ok = strings.CutPrefix(r.Name, root+"/"); !ok {
				continue
			}
		}
		if !traverse && strings.Contains(rest, "/") {
			continue
		}
		if permRank(s.repoPermLocked(u, r)) < permRank(permRead) {
			continue
		}
		out = append(out, s.repoDataLocked(r))
	}
	return out, nil
}

// repoDataLocked is Repository.get_api_data for a repository without
// commits in the cache (last_changeset is EmptyCommit's JSON).
func (s *Server) repoDataLocked(r *Repo) map[string]any {
	if s.web.repoCreated == nil {
		s.web.repoCreated = map[int]time.Time{}
	}
	created, ok := s.web.repoCreated[r.ID]
	if !ok {
		created = s.now()
		s.web.repoCreated[r.ID] = created
	}
	var owner any
	if o := s.userByIDLocked(r.OwnerID); o != nil {
		owner = o.Username
	} else {
		for _, x := range s.users {
			if x.Admin {
				owner = x.Username
				break
			}
		}
	}
	landing := map[string][]string{"git": {"branch", "master"}, "hg": {"branch", "default"}}[r.Type]
	if landing == nil {
		landing = []string{"rev", "tip"}
	}
	return map[string]any{
		"repo_id":           r.ID,
		"repo_name":         r.Name,
		"repo_type":         r.Type,
		"clone_uri":         "",
		"push_uri":          "",
		"url":               s.URL + "/" + r.Name,
		"private":           r.Private,
		"created_on":        pyDatetime(created),
		"description":       "",
		"landing_rev":       landing,
		"owner":             owner,
		"fork_of":           nil,
		"fork_of_id":        nil,
		"enable_statistics": false,
		"enable_locking":    false,
		"enable_downloads":  false,
		"last_changeset": map[string]any{
			"short_id": strings.Repeat("0", 12), "raw_id": strings.Repeat("0", 40), "revision": -1,
			"message": "", "date": "1970-01-01T00:00:00", "author": "", "parents": []any{},
			"branch": nil, "source_repo_id": r.ID,
		},
		"locked_by":   nil,
		"locked_date": nil,
		"lock_reason": nil,
	}
}
