package cmd

import (
	"os"
	"strings"
	"testing"
)

// TestUnknownInstanceOneError: a name the user typed that is not in the
// config file is one usage error (exit 2) listing the known names,
// whichever command it reaches. -i nosuch used to exit 4.
func TestUnknownInstanceOneError(t *testing.T) {
	e := newTestEnv(t)
	if err := os.WriteFile(e.config, []byte("default = \"work\"\n\n[instances.work]\nurl = \"https://code.example.com\"\nusername = \"alice\"\n\n[instances.lab]\nurl = \"http://10.0.0.5:8080\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-i", "nosuch", "auth", "token"},
		{"auth", "switch", "nosuch"},
		{"-i", "nosuch", "auth", "status", "--offline"},
		{"-i", "nosuch", "token", "list"},
		{"-i", "nosuch", "setup-git"},
		{"auth", "logout", "nosuch"},
		{"-i", "nosuch", "doctor"},
	} {
		r := e.run(args...)
		if r.code != ExitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", args, r.code, ExitUsage, r.stderr)
		}
		if !strings.Contains(r.stderr, `no instance "nosuch"`) || !strings.Contains(r.stderr, "(known: work, lab)") {
			t.Errorf("%v: stderr %q does not name the instance and list the known ones", args, r.stderr)
		}
	}
	e.env["RHODECODE_INSTANCE"] = "nosuch"
	if r := e.run("auth", "token"); r.code != ExitUsage {
		t.Errorf("RHODECODE_INSTANCE=nosuch: exit %d, want %d", r.code, ExitUsage)
	}
}
