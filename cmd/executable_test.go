package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestPreferOnPath(t *testing.T) {
	dir := t.TempDir()
	cellar := filepath.Join(dir, "Cellar", "rhodecode", "1.2.0", "bin", "rhodecode")
	bin := filepath.Join(dir, "bin")
	other := filepath.Join(dir, "other")
	for _, d := range []string{filepath.Dir(cellar), bin, other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(cellar, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(cellar, filepath.Join(bin, "rhodecode")); err != nil {
		t.Fatal(err)
	}
	// Another program of the same name earlier on PATH is not this one.
	if err := os.WriteFile(filepath.Join(other, "rhodecode"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	names := []string{"rhodecode"}
	for _, tt := range []struct{ path, want string }{
		{other + ":" + bin, filepath.Join(bin, "rhodecode")},
		{"relative/bin:" + other, cellar},
		{"", cellar},
	} {
		if got := preferOnPath(cellar, names, tt.path); got != tt.want {
			t.Errorf("PATH=%s: %s, want %s", tt.path, got, tt.want)
		}
	}
}

// TestSetupGitWritesPathLink runs the real binary through a symlink on
// PATH, as a package manager installs it: git config names the link,
// which survives an upgrade, not the versioned file behind it; the small
// helper beside the binary only by a link on PATH too.
func TestSetupGitWritesPathLink(t *testing.T) {
	home := t.TempDir()
	bin := filepath.Join(t.TempDir(), "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(bin, "rhodecode")
	if err := os.Symlink(testBinary(t), link); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + home, "PATH=" + bin + ":" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1",
		"RHODECODE_HOST=https://code.example.com", "RHODECODE_USERNAME=alice", "RHODECODE_VCS_TOKEN=" + strings.Repeat("ab", 20)}
	run := func(name string, args ...string) string {
		t.Helper()
		c := exec.Command(name, args...)
		c.Env = env
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	run(link, "setup-git") // Linux reports the resolved file as os.Executable
	got := run("git", "config", "--global", "--get-all", "credential.https://code.example.com.helper")
	if !strings.Contains(got, "'"+link+"' credential-helper") {
		t.Errorf("helper = %q, want the link %s", got, link)
	}
	// With the small helper linked on PATH too, git runs it by its link.
	helper := filepath.Join(filepath.Dir(testBinary(t)), "git-credential-rhodecode")
	if err := os.Symlink(helper, filepath.Join(bin, "git-credential-rhodecode")); err != nil {
		t.Fatal(err)
	}
	run(link, "setup-git")
	got = run("git", "config", "--global", "--get-all", "credential.https://code.example.com.helper")
	if want := "\n!'" + filepath.Join(bin, "git-credential-rhodecode") + "'\n"; got != want {
		t.Errorf("helper with both links = %q, want %q", got, want)
	}
	// Not on PATH: the absolute path of the helper beside the binary.
	env[1] = "PATH=" + os.Getenv("PATH")
	run(link, "setup-git")
	got = run("git", "config", "--global", "--get-all", "credential.https://code.example.com.helper")
	if want := "\n!'" + helper + "'\n"; got != want {
		t.Errorf("helper without PATH = %q, want %q", got, want)
	}
}
