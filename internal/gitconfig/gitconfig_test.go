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
	const root, sub = "https://code.example.com", "https://code.example.com/rc"
	for range 2 { // idempotent
		if err := c.WriteHelper(ctx, Global, root, "/opt/it's/rhodecode", ""); err != nil {
			t.Fatal(err)
		}
		if err := c.WriteHelper(ctx, Global, sub, "/usr/bin/rhodecode", "file"); err != nil {
			t.Fatal(err)
		}
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
	if !urls[root] || !urls[sub] || len(urls) != 2 {
		t.Errorf("HelperURLs = %v", urls)
	}
	// Someone else's helper for the same URL survives a removal.
	if _, err := c.Git(ctx, "config", "--global", "--add", "credential."+root+".helper", "store"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{root, sub, root} { // removing twice is fine
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
