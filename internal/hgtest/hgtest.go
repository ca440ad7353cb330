// Package hgtest runs the real Mercurial client in tests, isolated from
// the user's configuration.
package hgtest

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/testenv"
)

// EnvRequire is set by .ci/run: with it, a missing hg fails the tests
// instead of skipping them.
const EnvRequire = testenv.Hg

// Require skips the test when hg is not installed, or fails it in CI.
func Require(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("hg"); err != nil {
		if testenv.Required(EnvRequire) {
			t.Fatalf("%s=1 but hg is not installed: apt-get install mercurial", EnvRequire)
		}
		t.Skip("hg not installed (apt-get install mercurial); CI sets " + EnvRequire + "=1 to require it")
	}
}

// Client runs hg with HOME and HGRCPATH under the test's control: only
// HOME/.hgrc (and what it includes) is read, plus Extra files.
type Client struct {
	t    testing.TB
	Home string
	// Env is added to hg's environment.
	Env []string
}

// New requires hg and returns a client with a fresh HOME.
func New(t testing.TB) *Client {
	t.Helper()
	Require(t)
	return &Client{t: t, Home: t.TempDir()}
}

// Run executes hg in dir and returns its combined output.
func (c *Client) Run(dir string, args ...string) (string, error) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "hg", append([]string{"--noninteractive"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + c.Home,
		// Only the user's file: no /etc/mercurial, no extensions from it.
		"HGRCPATH=" + c.Home + "/.hgrc",
		"HGUSER=Test <test@example.com>", "HGPLAIN=1", "LANG=C", "LC_ALL=C",
	}, c.Env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Must is Run that fails the test on an error.
func (c *Client) Must(dir string, args ...string) string {
	c.t.Helper()
	out, err := c.Run(dir, args...)
	if err != nil {
		c.t.Fatalf("hg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// RequireKeyringExtension skips the test (fails it in CI) unless hg can
// load the mercurial_keyring extension (Debian: mercurial-keyring).
func RequireKeyringExtension(t testing.TB) {
	t.Helper()
	Require(t)
	out, err := exec.Command("hg", "--config", "extensions.mercurial_keyring=", "version", "-q").CombinedOutput()
	if err == nil && !strings.Contains(string(out), "failed to import") && !strings.Contains(string(out), "No module") {
		return
	}
	if testenv.Required(EnvRequire) {
		t.Fatalf("%s=1 but hg cannot load mercurial_keyring (apt-get install mercurial-keyring): %v\n%s", EnvRequire, err, out)
	}
	t.Skip("mercurial_keyring not installed (apt-get install mercurial-keyring)")
}
