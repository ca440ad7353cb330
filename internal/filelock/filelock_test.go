package filelock

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

const retry = 5 * time.Millisecond

func mustLock(t *testing.T, path string) func() {
	t.Helper()
	unlock, err := Lock(context.Background(), path, time.Second, retry)
	if err != nil {
		t.Fatal(err)
	}
	return unlock
}

func TestLockUnlockRelock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock := mustLock(t, path)
	unlock()
	// Unlocking leaves the file in place; it can be locked again.
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("lock file after unlock: %v", err)
	}
	mustLock(t, path)()
}

func TestLockFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	path := filepath.Join(t.TempDir(), "x.lock")
	mustLock(t, path)()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("lock file mode = %v, want 0600", got)
	}
}

func TestLockContendedTimesOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	defer mustLock(t, path)()
	start := time.Now()
	unlock, err := Lock(context.Background(), path, 50*time.Millisecond, retry)
	if !errors.Is(err, ErrTimeout) {
		if unlock != nil {
			unlock()
		}
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if unlock != nil {
		t.Error("unlock func returned with an error")
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("gave up after %v, before the timeout", d)
	}
	// The message does not name the file: callers add it.
	if err.Error() != "timed out waiting for the lock" {
		t.Errorf("err = %q", err)
	}
}

func TestLockZeroTimeoutTriesOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock, err := Lock(context.Background(), path, 0, retry)
	if err != nil {
		t.Fatalf("free lock: %v", err)
	}
	if _, err := Lock(context.Background(), path, 0, retry); !errors.Is(err, ErrTimeout) {
		t.Errorf("held lock: err = %v, want ErrTimeout", err)
	}
	unlock()
}

func TestLockWaitsForRelease(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock := mustLock(t, path)
	released := make(chan struct{})
	go func() {
		time.Sleep(30 * time.Millisecond)
		close(released)
		unlock()
	}()
	unlock2, err := Lock(context.Background(), path, 5*time.Second, retry)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock2()
	select {
	case <-released:
	default:
		t.Error("locked while the other holder still had the lock")
	}
}

func TestLockHonoursContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	defer mustLock(t, path)()

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(30 * time.Millisecond)
		cancel()
	}()
	if _, err := Lock(ctx, path, time.Hour, retry); !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}

	// A ctx deadline shorter than the timeout is the caller's deadline,
	// not a lock timeout.
	dctx, dcancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer dcancel()
	if _, err := Lock(dctx, path, time.Hour, retry); !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrTimeout) {
		t.Errorf("deadline: err = %v, want context.DeadlineExceeded", err)
	}

	// An already-cancelled ctx fails even on a free lock, with either timeout.
	free := filepath.Join(t.TempDir(), "free.lock")
	done, cancelDone := context.WithCancel(context.Background())
	cancelDone()
	for _, timeout := range []time.Duration{0, time.Second} {
		if _, err := Lock(done, free, timeout, retry); !errors.Is(err, context.Canceled) {
			t.Errorf("timeout %v, cancelled ctx: err = %v, want context.Canceled", timeout, err)
		}
	}
}

func TestLockMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "x.lock")
	_, err := Lock(context.Background(), path, time.Second, retry)
	var pe *fs.PathError
	if !errors.As(err, &pe) || !errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrTimeout) {
		t.Errorf("err = %v, want the open error", err)
	}
}
