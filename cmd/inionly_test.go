package cmd

import (
	"os"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
)

// iniOnly writes the file rhodecode-tools leaves: api_host and api_key,
// nothing of the tool's. It returns the bytes written.
func iniOnly(t *testing.T, e *testEnv, url, apiKey string) string {
	t.Helper()
	ini := "# written by rhodecode-setup-config\n[instance:prod]\napi_host = " + url + "\napi_key = " + apiKey + "\n\n[instance:other]\napi_host = https://code.example.com\napi_key = 5a925f65438d29f8d6ced8ab8e8c3d305998d1d9\n"
	if err := os.WriteFile(e.config, []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	return ini
}

// withoutToolKeys drops from an INI file the lines of the keys its
// cli_added lists, and the cli_added lines: what rhodecode-tools wrote.
func withoutToolKeys(t *testing.T, ini string) (rest string, added []string) {
	t.Helper()
	for _, line := range strings.SplitAfter(ini, "\n") {
		if v, ok := strings.CutPrefix(line, "cli_added = "); ok {
			for k := range strings.SplitSeq(strings.TrimSpace(v), ",") {
				added = append(added, strings.TrimSpace(k))
			}
		}
	}
	for _, line := range strings.SplitAfter(ini, "\n") {
		key, _, _ := strings.Cut(line, " = ")
		if key == "cli_added" || contains(added, key) {
			continue
		}
		rest += line
	}
	return rest, added
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkINI: rhodecode-tools' keys are byte-identical, the user name is
// remembered, and every other line is a key the tool lists as its own.
func checkINI(t *testing.T, e *testEnv, orig string) {
	t.Helper()
	b, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	rest, added := withoutToolKeys(t, string(b))
	if rest != orig {
		t.Errorf("rhodecode-tools' part of the INI file changed:\n--- was\n%s--- now\n%s", orig, b)
	}
	if !contains(added, "username") || !strings.Contains(string(b), "\nusername = alice\n") {
		t.Errorf("user name not remembered as the tool's key:\n%s", b)
	}
}

// An instance from rhodecode-tools' INI file (api_host and api_key only):
// token list learns the user name from get_user and asks only for the
// password.
func TestINIOnlyTokenList(t *testing.T) {
	srv := gitServer(t)
	tok := srv.AddToken("alice", fakerc.RoleAPI, "rhodecode-tools", -1)
	e := newTestEnv(t)
	orig := iniOnly(t, e, srv.URL, tok.Secret)
	// Without a password the user name is learned all the same, and the
	// password is all that is asked for; the file gains only that key.
	r := e.run("token", "list", "-i", "prod")
	if r.code != ExitAuth || !strings.Contains(r.stderr, "pass the password of alice on standard input with --password-stdin") {
		t.Errorf("without a password: exit %d, stderr %q", r.code, r.stderr)
	}
	want := strings.Replace(orig, "api_key = "+tok.Secret+"\n", "api_key = "+tok.Secret+"\nusername = alice\ncli_added = username\n", 1)
	if b, _ := os.ReadFile(e.config); string(b) != want {
		t.Errorf("INI file after learning the user name:\n%s\nwant:\n%s", b, want)
	}
	e.stdin = "wonderland\n"
	r = e.mustRun("token", "list", "-i", "prod", "--password-stdin")
	if !strings.Contains(r.stdout, "rhodecode-tools") {
		t.Errorf("token list:\n%s", r.stdout)
	}
	checkINI(t, e, orig)
	// Remembered: the next web login needs no get_user.
	srv.ResetCalls()
	e.mustRun("token", "list", "-i", "prod")
	for _, c := range srv.Calls() {
		if c.Method == "get_user" {
			t.Error("get_user called again: the user name was not remembered")
		}
	}
}

// setup-git on such an instance needs only the password, and git works.
func TestINIOnlySetupGit(t *testing.T) {
	srv := gitServer(t)
	tok := srv.AddToken("alice", fakerc.RoleAPI, "rhodecode-tools", -1)
	e := newTestEnv(t)
	orig := iniOnly(t, e, srv.URL, tok.Secret)
	e.stdin = "wonderland\n"
	r := e.mustRun("setup-git", "-i", "prod", "--password-stdin")
	if !strings.Contains(r.stderr, "as alice") {
		t.Errorf("setup-git:\n%s", r.stderr)
	}
	checkINI(t, e, orig)
	if out, err := e.git(t.TempDir(), "ls-remote", srv.RepoCloneURL("team/app")); err != nil {
		t.Fatalf("git: %v\n%s", err, out)
	}
}

// A rejected API token still says so, with exit 4, and changes nothing.
func TestINIOnlyRejectedToken(t *testing.T) {
	srv := gitServer(t)
	e := newTestEnv(t)
	orig := iniOnly(t, e, srv.URL, "dead"+strings.Repeat("0", 36))
	for _, args := range [][]string{
		{"token", "list", "-i", "prod", "--password-stdin"},
		{"setup-git", "-i", "prod", "--password-stdin"},
	} {
		e.stdin = "wonderland\n"
		r := e.run(args...)
		if r.code != ExitAuth || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, `user name of "prod"`) || strings.Contains(r.stderr, "--username NAME") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
		if b, _ := os.ReadFile(e.config); string(b) != orig {
			t.Errorf("%v changed the file:\n%s", args, b)
		}
	}
}
