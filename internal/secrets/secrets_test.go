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
	if err := st.Login(ctx, in, "new-api", func(_ *rhoderc.File, e *rhoderc.Instance) error { e.Storage = rhoderc.StorageKeyring; return nil }); err != nil {
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
	if err := st.Login(ctx, in, "file-api-2", func(_ *rhoderc.File, e *rhoderc.Instance) error { e.Storage = rhoderc.StorageFile; return nil }); err != nil {
		t.Fatal(err)
	}
	if n := len(kr.Items()); n != 0 {
		t.Errorf("keyring still holds %d items: %v", n, kr.Items())
	}
	// A new entry is created.
	if err := st.Login(ctx, rhoderc.Instance{Name: "new", URL: "https://n", Storage: rhoderc.StorageFile}, "t", func(_ *rhoderc.File, e *rhoderc.Instance) error { e.Username = "carol"; return nil }); err != nil {
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
