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
	"strings"
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
// loads the file fresh, removes temporary files a killed write left
// (removeStaleTemps), sets mode 0600 on the file, calls fn, and if fn
// returns nil and the rendered content changed, replaces the file
// atomically with mode 0600; a symlink is written through (writeTarget).
// A file that does not parse is never overwritten: its *ParseError is
// returned and fn is not called. A directory at path fails with
// ErrIsDirectory before the lock file is created.
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
	target, err := writeTarget(path)
	if err != nil {
		return err
	}
	// Under the lock no other writer has a temporary file in flight, so
	// any there is left from a killed one, and may hold a token.
	removeStaleTemps(target)
	makePrivate(target)
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
	return writeAtomic(path, target, after)
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

// maxLinks bounds how many symlinks writeTarget follows, like the
// kernel's limit, so a loop ends in an error.
const maxLinks = 40

// writeTarget returns the file a write to path must replace: path itself,
// or, for a symlink (dotfile managers), the file at the end of its links,
// which may not exist yet. Replacing the target rather than path keeps
// the link. A target whose directory is missing is an error naming both:
// creating it would guess at the user's layout, and replacing the link
// would break it.
func writeTarget(path string) (string, error) {
	target := path
	for range maxLinks {
		fi, err := os.Lstat(target)
		if errors.Is(err, fs.ErrNotExist) {
			if target == path {
				return path, nil
			}
			if _, err := os.Stat(filepath.Dir(target)); err != nil {
				return "", fmt.Errorf("%s is a symlink to %s, whose directory is not usable: %w", path, target, err)
			}
			return target, nil
		}
		if err != nil {
			return "", fmt.Errorf("reading config: %w", err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return target, nil
		}
		dest, err := os.Readlink(target)
		if err != nil {
			return "", fmt.Errorf("reading config: %w", err)
		}
		if !filepath.IsAbs(dest) {
			// A relative link is relative to the directory that really
			// holds it; a lexical join would get ".." wrong when that
			// directory was reached through another link.
			dir, err := filepath.EvalSymlinks(filepath.Dir(target))
			if err != nil {
				return "", fmt.Errorf("reading config: %w", err)
			}
			dest = filepath.Join(dir, dest)
		}
		target = dest
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
}

// writeAtomic replaces target (see writeTarget) with data via a temp file
// in the same directory, so readers see either the old or the new file.
// path is the name the user knows, for messages.
func writeAtomic(path, target string, data []byte) (err error) {
	dir := filepath.Dir(target)
	tmp, err := os.CreateTemp(dir, tempPrefix(filepath.Base(target))+"*.tmp")
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

// makePrivate sets mode 0600 on an existing target, as a write would:
// it may hold a token, and a hand-made or copied file is often 0644, so
// every update fixes the mode, not only one that changes the content.
// Best effort: the file stays readable, and File.Permissions reports a
// mode that could not be fixed.
func makePrivate(target string) {
	if runtime.GOOS == "windows" {
		return
	}
	if fi, err := os.Stat(target); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm() != 0o600 {
		_ = os.Chmod(target, 0o600)
	}
}

// tempPrefix is how the temporary files for a file named base start:
// hidden, with one dot (".rhoderc.123.tmp"); os.CreateTemp puts decimal
// digits after it.
func tempPrefix(base string) string {
	return "." + strings.TrimPrefix(base, ".") + "."
}

// removeStaleTemps removes the temporary files that writes to target
// left behind when killed: regular files in its directory named
// tempPrefix, digits, ".tmp", and those of the two-dot name older
// versions used ("..rhoderc.123.tmp"). Nothing else is touched. It is
// best effort: a failure here must not stop the update.
func removeStaleTemps(target string) {
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefixes := []string{tempPrefix(base), "." + base + "."}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		for _, p := range prefixes {
			digits, ok := strings.CutPrefix(e.Name(), p)
			if !ok {
				continue
			}
			if digits, ok = strings.CutSuffix(digits, ".tmp"); ok && allDigits(digits) {
				_ = os.Remove(filepath.Join(dir, e.Name()))
				break
			}
		}
	}
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
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
