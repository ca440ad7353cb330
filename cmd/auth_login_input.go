package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// What a login is given: its flags, checked before anything is asked, and
// the API token, read or minted with the password.

// checkLoginFlags rejects bad flag values before anything is asked.
func checkLoginFlags(opts *authLoginOptions) error {
	if opts.CACert != "" {
		abs, err := filepath.Abs(opts.CACert)
		if err != nil {
			return usageErrorf("--ca-cert: %v", err)
		}
		if _, err := os.Stat(abs); err != nil {
			return usageErrorf("--ca-cert: %v", err)
		}
		opts.CACert = abs // remembered, so it must not depend on the directory
	}
	if opts.Lifetime != "" {
		if opts.Username == "" {
			return usageErrorf("--lifetime needs --username: it is the lifetime of the API token the tool creates")
		}
		if _, err := parseLifetime(opts.Lifetime); err != nil {
			return usageErrorf("%v", err)
		}
	}
	return nil
}

// checkServer makes sure the URL answers as RhodeCode before anything
// else is asked, so a mistyped URL is not found only after the password.
// Without a terminal nothing is asked, and the login's first request
// finds a bad URL just as early.
func checkServer(ctx context.Context, opts *authLoginOptions, server rhoderc.Instance) error {
	if !opts.io.CanPrompt() {
		return nil
	}
	c, err := opts.newClient(server, "")
	if err != nil {
		return err
	}
	return c.CheckServer(ctx)
}

// readToken takes the API token from stdin (--with-token) or a masked prompt.
func readToken(ctx context.Context, opts *authLoginOptions) (string, error) {
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
		tok, err = io.PromptSecret(ctx, "Paste an API token (role \"api calls\" or \"all\"): ")
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

// passwordLogin logs in to the web UI and creates the API token the tool
// will use (protocol §5.1, §5.3). The password is used once and dropped.
func passwordLogin(ctx context.Context, opts *authLoginOptions, server rhoderc.Instance, username string) (*client.WebSession, string, *client.AuthToken, error) {
	minutes, _ := parseLifetime(opts.Lifetime)
	pw, err := opts.sessions.password(ctx, &opts.sf, username, server.URL, "a password is needed to log in as "+username)
	if err != nil {
		return nil, "", nil, err
	}
	// A login starts from an empty session: the instance may not be in the
	// config file yet, and a stored session is replaced anyway.
	ws, err := opts.sessions.open(ctx, &webTarget{Instance: rhoderc.Instance{URL: server.URL, CACert: server.CACert, Username: username}, ephemeral: true})
	if err != nil {
		return nil, "", nil, err
	}
	if err := ws.Login(ctx, username, pw); err != nil {
		return nil, "", nil, err
	}
	created, secret, err := createAndReveal(ctx, ws, "token_role_api", defaultDescription(opts.hostname, "", username), minutes)
	if err != nil {
		return nil, "", nil, err
	}
	return ws, secret, created, nil
}
