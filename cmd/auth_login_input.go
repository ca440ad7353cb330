package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// What a login asks of the user, besides the URL: where to keep the token
// and the token itself.

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
	if opts.Storage != "" || !errors.Is(err, keyring.ErrUnavailable) {
		return "", fmt.Errorf("using the OS keyring: %w", err)
	}
	if !io.CanPrompt() {
		return "", fmt.Errorf("%w; to keep the token in %s instead (plain text, mode 0600), rerun with --storage file", err, cfg.Path())
	}
	fmt.Fprintf(io.ErrOut, "%s %v\n", io.WarningIcon(), err)
	ok, err2 := io.Confirm(fmt.Sprintf("Store the token in %s instead (plain text, mode 0600)?", cfg.Path()))
	if err2 != nil {
		return "", err2
	}
	if !ok {
		return "", fmt.Errorf("%w; nothing was saved", err)
	}
	return rhoderc.StorageFile, nil
}

// readToken takes the API token from stdin (--with-token) or a masked prompt.
func readToken(opts *authLoginOptions) (string, error) {
	io := opts.io
	var tok string
	switch {
	case opts.WithToken && !io.IsStdinTTY():
		b, err := io.ReadAllIn(maxTokenInput)
		if err != nil {
			return "", err
		}
		tok = strings.TrimSpace(string(b))
	case io.CanPrompt() || (opts.WithToken && io.IsStdinTTY()):
		var err error
		tok, err = io.PromptSecret("Paste an API token (role \"api calls\" or \"all\"): ")
		if err != nil {
			return "", err
		}
	default:
		return "", usageErrorf("--with-token is required when not running in a terminal: rhodecode auth login --url URL --with-token < token.txt")
	}
	if tok == "" {
		return "", usageErrorf("no token given on standard input")
	}
	if strings.ContainsAny(tok, " \t\r\n") {
		return "", usageErrorf("the token must be a single word; got several words or lines on standard input")
	}
	return tok, nil
}
