package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// CI mode needs RHODECODE_HOST: without it the token would go to whatever
// host git asks about, evil.example included. The helper answers nothing
// and says once why.
func TestHelperCIModeNeedsHost(t *testing.T) {
	const token = "CITOKEN0123456789abcdef0123456789abcdef"
	e := newTestEnv(t)
	e.env["RHODECODE_USERNAME"] = "ci-bot"
	e.env["RHODECODE_VCS_TOKEN"] = token
	for _, req := range []string{
		"protocol=https\nhost=evil.example\n\n",
		"protocol=https\nhost=evil.example\nusername=ci-bot\n\n",
		"protocol=http\nhost=code.example.com\npath=team/app.git\n\n",
	} {
		// --storage file: no keyring here to complain about.
		out, errOut, code := e.helper(req, "--storage", "file", "get")
		if out != "" || code != 0 {
			t.Errorf("get %q without RHODECODE_HOST: exit %d stdout %q, want nothing", req, code, out)
		}
		if strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "RHODECODE_HOST") || strings.Contains(errOut, token) {
			t.Errorf("get %q: stderr %q, want one line naming RHODECODE_HOST", req, errOut)
		}
	}
}

// store keeps nothing typed for a URL a managed instance serves, whatever
// user name git sends with it: Alice for alice, or another account.
func TestHelperStoreNeverKeepsPasswordForManagedURL(t *testing.T) {
	e, _, req := helperSetup(t)
	tok := configValue(t, e, keyVCSToken)
	credFile := filepath.Join(e.home, gitCredentialsFile)
	for _, user := range []string{"alice", "Alice", "bob", ""} {
		for _, extra := range []string{"", "path=team/app.git\n"} {
			in := req + extra + "username=" + user + "\npassword=wonderland\n\n"
			if _, errOut, code := e.helper(in, "--storage", "file", "store"); code != 0 {
				t.Fatalf("store as %q: exit %d %s", user, code, errOut)
			}
		}
	}
	if b, err := os.ReadFile(credFile); err == nil && strings.Contains(string(b), "wonderland") {
		t.Fatalf("a password for the managed instance was stored:\n%s", b)
	}
	// The token is rejected; get must still not come up with a password.
	e.helper(req+"username=alice\npassword="+tok+"\n\n", "--storage", "file", "erase")
	for _, in := range []string{req + "\n", req + "username=Alice\n\n", req + "username=bob\n\n"} {
		if out, _, _ := e.helper(in, "--storage", "file", "get"); strings.Contains(out, "wonderland") {
			t.Errorf("get %q answered with the stored password: %q", in, out)
		}
	}
}

// A password an older version stored for a managed URL is not served: the
// instance gets its VCS token or nothing. erase still removes it.
func TestHelperGetIgnoresStoredPasswordForManagedURL(t *testing.T) {
	e, srv, req := helperSetup(t)
	tok := configValue(t, e, keyVCSToken)
	credFile := filepath.Join(e.home, gitCredentialsFile)
	old := "http://Alice:wonderland@" + srv.Host() + "\nhttp://bob:builder@" + srv.Host() + "\nhttps://u:p@other.example\n"
	if err := os.WriteFile(credFile, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	e.helper(req+"username=alice\npassword="+tok+"\n\n", "--storage", "file", "erase")
	for _, in := range []string{req + "\n", req + "username=Alice\n\n", req + "username=bob\n\n", req + "path=team/app.git\n\n"} {
		if out, _, _ := e.helper(in, "--storage", "file", "get"); out != "" {
			t.Errorf("get %q after the token's rejection: %q, want nothing", in, out)
		}
	}
	// Other hosts are served as before.
	if out, _, _ := e.helper("protocol=https\nhost=other.example\n\n", "--storage", "file", "get"); out != "username=u\npassword=p\n" {
		t.Errorf("get for another host: %q", out)
	}
	e.helper(req+"username=bob\npassword=builder\n\n", "--storage", "file", "erase")
	if b, _ := os.ReadFile(credFile); strings.Contains(string(b), "builder") {
		t.Errorf("erase left the old password:\n%s", b)
	}
}

// A config file that cannot be read cannot say which URLs are managed:
// store keeps nothing rather than maybe a RhodeCode password.
func TestHelperStoreWithBrokenConfigKeepsNothing(t *testing.T) {
	e, srv, req := helperSetup(t)
	b, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.config, append(b, []byte("\nthis is [not valid\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	credFile := filepath.Join(e.home, gitCredentialsFile)
	for _, in := range []string{
		req + "username=alice\npassword=wonderland\n\n",
		"protocol=http\nhost=" + srv.Host() + "\npath=team/app.git\nusername=alice\npassword=wonderland\n\n",
		"protocol=https\nhost=other.example\nusername=u\npassword=wonderland\n\n",
	} {
		_, errOut, code := e.helper(in, "--storage", "file", "store")
		if code != 0 || !strings.Contains(errOut, e.config) || strings.Contains(errOut, "wonderland") {
			t.Errorf("store with a broken config: exit %d stderr %q, want a warning naming the config", code, errOut)
		}
	}
	if b, err := os.ReadFile(credFile); err == nil && strings.Contains(string(b), "wonderland") {
		t.Fatalf("stored with a broken config:\n%s", b)
	}
}

// A stale ~/.rhodecode-git-credentials.lock, as a helper killed in the
// middle of a store leaves it, neither stalls store nor loses what git
// asked it to keep.
func TestHelperStoreWithStaleLockFile(t *testing.T) {
	e := newTestEnv(t)
	credFile := filepath.Join(e.home, gitCredentialsFile)
	if err := os.WriteFile(credFile+".lock", []byte("https://u:p@half"), 0o600); err != nil {
		t.Fatal(err)
	}
	testBinary(t) // built before the clock starts
	start := time.Now()
	_, errOut, code := e.helper("protocol=https\nhost=other.example\nusername=u\npassword=kept\n\n", "--storage", "file", "store")
	if code != 0 || errOut != "" {
		t.Errorf("store: exit %d stderr %q", code, errOut)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("store took %v", d)
	}
	if out, _, _ := e.helper("protocol=https\nhost=other.example\n\n", "--storage", "file", "get"); out != "username=u\npassword=kept\n" {
		t.Errorf("get after store: %q", out)
	}
}
