package gitcred

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/filelock"
)

// maxStoreFile caps what FileStore reads; a credentials file is a few KiB.
const maxStoreFile = 16 << 20

// expirySuffix follows the URL on a line whose password expires. URLs never
// contain a space (everything but unreserved characters is escaped), so the
// suffix is unambiguous; git's own store cannot parse such a line, so it
// skips it and keeps it as it is.
const expirySuffix = " # expiry "

// FileStore is a Store in one file in the format of git's credential-store
// (git-credential-store(1)): one URL per line,
//
//	https://user:password@host[/path]
//
// percent-encoded as git does, newest first, optionally followed by
// " # expiry <unix seconds>". Blank lines and lines starting with '#' are
// kept. Lines without an expiry can be read and written by
// "git credential-store --file=<path>" too.
//
// Updates hold a kernel lock (internal/filelock: flock, which the kernel
// releases when the process dies) on path+".flock", a file left in place,
// write the new content to path+".tmp" (mode 0600) and rename it over
// path. The rename is atomic, so readers never see half a file and do not
// lock. A file with a line that is not a credential is never rewritten:
// every method returns an error naming the file and line.
//
// The lock is not git's: git's lockfile protocol (lockfile.c, used by
// git credential-store) creates path+".lock" exclusively, and such a file
// left by a killed process stalls every later writer until someone removes
// it, which cost users their stored credentials. FileStore neither takes
// nor touches path+".lock" (so a stale one from older versions is ignored).
// The trade-off: if git credential-store is pointed at the same file and
// rewrites it in the same milliseconds as FileStore, one of the two updates
// can be lost; the file itself is never torn, as both rename whole files
// into place, and the format stays shared.
type FileStore struct {
	path string
	// LockTimeout bounds the wait for another process's lock; 0 means
	// DefaultLockTimeout. The kernel drops the lock of a process that dies,
	// so only a live, stuck holder makes a store time out.
	LockTimeout time.Duration

	now func() time.Time
}

var _ Store = (*FileStore)(nil)

// NewFileStore returns a FileStore for the file at path. Nothing is created
// until the first Store.
func NewFileStore(path string) *FileStore {
	return &FileStore{path: path, now: time.Now}
}

// Path returns the file the store uses.
func (s *FileStore) Path() string { return s.path }

// Get implements Store.
func (s *FileStore) Get(_ context.Context, q Credential) (Credential, bool, error) {
	if !validQuery(q) {
		return Credential{}, false, nil
	}
	lines, err := s.load(s.path)
	if err != nil {
		return Credential{}, false, err
	}
	now := s.now()
	for _, l := range lines {
		if l.entry != nil && !expired(*l.entry, now) && matches(q, *l.entry, false) {
			return l.entry.credential(), true, nil
		}
	}
	return Credential{}, false, nil
}

// Store implements Store.
func (s *FileStore) Store(ctx context.Context, c Credential) error {
	if !storable(c, s.now()) {
		return nil
	}
	if err := checkFileValues(c); err != nil {
		return err
	}
	first := fileLine{raw: formatLine(entryOf(c))}
	return s.update(ctx, &first, c, false)
}

// checkFileValues is checkValues for a file line: besides, a line's path
// loses its trailing slashes when read (as in git's store), so Get and
// Erase would never find such an entry again and each Store would add
// another line (found by FuzzCredentialsFileFormat). Git never sends such
// a path.
func checkFileValues(c Credential) error {
	if err := checkValues(c); err != nil {
		return err
	}
	if len(c.Path) > 1 && strings.HasSuffix(c.Path, "/") {
		return fmt.Errorf("gitcred: the path ends with a slash: %w", ErrProtocol)
	}
	return nil
}

// Erase implements Store.
func (s *FileStore) Erase(ctx context.Context, q Credential) error {
	if !validQuery(q) {
		return nil
	}
	return s.update(ctx, nil, q, true)
}

// update rewrites the file under the lock: first (if any) goes on top, and
// entries matching q go, as do expired ones, which Get can never return.
// Like git's rewrite_credential_file, but the file is only written when
// something changed.
func (s *FileStore) update(ctx context.Context, first *fileLine, q Credential, matchPassword bool) error {
	path := s.path
	// Follow a symlinked file (dotfile managers) instead of replacing the link.
	if p, err := filepath.EvalSymlinks(path); err == nil {
		path = p
	}
	if first == nil {
		if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
			return nil // nothing to erase; do not create the directory
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("gitcred: %w", err)
	}
	unlock, err := s.lock(ctx, path)
	if err != nil {
		return err
	}
	defer unlock()

	lines, err := s.load(path)
	if err != nil {
		return err
	}
	now := s.now()
	var out bytes.Buffer
	changed := false
	if first != nil {
		out.WriteString(first.raw + "\n")
		changed = true
	}
	for _, l := range lines {
		if l.entry != nil && (expired(*l.entry, now) || matches(q, *l.entry, matchPassword)) {
			changed = true
			continue
		}
		out.WriteString(l.raw + "\n")
	}
	if !changed {
		return nil
	}
	return replaceFile(path, out.Bytes())
}

