// Package keyringtest provides Mem, an in-memory stand-in for keyring.Store
// in tests. Like the real store it returns keyring.ErrNotFound for a
// missing secret, so code under test needs no separate not-found rule for
// the fake.
package keyringtest

import (
	"context"
	"maps"
	"sync"
	"time"

	"github.com/rhodecode-cli/rhodecode/keyring"
)

// Mem is an in-memory keyring, safe for concurrent use; its zero value is
// empty and ready. Each call is atomic, like a real keyring; there are no
// transactions. Set Err and Delay before sharing a Mem.
type Mem struct {
	// Err, when not nil, is returned by every call, the way an unusable OS
	// keyring answers (e.g. an error wrapping keyring.ErrUnavailable for a
	// locked collection).
	Err error
	// Delay is slept in Get after reading, widening the window between a
	// caller's read and write so that a missing lock shows as lost updates.
	Delay time.Duration

	mu    sync.Mutex
	items map[string]string
}

// Key is the key of Items for a service and account.
func Key(service, account string) string { return service + "\x00" + account }

// IsNotFound is keyring.IsNotFound, for tests that import only this
// package.
var IsNotFound = keyring.IsNotFound

// Get returns the secret, or keyring.ErrNotFound.
func (m *Mem) Get(_ context.Context, service, account string) (string, error) {
	m.mu.Lock()
	if m.Err != nil {
		m.mu.Unlock()
		return "", m.Err
	}
	v, ok := m.items[Key(service, account)]
	m.mu.Unlock()
	if m.Delay > 0 {
		time.Sleep(m.Delay)
	}
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

// Set creates or replaces the secret.
func (m *Mem) Set(_ context.Context, service, account, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Err != nil {
		return m.Err
	}
	if m.items == nil {
		m.items = map[string]string{}
	}
	m.items[Key(service, account)] = secret
	return nil
}

// Delete removes the secret, or returns keyring.ErrNotFound.
func (m *Mem) Delete(_ context.Context, service, account string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Err != nil {
		return m.Err
	}
	k := Key(service, account)
	if _, ok := m.items[k]; !ok {
		return keyring.ErrNotFound
	}
	delete(m.items, k)
	return nil
}

// Items returns a copy of all secrets, keyed by Key(service, account),
// i.e. service+"\x00"+account.
func (m *Mem) Items() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.items == nil {
		return map[string]string{}
	}
	return maps.Clone(m.items)
}
