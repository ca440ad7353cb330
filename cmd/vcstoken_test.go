package cmd

import (
	"os"
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
