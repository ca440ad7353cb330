package cmd

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// A file-stored VCS token without its id or expiry (written by hand, or by
// rhodecode-tools) is still handed to git: only a keyring lookup is
// skipped when nothing is recorded.
func TestHelperServesBareFileVCSToken(t *testing.T) {
	e := newTestEnv(t)
	cfg := "[instances.work]\nurl = \"https://code.example.com\"\nusername = \"alice\"\nstorage = \"file\"\ntoken = \"api\"\nvcs_token = \"0123456789abcdef0123456789abcdef01234567\"\n"
	if err := os.WriteFile(e.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	e.stdin = "protocol=https\nhost=code.example.com\n\n"
	r := e.run("credential-helper", "get")
	if r.code != 0 || !strings.Contains(r.stdout, "password=0123456789abcdef0123456789abcdef01234567\n") {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// Revoking the managed VCS token with token revoke is a rejection the tool
// knows of: the helper stops handing it to git, and the next setup-git
// makes a new one instead of keeping the revoked one.
func TestRevokeManagedVCSToken(t *testing.T) {
	srv := gitServer(t)
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv, "--storage", "file")
	e.mustRun("setup-git")
	in, _ := readConfig(t, e).Instance("work")
	old := in.VCSTokenID
	if old == 0 {
		t.Fatal("setup-git recorded no VCS token id")
	}
	r := e.mustRun("token", "revoke", strconv.Itoa(old), "--yes")
	if !strings.Contains(r.stderr, "the VCS token rhodecode hands to git") {
		t.Errorf("revoke does not say it was the managed VCS token:\n%s", r.stderr)
	}
	if in, _ := readConfig(t, e).Instance("work"); !in.VCSTokenRejected {
		t.Errorf("the revoked VCS token is not marked rejected")
	}
	if out, _, code := e.helper("protocol=http\nhost="+srv.Host()+"\n\n", "get"); code != 0 || strings.Contains(out, "password=") {
		t.Errorf("the helper still answers after the revoke (exit %d):\n%s", code, out)
	}
	e.mustRun("setup-git")
	in, _ = readConfig(t, e).Instance("work")
	if in.VCSTokenID == old || in.VCSTokenID == 0 || in.VCSTokenRejected {
		t.Errorf("setup-git after the revoke: id %d (old %d), rejected %v", in.VCSTokenID, old, in.VCSTokenRejected)
	}
	for _, tk := range srv.Tokens("alice") {
		if tk.ID == old {
			t.Errorf("token %d is still on the server", old)
		}
	}
}
