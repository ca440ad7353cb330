// Package keyring stores rhodecode's per-instance secrets in the OS keyring
// (Secret Service on Linux/BSD, Keychain on macOS, Credential Manager on
// Windows). It adds a timeout to every call and turns the backend's
// platform-specific failures into ErrNotFound or ErrUnavailable with a
// one-line reason.
//
// It is the only package of this module that imports
// github.com/zalando/go-keyring. It exists to serve the rhodecode CLI and
// makes no stability promise to other importers.
package keyring

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/rhodecode-cli/rhodecode/internal/termtext"
	gokeyring "github.com/zalando/go-keyring"
)

// DefaultTimeout bounds each keyring call when New is given 0. A healthy
// Secret Service answers in a few milliseconds; a locked one whose unlock
// prompt cannot be shown may otherwise block forever.
const DefaultTimeout = 3 * time.Second

// AccountAPIToken is the account name under which an instance's API token is
// stored. There is one account name per token kind.
const AccountAPIToken = "api-token"

// AccountWebSession holds the web session cookie that token management
// uses, so token commands need no password while the session lives.
const AccountWebSession = "web-session"

// AccountVCSToken holds the VCS token the git credential helper hands to
// git for the instance.
const AccountVCSToken = "vcs-token"

// ErrNotFound is returned when the keyring holds no secret for the given
// service and account.
var ErrNotFound = errors.New("secret not found in keyring")

// IsNotFound reports whether err means the keyring holds no such secret;
// stores that take a keyring interface are given this function.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// ErrUnavailable is wrapped by every error that means no usable keyring: no
// D-Bus session bus, no Secret Service provider, a locked collection, or no
// answer within the timeout. Callers can fall back to other storage when
// errors.Is(err, ErrUnavailable). The error text carries a one-line reason.
var ErrUnavailable = errors.New("OS keyring unavailable")

// backend is the part of go-keyring that Store uses. It is a seam so tests
// can substitute a backend that hangs or fails without touching go-keyring's
// process-global provider.
type backend interface {
	Get(service, account string) (string, error)
	Set(service, account, secret string) error
	Delete(service, account string) error
}

// osBackend forwards to go-keyring's package-level functions, i.e. to the
// real OS keyring.
type osBackend struct{}

func (osBackend) Get(service, account string) (string, error) {
	return gokeyring.Get(service, account)
}

func (osBackend) Set(service, account, secret string) error {
	return gokeyring.Set(service, account, secret)
}

func (osBackend) Delete(service, account string) error {
	return gokeyring.Delete(service, account)
}

// Store talks to the OS keyring with a timeout on every call. The zero value
// is not usable; create one with New.
type Store struct {
	timeout time.Duration
	backend backend
}

// New returns a Store whose calls each give up after timeout, or after
// DefaultTimeout if timeout is 0 or negative.
func New(timeout time.Duration) *Store {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Store{timeout: timeout, backend: osBackend{}}
}

// Get returns the secret stored for service and account. It returns
// ErrNotFound if there is none, and an error wrapping ErrUnavailable if the
// keyring cannot be used.
func (s *Store) Get(ctx context.Context, service, account string) (string, error) {
	var secret string
	err := s.call(ctx, "", func() error {
		var err error
		secret, err = s.backend.Get(service, account)
		return err
	})
	if err != nil {
		return "", err
	}
	// secret was written before call's goroutine sent on its channel, so
	// reading it here is ordered after the write.
	return secret, nil
}

// Set stores secret for service and account, replacing any previous value.
// The secret never appears in a returned error.
func (s *Store) Set(ctx context.Context, service, account, secret string) error {
	return s.call(ctx, secret, func() error {
		return s.backend.Set(service, account, secret)
	})
}

// Delete removes the secret stored for service and account. It returns
// ErrNotFound if there was none.
func (s *Store) Delete(ctx context.Context, service, account string) error {
	return s.call(ctx, "", func() error {
		return s.backend.Delete(service, account)
	})
}

// call runs fn in a goroutine and waits for it, the Store's timeout or ctx,
// whichever comes first. go-keyring takes no context and can block forever
// on an unlock prompt, so on timeout the goroutine is abandoned; that leaks
// at most one goroutine per call, which a short-lived CLI can afford.
// secret, if not empty, is scrubbed from any error text.
func (s *Store) call(ctx context.Context, secret string, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	done := make(chan error, 1) // buffered: an abandoned goroutine must not block forever
	go func() { done <- fn() }()

	timer := time.NewTimer(s.timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return classify(err, secret)
	case <-timer.C:
		return unavailable(fmt.Sprintf("the keyring did not answer within %v (it may be locked and waiting for a password prompt)", s.timeout), nil)
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// The caller's deadline ran out first; report it as the keyring
			// not answering, but keep the context error matchable.
			return unavailable("the keyring did not answer before the deadline", ctx.Err())
		}
		return fmt.Errorf("keyring: %w", ctx.Err())
	}
}