// replaceFile writes data to path+".tmp" and renames it over path; the
// caller holds the lock.
func replaceFile(path string, data []byte) (err error) {
	tmp := path + ".tmp"
	// Under the lock no other process writes tmp: one that exists was left
	// by a process killed mid-write.
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("gitcred: %w", err)
	}
	// O_EXCL: a new file of ours, 0600 whatever was there, and no symlink
	// followed.
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("gitcred: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("gitcred: writing %s: %w", tmp, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("gitcred: writing %s: %w", tmp, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("gitcred: writing %s: %w", tmp, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("gitcred: replacing %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// lockPath is the kernel lock file that serialises updates of path.
func lockPath(path string) string { return path + ".flock" }

// lock takes the kernel lock for path, waiting at most LockTimeout.
func (s *FileStore) lock(ctx context.Context, path string) (unlock func(), err error) {
	timeout := s.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	lp := lockPath(path)
	unlock, err = filelock.Lock(ctx, lp, timeout, lockRetryDelay)
	switch {
	case err == nil:
		return unlock, nil
	case errors.Is(err, filelock.ErrTimeout):
		return nil, fmt.Errorf("gitcred: %s is locked by another running process (lock file %s): %w", path, lp, ErrLockTimeout)
	}
	return nil, fmt.Errorf("gitcred: locking %s: %w", path, err)
}

type fileLine struct {
	raw   string // the line as read (without line end), written back unchanged
	entry *entry // nil for blank and comment lines
}

// load reads and parses the file; a missing file is empty.
func (s *FileStore) load(path string) ([]fileLine, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("gitcred: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxStoreFile+1))
	if err != nil {
		return nil, fmt.Errorf("gitcred: reading %s: %w", path, err)
	}
	if len(data) > maxStoreFile {
		return nil, fmt.Errorf("gitcred: %s is larger than %d bytes; it is not a credentials file", path, maxStoreFile)
	}
	return parseFile(path, string(data))
}

func parseFile(path, data string) ([]fileLine, error) {
	data = strings.TrimSuffix(data, "\n")
	if data == "" {
		return nil, nil
	}
	var lines []fileLine
	for i, raw := range strings.Split(data, "\n") {
		raw = strings.TrimSuffix(raw, "\r")
		l := fileLine{raw: raw}
		if t := strings.TrimSpace(raw); t != "" && !strings.HasPrefix(t, "#") {
			e, err := parseLine(raw)
			if err != nil {
				// Never quote the line: it holds a password.
				return nil, fmt.Errorf("gitcred: %s:%d: %v; want proto://user:password@host[/path][%s<unix>]; fix or remove the line (the file was not changed): %w",
					path, i+1, err, expirySuffix, ErrProtocol)
			}
			l.entry = &e
		}
		lines = append(lines, l)
	}
	return lines, nil
}

func parseLine(raw string) (entry, error) {
	u, exp, hasExp := strings.Cut(raw, expirySuffix)
	var expiry int64
	if hasExp {
		t, err := strconv.ParseInt(exp, 10, 64)
		if err != nil || t <= 0 {
			return entry{}, errors.New("bad expiry")
		}
		expiry = t
	}
	if strings.ContainsAny(u, " \t") {
		return entry{}, errors.New("not a credential URL")
	}
	c, err := parseURL(u, true)
	if err != nil {
		return entry{}, fmt.Errorf("not a credential URL (%v)", err)
	}
	if c.Host == "" {
		return entry{}, errors.New("no host")
	}
	e := entryOf(c)
	e.Expiry = expiry
	return e, nil
}

// formatLine encodes like git's store_credential_file.
func formatLine(e entry) string {
	var b strings.Builder
	b.WriteString(e.Protocol + "://")
	b.WriteString(gitURLEncode(e.Username, isUnreserved))
	b.WriteByte(':')
	b.WriteString(gitURLEncode(e.Password, isUnreserved))
	b.WriteByte('@')
	b.WriteString(gitURLEncode(e.Host, isUnreserved))
	if e.Path != "" {
		// A reader drops the slashes after the host before decoding, so
		// a path's own leading slash is written escaped (found by
		// FuzzCredentialsFileFormat); git reads "%2f" back as "/" too.
		p := gitURLEncode(e.Path, isPathChar)
		if p[0] == '/' {
			p = "%2f" + p[1:]
		}
		b.WriteString("/" + p)
	}
	if e.Expiry != 0 {
		b.WriteString(expirySuffix + strconv.FormatInt(e.Expiry, 10))
	}
	return b.String()
}

// syncDir makes a rename durable; failure only costs durability on a crash.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
