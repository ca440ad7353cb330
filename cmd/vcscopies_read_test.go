package cmd

import (
	"context"
	"sync"
	"testing"

	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// countingStore counts the reads of each keyring item.
type countingStore struct {
	secretStore
	mu   sync.Mutex
	gets map[string]int
}

func (c *countingStore) Get(ctx context.Context, service, account string) (string, error) {
	c.mu.Lock()
	c.gets[service+" "+account]++
	c.mu.Unlock()
	return c.secretStore.Get(ctx, service, account)
}

// auth status reads the managed VCS token from the keyring once per
// instance, for its own column and for hg's and svn's copies alike (a
// locked keyring costs its timeout per read), rejected or not.
func TestStatusReadsVCSTokenOnce(t *testing.T) {
	for _, rejected := range []string{"", "vcs_token_rejected = \"true\"\n"} {
		e := newTestEnv(t)
		in := rhoderc.Instance{Name: "work", URL: "https://code.example.com"}
		writeConfigMode(t, e, "default = \"work\"\n\n[instances.work]\nurl = \"https://code.example.com\"\nusername = \"alice\"\nstorage = \"keyring\"\nvcs_token_id = \"7\"\n"+rejected, 0o600)
		asvc, aacct := secretRef(in, keyring.AccountAPIToken)
		svc, acct := secretRef(in, keyring.AccountVCSToken)
		if err := e.secrets.Set(t.Context(), asvc, aacct, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); err != nil {
			t.Fatal(err)
		}
		if err := e.secrets.Set(t.Context(), svc, acct, "0123456789abcdef0123456789abcdef01234567"); err != nil {
			t.Fatal(err)
		}
		c := &countingStore{secretStore: e.secrets, gets: map[string]int{}}
		e.secrets = c
		e.mustRun("auth", "status", "--offline")
		if n := c.gets[svc+" "+acct]; n != 1 {
			t.Errorf("rejected=%v: the VCS token was read %d times, want 1", rejected != "", n)
		}
	}
}
