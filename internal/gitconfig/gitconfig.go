// Package gitconfig reads and writes the git config that points git's
// credential helper at this tool, one instance URL at a time. It runs the
// git on PATH (or what the caller passes in), so git's own rules for
// scopes, includes and quoting apply.
package gitconfig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
	"github.com/rhodecode-cli/rhodecode/internal/gitcred"
)

// Runner runs git with args and returns its stdout; a non-zero exit is an
// *Error.
type Runner func(ctx context.Context, args ...string) (string, error)

// Run runs the git on PATH.
func Run(ctx context.Context, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	c := exec.CommandContext(ctx, "git", args...)
	c.Stdout, c.Stderr = &stdout, &stderr
	err := c.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return stdout.String(), &Error{Args: args, Code: ee.ExitCode(), Stderr: strings.TrimSpace(stderr.String())}
	}
	if err != nil {
		return "", fmt.Errorf("running git: %w", err)
	}
	return stdout.String(), nil
}

// Error is a git command that exited non-zero.
type Error struct {
	// Args are git's arguments, without "git".
	Args []string
	// Code is git's exit status (5 from git config means nothing to unset).
	Code int
	// Stderr is what git printed, trimmed.
	Stderr string
}

func (e *Error) Error() string {
	return fmt.Sprintf("git %s: exit %d: %s", strings.Join(e.Args, " "), e.Code, e.Stderr)
}

// Scopes of git config.
const (
	Global = "--global"
	Local  = "--local"
)

// Config edits git config through a Runner.
type Config struct {
	Git Runner
}

// InRepo reports whether the working directory is inside a git repository
// (--local needs one).
func (c Config) InRepo(ctx context.Context) bool {
	_, err := c.Git(ctx, "rev-parse", "--git-dir")
	return err == nil
}

// HelperProgram is the name of the small helper binary that is installed
// beside rhodecode; git runs it without a subcommand.
const HelperProgram = "git-credential-rhodecode"

// isHelperProgram reports whether path names HelperProgram (.exe on
// Windows).
func isHelperProgram(path string) bool {
	return strings.TrimSuffix(filepath.Base(path), ".exe") == HelperProgram
}

// HelperValue is the git config value that runs exe as the helper,
// keeping other hosts' credentials in storage (gitcred.Open's names; ""
// or the keyring, the helper's default, add no flag). exe is rhodecode
// (run as "credential-helper") or HelperProgram.
func HelperValue(exe, storage string) string {
	v := "!" + ShellQuote(exe)
	if !isHelperProgram(exe) {
		v += " credential-helper"
	}
	if storage != "" && storage != gitcred.StorageKeyring {
		v += " --storage " + storage
	}
	return v
}

// ShellQuote quotes for the sh -c git runs "!" helpers with.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ourHelpers matches the values WriteHelper adds: the empty reset and
// this tool's helper, wherever the binary lives.
const ourHelpers = `^$|credential-helper|` + HelperProgram

// isOurs reports whether a helper value runs this tool's helper.
func isOurs(value string) bool {
	return strings.Contains(value, "credential-helper") || strings.Contains(value, HelperProgram)
}

// WriteHelper scopes the helper to the instance URL only: an empty
// helper first (so no other helper shadows it), then exe's. It removes its
// own earlier entries first, so running it twice leaves one of each.
func (c Config) WriteHelper(ctx context.Context, scope, instanceURL, exe, storage string) error {
	key := "credential." + instanceURL + ".helper"
	if err := c.unsetAll(ctx, scope, key, ourHelpers); err != nil {
		return err
	}
	for _, v := range []string{"", HelperValue(exe, storage)} {
		if _, err := c.Git(ctx, "config", scope, "--add", key, v); err != nil {
			return fmt.Errorf("writing git config: %w", err)
		}
	}
	if baseurl.HasPath(instanceURL) {
		if _, err := c.Git(ctx, "config", scope, "credential."+instanceURL+".useHttpPath", "true"); err != nil {
			return fmt.Errorf("writing git config: %w", err)
		}
	}
	return nil
}

