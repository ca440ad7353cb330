// Package secrets keeps the secrets of each RhodeCode instance: the API
// token the tool uses, the managed VCS token git gets, and the web
// session of the token commands. An instance keeps all of them in one
// place, the OS keyring or its entry in the config file, chosen by
// rhoderc.Instance.EffectiveStorage; commands never make that choice
// themselves, they ask a Store.
package secrets

import (
	"context"
	"errors"
	"fmt"

	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// Kind names one secret of an instance.
type Kind int

// The secrets the tool keeps per instance.
const (
	APIToken Kind = iota
	VCSToken
	WebSession
)

// Kinds lists every kind, for removing them all.
var Kinds = []Kind{APIToken, WebSession, VCSToken}

func (k Kind) String() string {
	switch k {
	case APIToken:
		return "API token"
	case VCSToken:
		return "VCS token"
	case WebSession:
		return "web session"
	}
	return fmt.Sprintf("secret kind %d", int(k))
}

// ErrNotFound means the instance has no secret of that kind.
var ErrNotFound = errors.New("no such secret")

// notFoundError says which secret is missing and where it was looked for.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string        { return e.msg }
func (e *notFoundError) Is(target error) bool { return target == ErrNotFound }

func notFound(format string, a ...any) error {
	return &notFoundError{msg: fmt.Sprintf(format, a...)}
}

// ErrNoEntry means the instance's entry left the config file while a
// command ran (another process logged out).
var ErrNoEntry = errors.New("no such instance in the config file")

// Keyring is the OS keyring as the store uses it; keyring.Store satisfies
// it, and tests pass an in-memory one. Get and Delete report a missing
// secret with an error that isNotFound (given to New) recognises.
type Keyring interface {
	Get(ctx context.Context, service, account string) (string, error)
	Set(ctx context.Context, service, account, secret string) error
	Delete(ctx context.Context, service, account string) error
}

// Updater changes the config file under its lock (rhoderc.Update on the
// file the command uses).
type Updater func(ctx context.Context, fn func(*rhoderc.File) error) error

// backend keeps secrets of one storage kind. put and del act outside the
// config file and run before it is written (so a locked keyring changes
// nothing); entry sets the secret's field in the entry that update
// writes ("" clears it), and inEntry says whether the secret lives there,
// so that a change needs the file written.
type backend interface {
	get(ctx context.Context, in rhoderc.Instance, k Kind) (string, error)
	put(ctx context.Context, in rhoderc.Instance, k Kind, secret string) error
	del(ctx context.Context, in rhoderc.Instance, k Kind) error
	entry(e *rhoderc.Instance, k Kind, secret string)
	inEntry() bool
}

// Store reads and writes instance secrets where each instance keeps them.
type Store struct {
	backends map[string]backend
	update   Updater
}

// New returns a Store over the OS keyring kr and the config file that
// update changes; isNotFound recognises kr's "no such secret" error.
func New(kr Keyring, isNotFound func(error) bool, update Updater) *Store {
	s := &Store{update: update}
	s.backends = map[string]backend{
		rhoderc.StorageKeyring: keyringBackend{kr: kr, isNotFound: isNotFound},
		rhoderc.StorageFile:    fileBackend{},
	}
	return s
}

func (s *Store) backend(in rhoderc.Instance) (backend, error) {
	b, ok := s.backends[in.EffectiveStorage()]
	if !ok {
		return nil, fmt.Errorf("instance %q has storage %q, which is neither %s nor %s; correct the config file, or log in again with --storage %s or --storage %s", in.Name, in.Storage, rhoderc.StorageKeyring, rhoderc.StorageFile, rhoderc.StorageKeyring, rhoderc.StorageFile)
	}
	return b, nil
}

// Storage says where the instance keeps its secrets.
func (s *Store) Storage(in rhoderc.Instance) string { return in.EffectiveStorage() }

// DefaultStorage is where a login keeps the secrets when the user does
// not say: an instance's existing choice; for a new instance in
// rhodecode-tools' INI file, the file (its api_key is where those tools
// read the token); else the OS keyring.
func DefaultStorage(cfg *rhoderc.File, existing *rhoderc.Instance) string {
	if existing != nil {
		return existing.EffectiveStorage()
	}
	if cfg.Dialect() == rhoderc.DialectINI {
		return rhoderc.StorageFile
	}
	return rhoderc.StorageKeyring
}

// Get returns the instance's secret of kind k. A missing secret is an
// error that matches ErrNotFound.
func (s *Store) Get(ctx context.Context, in rhoderc.Instance, k Kind) (string, error) {
	b, err := s.backend(in)
	if err != nil {
		return "", err
	}
	return b.get(ctx, in, k)
}

// Set stores the instance's secret of kind k.
func (s *Store) Set(ctx context.Context, in rhoderc.Instance, k Kind, secret string) error {
	return s.Save(ctx, in, k, secret, nil)
}

// Save stores the secret and, in the same locked update of the config
// file, lets edit change the instance's other fields (the ids and expiry
// that go with the secret). The entry must exist.
func (s *Store) Save(ctx context.Context, in rhoderc.Instance, k Kind, secret string, edit func(*rhoderc.Instance)) error {
	return s.write(ctx, in, []value{{k, secret}}, false, func(_ *rhoderc.File, e *rhoderc.Instance) error {
		if edit != nil {
			edit(e)
		}
		return nil
	})
}

// Login stores a new API token for an instance, creating its entry when
// it has none: edit fills in the entry's other fields and may change the
// rest of the file (the default instance). in.Storage says where the
// token goes; prev is the entry as it was (nil for a new one). When the
// storage changes, the VCS token and the web session move with the API
// token, so that the instance keeps all its secrets in one place.
func (s *Store) Login(ctx context.Context, prev *rhoderc.Instance, in rhoderc.Instance, token string, edit func(*rhoderc.File, *rhoderc.Instance) error) error {
	values := []value{{APIToken, token}}
	var from backend
	if prev != nil && prev.EffectiveStorage() != in.EffectiveStorage() {
		if from, _ = s.backend(*prev); from != nil {
			for _, k := range []Kind{VCSToken, WebSession} {
				if v, err := from.get(ctx, *prev, k); err == nil {
					values = append(values, value{k, v})
				}
			}
		}
	}
	if err := s.write(ctx, in, values, true, edit); err != nil {
		return err
	}
	if from != nil && !from.inEntry() {
		// Moved out of the keyring; the file's copies went with the
		// entry write (a keyring entry keeps none).
		for _, v := range values[1:] {
			_ = from.del(ctx, *prev, v.kind)
		}
	}
	if in.EffectiveStorage() != rhoderc.StorageKeyring {
		// A token moved out of the keyring must not linger there; best
		// effort, as a machine without a keyring is why the file is used.
		_ = s.backends[rhoderc.StorageKeyring].del(ctx, in, APIToken)
	}
	return nil
}

// value is one secret to write.
type value struct {
	kind   Kind
	secret string
}

// write stores values for in and applies edit to the entry in one locked
// update of the config file. Secrets kept outside the file (the keyring)
// are written first, so a locked keyring changes nothing; if the file
// update then fails, they are put back as they were, so that a failed
// command leaves no secret behind that the file does not know about.
func (s *Store) write(ctx context.Context, in rhoderc.Instance, values []value, create bool, edit func(*rhoderc.File, *rhoderc.Instance) error) error {
	b, err := s.backend(in)
	if err != nil {
		return err
	}
	var undo []func()
	rollback := func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	if !b.inEntry() {
		for _, v := range values {
			old, gerr := b.get(ctx, in, v.kind)
			if err := b.put(ctx, in, v.kind, v.secret); err != nil {
				rollback()
				return fmt.Errorf("storing the %s: %w", v.kind, err)
			}
			k := v.kind
			undo = append(undo, func() {
				switch {
				case gerr == nil:
					_ = b.put(ctx, in, k, old)
				case errors.Is(gerr, ErrNotFound):
					_ = b.del(ctx, in, k)
				}
			})
		}
		if edit == nil {
			return nil
		}
	}
	err = s.update(ctx, func(cfg *rhoderc.File) error {
		e, ok := cfg.Instance(in.Name)
		switch {
		case ok:
		case create:
			e = rhoderc.Instance{Name: in.Name, URL: in.URL, Storage: in.Storage}
		default:
			return fmt.Errorf("instance %q disappeared from %s: %w", in.Name, cfg.Path(), ErrNoEntry)
		}
		if edit != nil {
			if err := edit(cfg, &e); err != nil {
				return err
			}
		}
		for _, v := range values {
			b.entry(&e, v.kind, v.secret)
		}
		cfg.SetInstance(e)
		return nil
	})
	if err != nil {
		rollback()
	}
	return err
}

// Delete removes the instance's secret of kind k from where the instance
// keeps it. A secret that is not there is not an error.
func (s *Store) Delete(ctx context.Context, in rhoderc.Instance, k Kind) error {
	b, err := s.backend(in)
	if err != nil {
		return err
	}
	if err := b.del(ctx, in, k); err != nil {
		return fmt.Errorf("removing the %s of %q: %w", k, in.Name, err)
	}
	if !b.inEntry() {
		return nil
	}
	return s.update(ctx, func(cfg *rhoderc.File) error {
		if e, ok := cfg.Instance(in.Name); ok {
			if k == APIToken {
				// Without a token, an entry with no explicit storage
				// would turn into a keyring entry.
				e.Storage = e.EffectiveStorage()
			}
			b.entry(&e, k, "")
			cfg.SetInstance(e)
		}
		return nil
	})
}

// LogoutAPI forgets the instance's API token (its token was revoked): the
// secret, wherever it is kept, and its id; the entry and its web session
// stay, so token management goes on through the web session.
func (s *Store) LogoutAPI(ctx context.Context, in rhoderc.Instance) error {
	b, err := s.backend(in)
	if err != nil {
		return err
	}
	if err := b.del(ctx, in, APIToken); err != nil {
		return fmt.Errorf("removing the revoked API token of %q: %w", in.Name, err)
	}
	if b.inEntry() {
		// A copy an earlier keyring login left there.
		_ = s.backends[rhoderc.StorageKeyring].del(ctx, in, APIToken)
	}
	return s.update(ctx, func(cfg *rhoderc.File) error {
		if e, ok := cfg.Instance(in.Name); ok {
			// The storage is pinned: without a token, an entry with no
			// explicit storage would turn into a keyring entry.
			e.Storage, e.TokenID, e.TokenExpires = e.EffectiveStorage(), 0, 0
			b.entry(&e, APIToken, "")
			cfg.SetInstance(e)
		}
		return nil
	})
}

// PurgeKeyring removes the instance's secrets of the given kinds from the
// OS keyring, whatever its storage: a copy left there by an earlier
// storage choice must not outlive a logout. Errors count only when the
// instance keeps its secrets in the keyring.
func (s *Store) PurgeKeyring(ctx context.Context, in rhoderc.Instance, kinds ...Kind) error {
	kb := s.backends[rhoderc.StorageKeyring]
	for _, k := range kinds {
		if err := kb.del(ctx, in, k); err != nil && in.EffectiveStorage() == rhoderc.StorageKeyring {
			return fmt.Errorf("removing the secrets of %q from the OS keyring: %w", in.Name, err)
		}
	}
	return nil
}
