// Command git-credential-rhodecode is rhodecode's git credential helper
// (git-credential(1)) as a binary of its own: git starts the helper for
// every authenticated fetch and push, and this one links only what get,
// store and erase need (internal/credhelper), so it starts about as fast
// as git's own credential-store. `rhodecode setup-git` points git at it
// when it is installed beside rhodecode; `rhodecode credential-helper`
// answers the same way. It links no TOML library either: a config file
// its quick reader leaves alone (hand-written TOML with arrays, escapes,
// comments after values...) and an erase that may rewrite a TOML file go
// to `rhodecode credential-helper`, which it runs in its place.
//
// Usage: git-credential-rhodecode [--storage {keyring | file}] {get | store | erase}
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/credhelper"
	"github.com/rhodecode-cli/rhodecode/internal/gitcred"
	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/internal/termtext"
	"github.com/rhodecode-cli/rhodecode/keyring"
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
	storage, op, ok := parseArgs(args)
	if !ok {
		fmt.Fprintln(os.Stderr, usage)
		return exitUsage
	}
	file := credhelper.LoadConfigFile(os.Getenv, os.UserHomeDir)
	if file.NeedsFullHelper(op) {
		// Only returns if rhodecode could not be run; the request then
		// goes on here and reports the file it could not read.
		err := execFullHelper(storage, op)
		fmt.Fprintf(os.Stderr, "rhodecode: %v\n", err)
	}
	kr := keyring.New(keyring.DefaultTimeout)
	cfg := file.Config(os.Stderr)
	err := credhelper.Run(ctx, op, credhelper.Deps{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		Getenv: os.Getenv, Now: time.Now,
		Config:  cfg,
		Secrets: secrets.New(kr, keyring.IsNotFound, cfg.Update),
		Keyring: kr, IsNotFound: keyring.IsNotFound,
		Storage: storage,
	})
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

// execFullHelper replaces this process with `rhodecode credential-helper`
// for the same request, which links the TOML library: the rhodecode
// beside this binary (go install and the release archives put them
// together), else the first on PATH. git's request is still unread on
// standard input.
func execFullHelper(storage, op string) error {
	path := ""
	if self, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(self), "rhodecode"); isExecutable(p) {
			path = p
		}
	}
	if path == "" {
		p, err := exec.LookPath("rhodecode")
		if err != nil {
			return errors.New("git-credential-rhodecode hands this request to `rhodecode credential-helper` (the config file needs the TOML library only rhodecode links), but rhodecode is neither beside it nor on PATH; install both, as the README says")
		}
		path = p
	}
	argv := []string{"rhodecode", "credential-helper", "--storage", storage, op}
	err := syscall.Exec(path, argv, os.Environ())
	return fmt.Errorf("running %s credential-helper: %w", path, err)
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// parseArgs reads [--storage S | --storage=S] OP, what setup-git writes
// and git appends to.
func parseArgs(args []string) (storage, op string, ok bool) {
	storage = gitcred.StorageKeyring
	switch {
	case len(args) == 3 && args[0] == "--storage":
		storage, args = args[1], args[2:]
	case len(args) == 2 && strings.HasPrefix(args[0], "--storage="):
		storage, args = strings.TrimPrefix(args[0], "--storage="), args[1:]
	}
	if len(args) != 1 || strings.HasPrefix(args[0], "-") || !gitcred.KnownStorage(storage) {
		return "", "", false
	}
	return storage, args[0], true
}
