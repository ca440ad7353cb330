package gitcred

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A process killed while updating the file leaves path+".lock" behind
// (the existence lock of versions before the kernel lock). It must not
// stall the next store, nor cost the credential.
func TestFileStoreStaleLockFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "creds")
	s := NewFileStore(path) // default LockTimeout: 10 s
	ctx := context.Background()
	if err := s.Store(ctx, cr("https", "old.example", "", "u", "p")); err != nil {
		t.Fatal(err)
	}
	// Half a rewrite, as the killed process left it.
	stale := []byte("https://u:p@old.example\nhttps://u:p@half")
	if err := os.WriteFile(path+".lock", stale, 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := s.Store(ctx, cr("https", "new.example", "", "alice", "s3cret")); err != nil {
		t.Fatalf("Store with a stale lock file: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Store took %v with a stale lock file", d)
	}
	for host, want := range map[string]string{"new.example": "s3cret", "old.example": "p"} {
		got, ok, err := s.Get(ctx, cr("https", host, "", "-", "-"))
		if err != nil || !ok || got.Password != want {
			t.Errorf("Get %s = %+v %v %v, want password %q", host, got, ok, err, want)
		}
	}
	if err := s.Erase(ctx, cr("https", "old.example", "", "-", "-")); err != nil {
		t.Fatalf("Erase with a stale lock file: %v", err)
	}
	if _, ok, _ := s.Get(ctx, cr("https", "old.example", "", "-", "-")); ok {
		t.Error("Erase with a stale lock file did not erase")
	}
}

// The kernel lock leaves no path+".lock": git credential-store, which
// takes that name exclusively, can still update a file FileStore wrote.
func TestFileStoreLeavesGitLockFree(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "creds")
	if err := NewFileStore(path).Store(context.Background(), cr("https", "ours.example", "", "u", "p")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "-c", "credentialstore.locktimeoutms=0", "credential-store", "--file="+path, "store")
	cmd.Env = append(os.Environ(), "HOME="+dir, "GIT_CONFIG_NOSYSTEM=1", "XDG_CONFIG_HOME="+dir)
	cmd.Stdin = strings.NewReader("protocol=https\nhost=theirs.example\nusername=g\npassword=q\n\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git credential-store store: %v\n%s", err, out)
	}
	for host, want := range map[string]string{"ours.example": "p", "theirs.example": "q"} {
		got, ok, err := NewFileStore(path).Get(context.Background(), cr("https", host, "", "-", "-"))
		if err != nil || !ok || got.Password != want {
			t.Errorf("Get %s = %+v %v %v", host, got, ok, err)
		}
	}
}
