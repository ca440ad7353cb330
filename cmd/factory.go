package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/iostreams"
	"github.com/rhodecode-cli/rhodecode/keyring"
)

// BuildInfo describes the binary; goreleaser sets it through ldflags.
type BuildInfo struct {
	Version string // release version; "" for a development build
	Commit  string // git commit the binary was built from
	Date    string // build time
}

// secretStore is the part of the OS keyring the commands use. Tests pass a
// map-backed store or the real keyring.
type secretStore interface {
	Get(ctx context.Context, service, account string) (string, error)
	Set(ctx context.Context, service, account, secret string) error
	Delete(ctx context.Context, service, account string) error
}

// Factory wires the process's dependencies into the commands. It holds no
// logic: each field is something a test may replace.
type Factory struct {
	// IO is where commands read input and write output.
	IO *iostreams.IOStreams
	// Getenv reads the environment; commands never call os.Getenv.
	Getenv func(string) string
	// HomeDir locates the default config file ~/.rhoderc.
	HomeDir func() (string, error)
	// Build is what `rhodecode version` and the User-Agent report.
	Build BuildInfo
	// Secrets is the OS keyring (or a test double).
	Secrets secretStore
	// HTTPTimeout bounds each request to a RhodeCode server.
	HTTPTimeout time.Duration
	// Now is the clock, for relative times in tables.
	Now func() time.Time
	// Hostname names this machine in the descriptions of tokens the tool
	// creates.
	Hostname func() (string, error)
	// Git runs git with args and returns its stdout; setup-git and status
	// use it for git config.
	Git func(ctx context.Context, args ...string) (string, error)
	// Executable is the absolute path of this binary, for git config.
	Executable func() (string, error)
}

// runGit runs the git on PATH; a non-zero exit becomes a *GitError.
func runGit(ctx context.Context, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	c := exec.CommandContext(ctx, "git", args...)
	c.Stdout, c.Stderr = &stdout, &stderr
	err := c.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return stdout.String(), &GitError{Args: args, Code: ee.ExitCode(), Stderr: strings.TrimSpace(stderr.String())}
	}
	if err != nil {
		return "", fmt.Errorf("running git: %w", err)
	}
	return stdout.String(), nil
}

// GitError is a git command that exited non-zero.
type GitError struct {
	// Args are git's arguments, without "git".
	Args []string
	// Code is git's exit status (5 from git config means nothing to unset).
	Code int
	// Stderr is what git printed, trimmed.
	Stderr string
}

func (e *GitError) Error() string {
	return fmt.Sprintf("git %s: exit %d: %s", strings.Join(e.Args, " "), e.Code, e.Stderr)
}

// executable resolves symlinks so the path in git config survives a
// package manager swapping the link.
func executable() (string, error) {
	p, err := os.Executable()
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(p)
}

// NewDefaultFactory returns the wiring used by the real binary.
func NewDefaultFactory(ios *iostreams.IOStreams, getenv func(string) string, home func() (string, error), build BuildInfo) *Factory {
	return &Factory{
		IO:          ios,
		Getenv:      getenv,
		HomeDir:     home,
		Build:       build,
		Secrets:     keyring.New(keyring.DefaultTimeout),
		HTTPTimeout: 15 * time.Second,
		Now:         time.Now,
		Hostname:    os.Hostname,
		Git:         runGit,
		Executable:  executable,
	}
}

// userAgent names the tool and its version, so server admins can tell it
// apart in access logs.
func (f *Factory) userAgent() string {
	v := f.Build.Version
	if v == "" {
		v = "dev"
	}
	return "rhodecode-cli/" + v
}

// newClient builds a JSON-RPC client for one instance. debug, when set,
// receives a redacted HTTP trace.
func (f *Factory) newClient(baseURL, token string, debug io.Writer) (*client.Client, error) {
	c, err := client.New(baseURL, token, client.Options{
		Timeout:   f.HTTPTimeout,
		UserAgent: f.userAgent(),
		Debug:     debug,
	})
	if err != nil {
		return nil, usageErrorf("invalid instance URL %q: %v", client.StripUserinfo(baseURL), err)
	}
	return c, nil
}

// home returns the home directory, with an error that says how to do
// without one.
func (f *Factory) home() (string, error) {
	h, err := f.HomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the home directory (set HOME or pass --config): %w", err)
	}
	return h, nil
}