// RemoveHelper undoes WriteHelper.
func (c Config) RemoveHelper(ctx context.Context, scope, instanceURL string) error {
	if err := c.unsetAll(ctx, scope, "credential."+instanceURL+".helper", ourHelpers); err != nil {
		return err
	}
	if baseurl.HasPath(instanceURL) {
		return c.unsetAll(ctx, scope, "credential."+instanceURL+".useHttpPath", "")
	}
	return nil
}

func (c Config) unsetAll(ctx context.Context, scope, key, pattern string) error {
	args := []string{"config", scope, "--unset-all", key}
	if pattern != "" {
		args = append(args, pattern)
	}
	_, err := c.Git(ctx, args...)
	var ge *Error
	if errors.As(err, &ge) && ge.Code == 5 {
		return nil // nothing to unset
	}
	if err != nil {
		return fmt.Errorf("writing git config: %w", err)
	}
	return nil
}

// HelperURLs returns the URLs for which git, as configured where the
// command runs (global config, and the repository's when inside one),
// calls this tool's helper: one git call for all instances.
func (c Config) HelperURLs(ctx context.Context) map[string]bool {
	out, err := c.Git(ctx, "config", "--get-regexp", `^credential\..+\.helper$`)
	if err != nil {
		return nil
	}
	urls := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		key, value, _ := strings.Cut(line, " ")
		if !isOurs(value) {
			continue
		}
		key = strings.TrimPrefix(key, "credential.")
		urls[strings.TrimSuffix(key, ".helper")] = true
	}
	return urls
}

// Helper is one credential helper git would run for a URL, in order, and
// the config file that set it.
type Helper struct {
	Value  string
	Origin string // e.g. "file:/home/alice/.gitconfig"
}

// Helpers returns the helpers git runs for instanceURL, in git's order:
// credential.helper and credential.<url>.helper entries whose URL covers
// instanceURL, read in config order, an empty value clearing the list so
// far (git's own rule, gitcredentials(7)). URL patterns with a user name
// or wildcards are not matched.
func (c Config) Helpers(ctx context.Context, instanceURL string) ([]Helper, error) {
	out, err := c.Git(ctx, "config", "--show-origin", "--get-regexp", `^credential\..*helper$`)
	var ge *Error
	if errors.As(err, &ge) && ge.Code == 1 {
		return nil, nil // no helper configured at all
	}
	if err != nil {
		return nil, fmt.Errorf("reading git config: %w", err)
	}
	u, err := url.Parse(instanceURL)
	if err != nil {
		return nil, err
	}
	var list []Helper
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		origin, rest, _ := strings.Cut(line, "\t")
		key, value, _ := strings.Cut(rest, " ")
		// git lower-cases the section and the variable name, never the
		// URL between them, whose path is case-sensitive.
		if !strings.EqualFold(key, "credential.helper") {
			if len(key) < len("credential..helper") || !strings.EqualFold(key[:len("credential.")], "credential.") ||
				!strings.EqualFold(key[len(key)-len(".helper"):], ".helper") {
				continue
			}
			pattern := key[len("credential.") : len(key)-len(".helper")]
			if !baseurl.Serves(pattern, u.Scheme, u.Host, u.Path) {
				continue
			}
		}
		if value == "" {
			list = nil
			continue
		}
		list = append(list, Helper{Value: value, Origin: origin})
	}
	return list, nil
}

// HelperPath returns the program a helper value written by HelperValue
// runs; ok is false for any other helper.
func HelperPath(value string) (path string, ok bool) {
	rest, ok := strings.CutPrefix(value, "!'")
	if !ok {
		return "", false
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(rest, '\'')
		if i < 0 {
			return "", false
		}
		b.WriteString(rest[:i])
		rest = rest[i+1:]
		if q, ok := strings.CutPrefix(rest, `\''`); ok { // an escaped quote
			b.WriteByte('\'')
			rest = q
			continue
		}
		break
	}
	if !strings.HasPrefix(rest, " credential-helper") &&
		!(isHelperProgram(b.String()) && (rest == "" || strings.HasPrefix(rest, " --storage"))) {
		return "", false
	}
	return b.String(), true
}
