package keyring

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	gokeyring "github.com/zalando/go-keyring"

	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
)

// These tests swap Store.backend instead of calling gokeyring.MockInit: the
// mock replaces go-keyring's process-global provider for good (v0.2.8 has no
// restore), which would silently turn the real-keyring tests in this binary
// into mock tests.

// fakeBackend is an in-memory backend. If err is set every call returns it.
type fakeBackend struct {
	mu   sync.Mutex
	m    map[string]string
	err  error
	hang chan struct{} // if non-nil, calls block until it is closed
}

func (f *fakeBackend) wait() {
	if f.hang != nil {
		<-f.hang
	}
}

func (f *fakeBackend) Get(service, account string) (string, error) {
	f.wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return "", f.err
	}
	v, ok := f.m[service+"\x00"+account]
	if !ok {
		return "", gokeyring.ErrNotFound
	}
	return v, nil
}

func (f *fakeBackend) Set(service, account, secret string) error {
	f.wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if f.m == nil {
		f.m = map[string]string{}
	}
	f.m[service+"\x00"+account] = secret
	return nil
}

func (f *fakeBackend) Delete(service, account string) error {
	f.wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	k := service + "\x00" + account
	if _, ok := f.m[k]; !ok {
		return gokeyring.ErrNotFound
	}
	delete(f.m, k)
	return nil
}

func newFakeStore(t *testing.T, timeout time.Duration, b *fakeBackend) *Store {
	t.Helper()
	s := New(timeout)
	s.backend = b
	return s
}

func TestNewTimeout(t *testing.T) {
	tests := []struct {
		name string
		in   time.Duration
		want time.Duration
	}{
		{"zero means default", 0, DefaultTimeout},
		{"negative means default", -time.Second, DefaultTimeout},
		{"explicit", 250 * time.Millisecond, 250 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := New(tt.in).timeout; got != tt.want {
				t.Errorf("New(%v).timeout = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestStoreFakeRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := newFakeStore(t, time.Second, &fakeBackend{})
	svc := baseurl.KeyringService("https://code.example.com/")

	if _, err := s.Get(ctx, svc, AccountAPIToken); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Set: err = %v, want ErrNotFound", err)
	}
	if err := s.Set(ctx, svc, AccountAPIToken, "tok-1"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if got, err := s.Get(ctx, svc, AccountAPIToken); err != nil || got != "tok-1" {
		t.Fatalf("Get = %q, %v; want %q, nil", got, err, "tok-1")
	}
	if err := s.Delete(ctx, svc, AccountAPIToken); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := s.Delete(ctx, svc, AccountAPIToken); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Delete of missing: err = %v, want ErrNotFound", err)
	}
}

// TestStoreTimeout covers a backend that never answers, as go-keyring does
// when an unlock prompt waits for a user who is not there.
func TestStoreTimeout(t *testing.T) {
	const timeout = 50 * time.Millisecond
	ops := map[string]func(context.Context, *Store) error{
		"get": func(ctx context.Context, s *Store) error {
			_, err := s.Get(ctx, "svc", AccountAPIToken)
			return err
		},
		"set": func(ctx context.Context, s *Store) error {
			return s.Set(ctx, "svc", AccountAPIToken, "hunter2-secret")
		},
		"delete": func(ctx context.Context, s *Store) error {
			return s.Delete(ctx, "svc", AccountAPIToken)
		},
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			hang := make(chan struct{})
			t.Cleanup(func() { close(hang) }) // let the abandoned goroutine finish
			s := newFakeStore(t, timeout, &fakeBackend{hang: hang})

			start := time.Now()
			err := op(context.Background(), s)
			elapsed := time.Since(start)

			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("err = %v, want ErrUnavailable", err)
			}
			want := "OS keyring unavailable: the keyring did not answer within 50ms"
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("err = %q, want prefix %q", err, want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error text leaks the secret: %q", err)
			}
			if elapsed < timeout || elapsed > timeout+time.Second {
				t.Errorf("returned after %v, want about %v", elapsed, timeout)
			}
		})
	}
}

func TestStoreContext(t *testing.T) {
	t.Run("cancelled before the call", func(t *testing.T) {
		s := newFakeStore(t, time.Second, &fakeBackend{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := s.Get(ctx, "svc", AccountAPIToken)
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
			t.Fatalf("err = %v, want context.Canceled and not ErrUnavailable", err)
		}
	})
	t.Run("cancelled while waiting", func(t *testing.T) {
		hang := make(chan struct{})
		t.Cleanup(func() { close(hang) })
		s := newFakeStore(t, 10*time.Second, &fakeBackend{hang: hang})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		start := time.Now()
		_, err := s.Get(ctx, "svc", AccountAPIToken)
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
			t.Fatalf("err = %v, want context.Canceled and not ErrUnavailable", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("returned after %v; the store timeout, not ctx, ended the call", d)
		}
	})
	t.Run("context deadline before store timeout", func(t *testing.T) {
		hang := make(chan struct{})
		t.Cleanup(func() { close(hang) })
		s := newFakeStore(t, 10*time.Second, &fakeBackend{hang: hang})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := s.Delete(ctx, "svc", AccountAPIToken)
		if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want ErrUnavailable and context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("returned after %v, want about 30ms", d)
		}
	})
}

