package hgrc

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/hgtest"
)

// realWorld is a ~/.hgrc as people have them: comments of both kinds,
// %include, continuation lines, other hosts' [auth] entries, an entry
// whose name starts like ours, CRLF on one line, no final newline.
const realWorld = `# My Mercurial settings
; managed by hand
[ui]
username = Jane Doe <jane@example.com>
ignore = ~/.hgignore
    ~/.hgignore-extra
%include ~/.hgrc.local

[extensions]
rebase =
` + "histedit =\r\n" + `# evolve = /opt/evolve

[auth]
# Bitbucket of old
bb.prefix = https://bitbucket.org/jane/
bb.username = jane
bb.password = hunter2
work.prefix = hg.example.com
work.username = jdoe
work.schemes = http https
rc_work2.prefix = https://other.example.com/
[paths]
default = https://hg.example.com/repo  
%unset default-push

[hooks]
precommit.lint = make lint`

const inc = "/home/jane/.config/rhodecode/hg/work.rc"

func ours() []Attr {
	return []Attr{{"prefix", "https://code.example.com/rc/"}, {"username", "jane"}, {"schemes", "https"}}
}

func mustParse(t *testing.T, s string) *File {
	t.Helper()
	f, err := Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestRoundTrip(t *testing.T) {
	f := mustParse(t, realWorld)
	if got := string(f.Bytes()); got != realWorld {
		t.Fatalf("parse+print changed the file:\n%s", got)
	}
	if a := f.Auth("work"); a["prefix"] != "hg.example.com" || a["schemes"] != "http https" || len(a) != 3 {
		t.Errorf("Auth(work) = %v", a)
	}

	f.SetAuth("rc_work", ours(), inc)
	added := string(f.Bytes())
	want := strings.Replace(realWorld, "rc_work2.prefix = https://other.example.com/\n",
		"rc_work2.prefix = https://other.example.com/\n"+
			"rc_work.prefix = https://code.example.com/rc/\nrc_work.username = jane\nrc_work.schemes = https\n%include "+inc+"\n", 1)
	if added != want {
		t.Fatalf("after SetAuth:\n%s\nwant:\n%s", added, want)
	}
	// Idempotent, and a change stays in place.
	f.SetAuth("rc_work", ours(), inc)
	if string(f.Bytes()) != added {
		t.Fatalf("second SetAuth changed the file:\n%s", f.Bytes())
	}
	changed := ours()
	changed[1].Value = "jdoe"
	f.SetAuth("rc_work", changed, inc)
	if got := string(f.Bytes()); got != strings.Replace(added, "rc_work.username = jane", "rc_work.username = jdoe", 1) {
		t.Fatalf("replacing the user:\n%s", got)
	}
	// Remove brings back every byte, the other entries included.
	f.RemoveAuth("rc_work", inc)
	if got := string(f.Bytes()); got != realWorld {
		t.Fatalf("after RemoveAuth:\n%s", got)
	}
	if f2 := mustParse(t, string(f.Bytes())); f2.Auth("rc_work2")["prefix"] == "" || f2.Auth("bb")["password"] != "hunter2" {
		t.Error("other entries lost")
	}
}

func TestNewSection(t *testing.T) {
	for _, orig := range []string{"", "[ui]\nusername = x\n", "[ui]\nusername = x\n\n", "[ui]\nusername = x"} {
		f := mustParse(t, orig)
		f.SetAuth("rc", ours(), inc)
		got := string(f.Bytes())
		if !strings.HasSuffix(got, "[auth]\nrc.prefix = https://code.example.com/rc/\nrc.username = jane\nrc.schemes = https\n%include "+inc+"\n") {
			t.Errorf("%q: %q", orig, got)
		}
		f.RemoveAuth("rc", inc)
		want := orig
		if orig == "[ui]\nusername = x" {
			want = orig + "\n" // the newline SetAuth had to add stays
		}
		if string(f.Bytes()) != want {
			t.Errorf("%q: after remove %q", orig, f.Bytes())
		}
	}
}

func TestRemoveKeepsOthers(t *testing.T) {
	// A continuation line of our entry goes with it; a user's same-named
	// key in another section and an %include of another file stay.
	orig := "[auth]\nrc.prefix = https://a/\n  continued\nrc.username = u\n%include /other.rc\n%include /mine.rc\n[ui]\nrc.prefix = keep\n"
	f := mustParse(t, orig)
	f.RemoveAuth("rc", "/mine.rc")
	if got := string(f.Bytes()); got != "[auth]\n%include /other.rc\n[ui]\nrc.prefix = keep\n" {
		t.Errorf("got %q", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{"[ui]\n  indented = x\n", "[ui]\nno equals sign\n", "%include\n", "[unclosed\n"} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestEditNeverOverwritesBrokenFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, ".hgrc")
	broken := "[ui]\nthis is not hgrc\n"
	if err := os.WriteFile(p, []byte(broken), 0o640); err != nil {
		t.Fatal(err)
	}
	_, err := Edit(p, func(f *File) { f.SetAuth("rc", ours(), inc) })
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || !strings.Contains(err.Error(), p) {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != broken {
		t.Fatalf("file changed: %q", b)
	}
}

func TestEditThroughSymlinkKeepsMode(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "dotfiles", "hgrc")
	_ = os.MkdirAll(filepath.Dir(target), 0o755)
	if err := os.WriteFile(target, []byte("[ui]\nusername = x\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, ".hgrc")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	changed, err := Edit(link, func(f *File) { f.SetAuth("rc", ours(), inc) })
	if err != nil || !changed {
		t.Fatal(changed, err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the symlink was replaced")
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v", fi.Mode())
	}
	if changed, err := Edit(link, func(f *File) { f.SetAuth("rc", ours(), inc) }); err != nil || changed {
		t.Errorf("second edit: %v %v", changed, err)
	}
	// A file the tool alone filled is removed when emptied.
	p := filepath.Join(dir, "new", "hgrc")
	if _, err := Edit(p, func(f *File) { f.SetAuth("rc", ours(), inc) }); err != nil {
		t.Fatal(err)
	}
	if _, err := Edit(p, func(f *File) { f.RemoveAuth("rc", inc) }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("emptied file kept: %v", err)
	}
}

func TestSecretFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "rc", "work.rc")
	if err := WriteSecret(p, "rc_work", "the VCS token of work", "s3cret"); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	if got, err := ReadSecret(p, "rc_work"); err != nil || got != "s3cret" {
		t.Errorf("ReadSecret = %q %v", got, err)
	}
	if err := WriteSecret(p, "rc_work", "x", "bad\nvalue"); err == nil {
		t.Error("a line break went into the file")
	}
	if err := RemoveSecret(p); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadSecret(p, "rc_work"); err != nil || got != "" {
		t.Errorf("after remove: %q %v", got, err)
	}
}

// TestRealHgReadsIt checks against Mercurial itself: what it accepts and
// refuses, and that it sees our entry and the password from the include.
func TestRealHgReadsIt(t *testing.T) {
	hg := hgtest.New(t)
	rc := filepath.Join(hg.Home, ".hgrc")
	secret := filepath.Join(hg.Home, ".config", "rhodecode", "hg", "work.rc")
	body := strings.ReplaceAll(realWorld, "~/.hgrc.local", filepath.Join(hg.Home, "missing.rc")) + "\n"
	if err := os.WriteFile(rc, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Edit(rc, func(f *File) { f.SetAuth("rc_work", ours(), secret) }); err != nil {
		t.Fatal(err)
	}
	if err := WriteSecret(secret, "rc_work", "test", "tok123"); err != nil {
		t.Fatal(err)
	}
	out := hg.Must(hg.Home, "config", "auth")
	for _, want := range []string{"auth.rc_work.prefix=https://code.example.com/rc/", "auth.rc_work.username=jane",
		"auth.rc_work.password=tok123", "auth.rc_work2.prefix=https://other.example.com/", "auth.bb.password=hunter2"} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("hg config auth lacks %s:\n%s", want, out)
		}
	}
	for _, bad := range []string{"[ui]\n  indented = x\n", "[ui]\nno equals sign\n", "%include\n", "[unclosed\n"} {
		if err := os.WriteFile(rc, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := hg.Run(hg.Home, "config", "ui"); err == nil || !strings.Contains(out, "config error") {
			t.Errorf("hg accepted %q: %v %s", bad, err, out)
		}
	}
}

func TestExtensionEnabled(t *testing.T) {
	for s, want := range map[string]bool{
		"[extensions]\nmercurial_keyring =\n":                        true,
		"[extensions]\nmercurial_keyring = /opt/mk.py\n":             true,
		"[extensions]\nhgext.mercurial_keyring =\n":                  true,
		"[extensions]\nmercurial_keyring = !\n":                      false,
		"[extensions]\nmercurial_keyring =\nmercurial_keyring = !\n": false,
		"[ui]\nmercurial_keyring =\n":                                false,
		"":                                                           false,
	} {
		if got := mustParse(t, s).ExtensionEnabled("mercurial_keyring"); got != want {
			t.Errorf("%q: %v", s, got)
		}
	}
}

func TestParseErrorHidesTheLine(t *testing.T) {
	_, err := Parse([]byte("[auth]\n  bb.password = hunter2\n"))
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "line 2") ||
		!strings.Contains(err.Error(), "leading whitespace") {
		t.Errorf("err = %v", err)
	}
}

// TestAuthInclude: the %include that belongs to an entry is the one
// right after its items, not any other in the file.
func TestAuthInclude(t *testing.T) {
	f := mustParse(t, "[auth]\n%include /x/other.rc\nrc_a.prefix = https://a/\n")
	if got := f.AuthInclude("rc_a"); got != "" {
		t.Errorf("no include after the entry: got %q", got)
	}
	f.SetAuth("rc_a", ours(), inc)
	f.SetAuth("rc_b", ours(), "/x/b.rc")
	if got := f.AuthInclude("rc_a"); got != inc {
		t.Errorf("AuthInclude(rc_a) = %q", got)
	}
	if got := f.AuthInclude("rc_b"); got != "/x/b.rc" {
		t.Errorf("AuthInclude(rc_b) = %q", got)
	}
	if got := f.AuthInclude("rc"); got != "" {
		t.Errorf("AuthInclude(rc) = %q", got)
	}
}
