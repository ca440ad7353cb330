package fakerc

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestIsSVNRequest(t *testing.T) {
	for _, tc := range []struct {
		method, path, dav string
		want              bool
	}{
		{"OPTIONS", "/repo", "http://subversion.tigris.org/xmlns/dav/svn/depth", true},
		{"GET", "/repo/!svn/rvr/1/trunk/README.txt", "", true},
		{"POST", "/group/repo/!svn/me", "", true},
		{"PROPFIND", "/repo/trunk", "", true},
		{"PROPPATCH", "/repo/!svn/txn/1-1", "", true},
		{"OPTIONS", "/repo", "1,2", false},                                 // a WebDAV client that is not svn
		{"OPTIONS", "/repo", "http://Subversion.tigris.org/", false},       // case-sensitive, as in RhodeCode
		{"GET", "/repo", "", false},                                        // the repository's web page
		{"GET", "/repo/files/tip/", "", false},                             // the file browser
		{"PROPFIND", "/_static/x", "", false},                              // never a VCS request
		{"GET", "/_file_store/download/!svn", "", false},                   // never a VCS request
		{"OPTIONS", "/_admin/ops/ping", "subversion", false},               // never a VCS request
		{"GET", "/_admin/channelstream/connect/!svn", "subversion", false}, // never a VCS request
	} {
		r, _ := http.NewRequest(tc.method, "http://h"+tc.path, nil)
		if tc.dav != "" {
			r.Header.Set("DAV", tc.dav)
		}
		if got := isSVNRequest(r, tc.path); got != tc.want {
			t.Errorf("%s %s DAV %q: %v, want %v", tc.method, tc.path, tc.dav, got, tc.want)
		}
	}
}

