// Package filelock serialises read-modify-write cycles across processes:
// two rhodecode commands, or parallel git processes running the credential
// helper, that read a shared file or keyring item, change it and write it
// back would otherwise lose one another's changes.
//
// The lock is an advisory lock (flock on Unix, LockFileEx on Windows) on a
// lock file, which the kernel releases when the process dies, so a crash
// never leaves a stale lock. The lock file is left in place on purpose:
// deleting it after use would let a waiter lock a file that a newcomer has
// already replaced, and the two would then run at the same time.
//
// The wait is bounded: holders keep the lock for milliseconds, so a wait of
// seconds means a stuck process, which the user should hear about
// (ErrTimeout) rather than see a command hang.
//
// It is the only package of this module that imports github.com/gofrs/flock.
package filelock

import (
	"context"
	"errors"
	"time"

	"github.com/gofrs/flock"
)

// ErrTimeout is returned by Lock when another holder kept the lock for
// longer than the timeout.
var ErrTimeout = errors.New("timed out waiting for the lock")

// errNotAcquired reports a lock attempt that neither succeeded nor failed;
// gofrs/flock does not do that, but Lock does not rely on it.
var errNotAcquired = errors.New("lock not acquired")

// Lock takes an exclusive lock on the file at path, creating it with mode
// 0600 (before the umask) if needed; its directory must exist. It tries
// every retry until it has the lock, timeout has passed (ErrTimeout), or
// ctx is done (ctx.Err()); a timeout <= 0 means a single try. Errors do not
// name path, so that callers can word them; an error opening the file is
// returned as is (an *fs.PathError names the file).
//
// unlock releases the lock and closes the file; it does not remove it.
func Lock(ctx context.Context, path string, timeout, retry time.Duration) (unlock func(), err error) {
	fl := flock.New(path, flock.SetPermissions(0o600))
	var ok bool
	if timeout <= 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ok, err = fl.TryLock()
		if !ok && err == nil {
			err = ErrTimeout
		}
	} else {
		tctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		ok, err = fl.TryLockContext(tctx, retry)
	}
	switch {
	case ok:
		return func() { _ = fl.Unlock() }, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.Is(err, context.DeadlineExceeded):
		return nil, ErrTimeout
	case err != nil:
		return nil, err
	}
	return nil, errNotAcquired
}
