// Package credhelper is the git credential helper (git-credential(1)):
// get answers with a managed instance's VCS token, or with what git stored
// through it for other hosts; store and erase keep those others. Both the
// small git-credential-rhodecode binary and `rhodecode credential-helper`
// run it, so it imports nothing a request does not need (no HTTP client,
// no command tree, no tables): git starts it for every fetch and push.
package credhelper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/gitcred"
	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// CredentialsFile is where the helper keeps other credentials git
// approves, with --storage file: beside the config file, 0600.
const CredentialsFile = ".rhodecode-git-credentials"

// Config is the config file the helper reads (and, on erase of the VCS
// token, updates).
type Config struct {
	Path   func() (string, error)
	Load   func() (*rhoderc.File, error)
	Update func(ctx context.Context, fn func(*rhoderc.File) error) error
}

// ConfigFile is the config file as a request finds it: where it is
// (rhoderc.Locate: RHODERC or ~/.rhoderc) and what it holds
// (rhoderc.Load), read once, before the request, so that the
// git-credential-rhodecode binary can tell whether it reads the file on
// its own (NeedsFullHelper).
type ConfigFile struct {
	Path string
	File *rhoderc.File
	Err  error // locating or reading it
}

// LoadConfigFile locates and reads the config file.
func LoadConfigFile(getenv func(string) string, home func() (string, error)) ConfigFile {
	p, err := rhoderc.Locate("", getenv, home)
	if err != nil {
		return ConfigFile{Err: err}
	}
	f, err := rhoderc.Load(p)
	return ConfigFile{Path: p, File: f, Err: err}
}

// NeedsFullHelper reports whether the request needs the TOML library that
// only the rhodecode command links: the quick reader left the file alone,
// or an erase may have to mark a managed token rejected in a TOML file.
func (c ConfigFile) NeedsFullHelper(op string) bool {
	if errors.Is(c.Err, rhoderc.ErrNeedsTOMLLibrary) {
		return true
	}
	return op == "erase" && c.Err == nil && c.File.Dialect() == rhoderc.DialectTOML && len(c.File.Instances()) > 0
}

// Config is the file as the helper uses it; a file others can read gets a
// warning on warn when the request reads it.
func (c ConfigFile) Config(warn io.Writer) Config {
	path := func() (string, error) {
		if c.Path == "" {
			return "", c.Err
		}
		return c.Path, nil
	}
	return Config{
		Path: path,
		Load: func() (*rhoderc.File, error) {
			if c.Err != nil {
				return nil, c.Err
			}
			if perr := c.File.Permissions(); perr != nil {
				fmt.Fprintf(warn, "rhodecode: warning: %v\n", perr)
			}
			return c.File, nil
		},
		Update: func(ctx context.Context, fn func(*rhoderc.File) error) error {
			p, err := path()
			if err != nil {
				return err
			}
			return rhoderc.Update(ctx, p, fn)
		},
	}
}

// Deps is what one request works with.
type Deps struct {
	In          io.Reader
	Out, ErrOut io.Writer // Out is git's; warnings go to ErrOut
	Getenv      func(string) string
	Now         func() time.Time
	Config      Config
	Secrets     *secrets.Store
	Keyring     secrets.Keyring
	IsNotFound  func(error) bool // the keyring's "no such secret"
	Storage     string           // gitcred.StorageKeyring or StorageFile
}

// Run answers one request: op is get, store or erase; any other op is
// ignored, as git's contract asks.
func Run(ctx context.Context, op string, d Deps) error {
	switch op {
	case "get", "store", "erase":
	default:
		return nil
	}
	q, err := gitcred.Read(d.In)
	if err != nil {
		return err
	}
	if q.Protocol != "http" && q.Protocol != "https" || q.Host == "" {
		return nil
	}
	h := &helper{d: d, q: q}
	switch op {
	case "get":
		return h.get(ctx)
	case "store":
		return h.store(ctx)
	default:
		return h.erase(ctx)
	}
}

// ErrNoVCSToken means the instance has no usable managed VCS token.
var ErrNoVCSToken = errors.New("no managed VCS token")

// VCSToken returns the instance's VCS token (the one setup-git made, that
// the helper hands to git) and its expiry (unix seconds, -1 never), or
// ErrNoVCSToken when there is none or git rejected it.
func VCSToken(ctx context.Context, st *secrets.Store, in rhoderc.Instance) (string, int64, error) {
	if in.VCSTokenRejected {
		return "", 0, ErrNoVCSToken
	}
	if in.VCSToken == "" && in.VCSTokenID == 0 && in.VCSTokenExpires == 0 {
		// Nothing recorded: do not wake the keyring for every git call.
		// (A hand-written vcs_token in the file is something recorded.)
		return "", 0, ErrNoVCSToken
	}
	exp := in.VCSTokenExpires
	if exp == 0 {
		exp = -1
	}
	tok, err := st.Get(ctx, in, secrets.VCSToken)
	switch {
	case errors.Is(err, secrets.ErrNotFound):
		return "", 0, ErrNoVCSToken
	case err != nil:
		return "", 0, err
	}
	return tok, exp, nil
}