// unavailableError is an ErrUnavailable with a reason. Its message is only
// ErrUnavailable's text and the reason, so it stays on one line and never
// includes backend text; the backend error is still reachable via errors.As.
type unavailableError struct {
	reason string
	cause  error
}

func (e *unavailableError) Error() string { return ErrUnavailable.Error() + ": " + e.reason }

func (e *unavailableError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrUnavailable}
	}
	return []error{ErrUnavailable, e.cause}
}

func unavailable(reason string, cause error) error {
	return &unavailableError{reason: reason, cause: cause}
}

// Reasons shared by several classify branches.
const (
	reasonNoBus    = "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS unset)"
	reasonLocked   = "the keyring is locked; unlock it (e.g. log in to the desktop) or use --storage file"
	reasonNoDaemon = "no Secret Service provider on the D-Bus session bus (install and start gnome-keyring or KeePassXC, or use --storage file)"
)

// classify maps a backend error to ErrNotFound, an ErrUnavailable with a
// reason, or (for anything unrecognised) the original error with context.
// The go-keyring and godbus errors matched here are those observed with
// go-keyring v0.2.8 and godbus v5.2.2 on Linux; see
// shared/docs/testing-with-real-parts.md, "Error matrix".
func classify(err error, secret string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gokeyring.ErrNotFound) {
		return ErrNotFound
	}
	if errors.Is(err, gokeyring.ErrUnsupportedPlatform) {
		return unavailable("this platform has no supported OS keyring", err)
	}

	// No session bus address and no dbus-launch to start one (godbus's last
	// resort). godbus reports the missing executable as *exec.Error.
	if errors.Is(err, exec.ErrNotFound) {
		return unavailable(reasonNoBus, err)
	}
	// godbus returns error replies as dbus.Error values, but builds some
	// errors of its own as *dbus.Error; accept both.
	var dbusErr dbus.Error
	if errors.As(err, &dbusErr) {
		return classifyDBus(dbusErr.Name, err)
	}
	var dbusErrPtr *dbus.Error
	if errors.As(err, &dbusErrPtr) && dbusErrPtr != nil {
		return classifyDBus(dbusErrPtr.Name, err)
	}
	// An address is set but nothing listens there: a bus from a session that
	// has ended, or a mistyped address.
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return unavailable("cannot connect to the D-Bus session bus at DBUS_SESSION_BUS_ADDRESS (is the session still running?)", err)
	}

	// The rest carry no type; match the texts of errors.New/fmt.Errorf calls.
	msg := err.Error()
	switch {
	case strings.Contains(msg, "failed to unlock correct collection"):
		// go-keyring's Unlock: the prompt was dismissed or could not be shown.
		// ".../aliases/default" also covers a keyring that has no default
		// collection yet, which the same remedy fixes.
		return unavailable(reasonLocked, err)
	case strings.Contains(msg, "couldn't determine address of session bus"):
		return unavailable(reasonNoBus, err)
	case strings.HasPrefix(msg, "dbus: authentication"):
		return unavailable("the D-Bus session bus refused the connection (authentication failed)", err)
	case strings.HasPrefix(msg, "dbus: invalid"):
		return unavailable("DBUS_SESSION_BUS_ADDRESS is not a valid D-Bus address", err)
	}

	if secret != "" && strings.Contains(msg, secret) {
		// Never seen, but an error echoing the secret must not reach a
		// terminal or log; drop the cause rather than risk it.
		return errors.New("keyring: " + strings.ReplaceAll(oneLine(msg), secret, "[redacted]"))
	}
	return fmt.Errorf("keyring: %w", err)
}

// classifyDBus maps a D-Bus error reply by its well-known name.
func classifyDBus(name string, err error) error {
	switch name {
	case "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner":
		return unavailable(reasonNoDaemon, err)
	case "org.freedesktop.Secret.Error.IsLocked":
		return unavailable(reasonLocked, err)
	case "org.freedesktop.Secret.Error.NoSuchObject", "org.freedesktop.DBus.Error.UnknownObject":
		return unavailable("the Secret Service has no default keyring collection; create one (e.g. with seahorse) or use --storage file", err)
	case "org.freedesktop.DBus.Error.NoReply", "org.freedesktop.DBus.Error.Timeout", "org.freedesktop.DBus.Error.TimedOut":
		return unavailable("the Secret Service did not reply", err)
	case "org.freedesktop.DBus.Error.Disconnected", "org.freedesktop.DBus.Error.NoServer":
		return unavailable("lost the connection to the D-Bus session bus", err)
	case "org.freedesktop.DBus.Error.AccessDenied":
		return unavailable("the Secret Service denied access", err)
	}
	return fmt.Errorf("keyring: %w", err)
}

// oneLine joins a multi-line message so it fits the CLI's one-line errors.
var oneLine = termtext.OneLine