func TestClassify(t *testing.T) {
	_, execErr := exec.LookPath("rhodecode-no-such-dbus-launch")
	dialErr := &net.OpError{Op: "dial", Net: "unix", Err: os.ErrNotExist}
	tests := []struct {
		name            string
		err             error
		wantNotFound    bool
		wantUnavailable bool
		wantText        string // exact error text
	}{
		{
			name:         "not found",
			err:          gokeyring.ErrNotFound,
			wantNotFound: true,
			wantText:     "secret not found in keyring",
		},
		{
			name:            "no bus, no dbus-launch",
			err:             execErr,
			wantUnavailable: true,
			wantText:        "OS keyring unavailable: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS unset)",
		},
		{
			name:            "stale bus address",
			err:             dialErr,
			wantUnavailable: true,
			wantText:        "OS keyring unavailable: cannot connect to the D-Bus session bus at DBUS_SESSION_BUS_ADDRESS (is the session still running?)",
		},
		{
			name:            "no Secret Service provider",
			err:             dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown", Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"}},
			wantUnavailable: true,
			wantText:        "OS keyring unavailable: " + reasonNoDaemon,
		},
		{
			name:            "no Secret Service provider, pointer error",
			err:             &dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown"},
			wantUnavailable: true,
			wantText:        "OS keyring unavailable: " + reasonNoDaemon,
		},
		{
			name:            "locked login collection",
			err:             errors.New("failed to unlock correct collection '/org/freedesktop/secrets/collection/login'"),
			wantUnavailable: true,
			wantText:        "OS keyring unavailable: the keyring is locked; unlock it (e.g. log in to the desktop) or use --storage file",
		},
		{
			name:            "no unlocked default collection",
			err:             errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"),
			wantUnavailable: true,
			wantText:        "OS keyring unavailable: " + reasonLocked,
		},
		{
			name:            "unsupported platform",
			err:             gokeyring.ErrUnsupportedPlatform,
			wantUnavailable: true,
			wantText:        "OS keyring unavailable: this platform has no supported OS keyring",
		},
		{
			name:     "unrecognised error keeps its text",
			err:      gokeyring.ErrSetDataTooBig,
			wantText: "keyring: data passed to Set was too big",
		},
		{
			name:     "unrecognised D-Bus error keeps its text",
			err:      dbus.Error{Name: "org.example.Weird", Body: []any{"odd"}},
			wantText: "keyring: odd",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.err, "")
			if errors.Is(got, ErrNotFound) != tt.wantNotFound {
				t.Errorf("errors.Is(%v, ErrNotFound) = %v, want %v", got, !tt.wantNotFound, tt.wantNotFound)
			}
			if errors.Is(got, ErrUnavailable) != tt.wantUnavailable {
				t.Errorf("errors.Is(%v, ErrUnavailable) = %v, want %v", got, !tt.wantUnavailable, tt.wantUnavailable)
			}
			if got.Error() != tt.wantText {
				t.Errorf("text = %q, want %q", got, tt.wantText)
			}
			if !tt.wantNotFound && !hasCause(got, tt.err) {
				t.Errorf("classify dropped the cause %v", tt.err)
			}
		})
	}
	if classify(nil, "") != nil {
		t.Error("classify(nil) != nil")
	}
}

// hasCause reports whether cause is in err's tree. dbus.Error holds a slice,
// so it is not comparable and errors.Is cannot find it; match it by name.
func hasCause(err, cause error) bool {
	if want, ok := cause.(dbus.Error); ok {
		var got dbus.Error
		return errors.As(err, &got) && got.Name == want.Name
	}
	return errors.Is(err, cause)
}

func TestSetErrorNeverShowsSecret(t *testing.T) {
	const secret = "s3cr3t-token-123"
	s := newFakeStore(t, time.Second, &fakeBackend{err: errors.New("backend choked on " + secret + "\nsecond line")})
	err := s.Set(context.Background(), "svc", AccountAPIToken, secret)
	if err == nil {
		t.Fatal("Set succeeded, want error")
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error text leaks the secret: %q", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error text spans lines: %q", err)
	}
}
