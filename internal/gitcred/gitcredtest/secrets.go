package gitcredtest

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// ErrNotFound is what the fakes return for a missing secret.
var ErrNotFound = errors.New("gitcredtest: secret not found")

// IsNotFound reports whether err is ErrNotFound; pass it to
// gitcred.NewKeyringStore along with a fake.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// MemSecrets is an in-memory gitcred.Secrets, safe for concurrent use.
// Each call is atomic, like a real keyring; there are no transactions.
type MemSecrets struct {
	// Delay is slept in Get after reading, widening the window between a
	// store's read and write so that a missing lock shows as lost updates.
	Delay time.Duration

	mu    sync.Mutex
	items map[string]string
}

// NewMemSecrets returns an empty MemSecrets.
func NewMemSecrets() *MemSecrets { return &MemSecrets{items: map[string]string{}} }

func memKey(service, account string) string { return service + "\x00" + account }

// Get implements gitcred.Secrets.
func (m *MemSecrets) Get(_ context.Context, service, account string) (string, error) {
	m.mu.Lock()
	v, ok := m.items[memKey(service, account)]
	m.mu.Unlock()
	if m.Delay > 0 {
		time.Sleep(m.Delay)
	}
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

// Set implements gitcred.Secrets.
func (m *MemSecrets) Set(_ context.Context, service, account, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items[memKey(service, account)] = secret
	return nil
}

// Delete implements gitcred.Secrets.
func (m *MemSecrets) Delete(_ context.Context, service, account string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := memKey(service, account)
	if _, ok := m.items[k]; !ok {
		return ErrNotFound
	}
	delete(m.items, k)
	return nil
}

// Items returns a copy of all secrets, keyed by service+"\x00"+account.
func (m *MemSecrets) Items() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.items)
}

// DirSecrets is a gitcred.Secrets keeping one file per item in a
// directory, so that several processes (a helper run by git, parallel test
// processes) share one fake keyring. Each call is atomic (temp file and
// rename), none spans calls.
type DirSecrets struct {
	Dir string
}

func (d DirSecrets) file(service, account string) string {
	return filepath.Join(d.Dir, "item-"+hex.EncodeToString([]byte(memKey(service, account))))
}

// Get implements gitcred.Secrets.
func (d DirSecrets) Get(_ context.Context, service, account string) (string, error) {
	b, err := os.ReadFile(d.file(service, account))
	if errors.Is(err, fs.ErrNotExist) {
		return "", ErrNotFound
	}
	return string(b), err
}

// Set implements gitcred.Secrets.
func (d DirSecrets) Set(_ context.Context, service, account, secret string) error {
	if err := os.MkdirAll(d.Dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(d.Dir, "tmp-")
	if err != nil {
		return err
	}
	_, werr := f.WriteString(secret)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), d.file(service, account))
}

// Delete implements gitcred.Secrets.
func (d DirSecrets) Delete(_ context.Context, service, account string) error {
	err := os.Remove(d.file(service, account))
	if errors.Is(err, fs.ErrNotExist) {
		return ErrNotFound
	}
	return err
}

// Items returns all secrets, keyed by service+"\x00"+account.
func (d DirSecrets) Items() (map[string]string, error) {
	ents, err := os.ReadDir(d.Dir)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, e := range ents {
		name, ok := cutItem(e.Name())
		if !ok {
			continue
		}
		b, err := os.ReadFile(filepath.Join(d.Dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out[name] = string(b)
	}
	return out, nil
}

func cutItem(file string) (string, bool) {
	const prefix = "item-"
	if len(file) <= len(prefix) || file[:len(prefix)] != prefix {
		return "", false
	}
	b, err := hex.DecodeString(file[len(prefix):])
	if err != nil {
		return "", false
	}
	return string(b), true
}

// String describes the fake for test messages.
func (d DirSecrets) String() string { return fmt.Sprintf("DirSecrets(%s)", d.Dir) }