// svnRequest sends one request the way svn does (DAV header on OPTIONS,
// the magic path otherwise) with optional Basic credentials.
func svnRequest(t *testing.T, s *Server, method, path, user, password string) rawResponse {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("DAV", "http://subversion.tigris.org/xmlns/dav/svn/depth")
	if user != "" || password != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// TestSVNGate: the checks before the proxy are git's (vcsGate), in
// RhodeCode's order; no Apache is needed for them.
func TestSVNGate(t *testing.T) {
	f := newFixture(t)
	s := f.srv
	s.AddRepo(Repo{Name: "svnrepo", Type: "svn", OwnerID: f.admin.ID})
	s.AddRepo(Repo{Name: "private/svn", Type: "svn", OwnerID: f.admin.ID, Private: true})

	for _, tc := range []struct {
		name, method, path, user, password string
		want                               int
	}{
		{"unknown repository, before auth", "OPTIONS", "/nope", "", "", 404},
		{"a git repository", "OPTIONS", "/team/project", "alice", f.vcsTok.Secret, 404},
		{"no credentials", "OPTIONS", "/svnrepo", "", "", 401},
		{"api token", "OPTIONS", "/svnrepo", "alice", f.apiTok.Secret, 401},
		{"username of another case", "OPTIONS", "/svnrepo", "Alice", f.vcsTok.Secret, 401},
		{"inactive user", "OPTIONS", "/svnrepo", "bob", "x", 401},
		{"read without permission", "PROPFIND", "/private/svn/trunk", "alice", f.vcsTok.Secret, 403},
		{"write with read permission", "POST", "/svnrepo/!svn/me", "alice", f.vcsTok.Secret, 403},
		{"read, proxy not enabled", "OPTIONS", "/svnrepo", "alice", f.vcsTok.Secret, 406},
		{"all token, path inside the repository", "PROPFIND", "/svnrepo/trunk/dir", "alice", f.allTok.Secret, 406},
		{"password", "OPTIONS", "/svnrepo", "alice", "pw", 406},
	} {
		got := svnRequest(t, s, tc.method, tc.path, tc.user, tc.password)
		if got.status != tc.want {
			t.Errorf("%s: %d, want %d\n%s", tc.name, got.status, tc.want, got.body)
		}
		if tc.want == 401 && got.header.Get("WWW-Authenticate") != `Basic realm="RhodeCode"` {
			t.Errorf("%s: WWW-Authenticate %q", tc.name, got.header.Get("WWW-Authenticate"))
		}
		if tc.want == 406 && got.body != "Cannot handle SVN call because: SVN HTTP Proxy is not enabled" {
			t.Errorf("%s: 406 body %q", tc.name, got.body)
		}
	}

	reqs := s.VCSRequests()
	if len(reqs) == 0 {
		t.Fatal("no VCS requests recorded")
	}
	last := reqs[len(reqs)-1]
	if last.Repo != "svnrepo" || !last.Authenticated || last.Action != "pull" || last.Status != 406 || last.Username != "alice" {
		t.Errorf("last request: %+v", last)
	}
	if r := reqs[len(reqs)-4]; r.Action != "push" || r.Status != 403 {
		t.Errorf("POST recorded as %+v", r)
	}

	// The plugin switch, the realm setting.
	s.SetTokenPluginEnabled(false)
	if got := svnRequest(t, s, "OPTIONS", "/svnrepo", "alice", f.vcsTok.Secret); got.status != 401 {
		t.Errorf("token with the plugin off: %d", got.status)
	}
	s.SetVCSRealm("Code Review")
	if got := svnRequest(t, s, "OPTIONS", "/svnrepo", "", ""); got.header.Get("WWW-Authenticate") != `Basic realm="Code Review"` {
		t.Errorf("realm setting: %q", got.header.Get("WWW-Authenticate"))
	}
	// git answers with the same realm: one setting for every VCS.
	s.AddRepo(Repo{Name: "gitrepo"})
	resp, err := http.Get(s.URL + "/gitrepo/info/refs?service=git-upload-pack")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Basic realm="Code Review"` {
		t.Errorf("git 401: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}

// svnCmd runs the real svn client with the password on stdin (never on
// the command line) and no credential cache.
func svnCmd(t *testing.T, password string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	home := t.TempDir()
	args = append([]string{"--non-interactive", "--no-auth-cache", "--config-dir", filepath.Join(home, "svn")}, args...)
	if password != "" {
		args = append([]string{"--password-from-stdin"}, args...)
	}
	cmd := exec.CommandContext(ctx, "svn", args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LANG=C", "LC_ALL=C"}
	cmd.Stdin = strings.NewReader(password + "\n")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestSVNThroughApache: real svn through the fake to Apache mod_dav_svn,
// under a proxy path prefix and in a repository group: checkout, commit,
// and the requests the fake saw on the way.
func TestSVNThroughApache(t *testing.T) {
	RequireSVN(t)
	f := newFixture(t, WithPathPrefix("/code"))
	s := f.srv
	url := StartSVN(t, s, "group/svnrepo")
	if url != s.URL+"/group/svnrepo" || !strings.HasSuffix(s.URL, "/code") {
		t.Fatalf("StartSVN = %s", url)
	}

	wc := filepath.Join(t.TempDir(), "wc")
	if out, err := svnCmd(t, f.vcsTok.Secret, "checkout", "--username", "alice", url+"/trunk", wc); err != nil {
		t.Fatalf("checkout: %v\n%s", err, out)
	}
	if b, err := os.ReadFile(filepath.Join(wc, "README.txt")); err != nil || string(b) != "Hello from group/svnrepo\n" {
		t.Fatalf("README.txt = %q, %v", b, err)
	}

	// Read access only: the commit is refused with 403 before Apache.
	if err := os.WriteFile(filepath.Join(wc, "README.txt"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := svnCmd(t, f.vcsTok.Secret, "commit", "--username", "alice", "-m", "change", wc)
	if err == nil || !strings.Contains(out, "forbidden") {
		t.Fatalf("commit without write permission: %v\n%s", err, out)
	}
	s.GrantRepo("alice", "group/svnrepo", permWrite)
	out, err = svnCmd(t, f.vcsTok.Secret, "commit", "--username", "alice", "-m", "change", wc)
	if err != nil || !strings.Contains(out, "Committed revision 2.") {
		t.Fatalf("commit: %v\n%s", err, out)
	}

	// A wrong token: svn gives up without a prompt.
	out, err = svnCmd(t, "0123456789abcdef0123456789abcdef01234567", "update", "--username", "alice", wc)
	if err == nil || !strings.Contains(out, "E215004") {
		t.Errorf("update with a wrong token: %v\n%s", err, out)
	}

	var sawProxied, sawPush bool
	for _, r := range s.VCSRequests() {
		if r.Repo != "group/svnrepo" {
			t.Errorf("request for repository %q: %+v", r.Repo, r)
		}
		if r.Authenticated && r.Status < 300 {
			sawProxied = true
			sawPush = sawPush || r.Action == "push"
		}
	}
	if !sawProxied || !sawPush {
		t.Errorf("no proxied pull and push among %+v", s.VCSRequests())
	}

	// Apache answers behind the fake: its own headers come through.
	got := svnRequest(t, s, "OPTIONS", "/group/svnrepo/trunk", "alice", f.vcsTok.Secret)
	if got.status != 200 || !strings.Contains(got.header.Get("Server"), "SVN/") {
		t.Errorf("proxied OPTIONS: %d %v", got.status, got.header)
	}
}

// TestServeSVNStandalone: a server from Start (the demo's) serves svn
// through ServeSVN, and Close stops its Apache.
func TestServeSVNStandalone(t *testing.T) {
	RequireSVN(t)
	if err := SVNAvailable(); err != nil {
		t.Fatalf("SVNAvailable after RequireSVN: %v", err)
	}
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			s.Close()
		}
	}()
	s.AddUser(User{Username: "alice", Active: true})
	tok := s.AddToken("alice", RoleVCS, "svn", -1)
	url := s.ServeSVN("demo/hello-svn")
	if url != s.URL+"/demo/hello-svn" {
		t.Errorf("ServeSVN = %q", url)
	}
	if r := svnRequest(t, s, "OPTIONS", "/demo/hello-svn", "alice", tok.Secret); r.status != http.StatusOK {
		t.Fatalf("OPTIONS through the proxy: %d", r.status)
	}
	s.mu.Lock()
	var backend *svnBackend
	for _, b := range s.svn {
		backend = b
	}
	s.mu.Unlock()
	s.Close()
	closed = true
	select {
	case <-backend.apache.done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close left Apache running")
	}
}
