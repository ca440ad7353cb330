package credhelper

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
	"github.com/rhodecode-cli/rhodecode/internal/gitcred"
	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/rhodecode-cli/rhodecode/internal/termtext"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// helper answers one request of git's.
type helper struct {
	d Deps
	q gitcred.Credential

	warnedNoHost bool // the missing RHODECODE_HOST is reported once

	// The config file's instances, read once per request (cfgRead).
	cfgRead   bool
	instances []rhoderc.Instance
	cfgErr    error
}

// warn prints one line on stderr, server- and file-supplied text made
// safe for a terminal.
func (h *helper) warn(format string, a ...any) {
	termtext.Fprintf(h.d.ErrOut, "rhodecode: "+format+"\n", a...)
}

func (h *helper) answer(username, password string, expiry int64) error {
	return gitcred.Write(h.d.Out, gitcred.Credential{Username: username, Password: password, HasUsername: true, HasPassword: true, PasswordExpiryUTC: expiry})
}
func (h *helper) get(ctx context.Context) error {
	if user, tok, ok := h.envCredential(); ok {
		return h.answer(user, tok, 0)
	}
	if err := h.needsLibrary(); err != nil {
		return err
	}
	if in, ok := h.instance(); ok {
		tok, exp, err := VCSToken(ctx, h.d.Secrets, in)
		switch {
		case errors.Is(err, ErrNoVCSToken):
		case err != nil:
			h.warn("%v", err)
		case exp > 0 && exp <= h.d.Now().Unix():
			h.warn("the VCS token for %q expired on %s; run: rhodecode setup-git -i %s", in.Name, time.Unix(exp, 0).UTC().Format("2006-01-02"), in.Name)
		default:
			if exp < 0 {
				exp = 0
			}
			return h.answer(in.Username, tok, exp)
		}
	}
	if insts, err := h.config(); err == nil && resolve.Manages(insts, h.q) {
		// A managed instance gets its VCS token or nothing: what older
		// versions stored for it is most likely a password. An unreadable
		// config (reported) still lets other hosts' credentials be served;
		// only store fails closed, as keeping is the harm.
		return nil
	}
	st, err := h.otherStore()
	if err != nil {
		h.warn("%v", err)
		return nil
	}
	c, ok, err := st.Get(ctx, h.q)
	if err != nil {
		h.warn("%v", err)
		return nil
	}
	if !ok {
		return nil
	}
	return h.answer(c.Username, c.Password, c.PasswordExpiryUTC)
}

func (h *helper) store(ctx context.Context) error {
	if _, _, ok := h.envCredential(); ok {
		return nil // CI: the environment is the only source for this server
	}
	insts, err := h.config()
	if errors.Is(err, rhoderc.ErrNeedsTOMLLibrary) {
		return err
	}
	if err != nil {
		return nil // reported; unread, it cannot rule out a RhodeCode password
	}
	if resolve.Manages(insts, h.q) {
		// For a URL an instance the tool manages serves, git gets the VCS
		// token and nothing else is kept, whatever user name git sends:
		// what git approves there after a rejection is most likely a
		// password typed at git's prompt, and that must not end up stored.
		return nil
	}
	if !h.q.HasUsername || !h.q.HasPassword {
		return nil // git-credential-store ignores incomplete credentials too
	}
	st, err := h.otherStore()
	if err != nil {
		h.warn("%v", err)
		return nil
	}
	if err := st.Store(ctx, h.q); err != nil {
		h.warn("%v", err)
	}
	return nil
}

func (h *helper) erase(ctx context.Context) error {
	if _, tok, ok := h.envCredential(); ok && (h.q.Password == tok || !h.q.HasPassword) {
		h.warn("the server rejected RHODECODE_VCS_TOKEN; check that it is valid, has role vcs, and that the auth-token plugin is enabled (Admin → Authentication)")
		return nil
	}
	if err := h.needsLibrary(); err != nil {
		return err
	}
	if in, ok := h.instance(); ok {
		tok, _, err := VCSToken(ctx, h.d.Secrets, in)
		if err == nil && (h.q.Password == tok || !h.q.HasPassword) {
			err := h.d.Config.Update(ctx, func(cfg *rhoderc.File) error {
				if e, ok := cfg.Instance(in.Name); ok {
					e.VCSTokenRejected = true
					cfg.SetInstance(e)
				}
				return nil
			})
			switch {
			case errors.Is(err, rhoderc.ErrNeedsTOMLLibrary):
				return err // nothing written: Update renders before it writes
			case err != nil:
				h.warn("%v", err)
			}
			h.warn("the RhodeCode VCS token for %q was rejected: it may be revoked or expired, or the server's auth-token plugin may be off; rhodecode setup-git -i %s mints a new one", in.Name, in.Name)
			return nil
		}
	}
	st, err := h.otherStore()
	if err != nil {
		h.warn("%v", err)
		return nil
	}
	if err := st.Erase(ctx, h.q); err != nil {
		h.warn("%v", err)
	}
	return nil
}

// envCredential is the CI mode: RHODECODE_USERNAME + RHODECODE_VCS_TOKEN
// for RHODECODE_HOST. Without RHODECODE_HOST it answers for no host: the
// token would otherwise go to any host git asks about (setup-git and
// RHODECODE_TOKEN require it too).
func (h *helper) envCredential() (user, token string, ok bool) {
	user, token = h.d.Getenv("RHODECODE_USERNAME"), strings.TrimSpace(h.d.Getenv("RHODECODE_VCS_TOKEN"))
	if user == "" || token == "" {
		return "", "", false
	}
	host := h.d.Getenv("RHODECODE_HOST")
	if host == "" {
		if !h.warnedNoHost {
			h.warnedNoHost = true
			h.warn("RHODECODE_USERNAME and RHODECODE_VCS_TOKEN are set but RHODECODE_HOST is not; set it to the server the token is for (the token is not offered to any host without it)")
		}
		return "", "", false
	}
	u, err := baseurl.Normalize(host)
	if err != nil || !baseurl.Serves(u, h.q.Protocol, h.q.Host, h.q.Path) {
		return "", "", false
	}
	if h.q.HasUsername && h.q.Username != user {
		return "", "", false
	}
	return user, token, true
}

// needsLibrary returns the config file's rhoderc.ErrNeedsTOMLLibrary, for
// Run to hand up before anything is written to git.
func (h *helper) needsLibrary() error {
	if _, err := h.config(); errors.Is(err, rhoderc.ErrNeedsTOMLLibrary) {
		return err
	}
	return nil
}

// config returns the config file's instances; a failure to read it is
// reported once (but for ErrNeedsTOMLLibrary, which Run hands up).
func (h *helper) config() ([]rhoderc.Instance, error) {
	if !h.cfgRead {
		h.cfgRead = true
		cfg, err := h.d.Config.Load()
		if err != nil {
			h.cfgErr = err
			if !errors.Is(err, rhoderc.ErrNeedsTOMLLibrary) {
				h.warn("%v", err)
			}
		} else {
			h.instances = cfg.Instances()
		}
	}
	return h.instances, h.cfgErr
}

// instance finds the logged-in instance that serves the request.
func (h *helper) instance() (rhoderc.Instance, bool) {
	insts, err := h.config()
	if err != nil {
		return rhoderc.Instance{}, false
	}
	return resolve.ForGit(insts, h.q)
}

func (h *helper) otherStore() (gitcred.Store, error) {
	return gitcred.Open(h.d.Storage, func() (string, error) {
		p, err := h.d.Config.Path()
		return filepath.Join(filepath.Dir(p), CredentialsFile), err
	}, h.d.Keyring, h.d.IsNotFound)
}
