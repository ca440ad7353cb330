package gitcred

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/keyring/keyringtest"
)

func newTestKeyring(t *testing.T, s Secrets) *KeyringStore {
	k := NewKeyringStore(s, keyringtest.IsNotFound)
	k.LockPath = filepath.Join(t.TempDir(), "keyring.lock")
	return k
}

func TestKeyringStoreItemFormat(t *testing.T) {
	mem := &keyringtest.Mem{}
	k := newTestKeyring(t, mem)
	ctx := context.Background()
	exp := time.Now().Add(time.Hour).Unix()
	c1 := cr("https", "code.example.com:8443", "", "alice", "t1")
	c2 := cr("https", "code.example.com:8443", "team/repo.git", "bob", "t2")
	c2.PasswordExpiryUTC = exp
	other := cr("http", "code.example.com:8443", "", "carol", "t3")
	for _, c := range []Credential{c1, c2, other} {
		if err := k.Store(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	items := mem.Items()
	if len(items) != 2 {
		t.Fatalf("items %v, want one per protocol://host", items)
	}
	got := items["rhodecode-git:https://code.example.com:8443\x00credentials"]
	var list []map[string]any
	if err := json.Unmarshal([]byte(got), &list); err != nil {
		t.Fatalf("item %q: %v", got, err)
	}
	want := `[{"path":"team/repo.git","username":"bob","password":"t2","expiry":` + jsonInt(exp) + `},{"username":"alice","password":"t1"}]`
	if got != want {
		t.Errorf("item =\n%s\nwant\n%s", got, want)
	}
	// Erasing the last entry deletes the item.
	for _, q := range []Credential{cr("https", "code.example.com:8443", "", "-", "-"), cr("http", "code.example.com:8443", "", "carol", "t3")} {
		if err := k.Erase(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if items := mem.Items(); len(items) != 0 {
		t.Errorf("items left: %v", items)
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestKeyringStoreBrokenItemIsNeverOverwritten(t *testing.T) {
	const secret = "SECRETPW"
	for _, content := range []string{
		`not json ` + secret,
		`{"username":"u","password":"` + secret + `"}`,
		`[{"username":"u","password":` + secret + `}]`,
	} {
		mem := &keyringtest.Mem{}
		ctx := context.Background()
		service := KeyringService("https", "h")
		if err := mem.Set(ctx, service, KeyringAccount, content); err != nil {
			t.Fatal(err)
		}
		k := newTestKeyring(t, mem)
		q := cr("https", "h", "", "u", "p")
		_, _, gerr := k.Get(ctx, q)
		for op, err := range map[string]error{"get": gerr, "store": k.Store(ctx, q), "erase": k.Erase(ctx, q)} {
			if err == nil || !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), service) ||
				strings.Contains(err.Error(), secret) {
				t.Errorf("%s on %q: error %v: want ErrProtocol naming %s without the secret", op, content, err, service)
			}
		}
		if got, _ := mem.Get(ctx, service, KeyringAccount); got != content {
			t.Errorf("item changed to %q", got)
		}
	}
}

var errLocked = errors.New("keyring is locked")

func TestKeyringStoreSecretsErrors(t *testing.T) {
	k := newTestKeyring(t, &keyringtest.Mem{Err: errLocked})
	ctx := context.Background()
	if _, _, err := k.Get(ctx, cr("https", "h", "", "-", "-")); !errors.Is(err, errLocked) {
		t.Errorf("Get = %v, want the keyring's error", err)
	}
	if err := k.Store(ctx, cr("https", "h", "", "u", "p")); !errors.Is(err, errLocked) {
		t.Errorf("Store = %v, want the keyring's error", err)
	}
}

func TestKeyringStoreLockTimeout(t *testing.T) {
	a := newTestKeyring(t, &keyringtest.Mem{})
	unlock, err := a.lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	b := NewKeyringStore(&keyringtest.Mem{}, keyringtest.IsNotFound)
	b.LockPath = a.LockPath
	b.LockTimeout = 50 * time.Millisecond
	if err := b.Store(context.Background(), cr("https", "h", "", "u", "p")); !errors.Is(err, ErrLockTimeout) {
		t.Errorf("Store while locked = %v, want a lock timeout", err)
	}
}

// Parallel read-modify-writes of one item lose nothing with the lock, and
// do lose entries without it, which shows the test can fail.
func TestKeyringStoreParallelSameHost(t *testing.T) {
	const n = 20
	run := func(t *testing.T, withLock bool) int {
		mem := &keyringtest.Mem{}
		mem.Delay = 5 * time.Millisecond
		k := newTestKeyring(t, mem)
		if !withLock {
			k.lock = func(context.Context) (func(), error) { return func() {}, nil }
		}
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				errs <- k.Store(context.Background(), cr("https", "same.example", "", "user"+strconv.Itoa(i), "p"))
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		found := 0
		for i := range n {
			if _, ok, _ := k.Get(context.Background(), cr("https", "same.example", "", "user"+strconv.Itoa(i), "-")); ok {
				found++
			}
		}
		return found
	}
	if got := run(t, true); got != n {
		t.Errorf("with the lock: %d of %d entries survived", got, n)
	}
	if got := run(t, false); got == n {
		t.Errorf("without the lock all %d entries survived; the test could not detect lost updates", n)
	} else {
		t.Logf("without the lock %d of %d entries survived (expected: lost updates)", got, n)
	}
}
