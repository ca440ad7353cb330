package secrets

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/keyring/keyringtest"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// newStore is a Store over an in-memory keyring and a real config file in
// a temporary directory, holding content.
func newStore(t *testing.T, content string) (*Store, *keyringtest.Mem, func() *rhoderc.File) {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".rhoderc")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	kr := &keyringtest.Mem{}
	update := func(ctx context.Context, fn func(*rhoderc.File) error) error { return rhoderc.Update(ctx, path, fn) }
	load := func() *rhoderc.File {
		t.Helper()
		f, err := rhoderc.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	return New(kr, keyring.IsNotFound, update), kr, load
}

func instance(t *testing.T, load func() *rhoderc.File, name string) rhoderc.Instance {
	t.Helper()
	in, ok := load().Instance(name)
	if !ok {
		t.Fatalf("no instance %q", name)
	}
	return in
}

const entries = `[instances.kr]
url = "https://code.example.com/"
username = "alice"

[instances.file]
url = "https://other.example.com"
username = "bob"
storage = "file"
token = "file-api"
`

func TestRoundTripBothStorages(t *testing.T) {
	ctx := t.Context()
	for _, name := range []string{"kr", "file"} {
		t.Run(name, func(t *testing.T) {
			st, kr, load := newStore(t, entries)
			for _, k := range []Kind{VCSToken, WebSession} {
				in := instance(t, load, name)
				if _, err := st.Get(ctx, in, k); !errors.Is(err, ErrNotFound) {
					t.Fatalf("Get %v before Set: %v, want ErrNotFound", k, err)
				}
				if err := st.Set(ctx, in, k, "s-"+k.String()); err != nil {
					t.Fatal(err)
				}
				in = instance(t, load, name) // the file backend changed the entry
				if got, err := st.Get(ctx, in, k); err != nil || got != "s-"+k.String() {
					t.Fatalf("Get %v = %q, %v", k, got, err)
				}
				if err := st.Delete(ctx, in, k); err != nil {
					t.Fatal(err)
				}
				if _, err := st.Get(ctx, instance(t, load, name), k); !errors.Is(err, ErrNotFound) {
					t.Fatalf("Get %v after Delete: %v", k, err)
				}
			}
			// Where the secrets went: the keyring for kr, the file for file.
			inKeyring := len(kr.Items()) > 0
			raw, _ := os.ReadFile(load().Path())
			if name == "kr" && strings.Contains(string(raw), "s-") {
				t.Errorf("a keyring instance's secret reached the file:\n%s", raw)
			}
			if name == "file" && inKeyring {
				t.Errorf("a file instance's secret reached the keyring: %v", kr.Items())
			}
		})
	}
}

func TestKeyringRefKeepsExistingEntries(t *testing.T) {
	// Entries written by earlier versions must still be found: the
	// service is the normalised URL, the account <kind>:<name>.
	svc, acct := KeyringRef(rhoderc.Instance{Name: "work", URL: "https://Code.Example.com/"}, APIToken)
	if svc != "rhodecode:https://code.example.com" || acct != "api-token:work" {
		t.Errorf("KeyringRef = %q, %q", svc, acct)
	}
}

func TestSaveEditsTheFreshEntry(t *testing.T) {
	ctx := t.Context()
	st, _, load := newStore(t, entries)
	stale := instance(t, load, "file")
	// Another command stores a session meanwhile.
	if err := st.Set(ctx, stale, WebSession, "cookie"); err != nil {
		t.Fatal(err)
	}
	err := st.Save(ctx, stale, VCSToken, "vcs", func(e *rhoderc.Instance) { e.VCSTokenID, e.VCSTokenExpires = 9, -1 })
	if err != nil {
		t.Fatal(err)
	}
	in := instance(t, load, "file")
	if in.SessionCookie != "cookie" || in.VCSToken != "vcs" || in.VCSTokenID != 9 || in.VCSTokenExpires != -1 {
		t.Errorf("entry after Save: %+v", in)
	}
	if err := st.Save(ctx, rhoderc.Instance{Name: "gone", URL: "https://g", Storage: rhoderc.StorageFile}, VCSToken, "x", nil); !errors.Is(err, ErrNoEntry) {
		t.Errorf("Save for a missing entry: %v, want ErrNoEntry", err)
	}
}

func TestLoginMovesTheToken(t *testing.T) {
	ctx := t.Context()
	st, kr, load := newStore(t, entries)
	// file -> keyring: the file copy goes.
	in := instance(t, load, "file")
	in.Storage = rhoderc.StorageKeyring
	if err := st.Login(ctx, nil, in, "new-api", func(_ *rhoderc.File, e *rhoderc.Instance) error { e.Storage = rhoderc.StorageKeyring; return nil }); err != nil {
		t.Fatal(err)
	}
	got := instance(t, load, "file")
	if got.Token != "" || got.EffectiveStorage() != rhoderc.StorageKeyring {
		t.Errorf("entry after moving to the keyring: %+v", got)
	}
	if tok, err := st.Get(ctx, got, APIToken); err != nil || tok != "new-api" {
		t.Errorf("Get = %q, %v", tok, err)
	}
	// keyring -> file: the keyring copy goes.
	in = got
	in.Storage = rhoderc.StorageFile
	if err := st.Login(ctx, nil, in, "file-api-2", func(_ *rhoderc.File, e *rhoderc.Instance) error { e.Storage = rhoderc.StorageFile; return nil }); err != nil {
		t.Fatal(err)
	}
	if n := len(kr.Items()); n != 0 {
		t.Errorf("keyring still holds %d items: %v", n, kr.Items())
	}
	// A new entry is created.
	if err := st.Login(ctx, nil, rhoderc.Instance{Name: "new", URL: "https://n", Storage: rhoderc.StorageFile}, "t", func(_ *rhoderc.File, e *rhoderc.Instance) error { e.Username = "carol"; return nil }); err != nil {
		t.Fatal(err)
	}
	if got := instance(t, load, "new"); got.Token != "t" || got.Username != "carol" {
		t.Errorf("new entry: %+v", got)
	}
}

