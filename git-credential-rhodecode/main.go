// Command git-credential-rhodecode is rhodecode's git credential helper
// (git-credential(1)) as a binary of its own: git starts the helper for
// every authenticated fetch and push, and this one links only what get,
// store and erase need (internal/credhelper), so it starts about as fast
// as git's own credential-store. `rhodecode setup-git` points git at it
// when it is installed beside rhodecode; `rhodecode credential-helper`
// answers the same way. It links no TOML library either: a request that
// needs one (a config file in TOML its quick reader leaves alone, such as
// arrays, escapes or comments after values; marking a rejected token in a
// TOML file) goes to `rhodecode credential-helper` installed beside it.
//
// Usage: git-credential-rhodecode [--storage {keyring | file}] {get | store | erase}
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/credhelper"
	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/internal/termtext"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

const usage = "usage: git-credential-rhodecode [--storage {keyring | file}] {get | store | erase}"

// The exit codes of cmd/execute.go that a helper can end with.
const (
	exitError       = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// main installs no signal handler: Ctrl-C ends the helper at once, which
// is safe (config writes are atomic), and os/signal's watcher goroutine
// costs more start-up time than the whole request.
func main() {
	os.Exit(run(context.Background(), os.Args[1:]))
}

func run(ctx context.Context, args []string) int {
	storage, op, ok := credhelper.ParseArgs(args)
	if !ok {
		fmt.Fprintln(os.Stderr, usage)
		return exitUsage
	}
	in := &recorder{r: os.Stdin}
	// Warnings wait until the request is answered here: one passed on to
	// rhodecode gets them from rhodecode, once.
	var warnings bytes.Buffer
	kr := keyring.New(keyring.DefaultTimeout)
	cfg := rhoderc.Source{Getenv: os.Getenv, Home: os.UserHomeDir, Warn: &warnings}
	err := credhelper.Run(ctx, op, credhelper.Deps{
		In: in, Out: os.Stdout, ErrOut: &warnings,
		Getenv: os.Getenv, Now: time.Now,
		Config:  cfg,
		Secrets: secrets.New(kr, keyring.IsNotFound, cfg.Update),
		Keyring: kr, IsNotFound: keyring.IsNotFound,
		Storage: storage,
	})
	if errors.Is(err, rhoderc.ErrNeedsTOMLLibrary) {
		// Nothing has gone to git yet. gitcred.Read stopped at the
		// request's blank line or EOF, so what was read is the request.
		return runRhodecode(ctx, storage, op, in.read)
	}
	os.Stderr.Write(warnings.Bytes())
	switch {
	case err == nil:
		return 0
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(os.Stderr, "rhodecode: interrupted")
		return exitInterrupted
	default:
		fmt.Fprintln(os.Stderr, "rhodecode: "+termtext.OneLine(err.Error()))
		return exitError
	}
}

// recorder keeps what is read from r, so that a request can be passed on.
type recorder struct {
	r    io.Reader
	read []byte
}

func (rc *recorder) Read(p []byte) (int, error) {
	n, err := rc.r.Read(p)
	rc.read = append(rc.read, p[:n]...)
	return n, err
}

// runRhodecode answers the request with `rhodecode credential-helper`,
// which links the TOML library: the rhodecode installed beside this
// binary, as go install, the release archives and package managers put
// them. Not one found on PATH: git's request can hold a password, and
// goes only to the program installed with this one.
func runRhodecode(ctx context.Context, storage, op string, request []byte) int {
	path, err := rhodecodeBeside()
	if err != nil {
		fmt.Fprintf(os.Stderr, "rhodecode: reading or writing this config file takes rhodecode, which git-credential-rhodecode runs for it, but %v\n", err)
		return exitError
	}
	c := exec.CommandContext(ctx, path, "credential-helper", "--storage", storage, op)
	c.Stdin, c.Stdout, c.Stderr = bytes.NewReader(request), os.Stdout, os.Stderr
	err = c.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		return ee.ExitCode()
	default:
		fmt.Fprintln(os.Stderr, "rhodecode: running "+path+" credential-helper: "+termtext.OneLine(err.Error()))
		return exitError
	}
}

// rhodecodeBeside finds rhodecode in the directory this executable
// resolves to (where go install, an archive or a package manager put
// both), then in the directory it was started from when that differs (a
// link, on systems where os.Executable does not resolve it).
func rhodecodeBeside() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("its own path is unknown (%v); use rhodecode credential-helper as git's helper", err)
	}
	var dirs []string
	if real, err := filepath.EvalSymlinks(self); err == nil {
		dirs = append(dirs, filepath.Dir(real))
	}
	if d := filepath.Dir(self); len(dirs) == 0 || d != dirs[0] {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		// LookPath on a path checks that one file (adding .exe on Windows).
		if p, err := exec.LookPath(filepath.Join(d, "rhodecode")); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("rhodecode is not installed beside it in %s; install both there (README, Install)", dirs[0])
}
