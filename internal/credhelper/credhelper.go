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
	"io"
	"strings"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/gitcred"
	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// CredentialsFile is where the helper keeps other credentials git
// approves, with --storage file: beside the config file, 0600.
const CredentialsFile = ".rhodecode-git-credentials"

// Config is the config file the helper reads (and, on erase of the VCS
// token, updates): a rhoderc.Source.
type Config interface {
	Path() (string, error)
	Load() (*rhoderc.File, error)
	Update(ctx context.Context, fn func(*rhoderc.File) error) error
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

// ParseArgs reads [--storage S | --storage=S] OP, what setup-git writes
// and git appends to: the arguments of git-credential-rhodecode and of
// `rhodecode credential-helper`. S defaults to the keyring; ok is false
// for anything else.
func ParseArgs(args []string) (storage, op string, ok bool) {
	storage = gitcred.StorageKeyring
	switch {
	case len(args) == 3 && args[0] == "--storage":
		storage, args = args[1], args[2:]
	case len(args) == 2 && strings.HasPrefix(args[0], "--storage="):
		storage, args = strings.TrimPrefix(args[0], "--storage="), args[1:]
	}
	if len(args) != 1 || strings.HasPrefix(args[0], "-") || !gitcred.KnownStorage(storage) {
		return "", "", false
	}
	return storage, args[0], true
}

// Run answers one request: op is get, store or erase; any other op is
// ignored, as git's contract asks. When the request needs the config file
// and only a TOML library could read it (or write the change it needs),
// and the program has none, Run returns an error wrapping
// rhoderc.ErrNeedsTOMLLibrary before writing anything to git:
// git-credential-rhodecode then passes the request on to rhodecode.
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
	if !in.HasVCSToken() {
		// Nothing recorded: do not wake the keyring for every git call.
		// (A hand-written vcs_token in the file is something recorded.)
		return "", 0, ErrNoVCSToken
	}
	tok, err := st.Get(ctx, in, secrets.VCSToken)
	switch {
	case errors.Is(err, secrets.ErrNotFound):
		return "", 0, ErrNoVCSToken
	case err != nil:
		return "", 0, err
	}
	return tok, in.VCSTokenExpiry(), nil
}