func TestLockedKeyringChangesNothing(t *testing.T) {
	ctx := t.Context()
	st, kr, load := newStore(t, entries)
	kr.Err = keyring.ErrUnavailable
	before, _ := os.ReadFile(load().Path())
	in := instance(t, load, "kr")
	if err := st.Save(ctx, in, VCSToken, "v", func(e *rhoderc.Instance) { e.VCSTokenID = 3 }); !errors.Is(err, keyring.ErrUnavailable) {
		t.Fatalf("Save with a locked keyring: %v", err)
	}
	after, _ := os.ReadFile(load().Path())
	if string(before) != string(after) {
		t.Errorf("the file changed although the keyring refused:\n%s", after)
	}
	// Purging matters only for keyring instances.
	if err := st.PurgeKeyring(ctx, instance(t, load, "file"), Kinds...); err != nil {
		t.Errorf("PurgeKeyring of a file instance: %v", err)
	}
	if err := st.PurgeKeyring(ctx, in, Kinds...); err == nil {
		t.Error("PurgeKeyring of a keyring instance with a locked keyring: no error")
	}
}

// A failed file update puts the keyring back as it was: a failed re-login
// must not leave the fresh token (which login then revokes) in place of
// the working one.
func TestFailedUpdateRestoresKeyring(t *testing.T) {
	ctx := t.Context()
	kr := &keyringtest.Mem{}
	boom := errors.New("lock timeout")
	failing := func(context.Context, func(*rhoderc.File) error) error { return boom }
	st := New(kr, keyring.IsNotFound, failing)
	in := rhoderc.Instance{Name: "work", URL: "https://code.example.com"}
	svc, acct := KeyringRef(in, APIToken)
	if err := kr.Set(ctx, svc, acct, "old-working"); err != nil {
		t.Fatal(err)
	}
	edit := func(*rhoderc.File, *rhoderc.Instance) error { return nil }
	if err := st.Login(ctx, &in, in, "fresh", edit); !errors.Is(err, boom) {
		t.Fatalf("Login = %v, want the update's error", err)
	}
	if got, _ := kr.Get(ctx, svc, acct); got != "old-working" {
		t.Errorf("keyring holds %q after a failed login, want the old token back", got)
	}
	// Nothing before: nothing after.
	other := rhoderc.Instance{Name: "lab", URL: "https://lab.example.com"}
	if err := st.Login(ctx, nil, other, "fresh", edit); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if n := len(kr.Items()); n != 1 {
		t.Errorf("keyring has %d items, want only work's: %v", n, kr.Items())
	}
}

// Changing the storage at login moves every secret, not only the API
// token: git must not get a stale VCS token from the old place.
func TestLoginMovesAllSecrets(t *testing.T) {
	ctx := t.Context()
	st, kr, load := newStore(t, `[instances.file]
url = "https://other.example.com"
username = "bob"
storage = "file"
token = "file-api"
session_cookie = "rhodecode=s1"
vcs_token = "vcs-1"
vcs_token_id = "5"
vcs_token_expires = "-1"
`)
	prev := instance(t, load, "file")
	in := prev
	in.Storage = rhoderc.StorageKeyring
	keep := func(_ *rhoderc.File, e *rhoderc.Instance) error { e.Storage = rhoderc.StorageKeyring; return nil }
	if err := st.Login(ctx, &prev, in, "api-2", keep); err != nil {
		t.Fatal(err)
	}
	got := instance(t, load, "file")
	if got.Token != "" || got.VCSToken != "" || got.SessionCookie != "" || got.VCSTokenID != 5 {
		t.Errorf("file entry after moving to the keyring: %+v", got)
	}
	for k, want := range map[Kind]string{APIToken: "api-2", VCSToken: "vcs-1", WebSession: "rhodecode=s1"} {
		if v, err := st.Get(ctx, got, k); err != nil || v != want {
			t.Errorf("%v = %q, %v; want %q from the keyring", k, v, err, want)
		}
	}
	// And back: the keyring is left empty.
	prev, in = got, got
	in.Storage = rhoderc.StorageFile
	back := func(_ *rhoderc.File, e *rhoderc.Instance) error { e.Storage = rhoderc.StorageFile; return nil }
	if err := st.Login(ctx, &prev, in, "api-3", back); err != nil {
		t.Fatal(err)
	}
	got = instance(t, load, "file")
	if got.Token != "api-3" || got.VCSToken != "vcs-1" || got.SessionCookie != "rhodecode=s1" {
		t.Errorf("file entry after moving back: %+v", got)
	}
	if n := len(kr.Items()); n != 0 {
		t.Errorf("keyring still holds %v", kr.Items())
	}
}
