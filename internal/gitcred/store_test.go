package gitcred

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/keyring/keyringtest"
)

// fixedNow is the clock of the semantics tests.
var fixedNow = time.Unix(1_800_000_000, 0)

type storeFactory struct {
	name string
	new  func(t *testing.T) Store
}

func storeFactories() []storeFactory {
	return []storeFactory{
		{"file", func(t *testing.T) Store {
			s := NewFileStore(filepath.Join(t.TempDir(), "dir", "creds"))
			s.now = func() time.Time { return fixedNow }
			return s
		}},
		{"keyring", func(t *testing.T) Store {
			k := NewKeyringStore(&keyringtest.Mem{}, keyringtest.IsNotFound)
			k.LockPath = filepath.Join(t.TempDir(), "keyring.lock")
			k.now = func() time.Time { return fixedNow }
			return k
		}},
	}
}

// cr builds a credential: protocol, host, path, then optional user and
// password ("-" for absent).
func cr(protocol, host, path, user, pass string) Credential {
	c := Credential{Protocol: protocol, Host: host, Path: path}
	if user != "-" {
		c.Username, c.HasUsername = user, true
	}
	if pass != "-" {
		c.Password, c.HasPassword = pass, true
	}
	return c
}

type step struct {
	op   string // get, store, erase
	c    Credential
	want string // for get: "user:pass" of the answer, or "none"
}

func (s step) String() string { return fmt.Sprintf("%s %+v", s.op, s.c) }

func runSteps(t *testing.T, s Store, steps []step) {
	t.Helper()
	ctx := context.Background()
	for i, st := range steps {
		switch st.op {
		case "store":
			if err := s.Store(ctx, st.c); err != nil {
				t.Fatalf("step %d %v: %v", i, st, err)
			}
		case "erase":
			if err := s.Erase(ctx, st.c); err != nil {
				t.Fatalf("step %d %v: %v", i, st, err)
			}
		case "get":
			got, ok, err := s.Get(ctx, st.c)
			if err != nil {
				t.Fatalf("step %d %v: %v", i, st, err)
			}
			answer := "none"
			if ok {
				if !got.HasUsername || !got.HasPassword {
					t.Errorf("step %d %v: answer %+v lacks Has flags", i, st, got)
				}
				answer = got.Username + ":" + got.Password
			}
			if answer != st.want {
				t.Errorf("step %d %v: got %q, want %q", i, st, answer, st.want)
			}
		default:
			t.Fatalf("bad op %q", st.op)
		}
	}
}

// The matching rules of git's credential-store, the t0303 sequence first.
func TestStoreSemantics(t *testing.T) {
	const h = "example.com"
	tests := []struct {
		name  string
		steps []step
	}{
		{"t0303 sequence", []step{
			{"get", cr("https", h, "", "-", "-"), "none"},
			{"store", cr("https", h, "", "store-user", "store-pass"), ""},
			{"get", cr("https", h, "", "-", "-"), "store-user:store-pass"},
			{"get", cr("http", h, "", "-", "-"), "none"},
			{"get", cr("https", "other.tld", "", "-", "-"), "none"},
			{"get", cr("https", h, "", "other", "-"), "none"},
			{"store", cr("http", "path.tld", "foo.git", "user", "pass"), ""},
			{"get", cr("http", "path.tld", "bar.git", "-", "-"), "none"},
			{"erase", cr("https", h, "", "-", "-"), ""},
			{"get", cr("https", h, "", "-", "-"), "none"},
			{"store", cr("https", h, "", "user1", "pass1"), ""},
			{"store", cr("https", h, "", "user2", "pass2"), ""},
			{"get", cr("https", h, "", "user1", "-"), "user1:pass1"},
			{"get", cr("https", h, "", "user2", "-"), "user2:pass2"},
			{"erase", cr("https", h, "", "user1", "-"), ""},
			{"get", cr("https", h, "", "user1", "-"), "none"},
			{"get", cr("https", h, "", "user2", "-"), "user2:pass2"},
			{"store", cr("https", "sso.tld", "", "", ""), ""},
			{"get", cr("https", "sso.tld", "", "-", "-"), ":"},
		}},
		{"host includes the port", []step{
			{"store", cr("https", "h:8443", "", "u", "p"), ""},
			{"get", cr("https", "h", "", "-", "-"), "none"},
			{"get", cr("https", "h:8443", "", "-", "-"), "u:p"},
		}},
		{"query without path matches entries with a path", []step{
			{"store", cr("https", h, "a.git", "u", "p"), ""},
			{"get", cr("https", h, "", "-", "-"), "u:p"},
			{"get", cr("https", h, "a.git", "-", "-"), "u:p"},
		}},
		{"entry without path does not match a query with one", []step{
			{"store", cr("https", h, "", "u", "p"), ""},
			{"get", cr("https", h, "a.git", "-", "-"), "none"},
		}},
		{"empty username is a value, not a wildcard", []step{
			{"store", cr("https", h, "", "u", "p"), ""},
			{"get", cr("https", h, "", "", "-"), "none"},
			{"store", cr("https", h, "", "", "q"), ""},
			{"get", cr("https", h, "", "", "-"), ":q"},
		}},
		{"newest first; same user replaced", []step{
			{"store", cr("https", h, "", "a", "1"), ""},
			{"store", cr("https", h, "", "b", "2"), ""},
			{"get", cr("https", h, "", "-", "-"), "b:2"},
			{"store", cr("https", h, "", "a", "3"), ""},
			{"get", cr("https", h, "", "-", "-"), "a:3"},
			{"erase", cr("https", h, "", "a", "-"), ""},
			{"get", cr("https", h, "", "-", "-"), "b:2"},
		}},
		{"path entries are separate", []step{
			{"store", cr("https", h, "a.git", "u", "pa"), ""},
			{"store", cr("https", h, "b.git", "u", "pb"), ""},
			{"get", cr("https", h, "a.git", "-", "-"), "u:pa"},
			{"get", cr("https", h, "b.git", "-", "-"), "u:pb"},
			{"erase", cr("https", h, "a.git", "-", "-"), ""},
			{"get", cr("https", h, "a.git", "-", "-"), "none"},
			{"get", cr("https", h, "b.git", "-", "-"), "u:pb"},
		}},
		{"store without path replaces that user's path entries (git)", []step{
			{"store", cr("https", h, "a.git", "u", "pa"), ""},
			{"store", cr("https", h, "a.git", "v", "va"), ""},
			{"store", cr("https", h, "", "u", "p"), ""},
			{"get", cr("https", h, "a.git", "u", "-"), "none"},
			{"get", cr("https", h, "a.git", "v", "-"), "v:va"},
			{"get", cr("https", h, "", "u", "-"), "u:p"},
		}},
		{"erase with a password only erases that password", []step{
			{"store", cr("https", h, "", "u", "good"), ""},
			{"erase", cr("https", h, "", "u", "bad"), ""},
			{"get", cr("https", h, "", "u", "-"), "u:good"},
			{"erase", cr("https", h, "", "u", "good"), ""},
			{"get", cr("https", h, "", "u", "-"), "none"},
		}},
		{"get ignores the query's password", []step{
			{"store", cr("https", h, "", "u", "p"), ""},
			{"get", cr("https", h, "", "u", "other"), "u:p"},
		}},
		{"query needs protocol and host", []step{
			{"store", cr("https", h, "", "u", "p"), ""},
			{"get", cr("", h, "", "u", "-"), "none"},
			{"get", cr("https", "", "", "u", "-"), "none"},
			{"erase", cr("", "", "", "u", "-"), ""},
			{"erase", cr("", h, "", "-", "-"), ""},
			{"get", cr("https", h, "", "u", "-"), "u:p"},
		}},
		{"incomplete credentials are not stored", []step{
			{"store", cr("https", h, "", "u", "-"), ""},
			{"store", cr("https", h, "", "-", "p"), ""},
			{"store", cr("", h, "", "u", "p"), ""},
			{"store", cr("https", "", "", "u", "p"), ""},
			{"get", cr("https", h, "", "-", "-"), "none"},
		}},
		{"special characters survive", []step{
			{"store", cr("https", "h:1", "team/r x:y#?.git", "a@b:c/%", "p:w@/%+ é\t"), ""},
			{"get", cr("https", "h:1", "team/r x:y#?.git", "a@b:c/%", "-"), "a@b:c/%:p:w@/%+ é\t"},
		}},
	}
	for _, f := range storeFactories() {
		for _, tt := range tests {
			t.Run(f.name+"/"+tt.name, func(t *testing.T) {
				runSteps(t, f.new(t), tt.steps)
			})
		}
	}
}

