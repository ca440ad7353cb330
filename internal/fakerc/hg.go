package fakerc

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Mercurial over HTTP (protocol §6.5): RhodeCode's simplehg checks in
// front of a real `hg serve`, one per repository, listening on 127.0.0.1
// and started on first use. The repositories live in a temporary
// directory, one per repository id.

// hgState is the fake's Mercurial side.
type hgState struct {
	mu      sync.Mutex // guards everything below; not Server.mu
	root    string
	servers map[int]*url.URL // repository id → its hg serve
}

// hgPullCmds are simplehg's pull commands; everything else, unknown
// commands included, counts as a push (protocol §6.5).
var hgPullCmds = map[string]bool{
	"between": true, "branches": true, "branchmap": true, "capabilities": true,
	"changegroup": true, "changegroupsubset": true, "changesetdata": true,
	"clonebundles": true, "debugwireargs": true, "filedata": true, "filesdata": true,
	"getbundle": true, "getlfile": true, "heads": true, "hello": true, "known": true,
	"listkeys": true, "lookup": true, "manifestdata": true, "narrow_widen": true,
	"protocaps": true, "stream_out": true, "statlfile": true,
}

// neverVCS are the first path segments RhodeCode's middleware never
// treats as a repository.
var neverVCS = regexp.MustCompile(`^/(_file_store|_static|_admin/ops/ping|_admin/channelstream/connect)(/|$)`)

// isHgRequest is vcs.py's is_hg: an Accept header for Mercurial's wire
// protocol and a cmd in the query string.
func isHgRequest(r *http.Request, rel string) bool {
	return strings.HasPrefix(r.Header.Get("Accept"), "application/mercurial") &&
		r.URL.Query().Has("cmd") && !neverVCS.MatchString(rel)
}

// hgAction is simplehg._get_action: pull or push from cmd, and for batch
// from the commands listed in its X-HgArg-N headers (or, without them,
// the query string's cmds).
func hgAction(r *http.Request) string {
	q := r.URL.Query()
	cmd := q.Get("cmd")
	if cmd != "batch" {
		if hgPullCmds[cmd] {
			return "pull"
		}
		return "push"
	}
	var args strings.Builder
	for i := 1; ; i++ {
		v := r.Header.Get("X-HgArg-" + strconv.Itoa(i))
		if v == "" {
			break
		}
		args.WriteString(v)
	}
	cmds := q.Get("cmds")
	if args.Len() > 0 {
		if parsed, err := url.ParseQuery(args.String()); err == nil {
			cmds = parsed.Get("cmds")
		}
	}
	for _, c := range strings.Split(cmds, ";") {
		name, _, _ := strings.Cut(strings.TrimSpace(c), " ")
		if name != "" && !hgPullCmds[name] {
			return "push"
		}
	}
	return "pull"
}

// SeedHgRepo commits files (path → content) to the Mercurial repository
// name, creating the repository (type hg, no owner, public) if it does
// not exist yet, and returns it. It needs the hg binary.
func (s *Server) SeedHgRepo(name string, files map[string]string) Repo {
	s.tb.Helper()
	repo := s.repoToSeed(s.tb, name, "hg", "SeedHgRepo")
	dir, err := s.hgRepoDir(repo.ID)
	if err != nil {
		s.tb.Fatalf("fakerc: SeedHgRepo: %v", err)
	}
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			s.tb.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			s.tb.Fatal(err)
		}
	}
	if out, err := s.runHg(dir, "commit", "-q", "-A", "-m", "Initial commit"); err != nil {
		s.tb.Fatalf("fakerc: SeedHgRepo: hg commit: %v\n%s", err, out)
	}
	return repo
}

// hgRepoDir returns the repository of an id, creating it when needed.
func (s *Server) hgRepoDir(id int) (string, error) {
	s.hg.mu.Lock()
	defer s.hg.mu.Unlock()
	if s.hg.root == "" {
		root, err := os.MkdirTemp("", "fakerc-hg-")
		if err != nil {
			return "", err
		}
		if err := os.Mkdir(filepath.Join(root, "home"), 0o700); err != nil {
			return "", err
		}
		s.hg.root = root
		s.tb.Cleanup(func() { _ = os.RemoveAll(root) })
	}
	dir := filepath.Join(s.hg.root, strconv.Itoa(id))
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	if out, err := s.runHg("", "init", dir); err != nil {
		return "", fmt.Errorf("hg init: %v\n%s", err, out)
	}
	return dir, nil
}

// hgEnv keeps the fake's hg away from the user's and system's config.
func (s *Server) hgEnv() []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + filepath.Join(s.hg.root, "home"),
		"HGRCPATH=", "HGPLAIN=1", "HGUSER=RhodeCode Fake <fake@rhodecode.invalid>",
	}
}

func (s *Server) runHg(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("hg", args...)
	cmd.Dir = dir
	cmd.Env = s.hgEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// hgServe returns the address of the repository's hg serve, starting it
// on first use; it is stopped when the server closes.
func (s *Server) hgServe(id int) (*url.URL, error) {
	dir, err := s.hgRepoDir(id)
	if err != nil {
		return nil, err
	}
	s.hg.mu.Lock()
	defer s.hg.mu.Unlock()
	if u := s.hg.servers[id]; u != nil {
		return u, nil
	}
	// Anyone may push: the fake's checks in front decide who gets here.
	cmd := exec.Command("hg", "serve", "-R", dir, "-a", "127.0.0.1", "-p", "0",
		"--config", "web.push_ssl=false", "--config", "web.allow-push=*")
	cmd.Env = s.hgEnv()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = nil
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	// "listening at http://localhost:PORT/ (bound to 127.0.0.1:PORT)"
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- l
	}()
	var first string
	select {
	case first = <-line:
	case <-time.After(30 * time.Second):
		stop()
		return nil, fmt.Errorf("hg serve did not start in 30s")
	}
	m := regexp.MustCompile(`bound to (127\.0\.0\.1:\d+)`).FindStringSubmatch(first)
	if m == nil {
		stop()
		return nil, fmt.Errorf("hg serve: unexpected output %q", first)
	}
	u := &url.URL{Scheme: "http", Host: m[1]}
	if s.hg.servers == nil {
		s.hg.servers = map[int]*url.URL{}
	}
	s.hg.servers[id] = u
	s.tb.Cleanup(stop)
	return u, nil
}

// serveHg is simplevcs._handle_request for Mercurial: the checks of
// vcsGate, then a reverse proxy to hg serve.
func (s *Server) serveHg(w http.ResponseWriter, r *http.Request, rel string) {
	sw := &statusWriter{ResponseWriter: w}
	rec := VCSRequest{Method: r.Method, Path: rel, Action: hgAction(r)}
	defer s.recordVCS(sw, &rec)
	user, repo, ok := s.vcsGate(sw, r, strings.Trim(rel, "/"), "hg", &rec)
	if !ok {
		return
	}
	target, err := s.hgServe(repo.ID)
	if err != nil {
		s.serverError(sw)
		return
	}
	p := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.URL.Path, pr.Out.URL.RawPath = "/", ""
			// The token stops here, as at RhodeCode's vcsserver.
			pr.Out.Header.Del("Authorization")
			pr.Out.Header.Set("X-RhodeCode-User", user.Username)
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, _ error) { s.serverError(w) },
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Minute)
	defer cancel()
	p.ServeHTTP(sw, r.WithContext(ctx))
}
