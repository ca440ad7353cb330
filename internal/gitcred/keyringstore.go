package gitcred

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/filelock"
)

// Secrets is the OS keyring as this package sees it: opaque secrets under a
// service and account name.
type Secrets interface {
	// Get returns the secret; an error for which the store's isNotFound
	// returns true means there is none.
	Get(ctx context.Context, service, account string) (string, error)
	// Set creates or replaces the secret.
	Set(ctx context.Context, service, account, secret string) error
	// Delete removes the secret.
	Delete(ctx context.Context, service, account string) error
}

// KeyringAccount is the account name of every item a KeyringStore writes.
const KeyringAccount = "credentials"

// KeyringService returns the keyring service name holding the credentials
// for protocol://host.
func KeyringService(protocol, host string) string {
	return "rhodecode-git:" + protocol + "://" + host
}

// KeyringStore is a Store in the OS keyring: one item per protocol://host
// (service KeyringService(protocol, host), account KeyringAccount) whose
// secret is a JSON array, newest first, of
//
//	{"path": "...", "username": "...", "password": "...", "expiry": <unix>}
//
// (path and expiry omitted when empty). Keyrings have no transactions, so
// Store and Erase read, modify and write the item while holding a lock file
// (flock, released by the kernel if the process dies), so that parallel
// git processes storing for the same host lose nothing. An item that is not
// such JSON is never overwritten; every method returns an error instead.
type KeyringStore struct {
	secrets    Secrets
	isNotFound func(error) bool
	// LockPath is the lock file shared by all processes of this user; the
	// default is rhodecode/gitcred-keyring.lock in the user cache directory,
	// or rhodecode-gitcred-<uid>.lock in os.TempDir() without one.
	LockPath string
	// LockTimeout bounds the wait for the lock; 0 means DefaultLockTimeout.
	LockTimeout time.Duration

	now func() time.Time
	// lock is replaced by a test to show the lock is what prevents lost
	// updates.
	lock func(ctx context.Context) (unlock func(), err error)
}

var _ Store = (*KeyringStore)(nil)

// NewKeyringStore returns a KeyringStore over s. isNotFound reports whether
// an error from s.Get means the item does not exist (for go-keyring:
// errors.Is(err, keyring.ErrNotFound)).
func NewKeyringStore(s Secrets, isNotFound func(error) bool) *KeyringStore {
	k := &KeyringStore{secrets: s, isNotFound: isNotFound, now: time.Now}
	k.lock = k.fileLock
	return k
}

// Get implements Store.
func (k *KeyringStore) Get(ctx context.Context, q Credential) (Credential, bool, error) {
	if !validQuery(q) {
		return Credential{}, false, nil
	}
	entries, _, err := k.load(ctx, q.Protocol, q.Host)
	if err != nil {
		return Credential{}, false, err
	}
	now := k.now()
	for _, e := range entries {
		if !expired(e, now) && matches(q, e, false) {
			return e.credential(), true, nil
		}
	}
	return Credential{}, false, nil
}

// Store implements Store.
func (k *KeyringStore) Store(ctx context.Context, c Credential) error {
	if !storable(c, k.now()) {
		return nil
	}
	if err := checkValues(c); err != nil {
		return err
	}
	e := entryOf(c)
	return k.update(ctx, &e, c, false)
}

// Erase implements Store.
func (k *KeyringStore) Erase(ctx context.Context, q Credential) error {
	if !validQuery(q) {
		return nil
	}
	return k.update(ctx, nil, q, true)
}

func (k *KeyringStore) update(ctx context.Context, first *entry, q Credential, matchPassword bool) error {
	unlock, err := k.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()

	entries, exists, err := k.load(ctx, q.Protocol, q.Host)
	if err != nil {
		return err
	}
	now := k.now()
	var out []entry
	changed := false
	if first != nil {
		out = append(out, *first)
		changed = true
	}
	for _, e := range entries {
		if expired(e, now) || matches(q, e, matchPassword) {
			changed = true
			continue
		}
		out = append(out, e)
	}
	service := KeyringService(q.Protocol, q.Host)
	switch {
	case !changed:
		return nil
	case len(out) == 0:
		if !exists {
			return nil
		}
		if err := k.secrets.Delete(ctx, service, KeyringAccount); err != nil && !k.isNotFound(err) {
			return fmt.Errorf("gitcred: deleting keyring item %s: %w", service, err)
		}
		return nil
	}
	data, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("gitcred: %w", err)
	}
	if err := k.secrets.Set(ctx, service, KeyringAccount, string(data)); err != nil {
		return fmt.Errorf("gitcred: writing keyring item %s: %w", service, err)
	}
	return nil
}

// load returns the entries of protocol://host, newest first, and whether
// the item exists.
func (k *KeyringStore) load(ctx context.Context, protocol, host string) ([]entry, bool, error) {
	service := KeyringService(protocol, host)
	secret, err := k.secrets.Get(ctx, service, KeyringAccount)
	if err != nil {
		if k.isNotFound(err) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("gitcred: reading keyring item %s: %w", service, err)
	}
	var entries []entry
	if err := json.Unmarshal([]byte(secret), &entries); err != nil {
		// The JSON error could quote a password; say only where.
		return nil, true, fmt.Errorf("gitcred: keyring item %s (account %s) is not a JSON list of credentials; remove it to start over (it was not changed): %w",
			service, KeyringAccount, ErrProtocol)
	}
	for i := range entries {
		entries[i].Protocol, entries[i].Host = protocol, host
	}
	return entries, true, nil
}

func (k *KeyringStore) fileLock(ctx context.Context) (func(), error) {
	path := k.LockPath
	if path == "" {
		path = defaultKeyringLockPath()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("gitcred: keyring lock: %w", err)
	}
	timeout := k.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	unlock, err := filelock.Lock(ctx, path, timeout, lockRetryDelay)
	if err != nil {
		return nil, fmt.Errorf("gitcred: keyring lock %s: %w", path, err)
	}
	return unlock, nil
}

func defaultKeyringLockPath() string {
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "rhodecode", "gitcred-keyring.lock")
	}
	// A shared temp dir: keep users apart.
	return filepath.Join(os.TempDir(), "rhodecode-gitcred-"+strconv.Itoa(os.Getuid())+".lock")
}