func TestStoreExpiry(t *testing.T) {
	now := fixedNow.Unix()
	for _, f := range storeFactories() {
		t.Run(f.name, func(t *testing.T) {
			s := f.new(t)
			ctx := context.Background()
			old := cr("https", "h", "", "old", "o")
			old.PasswordExpiryUTC = now + 3600
			gone := cr("https", "h", "", "gone", "g")
			gone.PasswordExpiryUTC = now - 1
			if err := s.Store(ctx, old); err != nil {
				t.Fatal(err)
			}
			if err := s.Store(ctx, gone); err != nil { // ignored: already expired
				t.Fatal(err)
			}
			got, ok, err := s.Get(ctx, cr("https", "h", "", "-", "-"))
			if err != nil || !ok || got.Username != "old" || got.PasswordExpiryUTC != now+3600 {
				t.Fatalf("Get = %+v %v %v, want old with its expiry", got, ok, err)
			}
			// Time passes: the entry expires and is no longer returned.
			later := fixedNow.Add(2 * time.Hour)
			setNow(s, later)
			if _, ok, _ := s.Get(ctx, cr("https", "h", "", "-", "-")); ok {
				t.Error("expired entry returned")
			}
			// An expired newer entry does not hide an older valid one.
			never := cr("https", "h", "", "never", "n")
			if err := s.Store(ctx, never); err != nil {
				t.Fatal(err)
			}
			soon := cr("https", "h", "", "soon", "s")
			soon.PasswordExpiryUTC = later.Unix() + 10
			if err := s.Store(ctx, soon); err != nil {
				t.Fatal(err)
			}
			setNow(s, later.Add(time.Minute))
			got, ok, err = s.Get(ctx, cr("https", "h", "", "-", "-"))
			if err != nil || !ok || got.Username != "never" {
				t.Errorf("Get = %+v %v %v, want never", got, ok, err)
			}
		})
	}
}

func setNow(s Store, t time.Time) {
	switch s := s.(type) {
	case *FileStore:
		s.now = func() time.Time { return t }
	case *KeyringStore:
		s.now = func() time.Time { return t }
	}
}

func TestStoreRejectsUnstorableValues(t *testing.T) {
	for _, f := range storeFactories() {
		for _, c := range []Credential{
			cr("https", "h", "", "u", "a\nb"),
			cr("https", "h", "", "u\x00", "p"),
			cr("ht tp", "h", "", "u", "p"),
			cr("https:", "h", "", "u", "p"),
		} {
			err := f.new(t).Store(context.Background(), c)
			if !errors.Is(err, ErrProtocol) {
				t.Errorf("%s: Store(%q) = %v, want ErrProtocol", f.name, c.URL(), err)
			}
		}
	}
}
