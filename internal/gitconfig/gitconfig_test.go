package gitconfig

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// isolated runs the real git with a HOME of the test's own and no system
// config, so --global means a file in t.TempDir().
func isolated(t *testing.T) (Config, string) {
	t.Helper()
	home := t.TempDir()
	run := func(ctx context.Context, args ...string) (string, error) {
		var out, errOut bytes.Buffer
		c := exec.CommandContext(ctx, "git", args...)
		c.Env = []string{"HOME=" + home, "GIT_CONFIG_NOSYSTEM=1", "PATH=/usr/bin:/bin:/usr/local/bin"}
		c.Stdout, c.Stderr = &out, &errOut
		err := c.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return out.String(), &Error{Args: args, Code: ee.ExitCode(), Stderr: strings.TrimSpace(errOut.String())}
		}
		return out.String(), err
	}
	return Config{Git: run}, filepath.Join(home, ".gitconfig")
}

func TestWriteRemoveHelper(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	ctx := t.Context()
	c, _ := isolated(t)
	const root, sub, small = "https://code.example.com", "https://code.example.com/rc", "https://other.example.com"
	for range 2 { // idempotent
		if err := c.WriteHelper(ctx, Global, root, "/opt/it's/rhodecode", ""); err != nil {
			t.Fatal(err)
		}
		if err := c.WriteHelper(ctx, Global, sub, "/usr/bin/rhodecode", "file"); err != nil {
			t.Fatal(err)
		}
		if err := c.WriteHelper(ctx, Global, small, "/usr/bin/git-credential-rhodecode", ""); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := c.Git(ctx, "config", "--global", "--get-all", "credential."+small+".helper"); got != "\n!'/usr/bin/git-credential-rhodecode'\n" {
		t.Errorf("helpers for %s = %q", small, got)
	}
	got, err := c.Git(ctx, "config", "--global", "--get-all", "credential."+root+".helper")
	if err != nil {
		t.Fatal(err)
	}
	want := "\n!'/opt/it'\\''s/rhodecode' credential-helper\n"
	if got != want {
		t.Errorf("helpers for %s = %q, want %q", root, got, want)
	}
	if v, _ := c.Git(ctx, "config", "--global", "credential."+sub+".useHttpPath"); strings.TrimSpace(v) != "true" {
		t.Errorf("useHttpPath for a URL with a path = %q", v)
	}
	if got, _ := c.Git(ctx, "config", "--global", "--get-all", "credential."+sub+".helper"); !strings.HasSuffix(got, "credential-helper --storage file\n") {
		t.Errorf("helpers for %s = %q, want --storage file", sub, got)
	}
	urls := c.HelperURLs(ctx)
	if !urls[root] || !urls[sub] || !urls[small] || len(urls) != 3 {
		t.Errorf("HelperURLs = %v", urls)
	}
	// Someone else's helper for the same URL survives a removal.
	if _, err := c.Git(ctx, "config", "--global", "--add", "credential."+root+".helper", "store"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{root, sub, small, root} { // removing twice is fine
		if err := c.RemoveHelper(ctx, Global, u); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := c.Git(ctx, "config", "--global", "--get-all", "credential."+root+".helper"); got != "store\n" {
		t.Errorf("after removal: %q, want the other helper only", got)
	}
	if urls := c.HelperURLs(ctx); len(urls) != 0 {
		t.Errorf("HelperURLs after removal = %v", urls)
	}
}

func TestHelperPath(t *testing.T) {
	for _, exe := range []string{"/usr/bin/rhodecode", "/opt/it's/rhodecode", "C:/Program Files/rhodecode.exe",
		"/usr/bin/git-credential-rhodecode", "C:/Program Files/git-credential-rhodecode.exe"} {
		for _, storage := range []string{"", "file"} {
			got, ok := HelperPath(HelperValue(exe, storage))
			if !ok || got != exe {
				t.Errorf("HelperPath(HelperValue(%q, %q)) = %q, %v", exe, storage, got, ok)
			}
		}
	}
	if v := HelperValue("/usr/bin/git-credential-rhodecode", "file"); v != "!'/usr/bin/git-credential-rhodecode' --storage file" {
		t.Errorf("HelperValue for the small helper = %q", v)
	}
	for _, v := range []string{"store", "!gh auth git-credential", "!'/x' other", "!'unterminated", "!'/x/git-credential-rhodecode' get-other"} {
		if _, ok := HelperPath(v); ok {
			t.Errorf("HelperPath(%q) claims it", v)
		}
	}
}

func TestHelpersOrder(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	ctx := t.Context()
	c, _ := isolated(t)
	const u = "https://code.example.com/RC"
	set := func(args ...string) {
		t.Helper()
		if _, err := c.Git(ctx, append([]string{"config", "--global", "--add"}, args...)...); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := c.Helpers(ctx, u); err != nil || len(got) != 0 {
		t.Fatalf("no config: %v, %v", got, err)
	}
	set("credential.helper", "cache")
	if err := c.WriteHelper(ctx, Global, u, "/usr/bin/rhodecode", ""); err != nil {
		t.Fatal(err)
	}
	set("credential.https://other.example.com.helper", "other")
	set("credential.https://code.example.com/RC/team.helper", "deeper")
	set("credential.https://code.example.com/rc.helper", "other case") // another path // a longer path: not for u
	set("credential.https://code.example.com.helper", "after")
	got, err := c.Helpers(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, h := range got {
		values = append(values, h.Value)
		if !strings.HasPrefix(h.Origin, "file:") {
			t.Errorf("origin %q", h.Origin)
		}
	}
	want := []string{HelperValue("/usr/bin/rhodecode", ""), "after"}
	if strings.Join(values, "|") != strings.Join(want, "|") {
		t.Errorf("Helpers = %q, want %q (the reset drops cache)", values, want)
	}
}
