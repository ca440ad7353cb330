package cmd

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// Config keys the token commands add to an instance entry. The session
// cookie is a secret and lives beside the API token (keyring or file);
// the token id is not secret and always goes to the file.
const (
	keySessionCookie = "session_cookie"
	keyTokenID       = "token_id"
)

// webTarget is an instance as token management sees it: where it is, who
// the user is, and (if known) the API token the tool uses there.
type webTarget struct {
	rhoderc.Instance
	// ephemeral means nothing is read from or stored in the config file or
	// keyring for this target: a RHODECODE_HOST instance, or the fresh
	// session a password login starts.
	ephemeral bool
	// apiToken is the tool's own API token, "" when there is none.
	apiToken string
	// tokenID is the server id of apiToken when known, else 0.
	tokenID int
	// vcsTokenID is the server id of the managed VCS token, else 0.
	vcsTokenID int
	// fileSession is the session cookie kept in the config file (file
	// storage), as read with the rest of the entry.
	fileSession string
}

// newWebTarget reads what token management needs of an instance from the
// config file it was selected from; the API token is the caller's business.
func newWebTarget(cfg *rhoderc.File, in rhoderc.Instance) *webTarget {
	id := func(key string) int {
		v, _ := cfg.InstanceValue(in.Name, key)
		n, _ := strconv.Atoi(v)
		return n
	}
	wt := &webTarget{Instance: in, tokenID: id(keyTokenID), vcsTokenID: id(keyVCSTokenID)}
	wt.fileSession, _ = cfg.InstanceValue(in.Name, keySessionCookie)
	return wt
}

// resolveWebTarget picks the instance like resolveTarget, but an instance
// without an API token is fine: the web session does not need one.
func (f *Factory) resolveWebTarget(ctx context.Context, g *globalOptions) (*webTarget, error) {
	env, cfg, in, err := f.pickInstance(g)
	if err != nil {
		return nil, err
	}
	if env != nil {
		return &webTarget{Instance: env.Instance, ephemeral: true, apiToken: env.Token}, nil
	}
	wt := newWebTarget(cfg, in)
	tok, err := f.instanceToken(ctx, in)
	switch {
	case err == nil:
		wt.apiToken = tok
	case errors.Is(err, errAuthRequired):
		// Logged out of the API (e.g. after revoking its token): token
		// management still works through the web session.
	default:
		return nil, err
	}
	return wt, nil
}

// sessionFlags are shared by every command that needs the web session.
type sessionFlags struct {
	PasswordStdin bool
	password      *string // read once per process
}

// readPassword returns the password for a web login: stdin with
// --password-stdin, a masked prompt on a terminal, else an auth error that
// starts with why (what needs the password) and says how to provide it.
func (f *Factory) readPassword(sf *sessionFlags, username, baseURL, why string) (string, error) {
	if sf.password != nil {
		return *sf.password, nil
	}
	var pw string
	switch {
	case sf.PasswordStdin:
		b, err := f.IO.ReadAllIn(maxTokenInput)
		if err != nil {
			return "", err
		}
		// Only the line ending goes: a password may start or end with spaces.
		pw = strings.TrimRight(string(b), "\r\n")
	case f.IO.CanPrompt():
		var err error
		if pw, err = f.IO.PromptSecret(fmt.Sprintf("Password for %s on %s: ", username, baseURL)); err != nil {
			return "", err
		}
	default:
		return "", authRequiredf("%s; pass the password of %s on standard input with --password-stdin, or run in a terminal", why, username)
	}
	if pw == "" {
		return "", usageErrorf("empty password")
	}
	sf.password = &pw
	return pw, nil
}

// newWebSession builds a session for the instance with the stored cookie,
// if any; an ephemeral target starts with none.
func (f *Factory) newWebSession(ctx context.Context, g *globalOptions, wt *webTarget) (*client.WebSession, error) {
	ws, err := client.NewWebSession(wt.URL, client.Options{
		Timeout:   f.HTTPTimeout,
		UserAgent: f.userAgent(),
		Debug:     f.debugWriter(g),
	})
	if err != nil {
		return nil, usageErrorf("invalid instance URL %q: %v", client.StripUserinfo(wt.URL), err)
	}
	if wt.ephemeral {
		return ws, nil
	}
	cookie, err := f.loadSessionCookie(ctx, wt)
	if err != nil {
		return nil, err
	}
	if cookie != "" {
		if err := ws.SetSessionCookie(cookie); err != nil {
			return nil, fmt.Errorf("stored web session of %q is unreadable: %w", wt.Name, err)
		}
	}
	return ws, nil
}

func (f *Factory) loadSessionCookie(ctx context.Context, wt *webTarget) (string, error) {
	if storageOf(wt.Instance) == rhoderc.StorageFile {
		return wt.fileSession, nil
	}
	v, err := f.getSecret(ctx, wt.Instance, keyring.AccountWebSession)
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("reading the web session of %q: %w", wt.Name, err)
	}
	return v, nil
}

// saveSession stores the session cookie next to the API token.
func (f *Factory) saveSession(ctx context.Context, g *globalOptions, in rhoderc.Instance, cookie string) error {
	if storageOf(in) == rhoderc.StorageFile {
		return f.updateConfig(ctx, g, func(cfg *rhoderc.File) error {
			if _, ok := cfg.Instance(in.Name); ok {
				cfg.SetInstanceValue(in.Name, keySessionCookie, cookie)
			}
			return nil
		})
	}
	if err := f.setSecret(ctx, in, keyring.AccountWebSession, cookie); err != nil {
		return fmt.Errorf("storing the web session: %w", err)
	}
	return nil
}

// withSession runs fn with a logged-in web session. It uses the stored
// session; when there is none or it expired, it logs in once with the
// password (stdin or prompt), stores the new session and runs fn again.
func (f *Factory) withSession(ctx context.Context, g *globalOptions, wt *webTarget, sf *sessionFlags, fn func(*client.WebSession) error) error {
	ws, err := f.newWebSession(ctx, g, wt)
	if err != nil {
		return err
	}
	var why string
	if ws.SessionCookie() != "" {
		// A stored session: try it first. A password is needed only when
		// it turns out to be dead; why says so if none can be read.
		err = fn(ws)
		if !errors.Is(err, client.ErrSessionExpired) {
			return err
		}
		why = fmt.Sprintf("the web session of %q has expired", wt.Name)
	} else {
		why = fmt.Sprintf("token management on %q needs a web login", wt.Name)
	}
	if wt.Username == "" {
		return unknownUsername(wt.Name)
	}
	pw, err := f.readPassword(sf, wt.Username, wt.URL, why)
	if err != nil {
		return err
	}
	if err := ws.Login(ctx, wt.Username, pw); err != nil {
		return err
	}
	if !wt.ephemeral {
		if err := f.saveSession(ctx, g, wt.Instance, ws.SessionCookie()); err != nil {
			// The command can go on; the next one will ask again.
			fmt.Fprintf(f.IO.ErrOut, "%s %v\n", f.IO.WarningIcon(), err)
		}
	}
	return fn(ws)
}
