package cmd

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/testenv"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// TestRealKeyringLoginStatusLogout drives the commands against the real
// Secret Service that .ci/keyring.sh starts. RHODECODE_TEST_KEYRING=1
// makes it mandatory.
func TestRealKeyringLoginStatusLogout(t *testing.T) {
	if !testenv.Required(testenv.Keyring) {
		t.Skip("set RHODECODE_TEST_KEYRING=1 with a Secret Service running (.ci/keyring.sh)")
	}
	srv, tok := fakeWithAlice(t)
	e := newTestEnv(t)
	e.secrets = keyring.New(keyring.DefaultTimeout)
	e.stdin = tok
	e.mustRun("auth", "login", "--url", srv.URL, "--with-token", "--name", "real")
	svc, acct := secretRef(rhoderc.Instance{Name: "real", URL: srv.URL}, keyring.AccountAPIToken)
	t.Cleanup(func() { _ = e.secrets.Delete(t.Context(), svc, acct) })

	out, err := exec.Command("secret-tool", "lookup", "service", svc, "username", acct).Output()
	if err != nil || string(out) != tok {
		t.Fatalf("secret-tool lookup = %q, %v; want the token", out, err)
	}
	if b, _ := os.ReadFile(e.config); strings.Contains(string(b), tok) {
		t.Error("token in the config file")
	}
	if r := e.mustRun("auth", "status", "--json"); !strings.Contains(r.stdout, `"state": "ok"`) {
		t.Errorf("status %s", r.stdout)
	}
	if r := e.mustRun("auth", "token"); r.stdout != tok+"\n" {
		t.Errorf("token %q", r.stdout)
	}
	e.mustRun("auth", "logout", "real")
	if err := exec.Command("secret-tool", "lookup", "service", svc, "username", acct).Run(); err == nil {
		t.Error("secret still in the keyring after logout")
	}
}

// TestNoKeyringLoginSaysSo runs login against a keyring with no D-Bus
// behind it: one clear line, no silent fallback, exit 1, nothing written.
// It runs in a child process because godbus caches its bus connection per
// process, so an earlier test's working connection would hide the failure.
func TestNoKeyringLoginSaysSo(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service over D-Bus is Linux's keyring")
	}
	if os.Getenv("RHODECODE_NOBUS_CHILD") != "1" {
		srv, tok := fakeWithAlice(t)
		c := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestNoKeyringLoginSaysSo$", "-test.count=1")
		c.Env = append(os.Environ(), "RHODECODE_NOBUS_CHILD=1", "NOBUS_URL="+srv.URL, "NOBUS_TOKEN="+tok,
			"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/rhodecode-test-bus", "GORACE=atexit_sleep_ms=0")
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	e := newTestEnv(t)
	e.secrets = keyring.New(keyring.DefaultTimeout)
	e.stdin = os.Getenv("NOBUS_TOKEN")
	r := e.run("auth", "login", "--url", os.Getenv("NOBUS_URL"), "--with-token")
	if r.code != 1 || !strings.Contains(r.stderr, "OS keyring unavailable") || !strings.Contains(r.stderr, "--storage file") {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	if strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("error is not one line: %q", r.stderr)
	}
	if _, err := os.Stat(e.config); !os.IsNotExist(err) {
		t.Error("config file written")
	}
}
