package secrets

import (
	"context"
	"fmt"

	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// accounts are the keyring account prefixes of each kind; with the
// instance name they make the account, so that two users' instances on
// one server never share an entry.
var accounts = map[Kind]string{
	APIToken:   keyring.AccountAPIToken,
	WebSession: keyring.AccountWebSession,
	VCSToken:   keyring.AccountVCSToken,
}

// KeyringRef names the keyring item that holds an instance's secret of
// kind k: service rhodecode:<normalised URL> (so spellings of one URL
// agree), account <kind>:<instance name>.
func KeyringRef(in rhoderc.Instance, k Kind) (service, account string) {
	return baseurl.KeyringService(in.URL), accounts[k] + ":" + in.Name
}

// keyringBackend keeps secrets in the OS keyring.
type keyringBackend struct {
	kr         Keyring
	isNotFound func(error) bool
}

func (b keyringBackend) get(ctx context.Context, in rhoderc.Instance, k Kind) (string, error) {
	svc, acct := KeyringRef(in, k)
	v, err := b.kr.Get(ctx, svc, acct)
	switch {
	case err != nil && b.isNotFound(err):
		return "", notFound("no %s for instance %q in the OS keyring", k, in.Name)
	case err != nil:
		return "", fmt.Errorf("reading the %s of %q: %w", k, in.Name, err)
	}
	return v, nil
}

func (b keyringBackend) put(ctx context.Context, in rhoderc.Instance, k Kind, secret string) error {
	svc, acct := KeyringRef(in, k)
	return b.kr.Set(ctx, svc, acct, secret)
}

// entry drops a copy of the secret from the file: an instance that keeps
// its secrets in the keyring keeps none in the file (a login that moves
// a token from the file to the keyring).
func (keyringBackend) entry(e *rhoderc.Instance, k Kind, _ string) { *field(e, k) = "" }

func (b keyringBackend) del(ctx context.Context, in rhoderc.Instance, k Kind) error {
	svc, acct := KeyringRef(in, k)
	if err := b.kr.Delete(ctx, svc, acct); err != nil && !b.isNotFound(err) {
		return err
	}
	return nil
}

func (keyringBackend) inEntry() bool { return false }
