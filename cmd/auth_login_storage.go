package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// chooseStorage decides between the OS keyring and the file. When the
// keyring is unusable it says so and, on a terminal, offers the file; it
// never falls back silently.
func chooseStorage(ctx context.Context, opts *authLoginOptions, cfg *rhoderc.File, existing *rhoderc.Instance, name, baseURL string) (string, error) {
	io := opts.io
	storage := opts.Storage
	if storage == "" {
		storage = secrets.DefaultStorage(cfg, existing)
	}
	if storage != rhoderc.StorageKeyring {
		return storage, nil
	}
	// Ask the keyring now: a locked or missing one is found before
	// anything is created on the server.
	_, err := opts.secrets.Get(ctx, rhoderc.Instance{Name: name, URL: baseURL, Storage: storage}, secrets.APIToken)
	if err == nil || errors.Is(err, secrets.ErrNotFound) {
		return storage, nil
	}
	if u := errors.Unwrap(err); u != nil {
		err = u // the keyring's own one-line reason; nothing was being read
	}
	if opts.Storage != "" || !errors.Is(err, keyring.ErrUnavailable) {
		return "", fmt.Errorf("using the OS keyring: %w", err)
	}
	if !io.CanPrompt() {
		return "", fmt.Errorf("%w; to keep the token in %s instead (plain text, mode 0600), rerun with --storage file", err, cfg.Path())
	}
	termPrintf(io.ErrOut, "%s %v\n", io.WarningIcon(), err)
	ok, err2 := io.Confirm(ctx, fmt.Sprintf("Store the token in %s instead (plain text, mode 0600)?", cfg.Path()))
	if err2 != nil {
		return "", err2
	}
	if !ok {
		return "", fmt.Errorf("%w; nothing was saved", err)
	}
	return rhoderc.StorageFile, nil
}
