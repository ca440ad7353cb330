package cmd

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
)

// writeConfigMode writes the test's config file with content and mode
// (chmod, so the umask does not interfere).
func writeConfigMode(t *testing.T, e *testEnv, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(e.config, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(e.config, mode); err != nil {
		t.Fatal(err)
	}
}

// TestConfigModeWarning: a command that reads a config file holding a
// secret that group or others may read says so on stderr, once, naming
// the file, its mode and the fix; never for a private file or one
// without secrets, and never with the secret.
func TestConfigModeWarning(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	srv, tok := fakeWithAlice(t)
	withToken := "default = \"work\"\n[instances.work]\nurl = \"" + srv.URL + "\"\nusername = \"alice\"\nstorage = \"file\"\ntoken = \"" + tok + "\"\n"
	noSecret := "default = \"work\"\n[instances.work]\nurl = \"" + srv.URL + "\"\nusername = \"alice\"\nstorage = \"keyring\"\n"
	ini := "[instance:work]\napi_host = " + srv.URL + "\napi_key = " + tok + "\n"
	for _, tc := range []struct {
		name, content string
		mode          os.FileMode
		warn          bool
	}{
		{"token 0644", withToken, 0o644, true},
		{"token 0640", withToken, 0o640, true},
		{"token 0602", withToken, 0o602, true},
		{"ini api_key 0644", ini, 0o644, true},
		{"token 0600", withToken, 0o600, false},
		{"token 0400", withToken, 0o400, false},
		{"no secret 0644", noSecret, 0o644, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			writeConfigMode(t, e, tc.content, tc.mode)
			r := e.run("auth", "status")
			want := "rhodecode: warning: " + e.config + " holds secrets but other users can access it (mode " +
				fmt.Sprintf("%04o", tc.mode) + "); fix with: chmod 600 " + e.config + "\n"
			if got := strings.Count(r.stderr, want); tc.warn && got != 1 || !tc.warn && strings.Contains(r.stderr, "warning: ") {
				t.Errorf("stderr = %q; want the warning %v (once)", r.stderr, tc.warn)
			}
			if strings.Contains(r.stderr, tok) {
				t.Error("stderr holds the token")
			}
		})
	}
}

// TestHelperConfigModeWarning: the credential helper's stdout is git's,
// so the warning goes to stderr only and the answer stays intact.
func TestHelperConfigModeWarning(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	e := newTestEnv(t)
	vcs := strings.Repeat("b", 40)
	writeConfigMode(t, e, "default = \"work\"\n[instances.work]\nurl = \"http://127.0.0.1:1\"\nusername = \"alice\"\nstorage = \"file\"\n"+
		"vcs_token = \""+vcs+"\"\nvcs_token_expires = \"-1\"\n", 0o644)
	out, errOut, code := e.helper("protocol=http\nhost=127.0.0.1:1\n\n", "--storage", "file", "get")
	if code != 0 || out != "username=alice\npassword="+vcs+"\n" {
		t.Errorf("get: exit %d stdout %q", code, out)
	}
	if !strings.Contains(errOut, "warning: "+e.config+" holds secrets") || !strings.Contains(errOut, "chmod 600 "+e.config) {
		t.Errorf("stderr = %q, want the mode warning", errOut)
	}
	if strings.Contains(errOut, vcs) {
		t.Error("stderr holds the token")
	}
}

// TestLoginAgainMakesConfigPrivate: logging in again with the same token
// changes nothing in the file, yet login says the file is 0600; it must
// be, also when it was 0644 before.
func TestLoginAgainMakesConfigPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	srv, tok := fakeWithAlice(t)
	e := newTestEnv(t)
	e.stdin = tok
	e.mustRun("auth", "login", "--url", srv.URL, "--with-token", "--storage", "file")
	before, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(e.config, 0o644); err != nil {
		t.Fatal(err)
	}
	e.stdin = tok
	r := e.mustRun("auth", "login", "--url", srv.URL, "--with-token", "--storage", "file")
	if !strings.Contains(r.stderr, "(mode 0600)") {
		t.Fatalf("stderr = %q", r.stderr)
	}
	if after, _ := os.ReadFile(e.config); string(after) != string(before) {
		t.Fatalf("the second login changed the file; this test needs one that does not:\n%s\n%s", before, after)
	}
	fi, err := os.Stat(e.config)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after login = %04o, want 0600", fi.Mode().Perm())
	}
}

// TestLogoutRevokeWarnsOnce: logout --revoke reads the config file once,
// so a file others can read is warned about once, not again when the
// instance is picked for the web session.
func TestLogoutRevokeWarnsOnce(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	srv := fakeTokenServer(t, "4.27.0")
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv, "--storage", "file")
	if err := os.Chmod(e.config, 0o644); err != nil {
		t.Fatal(err)
	}
	r := e.mustRun("auth", "logout", "--revoke", "work")
	if n := strings.Count(r.stderr, "holds secrets but other users can access it"); n != 1 {
		t.Errorf("the mode warning came %d times, want 1:\n%s", n, r.stderr)
	}
}
