package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/iostreams"
	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/internal/termtext"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
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
	// user is the other user whose tokens are managed (--user), nil for
	// the caller's own (tokenuser.go).
	user *tokenUser
}

// webTarget picks the instance like target, but an instance without an
// API token is fine: the web session does not need one.
func (d *deps) webTarget(ctx context.Context) (*webTarget, error) {
	t, err := d.target()
	if err != nil {
		return nil, err
	}
	return d.webTargetOf(ctx, t)
}

// webTargetOf is webTarget for an instance already picked.
func (d *deps) webTargetOf(ctx context.Context, t resolve.Target) (*webTarget, error) {
	wt := &webTarget{Instance: t.Instance, ephemeral: t.Env}
	tok, err := d.targetToken(ctx, t)
	switch {
	case err == nil:
		wt.apiToken = tok
	case errors.Is(err, errAuthRequired):
		// Logged out of the API (e.g. after revoking its token): token
		// management still works through the web session.
	default:
		return nil, err
	}
	if wt.Username == "" && wt.apiToken != "" {
		// The web login and the tool's token descriptions need it.
		if err := d.learnUsername(ctx, &wt.Instance, wt.apiToken, wt.ephemeral); err != nil {
			return nil, err
		}
	}
	return wt, nil
}

// sessionFlags are shared by every command that needs the web session.
type sessionFlags struct {
	PasswordStdin bool
	password      *string // read once per process
}

// sessionOpener opens logged-in web sessions: with the stored session
// cookie while it lives, else with the password (stdin or a prompt),
// keeping the new cookie where the instance keeps its secrets.
type sessionOpener struct {
	io      *iostreams.IOStreams
	secrets *secrets.Store
	http    func(rhoderc.Instance) client.Options
}

// password returns the password for a web login: stdin with
// --password-stdin, a masked prompt on a terminal, else an auth error that
// starts with why (what needs the password) and says how to provide it.
func (s *sessionOpener) password(ctx context.Context, sf *sessionFlags, username, baseURL, why string) (string, error) {
	if sf.password != nil {
		return *sf.password, nil
	}
	var pw string
	switch {
	case sf.PasswordStdin:
		b, err := s.io.ReadAllIn(maxTokenInput)
		if err != nil {
			return "", err
		}
		// Only the line ending goes: a password may start or end with spaces.
		pw = strings.TrimRight(string(b), "\r\n")
	case s.io.CanPrompt():
		var err error
		if pw, err = s.io.PromptSecret(ctx, fmt.Sprintf("Password for %s on %s: ", termtext.Sanitize(username), termtext.Sanitize(baseURL))); err != nil {
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

// open builds a session for the instance with the stored cookie, if any;
// an ephemeral target starts with none.
func (s *sessionOpener) open(ctx context.Context, wt *webTarget) (*client.WebSession, error) {
	ws, err := client.NewWebSession(wt.URL, s.http(wt.Instance))
	if err != nil {
		return nil, usageErrorf("instance %q: %v", wt.Name, err)
	}
	if wt.ephemeral {
		return ws, nil
	}
	cookie, err := s.secrets.Get(ctx, wt.Instance, secrets.WebSession)
	switch {
	case errors.Is(err, secrets.ErrNotFound):
		return ws, nil
	case err != nil:
		return nil, err
	}
	if err := ws.SetSessionCookie(cookie); err != nil {
		return nil, fmt.Errorf("stored web session of %q is unreadable: %w", wt.Name, err)
	}
	return ws, nil
}

// with runs fn with a logged-in web session. It uses the stored session;
// when there is none or it expired, it logs in once with the password,
// stores the new session and runs fn again.
func (s *sessionOpener) with(ctx context.Context, wt *webTarget, sf *sessionFlags, fn func(*client.WebSession) error) error {
	ws, err := s.open(ctx, wt)
	if err != nil {
		return err
	}
	ws.ManageUser(wt.managedUserID())
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
	pw, err := s.password(ctx, sf, wt.Username, wt.URL, why)
	if err != nil {
		return err
	}
	if err := ws.Login(ctx, wt.Username, pw); err != nil {
		return err
	}
	if !wt.ephemeral {
		if err := s.secrets.Set(ctx, wt.Instance, secrets.WebSession, ws.SessionCookie()); err != nil {
			// The command can go on; the next one will ask again.
			fmt.Fprintf(s.io.ErrOut, "%s %v\n", s.io.WarningIcon(), err)
		}
	}
	return fn(ws)
}
