package fakerc

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gitClient runs the real git binary isolated from the user's setup.
type gitClient struct {
	t    *testing.T
	home string
}

func newGitClient(t *testing.T) *gitClient {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	return &gitClient{t: t, home: t.TempDir()}
}

// run executes git in dir and returns its combined output.
func (g *gitClient) run(dir string, args ...string) (string, error) {
	g.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + g.home,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=", "SSH_ASKPASS=",
		"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com",
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (g *gitClient) must(dir string, args ...string) string {
	g.t.Helper()
	out, err := g.run(dir, args...)
	if err != nil {
		g.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// withCreds puts user:password into a URL's userinfo.
func withCreds(raw, user, password string) string {
	u, _ := url.Parse(raw)
	u.User = url.UserPassword(user, password)
	return u.String()
}

// helperArgs answers git's credential requests with fixed values; the
// empty helper first drops any configured ones.
func helperArgs(user, password string) []string {
	return []string{"-c", "credential.helper=",
		"-c", "credential.helper=!f() { echo username=" + user + "; echo password=" + password + "; }; f"}
}

func TestGitCloneAndPush(t *testing.T) {
	f := webFixture(t)
	g := newGitClient(t)
	f.srv.AddRepo(Repo{Name: "team/app", OwnerID: f.alice.ID})
	f.srv.SeedRepo("team/app", map[string]string{"README.md": "hello\n", "src/main.go": "package main\n"})
	cloneURL := f.srv.RepoCloneURL("team/app")
	if cloneURL != f.srv.URL+"/team/app" {
		t.Errorf("clone URL = %s", cloneURL)
	}
	work := t.TempDir()

	// Password in the URL.
	g.must(work, "clone", "-q", withCreds(cloneURL, "alice", "alicepw"), "pw")
	if b, err := os.ReadFile(filepath.Join(work, "pw", "src", "main.go")); err != nil || string(b) != "package main\n" {
		t.Fatalf("cloned file: %q %v", b, err)
	}
	if br := strings.TrimSpace(g.must(filepath.Join(work, "pw"), "rev-parse", "--abbrev-ref", "HEAD")); br != "main" {
		t.Errorf("branch = %s", br)
	}

	// VCS token through a credential helper, .git suffix accepted.
	args := append(helperArgs("alice", f.vcsTok.Secret), "clone", "-q", cloneURL+".git", "tok")
	g.must(work, args...)
	dir := filepath.Join(work, "tok")
	if err := os.WriteFile(filepath.Join(dir, "new.txt"), []byte("pushed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g.must(dir, "add", "new.txt")
	g.must(dir, "commit", "-q", "-m", "add new.txt")
	g.must(dir, append(helperArgs("alice", f.vcsTok.Secret), "push", "-q", "origin", "main")...)
	head := strings.TrimSpace(g.must(dir, "rev-parse", "HEAD"))

	// ls-remote with an all-role token in the URL sees the push.
	out := g.must(work, "ls-remote", withCreds(cloneURL, "alice", f.allTok.Secret), "refs/heads/main")
	if !strings.HasPrefix(out, head) {
		t.Errorf("ls-remote = %q, want %s", out, head)
	}

	reqs := f.srv.VCSRequests()
	var pushes, anonymous int
	for _, r := range reqs {
		if r.Action == "push" && r.Authenticated && r.Status == 200 {
			pushes++
		}
		if r.Username == "" && r.Status == 401 {
			anonymous++
		}
		if r.Repo != "team/app" {
			t.Errorf("request %+v names another repository", r)
		}
	}
	if pushes < 2 || anonymous == 0 {
		t.Errorf("requests = %+v", reqs)
	}
}

func TestGitRejections(t *testing.T) {
	f := webFixture(t)
	g := newGitClient(t)
	other := f.srv.AddRepo(Repo{Name: "other"})
	f.srv.SeedRepo("team/project", map[string]string{"a": "b"})
	f.srv.UpdateUser("bob", func(u *User) { u.Password = "bobpw" })
	f.srv.AddUser(User{Username: "carol", Password: "carolpw", Active: true})
	f.srv.AddRepo(Repo{Name: "private", OwnerID: f.admin.ID, Private: true})
	f.srv.SeedRepo("private", map[string]string{"x": "y"})
	f.srv.GrantRepo("carol", "team/project", "read")
	otherScoped := f.srv.InsertToken(Token{UserID: f.alice.ID, Role: RoleVCS, Expires: -1, RepoID: other.ID})
	projectScoped := f.srv.InsertToken(Token{UserID: f.alice.ID, Role: RoleVCS, Expires: -1, RepoID: 1})
	expiredVCS := f.srv.InsertToken(Token{UserID: f.alice.ID, Role: RoleVCS, Expires: float64(time.Now().Add(-time.Minute).Unix())})
	carolVCS := f.srv.AddToken("carol", RoleVCS, "", -1)
	project := f.srv.RepoCloneURL("team/project")
	work := t.TempDir()

	tests := []struct {
		name, url, user, password string
		push                      bool
		want                      string // substring of git's error; "" = success
		status                    int    // last recorded status
	}{
		{"password", project, "alice", "alicepw", false, "", 200},
		{"scoped token here", project, "alice", projectScoped.Secret, false, "", 200},
		{"wrong token", project, "alice", strings.Repeat("ab", 20), false, "Authentication failed", 401},
		{"api token", project, "alice", f.apiTok.Secret, false, "Authentication failed", 401},
		{"expired token", project, "alice", expiredVCS.Secret, false, "Authentication failed", 401},
		{"token of another repo", project, "alice", otherScoped.Secret, false, "Authentication failed", 401},
		{"username case", project, "Alice", f.vcsTok.Secret, false, "Authentication failed", 401},
		{"other user's token", project, "carol", f.vcsTok.Secret, false, "Authentication failed", 401},
		{"inactive user", project, "bob", "bobpw", false, "Authentication failed", 401},
		{"private without permission", f.srv.RepoCloneURL("private"), "carol", carolVCS.Secret, false, "403", 403},
		{"push with read grant", project, "carol", "carolpw", true, "403", 403},
		{"unknown repository", f.srv.RepoCloneURL("nope"), "alice", "alicepw", false, "not found", 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.srv.ResetVCSRequests()
			var out string
			var err error
			if tc.push {
				dir := filepath.Join(work, strings.ReplaceAll(tc.name, " ", "_"))
				g.must(work, append(helperArgs("carol", "carolpw"), "clone", "-q", project, dir)...)
				g.must(dir, "commit", "-q", "--allow-empty", "-m", "x")
				out, err = g.run(dir, "push", withCreds(project, tc.user, tc.password), "HEAD:main")
			} else {
				out, err = g.run(work, "ls-remote", withCreds(tc.url, tc.user, tc.password))
			}
			if tc.want == "" && err != nil {
				t.Fatalf("git failed: %v\n%s", err, out)
			}
			if tc.want != "" && (err == nil || !strings.Contains(out, tc.want)) {
				t.Fatalf("git: %v, want error with %q\n%s", err, tc.want, out)
			}
			reqs := f.srv.VCSRequests()
			if len(reqs) == 0 || reqs[len(reqs)-1].Status != tc.status {
				t.Errorf("requests = %+v, want last status %d", reqs, tc.status)
			}
		})
	}

	// Raw HTTP: the 401 challenge, and 404 before any credentials.
	r := do(t, "GET", project+"/info/refs?service=git-upload-pack", "", false, nil)
	if r.status != 401 || r.header.Get("WWW-Authenticate") != `Basic realm="RhodeCode"` {
		t.Errorf("challenge: %d %v", r.status, r.header)
	}
	if r := do(t, "GET", f.srv.URL+"/nope/info/refs?service=git-upload-pack", "", false, nil); r.status != 404 {
		t.Errorf("unknown repo: %d", r.status)
	}

	// The token plugin switched off: tokens fail, passwords still work.
	f.srv.SetTokenPluginEnabled(false)
	if out, err := g.run(work, "ls-remote", withCreds(project, "alice", f.vcsTok.Secret)); err == nil || !strings.Contains(out, "Authentication failed") {
		t.Errorf("token with plugin off: %v\n%s", err, out)
	}
	g.must(work, "ls-remote", withCreds(project, "alice", "alicepw"))
	f.srv.SetTokenPluginEnabled(true)
	g.must(work, "ls-remote", withCreds(project, "alice", f.vcsTok.Secret))

	// Forced password change: 406 after authentication.
	f.srv.UpdateUser("alice", func(u *User) { u.ForcePasswordChange = true })
	if out, err := g.run(work, "ls-remote", withCreds(project, "alice", f.vcsTok.Secret)); err == nil || !strings.Contains(out, "406") {
		t.Errorf("forced password change: %v\n%s", err, out)
	}
}

func TestGitWithPrefixAndGetRepos(t *testing.T) {
	f := webFixture(t, WithPathPrefix("/code"))
	g := newGitClient(t)
	f.srv.AddRepo(Repo{Name: "mine", OwnerID: f.alice.ID, Private: true})
	f.srv.AddRepo(Repo{Name: "hidden", OwnerID: f.admin.ID, Private: true})
	f.srv.AddRepo(Repo{Name: "pub", OwnerID: f.admin.ID})
	f.srv.SeedRepo("mine", map[string]string{"f": "1"})
	g.must(t.TempDir(), "clone", "-q", withCreds(f.srv.RepoCloneURL("mine"), "alice", f.vcsTok.Secret), "x")

	call := func(token string, args map[string]any) []map[string]any {
		body := rpcBody(map[string]any{"id": 1, "auth_token": token, "method": "get_repos", "args": args})
		env := decodeEnvelope(t, do(t, "POST", f.srv.URL+"/_admin/api", body, false, nil))
		if string(env.Error) != "null" {
			t.Fatalf("get_repos: %s", env.Error)
		}
		var res []map[string]any
		if err := json.Unmarshal(env.Result, &res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	names := func(res []map[string]any) string {
		var n []string
		for _, r := range res {
			n = append(n, r["repo_name"].(string))
		}
		return strings.Join(n, ",")
	}
	res := call(f.apiTok.Secret, map[string]any{})
	if names(res) != "team/project,mine,pub" {
		t.Errorf("alice sees %s", names(res))
	}
	mine := res[1]
	for k, want := range map[string]any{
		"repo_type": "git", "url": f.srv.URL + "/mine", "clone_uri": "", "push_uri": "", "private": true,
		"owner": "alice", "fork_of": nil, "description": "",
	} {
		if mine[k] != want {
			t.Errorf("%s = %v, want %v", k, mine[k], want)
		}
	}
	if mine["repo_id"] != float64(2) {
		t.Errorf("repo_id = %v", mine["repo_id"])
	}
	if names(call(f.adminTok.Secret, map[string]any{})) != "team/project,mine,hidden,pub" {
		t.Errorf("admin list wrong")
	}
	if names(call(f.apiTok.Secret, map[string]any{"root": "team"})) != "team/project" {
		t.Errorf("root filter wrong")
	}
	if names(call(f.apiTok.Secret, map[string]any{"traverse": false})) != "mine,pub" {
		t.Errorf("traverse=false wrong")
	}
	f.srv.GrantRepo("alice", "pub", "none")
	if names(call(f.apiTok.Secret, map[string]any{})) != "team/project,mine" {
		t.Errorf("explicit none still listed")
	}
}
