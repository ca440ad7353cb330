package gitcred

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/filelock"
)

// Store keeps credentials git asked the helper to store.
//
// Matching follows git's credential-store (builtin/credential-store.c with
// credential_match in credential.c): an entry matches a query when every
// field the query sets (protocol, host, path, username) equals the entry's;
// an entry without a path therefore does not match a query with one. A
// query must set Protocol and Host, or it matches nothing.
type Store interface {
	// Get returns the first (most recently stored) unexpired entry the query
	// matches; the query's password is not compared. ok is false if there is
	// none.
	Get(ctx context.Context, query Credential) (c Credential, ok bool, err error)
	// Store puts c first and removes the entries c matches as a query (same
	// protocol, host and username, and path if c has one), as git's store
	// does. A credential without protocol, host, username or password, or
	// one already expired, is silently ignored, like git's store.
	Store(ctx context.Context, c Credential) error
	// Erase removes every entry the query matches; if the query carries a
	// password, only entries with that password (git >= 2.42, commit
	// aeb21ce22e, "credential: avoid erasing distinct password").
	Erase(ctx context.Context, query Credential) error
}

// DefaultLockTimeout is how long a store waits for another process's lock.
const DefaultLockTimeout = 10 * time.Second

// lockRetryDelay is how often a waiting store retries the lock.
const lockRetryDelay = 5 * time.Millisecond

// entry is one stored credential. Username and password are always present
// (possibly empty): git's store ignores entries without them.
type entry struct {
	Path     string `json:"path,omitempty"`
	Username string `json:"username"`
	Password string `json:"password"`
	Expiry   int64  `json:"expiry,omitempty"`

	// Protocol and host are part of a file line but the key of a keyring
	// item, so they stay out of the JSON.
	Protocol string `json:"-"`
	Host     string `json:"-"`
}

func (e entry) credential() Credential {
	return Credential{
		Protocol: e.Protocol, Host: e.Host, Path: e.Path,
		Username: e.Username, Password: e.Password,
		HasUsername: true, HasPassword: true,
		PasswordExpiryUTC: e.Expiry,
	}
}

func entryOf(c Credential) entry {
	return entry{Protocol: c.Protocol, Host: c.Host, Path: c.Path,
		Username: c.Username, Password: c.Password, Expiry: c.PasswordExpiryUTC}
}

// validQuery: git's store accepts a query with, say, only a username and
// would then erase that user everywhere; we insist on a protocol and host.
func validQuery(q Credential) bool {
	return q.Protocol != "" && q.Host != ""
}

// storable mirrors git's store_credential sanity check (plus: we need a host,
// and a password that has already expired is useless).
func storable(c Credential, now time.Time) bool {
	return validQuery(c) && c.HasUsername && c.HasPassword && !expired(entryOf(c), now)
}

func expired(e entry, now time.Time) bool {
	// git's credential fill drops a password whose expiry is < now.
	return e.Expiry != 0 && e.Expiry < now.Unix()
}

// matches is git's credential_match(want=q, have=e, matchPassword).
func matches(q Credential, e entry, matchPassword bool) bool {
	return (q.Protocol == "" || q.Protocol == e.Protocol) &&
		(q.Host == "" || q.Host == e.Host) &&
		(q.Path == "" || q.Path == e.Path) &&
		(!(q.HasUsername || q.Username != "") || q.Username == e.Username) &&
		(!matchPassword || !(q.HasPassword || q.Password != "") || q.Password == e.Password)
}

// checkValues rejects what cannot be stored and read back unchanged.
func checkValues(c Credential) error {
	for _, f := range []struct{ name, v string }{
		{"protocol", c.Protocol}, {"host", c.Host}, {"path", c.Path},
		{"username", c.Username}, {"password", c.Password},
	} {
		if strings.ContainsAny(f.v, "\n\x00") {
			return fmt.Errorf("gitcred: the %s contains a newline or NUL byte: %w", f.name, ErrProtocol)
		}
	}
	for i := 0; i < len(c.Protocol); i++ {
		ch := c.Protocol[i]
		if !(isUnreserved(ch) && ch != '_' && ch != '~' || ch == '+') {
			return fmt.Errorf("gitcred: protocol %q is not a URL scheme: %w", c.Protocol, ErrProtocol)
		}
	}
	return nil
}

// ErrLockTimeout is wrapped by the error of a Store or Erase that gave up
// waiting for another process's lock (see LockTimeout). It is
// filelock.ErrTimeout, which both stores' locks return.
var ErrLockTimeout = filelock.ErrTimeout

// The stores the helper can keep other hosts' credentials in, by the name
// its --storage flag takes.
const (
	StorageKeyring = "keyring"
	StorageFile    = "file"
)

// KnownStorage reports whether name is a storage Open knows.
func KnownStorage(name string) bool { return name == StorageKeyring || name == StorageFile }

// Open returns the store storage names: the file filePath gives for
// StorageFile, the keyring kr otherwise.
func Open(storage string, filePath func() (string, error), kr Secrets, isNotFound func(error) bool) (Store, error) {
	if storage != StorageFile {
		return NewKeyringStore(kr, isNotFound), nil
	}
	p, err := filePath()
	if err != nil {
		return nil, err
	}
	return NewFileStore(p), nil
}
