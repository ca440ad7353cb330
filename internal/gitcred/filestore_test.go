package gitcred

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFileStoreFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "creds")
	s := NewFileStore(path)
	ctx := context.Background()
	c := cr("https", "code.example.com:8443", "team/r x.git", "a@b", "p:w/%+ é")
	exp := cr("http", "h", "", "u", "p")
	exp.PasswordExpiryUTC = time.Now().Add(time.Hour).Unix()
	for _, c := range []Credential{c, exp} {
		if err := s.Store(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "http://u:p@h # expiry " + strconv.FormatInt(exp.PasswordExpiryUTC, 10) + "\n" +
		"https://a%40b:p%3aw%2f%25%2b%20%c3%a9@code.example.com%3a8443/team/r%20x.git\n"
	if string(got) != want {
		t.Errorf("file =\n%s\nwant\n%s", got, want)
	}
}

// Files written by git credential-store and by FileStore are interchangeable
// (for entries without expiry).
func TestFileStoreGitInterop(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	gitStore := func(file, op, input string) string {
		t.Helper()
		cmd := exec.Command("git", "credential-store", "--file="+file, op)
		cmd.Env = append(os.Environ(), "HOME="+dir, "GIT_CONFIG_NOSYSTEM=1", "XDG_CONFIG_HOME="+dir)
		cmd.Stdin = strings.NewReader(input)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git credential-store %s: %v\n%s", op, err, out)
		}
		return string(out)
	}
	creds := []Credential{
		cr("https", "code.example.com:8443", "team/r x.git", "a@b", "p:w/%+ é=?&"),
		cr("https", "sso.tld", "", "", ""),
		cr("http", "127.0.0.1:33139", "repo.git", "alice", "GOODTOKEN"),
	}
	ours := filepath.Join(dir, "ours")
	theirs := filepath.Join(dir, "theirs")
	s := NewFileStore(ours)
	for _, c := range creds {
		if err := s.Store(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		var in bytes.Buffer
		if err := Write(&in, c); err != nil {
			t.Fatal(err)
		}
		gitStore(theirs, "store", in.String())
	}
	a, _ := os.ReadFile(ours)
	b, _ := os.ReadFile(theirs)
	if !bytes.Equal(a, b) {
		t.Errorf("our file differs from git's:\nours:\n%s\ngit's:\n%s", a, b)
	}
	for _, c := range creds {
		q := c
		q.Password, q.HasPassword = "", false
		var in bytes.Buffer
		if err := Write(&in, q); err != nil {
			t.Fatal(err)
		}
		// git reads ours...
		if got, want := gitStore(ours, "get", in.String()), "username="+c.Username+"\npassword="+c.Password+"\n"; got != want {
			t.Errorf("git get on our file = %q, want %q", got, want)
		}
		// ...and we read git's.
		got, ok, err := NewFileStore(theirs).Get(context.Background(), q)
		if err != nil || !ok || got.Username != c.Username || got.Password != c.Password {
			t.Errorf("Get on git's file = %+v %v %v, want %s:%s", got, ok, err, c.Username, c.Password)
		}
	}
}

func TestFileStoreModeAndAtomicity(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "dir")
	path := filepath.Join(dir, "creds")
	s := NewFileStore(path)
	ctx := context.Background()
	if err := s.Store(ctx, cr("https", "a", "", "u", "p")); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if m := before.Mode().Perm(); m != 0o600 {
			t.Errorf("file mode %v, want 0600", m)
		}
		if d, _ := os.Stat(dir); d.Mode().Perm() != 0o700 {
			t.Errorf("dir mode %v, want 0700", d.Mode().Perm())
		}
	}
	// Loosen the mode: a rewrite replaces the file, so it is 0600 again.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Store(ctx, cr("https", "b", "", "u", "p")); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// A new inode shows the file was replaced by rename, never rewritten in
	// place, so a reader sees the old or the new file, nothing in between.
	if os.SameFile(before, after) {
		t.Error("Store rewrote the file in place instead of renaming a new one over it")
	}
	if runtime.GOOS != "windows" && after.Mode().Perm() != 0o600 {
		t.Errorf("mode after rewrite %v, want 0600", after.Mode().Perm())
	}
	// The kernel lock's file stays (see filelock); no temp file or git
	// lock file is left.
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if len(names) != 2 || names[0] != "creds" || names[1] != filepath.Base(lockPath(path)) {
		t.Errorf("directory holds %v, want only the store file and its lock file", names)
	}
	if fi, err := os.Stat(lockPath(path)); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v %v, want mode 0600", fi, err)
	}
}

func TestFileStoreKeepsCommentsAndOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "creds")
	orig := "# my credentials\n\nhttps://x:1@keep.example\nhttps://u:old@h\n# end\n"
	if err := os.WriteFile(path, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	s := NewFileStore(path)
	ctx := context.Background()
	if err := s.Store(ctx, cr("https", "h", "", "u", "new")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "https://u:new@h\n# my credentials\n\nhttps://x:1@keep.example\n# end\n"
	if string(got) != want {
		t.Errorf("after Store:\n%s\nwant\n%s", got, want)
	}
	if err := s.Erase(ctx, cr("https", "h", "", "-", "-")); err != nil {
		t.Fatal(err)
	}
	got, _ = os.ReadFile(path)
	if want := "# my credentials\n\nhttps://x:1@keep.example\n# end\n"; string(got) != want {
		t.Errorf("after Erase:\n%s\nwant\n%s", got, want)
	}
}

func TestFileStoreBrokenFileIsNeverOverwritten(t *testing.T) {
	const secret = "SECRETPW"
	tests := []struct {
		name, content string
		line          string
	}{
		{"junk", "https://u:p@h\nthis is junk " + secret + "\n", ":2:"},
		{"no scheme", "u:" + secret + "@h\n", ":1:"},
		{"no password", "https://u:p@a\n\nhttps://" + secret + "@h\n", ":3:"},
		{"no host", "https://u:" + secret + "@/path\n", ":1:"},
		{"bad expiry", "https://u:" + secret + "@h # expiry tomorrow\n", ":1:"},
		{"trailing garbage", "https://u:" + secret + "@h extra\n", ":1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "creds")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			s := NewFileStore(path)
			ctx := context.Background()
			q := cr("https", "h", "", "u", "p")
			_, _, gerr := s.Get(ctx, q)
			for op, err := range map[string]error{
				"get": gerr, "store": s.Store(ctx, q), "erase": s.Erase(ctx, q),
			} {
				if err == nil {
					t.Fatalf("%s: no error for a broken file", op)
				}
				msg := err.Error()
				if !errors.Is(err, ErrProtocol) || !strings.Contains(msg, path+tt.line) ||
					strings.Contains(msg, secret) || strings.Contains(msg, "\n") {
					t.Errorf("%s: error %q: want ErrProtocol, one line naming %s%s, no secret", op, msg, path, tt.line)
				}
			}
			got, _ := os.ReadFile(path)
			if string(got) != tt.content {
				t.Errorf("file changed:\n%s", got)
			}
			if _, err := os.Stat(path + ".lock"); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("lock file left behind: %v", err)
			}
		})
	}
}

func TestFileStoreLockTimeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "creds")
	s := NewFileStore(path)
	s.LockTimeout = 100 * time.Millisecond
	ctx := context.Background()
	if err := s.Store(ctx, cr("https", "h", "", "u", "p")); err != nil {
		t.Fatal(err)
	}
	// Another process holds the lock.
	holder := holdLock(t, path)
	start := time.Now()
	err := s.Store(ctx, cr("https", "h2", "", "u", "p"))
	if !errors.Is(err, ErrLockTimeout) || !strings.Contains(err.Error(), lockPath(path)) {
		t.Errorf("Store with a held lock = %v, want a timeout naming the lock file", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("waited %v", d)
	}
	// A cancelled context ends the wait early.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	s.LockTimeout = time.Hour
	if err := s.Erase(cctx, cr("https", "h", "", "-", "-")); !errors.Is(err, context.Canceled) {
		t.Errorf("Erase with a cancelled context = %v", err)
	}
	// Reads do not need the lock.
	if _, ok, err := s.Get(ctx, cr("https", "h", "", "-", "-")); err != nil || !ok {
		t.Errorf("Get while locked = %v %v", ok, err)
	}
	// The holder is killed: the kernel frees its lock at once.
	if err := holder.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = holder.Wait()
	s.LockTimeout = 0
	start = time.Now()
	if err := s.Store(ctx, cr("https", "h2", "", "u", "p")); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Store after the holder died took %v", d)
	}
}

func TestFileStoreEraseWithoutFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	s := NewFileStore(filepath.Join(dir, "creds"))
	if err := s.Erase(context.Background(), cr("https", "h", "", "-", "-")); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Get(context.Background(), cr("https", "h", "", "-", "-")); ok || err != nil {
		t.Fatalf("Get = %v %v", ok, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Erase/Get created %s", dir)
	}
}

func TestFileStoreFollowsSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	link := filepath.Join(dir, "link")
	if err := os.WriteFile(real, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := NewFileStore(link).Store(context.Background(), cr("https", "h", "", "u", "p")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v %v", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(real); string(b) != "https://u:p@h\n" {
		t.Errorf("target holds %q", b)
	}
}

// TestFileStoreSlashPaths: a path's leading slash is kept (written as
// %2f), and one with a trailing slash, which would read back without it so
// that Get could never find it and each Store would add a line, is refused
// and leaves the file as it was (both found by FuzzCredentialsFileFormat).
func TestFileStoreSlashPaths(t *testing.T) {
	path := filepath.Join(t.TempDir(), "creds")
	s := NewFileStore(path)
	ctx := context.Background()
	for _, p := range []string{"/", "/team/r.git", "//x"} {
		if err := s.Store(ctx, cr("https", "h", p, "u", "p"+p)); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.Get(ctx, Credential{Protocol: "https", Host: "h", Path: p})
		if err != nil || !ok || got.Path != p || got.Password != "p"+p {
			t.Errorf("Get(path %q) = %+v, %v, %v", p, got, ok, err)
		}
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"team/r.git/", "//"} {
		err := s.Store(ctx, cr("https", "h", p, "u", "p2"))
		if !errors.Is(err, ErrProtocol) {
			t.Errorf("Store(path %q) = %v, want ErrProtocol", p, err)
		}
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Errorf("file changed:\n%s\nwant\n%s", after, before)
	}
}
