package rhoderc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/filelock"
)

// Lock timing: commands hold the lock for milliseconds, so a wait of
// seconds means a stuck process, which the user should hear about.
const (
	lockTimeout    = 10 * time.Second
	lockRetryDelay = 10 * time.Millisecond
)

// Update is the only way commands write the file. It takes an exclusive
// lock on path+".lock" (waiting at most a few seconds, or until ctx ends),
// loads the file fresh, calls fn, and if fn returns nil and the rendered
// content changed, replaces the file atomically with mode 0600. A file that
// does not parse is never overwritten: its *ParseError is returned and fn
// is not called. A directory at path fails with ErrIsDirectory before the
// lock file is created.
func Update(ctx context.Context, path string, fn func(*File) error) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s: %w", path, ErrIsDirectory)
	}

	unlock, err := lock(ctx, path+".lock")
	if err != nil {
		return err
	}
	defer unlock()

	f, err := Load(path)
	if err != nil {
		return err
	}
	before, err := f.Bytes()
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		return err
	}
	after, err := f.Bytes()
	if err != nil {
		return fmt.Errorf("updating %s: %w", path, err)
	}
	if bytes.Equal(before, after) {
		return nil
	}
	return writeAtomic(path, after)
}

// lock takes the lock file (left in place afterwards; see filelock) and
// words a failure for the user: ErrLockTimeout or the ctx error.
func lock(ctx context.Context, lockPath string) (unlock func(), err error) {
	unlock, err = filelock.Lock(ctx, lockPath, lockTimeout, lockRetryDelay)
	switch {
	case err == nil:
		return unlock, nil
	case ctx.Err() != nil:
		return nil, fmt.Errorf("waiting for lock %s: %w", lockPath, ctx.Err())
	case errors.Is(err, filelock.ErrTimeout):
		return nil, fmt.Errorf("%s: %w", lockPath, ErrLockTimeout)
	}
	return nil, fmt.Errorf("locking %s: %w", lockPath, err)
}

// writeAtomic replaces path with data via a temp file in the same
// directory, so readers see either the old or the new file. A symlinked
// path (dotfile managers) is followed so the link itself survives.
func writeAtomic(path string, data []byte) (err error) {
	target := path
	if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if t, eerr := filepath.EvalSymlinks(path); eerr == nil {
			target = t
		}
	}
	dir := filepath.Dir(target)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	// The token may be in this file, so it is private whatever the old
	// file's mode was.
	if err = tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes the rename durable; best effort, as not every platform or
// file system supports syncing a directory.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
