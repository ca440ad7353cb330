package svnauth_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/internal/secret"
	"github.com/rhodecode-cli/rhodecode/internal/svnauth"
)

// The real thing: svn, through the fake RhodeCode, to Apache mod_dav_svn,
// with nothing but the entry svnauth wrote to authenticate it.

// svnRun runs the real svn client without a terminal, in its own HOME,
// with --non-interactive and --config-dir configDir. stdin feeds
// --password-from-stdin where a test uses it.
func svnRun(t *testing.T, configDir, stdin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args = append([]string{"--non-interactive", "--config-dir", configDir}, args...)
	cmd := exec.CommandContext(ctx, "svn", args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LANG=C", "LC_ALL=C"}
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("svn %s: timed out (waiting for a prompt?)\n%s", strings.Join(args, " "), out)
	}
	return string(out), err
}

func svnMust(t *testing.T, configDir string, args ...string) string {
	t.Helper()
	out, err := svnRun(t, configDir, "", args...)
	if err != nil {
		t.Fatalf("svn %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// noRedirects is an HTTP client like the CLI's: it never follows one.
var noRedirects = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// svnFixture is a fake RhodeCode with user alice (a VCS token, write
// access) and the Subversion repository team/svnrepo behind Apache.
type svnFixture struct {
	srv     *fakerc.Server
	token   fakerc.Token
	repoURL string
}

func newSVNFixture(t *testing.T) *svnFixture {
	t.Helper()
	fakerc.RequireSVN(t)
	srv := fakerc.New(t)
	srv.AddUser(fakerc.User{Username: "alice", Active: true})
	f := &svnFixture{srv: srv, token: srv.AddToken("alice", fakerc.RoleVCS, "svn", -1)}
	f.repoURL = fakerc.StartSVN(t, srv, "team/svnrepo")
	srv.GrantRepo("alice", "team/svnrepo", "write")
	return f
}

func (f *svnFixture) probe(t *testing.T) string {
	t.Helper()
	realm, err := svnauth.Probe(context.Background(), noRedirects, f.repoURL)
	if err != nil {
		t.Fatalf("Probe: %v", err)
	}
	return realm
}

// readFile returns a file's bytes, failing the test if it cannot.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestProbeRealm(t *testing.T) {
	f := newSVNFixture(t)
	want := "<http://" + f.srv.Host() + "> RhodeCode"
	if got := f.probe(t); got != want {
		t.Errorf("realm string = %q, want %q", got, want)
	}
	// An admin can change rhodecode_realm: the probe reads it.
	f.srv.SetVCSRealm("Our Code Review")
	if got := f.probe(t); got != "<http://"+f.srv.Host()+"> Our Code Review" {
		t.Errorf("realm string = %q", got)
	}
	// The probe carries no credentials.
	for _, r := range f.srv.VCSRequests() {
		if r.Username != "" || r.Status != http.StatusUnauthorized || r.Method != "OPTIONS" {
			t.Errorf("probe request: %+v", r)
		}
	}

	for _, tc := range []struct {
		name, url string
		want      error
	}{
		{"unknown repository", f.srv.URL + "/nope", svnauth.ErrNotFound},
		{"a git repository", f.srv.RepoCloneURL("gitrepo"), svnauth.ErrNotFound},
	} {
		if tc.name == "a git repository" {
			f.srv.AddRepo(fakerc.Repo{Name: "gitrepo"})
		}
		if _, err := svnauth.Probe(context.Background(), noRedirects, tc.url); err != tc.want {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestEntryMatchesSVN compares the file Write makes with the one svn
// itself writes when it is allowed to store a plain-text password: same
// file name (the md5 of the realm string) and same bytes.
func TestEntryMatchesSVN(t *testing.T) {
	f := newSVNFixture(t)
	for _, realm := range []string{fakerc.DefaultVCSRealm, `Code "Review" realm`} {
		f.srv.SetVCSRealm(realm)
		svnDir := t.TempDir()
		if out, err := svnRun(t, svnDir, f.token.Secret+"\n", "info", "--username", "alice", "--password-from-stdin",
			"--config-option", "servers:global:store-plaintext-passwords=yes", f.repoURL); err != nil {
			t.Fatalf("svn info: %v\n%s", err, out)
		}
		entries, err := filepath.Glob(filepath.Join(svnDir, "auth", "svn.simple", "*"))
		if err != nil || len(entries) != 1 {
			t.Fatalf("svn cached %v (%v)", entries, err)
		}
		svnFile := readFile(t, entries[0])

		ours := t.TempDir()
		realmstring := f.probe(t)
		if err := svnauth.Write(ours, svnauth.Entry{RealmString: realmstring, Username: "alice", Password: secret.New(f.token.Secret)}); err != nil {
			t.Fatal(err)
		}
		path := svnauth.Path(ours, realmstring)
		if filepath.Base(path) != filepath.Base(entries[0]) {
			t.Errorf("realm %q: our file %s, svn's %s", realm, filepath.Base(path), filepath.Base(entries[0]))
		}
		if got := readFile(t, path); !bytes.Equal(got, svnFile) {
			t.Errorf("realm %q: our entry\n%s\nsvn's\n%s", realm, got, svnFile)
		}
	}
}

// TestSVNUsesEntry: with the entry svnauth wrote, svn checkout, update and
// commit work with no prompt, under svn's default configuration and with
// plain-text storage or password stores switched off (those settings are
// about saving, not reading); svn leaves the entry as it is. A revoked
// token and a removed entry make svn fail, without a prompt.
func TestSVNUsesEntry(t *testing.T) {
	f := newSVNFixture(t)
	realmstring := f.probe(t)
	configs := []struct {
		name  string
		files map[string]string
	}{
		{"svn defaults", nil},
		{"store-plaintext-passwords = no", map[string]string{"servers": "[global]\nstore-plaintext-passwords = no\n"}},
		{"password-stores empty", map[string]string{"config": "[auth]\npassword-stores =\n"}},
	}
	for i, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), ".subversion")
			for name, content := range cfg.files {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := svnauth.Write(dir, svnauth.Entry{RealmString: realmstring, Username: "alice", Password: secret.New(f.token.Secret)}); err != nil {
				t.Fatal(err)
			}
			for name, content := range cfg.files {
				if got := string(readFile(t, filepath.Join(dir, name))); got != content {
					t.Errorf("Write changed %s: %q", name, got)
				}
			}
			entry := readFile(t, svnauth.Path(dir, realmstring))

			wc := filepath.Join(t.TempDir(), "wc")
			svnMust(t, dir, "checkout", f.repoURL+"/trunk", wc)
			if got := string(readFile(t, filepath.Join(wc, "README.txt"))); got != "Hello from team/svnrepo\n" {
				t.Fatalf("checked out README.txt = %q", got)
			}
			name := "file" + string(rune('a'+i)) + ".txt"
			if err := os.WriteFile(filepath.Join(wc, name), []byte(cfg.name+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			svnMust(t, dir, "add", filepath.Join(wc, name))
			out := svnMust(t, dir, "commit", "-m", "from "+cfg.name, wc)
			if !strings.Contains(out, "Committed revision") {
				t.Fatalf("commit: %s", out)
			}
			if out := svnMust(t, dir, "update", wc); !strings.Contains(out, "At revision") {
				t.Fatalf("update: %s", out)
			}
			// The commit is on the server: a fresh checkout has it.
			wc2 := filepath.Join(t.TempDir(), "wc2")
			svnMust(t, dir, "checkout", f.repoURL+"/trunk", wc2)
			if got := string(readFile(t, filepath.Join(wc2, name))); got != cfg.name+"\n" {
				t.Errorf("committed file = %q", got)
			}
			if got := readFile(t, svnauth.Path(dir, realmstring)); !bytes.Equal(got, entry) {
				t.Errorf("svn rewrote the entry:\n%s", got)
			}
			ok, err := svnauth.Holds(dir, realmstring, "alice", f.token.Secret)
			if err != nil || !ok {
				t.Errorf("Holds = %v, %v", ok, err)
			}
		})
	}

	// Every svn request went through the fake's token check as alice.
	var pushes int
	for _, r := range f.srv.VCSRequests() {
		if r.Authenticated && r.Username != "alice" {
			t.Errorf("request as %q: %+v", r.Username, r)
		}
		if r.Authenticated && r.Action == "push" {
			pushes++
		}
	}
	if pushes == 0 {
		t.Error("no authenticated push request recorded")
	}

	dir := t.TempDir()
	if err := svnauth.Write(dir, svnauth.Entry{RealmString: realmstring, Username: "alice", Password: secret.New(f.token.Secret)}); err != nil {
		t.Fatal(err)
	}
	wc := filepath.Join(t.TempDir(), "wc")
	svnMust(t, dir, "checkout", f.repoURL+"/trunk", wc)

	// RhodeCode shows clone URLs with the user in them; svn ignores the
	// user part of an http URL, so the entry serves those too. Only
	// --username of another user makes svn pass the entry by.
	svnMust(t, dir, "info", strings.Replace(f.repoURL, "://", "://alice@", 1))
	if out, err := svnRun(t, dir, "", "info", "--username", "bob", f.repoURL); err == nil || !strings.Contains(out, "E215004") {
		t.Errorf("svn --username bob: %v\n%s", err, out)
	}

	t.Run("revoked token", func(t *testing.T) {
		before := readFile(t, svnauth.Path(dir, realmstring))
		f.srv.RevokeToken(f.token.ID)
		out, err := svnRun(t, dir, "", "update", wc)
		if err == nil || !strings.Contains(out, "E215004") || !strings.Contains(out, "Authentication failed") {
			t.Errorf("svn update with a revoked token: %v\n%s", err, out)
		}
		// svn keeps a rejected entry: replacing it is up to us.
		if got := readFile(t, svnauth.Path(dir, realmstring)); !bytes.Equal(got, before) {
			t.Errorf("svn changed the rejected entry:\n%s", got)
		}
	})

	t.Run("entry removed", func(t *testing.T) {
		tok := f.srv.AddToken("alice", fakerc.RoleVCS, "svn 2", -1)
		if err := svnauth.Write(dir, svnauth.Entry{RealmString: realmstring, Username: "alice", Password: secret.New(tok.Secret)}); err != nil {
			t.Fatal(err)
		}
		svnMust(t, dir, "update", wc)
		removed, err := svnauth.Remove(dir, realmstring, "alice")
		if err != nil || !removed {
			t.Fatalf("Remove = %v, %v", removed, err)
		}
		out, err := svnRun(t, dir, "", "update", wc)
		if err == nil || !strings.Contains(out, "E215004") {
			t.Errorf("svn update without an entry: %v\n%s", err, out)
		}
	})
}
