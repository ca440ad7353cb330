package fakerc

import (
	"bytes"
	"net/http"
	"net/http/httputil"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Subversion over HTTP (protocol §6.5): RhodeCode recognises the request,
// runs the same checks as for git (vcsGate) and reverse-proxies it,
// headers and body unchanged, to an Apache httpd with mod_dav_svn
// (apache.go). Each repository started with StartSVN gets an Apache of
// its own; a real RhodeCode has one for all, which makes no difference to
// a client.

// svnBackend is the Apache serving one repository.
type svnBackend struct {
	apache *apache
	proxy  *httputil.ReverseProxy
}

// svnMagicPath is rhodecode_subversion_magic_path.
const svnMagicPath = "/!svn"

// StartSVN creates the Subversion repository name on s (type "svn",
// public, no owner: GrantRepo gives write access), with one commit that
// adds trunk/README.txt, starts an Apache httpd with mod_dav_svn for it on
// 127.0.0.1 (stopped when the test ends), and returns the URL svn checks
// out through s: <s.URL>/<name>. Until StartSVN is called, svn requests
// get RhodeCode's 406 "SVN HTTP Proxy is not enabled". Without svn or
// Apache the test is skipped, or failed under RHODECODE_TEST_SVN=1
// (RequireSVN).
func StartSVN(tb testing.TB, s *Server, name string) string {
	tb.Helper()
	return s.startSVN(tb, requireSVNTools(tb), name)
}

// SVNAvailable says whether svn, svnadmin and Apache with mod_dav_svn are
// installed (nil), or what is missing: the check ServeSVN needs.
func SVNAvailable() error {
	_, err := findSVNTools()
	return err
}

// ServeSVN is StartSVN for a server from Start (the demo): the Apache
// stops at Close. A missing tool is fatal; ask SVNAvailable first.
func (s *Server) ServeSVN(name string) string {
	s.tb.Helper()
	tools, err := findSVNTools()
	if err != nil {
		s.tb.Fatalf("fakerc: ServeSVN: %v", err)
	}
	return s.startSVN(s.tb, tools, name)
}

func (s *Server) startSVN(tb tbLike, tools svnTools, name string) string {
	logf := func(string, ...any) {}
	if l, ok := tb.(interface{ Logf(string, ...any) }); ok {
		logf = l.Logf
	}
	repo := s.repoToSeed(tb, name, "svn", "StartSVN")

	dir := filepath.Join(tb.TempDir(), "repo")
	seed := tb.TempDir()
	if err := os.MkdirAll(filepath.Join(seed, "import", "trunk"), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(seed, "import", "trunk", "README.txt"), []byte("Hello from "+name+"\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + seed, "LANG=C"}
	for _, args := range [][]string{
		{tools.svnadmin, "create", dir},
		{tools.svn, "import", "--non-interactive", "--config-dir", filepath.Join(seed, "config"),
			"--username", "fakerc", "-m", "Initial import", filepath.Join(seed, "import"), fileURL(dir)},
	} {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			tb.Fatalf("fakerc: StartSVN: %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
	}

	a, err := startApache(tb, tools, location{path: s.prefix + "/" + name, svnPath: dir})
	if err != nil {
		tb.Fatalf("fakerc: StartSVN: %v", err)
	}
	backend := &svnBackend{apache: a}
	backend.proxy = &httputil.ReverseProxy{
		// Path, query, Host and the other headers go through as they
		// came; only the target changes (SimpleSvnApp does the same).
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme = "http"
			pr.Out.URL.Host = a.addr
			pr.Out.Host = pr.In.Host
		},
		FlushInterval: -1,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			logf("fakerc: svn proxy: %v\n%s", err, a.errorLog())
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	s.mu.Lock()
	if s.svn == nil {
		s.svn = map[int]*svnBackend{}
	}
	s.svn[repo.ID] = backend
	s.mu.Unlock()
	return s.RepoCloneURL(name)
}

// fileURL is the file:// URL of an absolute path, for svn import.
func fileURL(p string) string {
	p = filepath.ToSlash(p)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter
	}
	return "file://" + p
}

// isSVNRequest is the svn test of RhodeCode's VCS middleware (vcs.py
// is_svn): a DAV header that mentions subversion, the magic path, or a
// PROPFIND/PROPPATCH. Static files, the ping and channelstream paths are
// never VCS requests.
func isSVNRequest(r *http.Request, rel string) bool {
	if neverVCS.MatchString(rel) {
		return false
	}
	// WSGI joins repeated headers with commas; the match is case-sensitive.
	return strings.Contains(strings.Join(r.Header.Values("DAV"), ","), "subversion") ||
		strings.Contains(rel, svnMagicPath) ||
		r.Method == "PROPFIND" || r.Method == "PROPPATCH"
}

// svnRepoName is SimpleSvn._get_repository_name: the path before any "!",
// and since svn asks for paths inside the repository too, the shortest
// leading part that names an svn repository, else all of it.
func (s *Server) svnRepoName(rel string) string {
	name, _, _ := strings.Cut(rel, "!")
	name = strings.Trim(name, "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.repoByNameLocked(name); r != nil && r.Type == "svn" {
		return name
	}
	parts := strings.Split(name, "/")
	for i := range parts {
		cand := strings.Join(parts[:i+1], "/")
		if r := s.repoByNameLocked(cand); r != nil && r.Type == "svn" {
			return cand
		}
	}
	return name
}

// svnReadMethods need pull permission; every other method needs push.
var svnReadMethods = map[string]bool{"OPTIONS": true, "PROPFIND": true, "GET": true, "REPORT": true}

// serveSVN is simplevcs._handle_request for svn: the checks of vcsGate,
// 406 while the proxy is not enabled (no StartSVN), then Apache.
func (s *Server) serveSVN(w http.ResponseWriter, r *http.Request, rel string) {
	sw := &statusWriter{ResponseWriter: w}
	rec := VCSRequest{Method: r.Method, Path: rel, Action: "push"}
	if svnReadMethods[r.Method] {
		rec.Action = "pull"
	}
	defer s.recordVCS(sw, &rec)

	_, repo, ok := s.vcsGate(sw, r, s.svnRepoName(rel), "svn", &rec)
	if !ok {
		return
	}
	s.mu.Lock()
	backend := s.svn[repo.ID]
	s.mu.Unlock()
	if backend == nil {
		writeText(sw, http.StatusNotAcceptable, "Cannot handle SVN call because: SVN HTTP Proxy is not enabled")
		return
	}
	backend.proxy.ServeHTTP(sw, r)
}
