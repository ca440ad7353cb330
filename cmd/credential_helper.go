package cmd

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
	"github.com/rhodecode-cli/rhodecode/internal/gitcred"
	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

// gitCredentialsFile is where the helper keeps other credentials git
// approves, with --storage file: beside the config file, 0600.
const gitCredentialsFile = ".rhodecode-git-credentials"

type credentialHelperOptions struct {
	*deps

	Op      string
	Storage string
}

func newCredentialHelperCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &credentialHelperOptions{}
	c := &cobra.Command{
		Use:   "credential-helper [--storage {keyring | file}] {get | store | erase}",
		Short: "A git credential helper that answers with RhodeCode VCS tokens",
		Long: `A git credential helper (see git-credential(1)); rhodecode setup-git
configures git to call it.

get answers, for a RhodeCode instance you are logged in to, with your
RhodeCode user name and the instance's VCS token; for other hosts it
answers with what git stored through it before. store and erase keep such
other credentials (OS keyring, or with --storage file the 0600 file
~/.rhodecode-git-credentials); store keeps nothing for a URL of an
instance in ~/.rhoderc, whatever the user name, or while that file cannot
be read. erase of the VCS token marks it rejected, so it is not offered
again until rhodecode setup-git makes a new one.

In CI, RHODECODE_USERNAME and RHODECODE_VCS_TOKEN answer for the server
RHODECODE_HOST names (required; for no other host) without any config
file or keyring.`,
		Example: `  # what rhodecode setup-git writes for you
  $ git config --global credential.https://code.example.com.helper ""
  $ git config --global --add credential.https://code.example.com.helper "!'/usr/local/bin/rhodecode' credential-helper"

  # ask it by hand
  $ printf 'protocol=https\nhost=code.example.com\n\n' | rhodecode credential-helper get`,
		Hidden: true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("expected one operation: get, store or erase")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps, opts.Op = f.deps(g), args[0]
			return credentialHelperRun(cmd.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.Storage, "storage", gitcred.StorageKeyring, "Where other credentials are kept: {keyring | file}")
	return c
}

func credentialHelperRun(ctx context.Context, opts *credentialHelperOptions) error {
	switch opts.Op {
	case "get", "store", "erase":
	default:
		// git's contract: ignore operations you do not know, and succeed.
		return nil
	}
	q, err := gitcred.Read(opts.io.In)
	if err != nil {
		return err
	}
	if q.Protocol != "http" && q.Protocol != "https" || q.Host == "" {
		return nil
	}
	h := &helper{d: opts.deps, q: q, storage: opts.Storage}
	switch opts.Op {
	case "get":
		return h.get(ctx)
	case "store":
		return h.store(ctx)
	default:
		return h.erase(ctx)
	}
}

// helper answers one request of git's.
type helper struct {
	d       *deps
	q       gitcred.Credential
	storage string

	warnedNoHost bool // the missing RHODECODE_HOST is reported once

	// The config file's instances, read once per request (cfgRead).
	cfgRead   bool
	instances []rhoderc.Instance
	cfgErr    error
}

func (h *helper) warn(format string, a ...any) {
	termPrintf(h.d.io.ErrOut, "rhodecode: "+format+"\n", a...)
}

func (h *helper) answer(username, password string, expiry int64) error {
	return gitcred.Write(h.d.io.Out, gitcred.Credential{Username: username, Password: password, HasUsername: true, HasPassword: true, PasswordExpiryUTC: expiry})
}

func (h *helper) get(ctx context.Context) error {
	if user, tok, ok := h.envCredential(); ok {
		return h.answer(user, tok, 0)
	}
	if in, ok := h.instance(); ok {
		tok, exp, err := managedVCSToken(ctx, h.d.secrets, in)
		switch {
		case errors.Is(err, errNoVCSToken):
		case err != nil:
			h.warn("%v", err)
		case exp > 0 && exp <= h.d.now().Unix():
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
	if in, ok := h.instance(); ok {
		tok, _, err := managedVCSToken(ctx, h.d.secrets, in)
		if err == nil && (h.q.Password == tok || !h.q.HasPassword) {
			if err := h.d.cfg.update(ctx, func(cfg *rhoderc.File) error {
				if e, ok := cfg.Instance(in.Name); ok {
					e.VCSTokenRejected = true
					cfg.SetInstance(e)
				}
				return nil
			}); err != nil {
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
	user, token = h.d.getenv("RHODECODE_USERNAME"), strings.TrimSpace(h.d.getenv("RHODECODE_VCS_TOKEN"))
	if user == "" || token == "" {
		return "", "", false
	}
	host := h.d.getenv("RHODECODE_HOST")
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

// config returns the config file's instances; a failure to read it is
// reported once.
func (h *helper) config() ([]rhoderc.Instance, error) {
	if !h.cfgRead {
		h.cfgRead = true
		cfg, err := h.d.cfg.load()
		if err != nil {
			h.cfgErr = err
			h.warn("%v", err)
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
	return gitcred.Open(h.storage, func() (string, error) {
		p, err := h.d.cfg.path()
		return filepath.Join(filepath.Dir(p), gitCredentialsFile), err
	}, h.d.keyring, keyring.IsNotFound)
}
