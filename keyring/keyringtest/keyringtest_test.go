package keyringtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/keyring"
)

// secrets is the method set Mem shares with *keyring.Store.
type secrets interface {
	Get(ctx context.Context, service, account string) (string, error)
	Set(ctx context.Context, service, account, secret string) error
	Delete(ctx context.Context, service, account string) error
}

var (
	_ secrets = (*Mem)(nil)
	_ secrets = (*keyring.Store)(nil)
)

func TestMemRoundTrip(t *testing.T) {
	var m Mem
	ctx := context.Background()
	if items := m.Items(); items == nil || len(items) != 0 {
		t.Fatalf("zero Mem: Items = %#v, want an empty map", items)
	}
	if _, err := m.Get(ctx, "svc", "acct"); !errors.Is(err, keyring.ErrNotFound) || !IsNotFound(err) {
		t.Fatalf("Get of missing: err = %v, want keyring.ErrNotFound", err)
	}
	if err := m.Delete(ctx, "svc", "acct"); !IsNotFound(err) {
		t.Fatalf("Delete of missing: err = %v, want keyring.ErrNotFound", err)
	}
	if err := m.Set(ctx, "svc", "acct", "s1"); err != nil {
		t.Fatal(err)
	}
	if err := m.Set(ctx, "svc", "other", "s2"); err != nil {
		t.Fatal(err)
	}
	if got, err := m.Get(ctx, "svc", "acct"); err != nil || got != "s1" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	items := m.Items()
	if len(items) != 2 || items["svc\x00acct"] != "s1" || items[Key("svc", "other")] != "s2" {
		t.Fatalf("Items = %q", items)
	}
	items["svc\x00acct"] = "changed"
	if got, _ := m.Get(ctx, "svc", "acct"); got != "s1" {
		t.Error("Items is not a copy")
	}
	if err := m.Delete(ctx, "svc", "acct"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Get(ctx, "svc", "acct"); !IsNotFound(err) {
		t.Errorf("Get after Delete: err = %v", err)
	}
}

func TestMemErr(t *testing.T) {
	locked := fmt.Errorf("%w: the keyring is locked", keyring.ErrUnavailable)
	m := &Mem{Err: locked}
	ctx := context.Background()
	if _, err := m.Get(ctx, "s", "a"); err != locked {
		t.Errorf("Get = %v", err)
	}
	if err := m.Set(ctx, "s", "a", "x"); err != locked {
		t.Errorf("Set = %v", err)
	}
	if err := m.Delete(ctx, "s", "a"); err != locked {
		t.Errorf("Delete = %v", err)
	}
	m.Err = nil
	if n := len(m.Items()); n != 0 {
		t.Errorf("failed Set stored %d item(s)", n)
	}
}

func TestMemDelay(t *testing.T) {
	m := &Mem{Delay: 20 * time.Millisecond}
	start := time.Now()
	_, _ = m.Get(context.Background(), "s", "a")
	if d := time.Since(start); d < m.Delay {
		t.Errorf("Get took %v, want at least %v", d, m.Delay)
	}
}

// Concurrent calls are safe (run with -race).
func TestMemConcurrent(t *testing.T) {
	var m Mem
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			acct := fmt.Sprint(i)
			_ = m.Set(ctx, "s", acct, acct)
			_, _ = m.Get(ctx, "s", acct)
			_ = m.Items()
			_ = m.Delete(ctx, "s", acct)
		})
	}
	wg.Wait()
	if n := len(m.Items()); n != 0 {
		t.Errorf("%d items left", n)
	}
}
