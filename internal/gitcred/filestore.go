package gitcred

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
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
// Updates use git's lockfile protocol: the new content is written to
// path+".lock", created with O_EXCL and mode 0600, and renamed over path.
// The rename is atomic, so readers never see half a file and do not lock,
// and git's store can safely share the file. A file with a line that is
// not a credential is never rewritten: every method returns an error naming
// the file and line.
type FileStore struct {
	path string
	// LockTimeout bounds the wait for path+".lock"; 0 means
	// DefaultLockTimeout. A lock left by a crashed process is not broken
	// automatically (git does not either); the error says which file to
	// remove.
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
	if err := checkValues(c); err != nil {
		return err
	}
	first := fileLine{raw: formatLine(entryOf(c))}
	return s.update(ctx, &first, c, false)
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
	lockPath := path + ".lock"
	lock, err := s.lock(ctx, path, lockPath)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			lock.Close()
			os.Remove(lockPath)
		}
	}()

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
	if _, err := lock.Write(out.Bytes()); err != nil {
		return fmt.Errorf("gitcred: writing %s: %w", lockPath, err)
	}
	if err := lock.Sync(); err != nil {
		return fmt.Errorf("gitcred: writing %s: %w", lockPath, err)
	}
	if err := lock.Close(); err != nil {
		return fmt.Errorf("gitcred: writing %s: %w", lockPath, err)
	}
	if err := os.Rename(lockPath, path); err != nil {
		return fmt.Errorf("gitcred: replacing %s: %w", path, err)
	}
	committed = true
	syncDir(filepath.Dir(path))
	return nil
}

// lock creates lockPath exclusively, retrying with jittered backoff until
// the timeout (git's hold_lock_file_for_update_timeout does the same).
func (s *FileStore) lock(ctx context.Context, path, lockPath string) (*os.File, error) {
	timeout := s.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	deadline := time.Now().Add(timeout)
	backoff := time.Millisecond
	for {
		f, err := os.OpenFile(lockPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("gitcred: locking %s: %w", path, err)
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return nil, fmt.Errorf("gitcred: %s is locked by another process; if none is running, remove %s: %w", path, lockPath, ErrLockTimeout)
		}
		wait = min(wait, backoff/2+rand.N(backoff))
		if err := sleepCtx(ctx, wait); err != nil {
			return nil, fmt.Errorf("gitcred: locking %s: %w", path, err)
		}
		backoff = min(2*backoff, 50*time.Millisecond)
	}
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
		b.WriteString("/" + gitURLEncode(e.Path, isPathChar))
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
