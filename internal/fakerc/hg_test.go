package fakerc

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/hgtest"
)

// hgAuthConfig is an hgrc [auth] entry for the server, as setup-hg writes
// it (the password inline here).
func hgAuthConfig(t *testing.T, hg *hgtest.Client, srv *Server, user, password string) {
	t.Helper()
	rc := "[auth]\nfake.prefix = " + srv.URL + "\nfake.username = " + user + "\nfake.password = " + password + "\nfake.schemes = http https\n"
	if err := os.WriteFile(filepath.Join(hg.Home, ".hgrc"), []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestHgCloneAndPush(t *testing.T) {
	f := webFixture(t)
	hg := hgtest.New(t)
	f.srv.AddRepo(Repo{Name: "team/hgapp", Type: "hg", OwnerID: f.alice.ID})
	f.srv.SeedHgRepo("team/hgapp", map[string]string{"README": "hello\n"})
	url := f.srv.RepoCloneURL("team/hgapp")
	work := t.TempDir()

	hgAuthConfig(t, hg, f.srv, "alice", f.vcsTok.Secret)
	hg.Must(work, "clone", "-q", url, "c")
	dir := filepath.Join(work, "c")
	if b, err := os.ReadFile(filepath.Join(dir, "README")); err != nil || string(b) != "hello\n" {
		t.Fatalf("cloned file: %q %v", b, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "new.txt"), []byte("pushed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	hg.Must(dir, "commit", "-q", "-A", "-m", "add new.txt")
	hg.Must(dir, "push", "-q")
	tip := strings.TrimSpace(hg.Must(dir, "log", "-r", "tip", "-T", "{node}"))

	// A second clone pulls what was pushed.
	other := filepath.Join(work, "o")
	hg.Must(work, "clone", "-q", url, other)
	if got := strings.TrimSpace(hg.Must(other, "log", "-r", "tip", "-T", "{node}")); got != tip {
		t.Errorf("tip after push = %s, want %s", got, tip)
	}
	hg.Must(other, "pull", "-q")

	var pushes, anonymous int
	for _, r := range f.srv.VCSRequests() {
		if r.Action == "push" && r.Authenticated && r.Status == 200 {
			pushes++
		}
		if r.Username == "" && r.Status == 401 {
			anonymous++
		}
		if r.Repo != "team/hgapp" {
			t.Errorf("request %+v names another repository", r)
		}
	}
	if pushes == 0 || anonymous == 0 {
		t.Errorf("requests = %+v", f.srv.VCSRequests())
	}
}

func TestHgRejections(t *testing.T) {
	f := webFixture(t)
	hg := hgtest.New(t)
	f.srv.AddRepo(Repo{Name: "hgrepo", Type: "hg", OwnerID: f.admin.ID})
	f.srv.SeedHgRepo("hgrepo", map[string]string{"a": "b"})
	f.srv.AddUser(User{Username: "carol", Password: "carolpw", Active: true})
	f.srv.GrantRepo("carol", "hgrepo", "read")
	f.srv.GrantRepo("alice", "hgrepo", "write")
	expired := f.srv.InsertToken(Token{UserID: f.alice.ID, Role: RoleVCS, Expires: float64(time.Now().Add(-time.Minute).Unix())})
	revoked := f.srv.AddToken("alice", RoleVCS, "", -1)
	f.srv.RevokeToken(revoked.ID)
	url := f.srv.RepoCloneURL("hgrepo")

	tests := []struct {
		name, user, password string
		push                 bool
		want                 string // substring of hg's error; "" = success
	}{
		{"vcs token", "alice", f.vcsTok.Secret, false, ""},
		{"all token", "alice", f.allTok.Secret, false, ""},
		{"api token", "alice", f.apiTok.Secret, false, "authorization failed"},
		{"revoked token", "alice", revoked.Secret, false, "authorization failed"},
		{"expired token", "alice", expired.Secret, false, "authorization failed"},
		{"username case", "Alice", f.vcsTok.Secret, false, "authorization failed"},
		{"push with read grant", "carol", "carolpw", true, "403"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			work := t.TempDir()
			hgAuthConfig(t, hg, f.srv, tt.user, tt.password)
			var out string
			var err error
			if tt.push {
				hgAuthConfig(t, hg, f.srv, "alice", f.vcsTok.Secret)
				hg.Must(work, "clone", "-q", url, "c")
				dir := filepath.Join(work, "c")
				_ = os.WriteFile(filepath.Join(dir, "x"), []byte("x"), 0o644)
				hg.Must(dir, "commit", "-q", "-A", "-m", "x")
				hgAuthConfig(t, hg, f.srv, tt.user, tt.password)
				out, err = hg.Run(dir, "push")
			} else {
				out, err = hg.Run(work, "clone", "-q", url, "c")
			}
			if tt.want == "" {
				if err != nil {
					t.Fatalf("hg: %v\n%s", err, out)
				}
				return
			}
			if err == nil || !strings.Contains(out, tt.want) {
				t.Fatalf("hg err=%v, want %q in:\n%s", err, tt.want, out)
			}
		})
	}

	// The plugin off: tokens stop working, passwords go on.
	f.srv.SetTokenPluginEnabled(false)
	hgAuthConfig(t, hg, f.srv, "alice", f.vcsTok.Secret)
	if out, err := hg.Run(t.TempDir(), "clone", "-q", url, "c"); err == nil || !strings.Contains(out, "authorization failed") {
		t.Errorf("token with the plugin off: %v\n%s", err, out)
	}
}

func TestHgRouting(t *testing.T) {
	f := webFixture(t)
	hgtest.Require(t)
	f.srv.SeedHgRepo("hgonly", map[string]string{"a": "b"})
	f.srv.SeedRepo("gitonly", map[string]string{"a": "b"})
	get := func(path, accept string, header map[string]string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		req.SetBasicAuth("alice", f.vcsTok.Secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	const hgAccept = "application/mercurial-0.1"
	if c := get("/hgonly?cmd=capabilities", hgAccept, nil); c != 200 {
		t.Errorf("capabilities: %d", c)
	}
	// Another type's repository, or an unknown one: 404 before auth.
	if c := get("/gitonly?cmd=capabilities", hgAccept, nil); c != 404 {
		t.Errorf("hg request for a git repository: %d", c)
	}
	// Without the Accept header it is no hg request.
	if c := get("/hgonly?cmd=capabilities", "", nil); c == 200 {
		t.Errorf("without Accept: %d", c)
	}
	// Alice may read but not write: a batch with a push command is a push.
	f.srv.GrantRepo("alice", "hgonly", "read")
	if c := get("/hgonly?cmd=batch", hgAccept, map[string]string{"X-HgArg-1": "cmds=heads+%3Bknown+nodes%3D"}); c != 200 {
		t.Errorf("pull batch: %d", c)
	}
	if c := get("/hgonly?cmd=batch", hgAccept, map[string]string{"X-HgArg-1": "cmds=heads+%3Bpushkey+namespace%3Dx"}); c != 403 {
		t.Errorf("push batch: %d", c)
	}
	if c := get("/hgonly?cmd=unbundle", hgAccept, nil); c != 403 {
		t.Errorf("unbundle: %d", c)
	}
	if c := get("/hgonly?cmd=nonsense", hgAccept, nil); c != 403 {
		t.Errorf("unknown command: %d", c)
	}
}
