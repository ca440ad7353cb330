package gitcred

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/gitcred/gitcredtest"
)

// writeHelper writes an executable shell script usable as credential.helper
// (t0303 cannot pass a helper with arguments, so wrap them in a script).
func writeHelper(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func buildHelperbin(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH; cannot build testdata/helperbin")
	}
	bin := filepath.Join(t.TempDir(), "helperbin")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command(goBin, append(args, "./testdata/helperbin")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building helperbin: %v\n%s", err, out)
	}
	return bin
}

// TestT0303 runs git's own helper conformance test: first against git's
// credential-store and against broken helpers, to show the harness passes a
// correct helper and fails wrong ones, then against this package's stores.
func TestT0303(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	helperbin := buildHelperbin(t)

	t.Run("git-credential-store", func(t *testing.T) {
		t.Parallel()
		creds := filepath.Join(t.TempDir(), "creds")
		h := writeHelper(t, dir, "git-store.sh", `exec git credential-store --file="`+creds+`" "$@"`+"\n")
		gitcredtest.RunT0303(t, h, nil)
		if _, err := os.Stat(creds); err != nil {
			t.Errorf("the helper never wrote its file: %v", err)
		}
	})

	broken := []struct {
		name, body string
		mustFail   []string // t0303 tests that must fail
		mustPass   string   // and one that must pass: the failure is specific
	}{
		{"stores-nothing", "cat >/dev/null\n",
			[]string{"can retrieve password", "can store multiple users", "remembers other user", "can store empty username"},
			"has no existing data"},
		{"never-erases", `test "$1" = erase && exec cat >/dev/null
exec git credential-store --file="$(dirname "$0")/never-erases.creds" "$@"
`, []string{"can forget host", "can forget user"}, "can retrieve password"},
		{"ignores-username", `f="$(dirname "$0")/ignores-username.creds"
test "$1" = get && { sed '/^username=/d' | exec git credential-store --file="$f" get; exit; }
exec git credential-store --file="$f" "$@"
`, []string{"requires matching username"}, "can retrieve password"},
	}
	for _, b := range broken {
		t.Run("broken/"+b.name, func(t *testing.T) {
			t.Parallel()
			h := writeHelper(t, dir, b.name+".sh", b.body)
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
			defer cancel()
			res, err := gitcredtest.Run(ctx, h, nil, filepath.Join(t.TempDir(), "trash"))
			if err != nil {
				t.Fatal(err)
			}
			if res.Passed() || res.ExitCode == 0 {
				t.Fatalf("t0303 passed a broken helper (exit %d):\n%s", res.ExitCode, res.Output)
			}
			var failed []string
			for _, f := range res.Failed() {
				failed = append(failed, strings.TrimPrefix(f.Name, "helper ("+h+") "))
			}
			for _, want := range b.mustFail {
				if !slices.Contains(failed, want) {
					t.Errorf("t0303 test %q did not fail; failed: %q", want, failed)
				}
			}
			if slices.Contains(failed, b.mustPass) {
				t.Errorf("t0303 test %q failed too: the harness, not the helper, is broken?\n%s", b.mustPass, res.Output)
			}
			t.Logf("as expected, t0303 failed %d of %d tests: %q", len(failed), len(res.Tests), failed)
		})
	}

	t.Run("helperbin/file", func(t *testing.T) {
		t.Parallel()
		gitcredtest.RunT0303(t, helperbin, []string{
			goraceEnv(),
			"GITCRED_HELPERBIN_STORE=file",
			"GITCRED_HELPERBIN_PATH=" + filepath.Join(t.TempDir(), "creds"),
		})
	})
	t.Run("helperbin/keyring", func(t *testing.T) {
		t.Parallel()
		gitcredtest.RunT0303(t, helperbin, []string{
			goraceEnv(),
			"GITCRED_HELPERBIN_STORE=keyring",
			"GITCRED_HELPERBIN_PATH=" + t.TempDir(),
		})
	})
}

// goraceEnv stops race-enabled children from sleeping a second at exit
// (the race runtime's atexit_sleep_ms), which made t0303 take 30 s.
func goraceEnv() string {
	return "GORACE=" + strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0")
}
