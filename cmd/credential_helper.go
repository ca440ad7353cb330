package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/gitcred"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

// Config keys of the managed VCS token. The secret goes next to the API
// token (keyring or file); the rest is not secret and lives in the file.
const (
	keyVCSToken         = "vcs_token"
	keyVCSTokenID       = "vcs_token_id"
	keyVCSTokenExpires  = "vcs_token_expires" // unix seconds; absent or -1: never
	keyVCSTokenRejected = "vcs_token_rejected"
)

// gitCredentialsFile is where the helper keeps other credentials git
// approves, with --storage file: beside the config file, 0600.
const gitCredentialsFile = ".rhodecode-git-credentials"

type credentialHelperOptions struct {
	f *Factory
	g *globalOptions

	Op      string
	Storage string
}

func newCredentialHelperCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &credentialHelperOptions{f: f, g: g}
	c := &cobra.Command{
		Use:   "credential-helper [--storage {keyring | file}] {get | store | erase}",
		Short: "A git credential helper that answers with RhodeCode VCS tokens",
		Long: `A git credential helper (see git-credential(1)); rhodecode setup-git
configures git to call it.

get answers, for a RhodeCode instance you are logged in to, with your
RhodeCode user name and the instance's VCS token; for other hosts it
answers with what git stored through it before. store and erase keep such
other credentials (OS keyring, or with --storage file the 0600 file
~/.rhodecode-git-credentials). erase of the VCS token marks it rejected, so
it is not offered again until rhodecode setup-git makes a new one.

In CI, RHODECODE_USERNAME and RHODECODE_VCS_TOKEN (and optionally
RHODECODE_HOST, to answer for that server only) answer without any config
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
			opts.Op = args[0]
			return credentialHelperRun(cmd.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.Storage, "storage", rhoderc.StorageKeyring, "Where other credentials are kept: {keyring | file}")
	return c
}

func credentialHelperRun(ctx context.Context, opts *credentialHelperOptions) error {
	f := opts.f
	switch opts.Op {
	case "get", "store", "erase":
	default:
		// git's contract: ignore operations you do not know, and succeed.
		return nil
	}
	q, err := gitcred.Read(f.IO.In)
	if err != nil {
		return err
	}
	if q.Protocol != "http" && q.Protocol != "https" || q.Host == "" {
		return nil
	}
	h := &helper{f: f, g: opts.g, q: q, storage: opts.Storage}
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
	f       *Factory
	g       *globalOptions
	q       gitcred.Credential
	storage string
}

func (h *helper) warn(format string, a ...any) {
	fmt.Fprintf(h.f.IO.ErrOut, "rhodecode: "+format+"\n", a...)
}

func (h *helper) answer(username, password string, expiry int64) error {
	return gitcred.Write(h.f.IO.Out, gitcred.Credential{Username: username, Password: password, HasUsername: true, HasPassword: true, PasswordExpiryUTC: expiry})
}

func (h *helper) get(ctx context.Context) error {
	if user, tok, ok := h.envCredential(); ok {
		return h.answer(user, tok, 0)
	}
	if in, cfg, ok := h.instance(); ok {
		tok, exp, err := h.f.managedVCSToken(ctx, cfg, in)
		switch {
		case errors.Is(err, errNoVCSToken):
		case err != nil:
			h.warn("%v", err)
		case exp > 0 && exp <= h.f.Now().Unix():
			h.warn("the VCS token for %q expired on %s; run: rhodecode setup-git -i %s", in.Name, time.Unix(exp, 0).UTC().Format("2006-01-02"), in.Name)
		default:
			if exp < 0 {
				exp = 0
			}
			return h.answer(in.Username, tok, exp)
		}
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
	if _, _, ok := h.instance(); ok {
		// For a RhodeCode instance the tool manages, git gets the VCS token
		// and nothing else is kept: what git approves there after a
		// rejection is most likely the user's password, typed at git's
		// prompt, and that must not end up stored.
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
	if in, cfg, ok := h.instance(); ok {
		tok, _, err := h.f.managedVCSToken(ctx, cfg, in)
		if err == nil && (h.q.Password == tok || !h.q.HasPassword) {
			if err := h.f.updateConfig(ctx, h.g, func(cfg *rhoderc.File) error {
				cfg.SetInstanceValue(in.Name, keyVCSTokenRejected, "true")
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

// envCredential is the CI mode: RHODECODE_USERNAME + RHODECODE_VCS_TOKEN,
// limited to RHODECODE_HOST when it is set.
func (h *helper) envCredential() (user, token string, ok bool) {
	user, token = h.f.Getenv("RHODECODE_USERNAME"), strings.TrimSpace(h.f.Getenv("RHODECODE_VCS_TOKEN"))
	if user == "" || token == "" {
		return "", "", false
	}
	if host := h.f.Getenv("RHODECODE_HOST"); host != "" {
		u, err := normalizeURL(host)
		if err != nil || !urlServes(u, h.q) {
			return "", "", false
		}
	}
	if h.q.HasUsername && h.q.Username != user {
		return "", "", false
	}
	return user, token, true
}

// instance finds the logged-in instance that serves the request.
func (h *helper) instance() (rhoderc.Instance, *rhoderc.File, bool) {
	cfg, err := h.f.loadConfig(h.g)
	if err != nil {
		h.warn("%v", err)
		return rhoderc.Instance{}, nil, false
	}
	in, ok := matchInstance(cfg.Instances(), h.q)
	return in, cfg, ok
}

func (h *helper) otherStore() (gitcred.Store, error) {
	if h.storage == rhoderc.StorageFile {
		p, err := h.f.configPath(h.g)
		if err != nil {
			return nil, err
		}
		return gitcred.NewFileStore(filepath.Join(filepath.Dir(p), gitCredentialsFile)), nil
	}
	return gitcred.NewKeyringStore(h.f.Secrets, func(err error) bool { return errors.Is(err, keyring.ErrNotFound) }), nil
}

// matchInstance picks the instance that serves a git request: scheme,
// host and port must match; when git sends a path (useHttpPath), the
// instance whose URL path is the longest prefix wins; when git sends a
// user name, only that user's instance answers.
func matchInstance(instances []rhoderc.Instance, q gitcred.Credential) (rhoderc.Instance, bool) {
	var best rhoderc.Instance
	bestLen, found, ambiguous := -1, false, false
	for _, in := range instances {
		if !urlServes(in.URL, q) {
			continue
		}
		if q.HasUsername && q.Username != in.Username {
			continue
		}
		n := len(instancePath(in.URL))
		switch {
		case n > bestLen:
			best, bestLen, found, ambiguous = in, n, true, false
		case n == bestLen:
			ambiguous = true
		}
	}
	if ambiguous {
		// Two instances at one URL (different users): git must say which.
		return rhoderc.Instance{}, false
	}
	if found && q.Path == "" && bestLen > 0 && countHost(instances, q) > 1 {
		// Without a path two instances on one host cannot be told apart.
		return rhoderc.Instance{}, false
	}
	return best, found
}

func countHost(instances []rhoderc.Instance, q gitcred.Credential) int {
	n := 0
	for _, in := range instances {
		if q.HasUsername && q.Username != in.Username {
			continue
		}
		if u, err := url.Parse(in.URL); err == nil && u.Scheme == q.Protocol && sameHost(u, q.Protocol, q.Host) {
			n++
		}
	}
	return n
}

// urlServes reports whether the instance at base serves the request.
func urlServes(base string, q gitcred.Credential) bool {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != q.Protocol || !sameHost(u, q.Protocol, q.Host) {
		return false
	}
	p := instancePath(base)
	if p == "" || q.Path == "" {
		return true
	}
	req := "/" + strings.Trim(q.Path, "/")
	return req == p || strings.HasPrefix(req, p+"/")
}

func instancePath(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return strings.TrimRight(u.Path, "/")
}

// sameHost compares host[:port], treating an explicit default port as none.
func sameHost(u *url.URL, scheme, host string) bool {
	strip := func(h string) string {
		h = strings.ToLower(h)
		if scheme == "https" {
			return strings.TrimSuffix(h, ":443")
		}
		return strings.TrimSuffix(h, ":80")
	}
	return strip(u.Host) == strip(host)
}

// errNoVCSToken means the instance has no usable managed VCS token.
var errNoVCSToken = errors.New("no managed VCS token")

// managedVCSToken returns the instance's VCS token and its expiry (unix
// seconds, -1 never), or errNoVCSToken when there is none or git rejected it.
func (f *Factory) managedVCSToken(ctx context.Context, cfg *rhoderc.File, in rhoderc.Instance) (string, int64, error) {
	if v, _ := cfg.InstanceValue(in.Name, keyVCSTokenRejected); v == "true" {
		return "", 0, errNoVCSToken
	}
	exp := int64(-1)
	if v, ok := cfg.InstanceValue(in.Name, keyVCSTokenExpires); ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			exp = n
		}
	}
	if storageOf(in) == rhoderc.StorageFile {
		tok, ok := cfg.InstanceValue(in.Name, keyVCSToken)
		if !ok || tok == "" {
			return "", 0, errNoVCSToken
		}
		return tok, exp, nil
	}
	if _, ok := cfg.InstanceValue(in.Name, keyVCSTokenID); !ok {
		if _, ok := cfg.InstanceValue(in.Name, keyVCSTokenExpires); !ok {
			// Nothing recorded: do not wake the keyring for every git call.
			return "", 0, errNoVCSToken
		}
	}
	tok, err := f.getSecret(ctx, in, keyring.AccountVCSToken)
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return "", 0, errNoVCSToken
	case err != nil:
		return "", 0, fmt.Errorf("reading the VCS token of %q: %w", in.Name, err)
	}
	return tok, exp, nil
}

// CredentialHelperFast runs `credential-helper [--storage S] OP` without
// building the command tree: git starts the helper for every request, so
// its start-up time is what users feel. ok is false for any other command
// line, which then goes through Main (help, flag errors, ...).
func CredentialHelperFast(ctx context.Context, args []string, f *Factory) (code int, ok bool) {
	if len(args) < 2 || args[0] != "credential-helper" {
		return 0, false
	}
	opts := &credentialHelperOptions{f: f, g: &globalOptions{}, Storage: rhoderc.StorageKeyring}
	rest := args[1:]
	switch {
	case len(rest) == 3 && rest[0] == "--storage":
		opts.Storage, rest = rest[1], rest[2:]
	case len(rest) == 2 && strings.HasPrefix(rest[0], "--storage="):
		opts.Storage, rest = strings.TrimPrefix(rest[0], "--storage="), rest[1:]
	}
	if len(rest) != 1 || strings.HasPrefix(rest[0], "-") ||
		(opts.Storage != rhoderc.StorageKeyring && opts.Storage != rhoderc.StorageFile) {
		return 0, false
	}
	if p := f.Getenv("RHODERC"); p != "" {
		opts.g.Config = p
	}
	opts.Op = rest[0]
	if err := credentialHelperRun(ctx, opts); err != nil {
		fmt.Fprintln(f.IO.ErrOut, "rhodecode: "+oneLine(err.Error()))
		return exitCode(err), true
	}
	return ExitOK, true
}
