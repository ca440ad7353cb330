package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildBinaries builds git-credential-rhodecode, and rhodecode beside it
// when withRhodecode, into a new directory, as go install does.
func buildBinaries(t *testing.T, withRhodecode bool) string {
	t.Helper()
	dir := t.TempDir()
	pkgs := []string{"github.com/rhodecode-cli/rhodecode/git-credential-rhodecode"}
	if withRhodecode {
		pkgs = append(pkgs, "github.com/rhodecode-cli/rhodecode")
	}
	out, err := exec.Command("go", append([]string{"build", "-o", dir + "/"}, pkgs...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

const vcsToken = "0123456789abcdef0123456789abcdef01234567"

// plainRC is TOML as rhodecode writes it, which the quick reader takes.
const plainRC = `default = "work"

[instances.work]
url = "https://code.example.com"
username = "alice"
storage = "file"
vcs_token_id = "7"
vcs_token = "` + vcsToken + `"
`

// richRC is the same by hand, in TOML the quick reader leaves alone (an
// array, a comment after a value, an escape).
const richRC = `default = "work"
editors = ["vim", "emacs"]

[instances.work]
url = "https://code.example.com" # the company server
username = "al\u0069ce"
storage = "file"
vcs_token_id = 7
vcs_token = "` + vcsToken + `"
`

// helper runs the binary in dir for one request against the config rc,
// with PATH holding only git's directory (no rhodecode there).
func helper(t *testing.T, dir, rc, op, req string) (stdout, stderr string, code int) {
	t.Helper()
	home := t.TempDir()
	rcPath := filepath.Join(home, ".rhoderc")
	if err := os.WriteFile(rcPath, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	c := exec.Command(filepath.Join(dir, "git-credential-rhodecode"), "--storage", "file", op)
	c.Env = []string{"HOME=" + home, "RHODERC=" + rcPath, "PATH=/nonexistent", "XDG_STATE_HOME=" + filepath.Join(home, "state")}
	c.Stdin = strings.NewReader(req)
	var o, e bytes.Buffer
	c.Stdout, c.Stderr = &o, &e
	err := c.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

const getReq = "protocol=https\nhost=code.example.com\n\n"
const wantAnswer = "username=alice\npassword=" + vcsToken + "\n"

// A config the quick reader leaves alone is read by rhodecode, which the
// small binary runs in its place.
func TestRichTOMLGoesToRhodecode(t *testing.T) {
	dir := buildBinaries(t, true)
	out, errOut, code := helper(t, dir, richRC, "get", getReq)
	if code != 0 || out != wantAnswer || errOut != "" {
		t.Errorf("get = exit %d, %q, stderr %q; want %q", code, out, errOut, wantAnswer)
	}
}

// The plain TOML rhodecode writes is answered without it: a rhodecode
// beside that would fail proves it is not run.
func TestPlainTOMLAnsweredAlone(t *testing.T) {
	dir := buildBinaries(t, false)
	if err := os.WriteFile(filepath.Join(dir, "rhodecode"), []byte("#!/bin/sh\necho ran rhodecode >&2\nexit 99\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := helper(t, dir, plainRC, "get", getReq)
	if code != 0 || out != wantAnswer || errOut != "" {
		t.Errorf("get = exit %d, %q, stderr %q; want %q", code, out, errOut, wantAnswer)
	}
	// An erase that may rewrite a TOML file does go to rhodecode.
	_, errOut, code = helper(t, dir, plainRC, "erase", "protocol=https\nhost=code.example.com\nusername=alice\npassword="+vcsToken+"\n\n")
	if code != 99 || !strings.Contains(errOut, "ran rhodecode") {
		t.Errorf("erase = exit %d, stderr %q; want rhodecode run (exit 99)", code, errOut)
	}
}

// Without rhodecode, a config the small binary cannot read gets a line
// that says what to install, no answer, and exit 0 as an unreadable
// config always has (git then asks its next helper or the user).
func TestRichTOMLWithoutRhodecode(t *testing.T) {
	dir := buildBinaries(t, false)
	out, errOut, code := helper(t, dir, richRC, "get", getReq)
	if code != 0 || out != "" {
		t.Errorf("get = exit %d, %q; want exit 0 and no answer", code, out)
	}
	for _, want := range []string{"neither beside it nor on PATH", "README", "links no TOML library"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q lacks %q", errOut, want)
		}
	}
	if strings.Contains(errOut, vcsToken) {
		t.Errorf("stderr shows the token: %q", errOut)
	}
}
