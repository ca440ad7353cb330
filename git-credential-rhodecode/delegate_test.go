package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/rhoderc"
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

// helper runs the binary in dir for one request against a new config
// file holding rc.
func helper(t *testing.T, dir, rc, op, req string) (stdout, stderr string, code int) {
	return helperEnv(t, dir, rc, op, req, nil)
}

func helperEnv(t *testing.T, dir, rc, op, req string, env []string) (stdout, stderr string, code int) {
	t.Helper()
	home := t.TempDir()
	rcPath := filepath.Join(home, ".rhoderc")
	if err := os.WriteFile(rcPath, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	return runIn(t, dir, home, rcPath, op, req, env)
}

// runIn runs the binary in dir with HOME home and config rcPath, PATH
// without rhodecode, and env added.
func runIn(t *testing.T, dir, home, rcPath, op, req string, env []string) (stdout, stderr string, code int) {
	t.Helper()
	c := exec.Command(filepath.Join(dir, "git-credential-rhodecode"), "--storage", "file", op)
	c.Env = append([]string{"HOME=" + home, "RHODERC=" + rcPath, "PATH=/usr/bin:/bin", "XDG_STATE_HOME=" + filepath.Join(home, "state")}, env...)
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
	// A warning this binary had for the request comes once, from rhodecode.
	out, errOut, code = helperEnv(t, dir, richRC, "get", getReq, []string{"RHODECODE_USERNAME=bot", "RHODECODE_VCS_TOKEN=" + vcsToken})
	if n := strings.Count(errOut, "RHODECODE_HOST is not"); code != 0 || out != wantAnswer || n != 1 {
		t.Errorf("get = exit %d, %q, stderr %q; want the answer and the RHODECODE_HOST warning once", code, out, errOut)
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
	// Marking the rejected token in a TOML file goes to rhodecode; an
	// erase for another host does not.
	_, errOut, code = helper(t, dir, plainRC, "erase", "protocol=https\nhost=code.example.com\nusername=alice\npassword="+vcsToken+"\n\n")
	if code != 99 || !strings.Contains(errOut, "ran rhodecode") {
		t.Errorf("erase = exit %d, stderr %q; want rhodecode run (exit 99)", code, errOut)
	}
	_, errOut, code = helper(t, dir, plainRC, "erase", "protocol=https\nhost=git.example.org\nusername=bob\npassword=x\n\n")
	if code != 0 || errOut != "" {
		t.Errorf("erase for another host = exit %d, stderr %q; want it answered here", code, errOut)
	}
}

// Without rhodecode beside it, a config only rhodecode reads gets one
// line that says what to install, and exit 1.
func TestRichTOMLWithoutRhodecode(t *testing.T) {
	dir := buildBinaries(t, false)
	// A rhodecode on PATH is not the one installed with it: git's request
	// may hold a password, so it is never run.
	pathDir, marker := t.TempDir(), filepath.Join(t.TempDir(), "ran")
	if err := os.WriteFile(filepath.Join(pathDir, "rhodecode"), []byte("#!/bin/sh\ntouch "+marker+"\nexit 99\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := helperEnv(t, dir, richRC, "get", getReq, []string{"PATH=" + pathDir + ":/usr/bin:/bin"})
	if _, err := os.Stat(marker); err == nil {
		t.Error("the rhodecode on PATH was run")
	}
	if code != 1 || out != "" {
		t.Errorf("get = exit %d, %q; want exit 1 and no answer", code, out)
	}
	if strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "not installed beside it in "+dir) || !strings.Contains(errOut, "README") {
		t.Errorf("stderr %q: want one line naming %s and the README", errOut, dir)
	}
}

// Requests that need no config file are answered here whatever the file
// holds: CI mode, other protocols, ops git may add. A rhodecode beside
// that would fail shows whether it was run.
func TestRequestsWithoutConfigStayHere(t *testing.T) {
	dir := buildBinaries(t, false)
	if err := os.WriteFile(filepath.Join(dir, "rhodecode"), []byte("#!/bin/sh\necho ran rhodecode >&2\nexit 99\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ci := []string{"RHODECODE_HOST=https://ci.example.com", "RHODECODE_USERNAME=bot", "RHODECODE_VCS_TOKEN=" + vcsToken}
	for _, tt := range []struct {
		op, req, want string
		env           []string
	}{
		{"get", "protocol=https\nhost=ci.example.com\n\n", "username=bot\npassword=" + vcsToken + "\n", ci},
		{"get", "protocol=ssh\nhost=code.example.com\n\n", "", nil},
		{"capability", "protocol=https\nhost=code.example.com\n\n", "", nil},
	} {
		out, errOut, code := helperEnv(t, dir, richRC, tt.op, tt.req, tt.env)
		if code != 0 || out != tt.want || errOut != "" {
			t.Errorf("%s %q = exit %d, %q, stderr %q; want %q", tt.op, tt.req, code, out, errOut, tt.want)
		}
	}
}

// store and get for another host both go to rhodecode with a config only
// it reads, and what git approved (a password) arrives there whole.
func TestStoreThroughRhodecode(t *testing.T) {
	dir := buildBinaries(t, true)
	home := t.TempDir()
	rc := filepath.Join(home, ".rhoderc")
	if err := os.WriteFile(rc, []byte(richRC), 0o600); err != nil {
		t.Fatal(err)
	}
	other := "protocol=https\nhost=git.example.org\n"
	if _, errOut, code := runIn(t, dir, home, rc, "store", other+"username=bob\npassword=s3cret pass=word\n\n", nil); code != 0 || errOut != "" {
		t.Fatalf("store: exit %d, stderr %q", code, errOut)
	}
	out, errOut, code := runIn(t, dir, home, rc, "get", other+"\n", nil)
	if want := "username=bob\npassword=s3cret pass=word\n"; code != 0 || out != want || errOut != "" {
		t.Errorf("get = exit %d, %q, stderr %q; want %q", code, out, errOut, want)
	}
}

// The point of the split: the helper binary links no TOML library.
func TestLinksNoTOMLLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.Contains(p, "BurntSushi/toml") || strings.HasSuffix(p, "/tomlcodec") {
			t.Errorf("git-credential-rhodecode links %s", p)
		}
	}
}

// Without the library (as in this binary), rhoderc refuses what needs it
// and writes nothing.
func TestRhodercWithoutLibrary(t *testing.T) {
	if _, err := rhoderc.Parse("rc", []byte(richRC)); !errors.Is(err, rhoderc.ErrNeedsTOMLLibrary) {
		t.Errorf("Parse(rich TOML) = %v, want ErrNeedsTOMLLibrary", err)
	}
	rc := filepath.Join(t.TempDir(), ".rhoderc")
	if err := os.WriteFile(rc, []byte(plainRC), 0o600); err != nil {
		t.Fatal(err)
	}
	called := false
	err := rhoderc.Update(t.Context(), rc, func(f *rhoderc.File) error { called = true; return nil })
	if !errors.Is(err, rhoderc.ErrNeedsTOMLLibrary) || called {
		t.Errorf("Update = %v, fn called %v; want ErrNeedsTOMLLibrary before fn", err, called)
	}
	if b, _ := os.ReadFile(rc); string(b) != plainRC {
		t.Errorf("Update changed the file:\n%s", b)
	}
}
