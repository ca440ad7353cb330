// Command helperbin is a test-only git credential helper wiring gitcred's
// Read/Write to one of its stores, so that the package's storage can pass
// git's t0303 on its own (see TestT0303). It is not part of rhodecode.
//
//	GITCRED_HELPERBIN_STORE=file    GITCRED_HELPERBIN_PATH=<file>  helperbin get|store|erase
//	GITCRED_HELPERBIN_STORE=keyring GITCRED_HELPERBIN_PATH=<dir>   helperbin get|store|erase
//
// The keyring variant uses gitcredtest.DirSecrets in <dir> as the keyring.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rhodecode-cli/rhodecode/internal/gitcred"
	"github.com/rhodecode-cli/rhodecode/internal/gitcred/gitcredtest"
	"github.com/rhodecode-cli/rhodecode/keyring/keyringtest"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "helperbin:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, in io.Reader, out io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: helperbin get|store|erase")
	}
	path := os.Getenv("GITCRED_HELPERBIN_PATH")
	if path == "" {
		return fmt.Errorf("GITCRED_HELPERBIN_PATH is not set")
	}
	var store gitcred.Store
	switch kind := os.Getenv("GITCRED_HELPERBIN_STORE"); kind {
	case "file":
		store = gitcred.NewFileStore(path)
	case "keyring":
		ks := gitcred.NewKeyringStore(gitcredtest.DirSecrets{Dir: path}, keyringtest.IsNotFound)
		ks.LockPath = filepath.Join(path, "keyring.lock")
		store = ks
	default:
		return fmt.Errorf("GITCRED_HELPERBIN_STORE=%q: want file or keyring", kind)
	}
	c, err := gitcred.Read(in)
	if err != nil {
		return err
	}
	switch args[0] {
	case "get":
		got, ok, err := store.Get(ctx, c)
		if err != nil || !ok {
			return err
		}
		// Only the secret parts, as git's store does: echoing protocol,
		// host or path back would rewrite what git asked for.
		return gitcred.Write(out, gitcred.Credential{
			Username: got.Username, HasUsername: true,
			Password: got.Password, HasPassword: true,
			PasswordExpiryUTC: got.PasswordExpiryUTC,
		})
	case "store":
		return store.Store(ctx, c)
	case "erase":
		return store.Erase(ctx, c)
	}
	return nil // git-credential(1): ignore unknown operations
}
