package gitcred

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/gitcred/gitcredtest"
	"github.com/rhodecode-cli/rhodecode/keyring/keyringtest"
)

// Environment of a child process started by startChildren.
const (
	childEnvKind = "GITCRED_TEST_CHILD"      // "file" or "keyring"
	childEnvPath = "GITCRED_TEST_CHILD_PATH" // store file, or DirSecrets directory
	childEnvID   = "GITCRED_TEST_CHILD_ID"
)

const storesPerChild = 3

func TestMain(m *testing.M) {
	if kind := os.Getenv(childEnvKind); kind != "" {
		if err := childMain(kind, os.Getenv(childEnvPath), os.Getenv(childEnvID)); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childMain is one of the parallel processes: a git running its helper.
func childMain(kind, path, id string) error {
	var s Store
	switch kind {
	case "file":
		s = NewFileStore(path)
	case "keyring":
		k := NewKeyringStore(gitcredtest.DirSecrets{Dir: path}, keyringtest.IsNotFound)
		k.LockPath = filepath.Join(path, "keyring.lock")
		s = k
	case "holdlock":
		// Hold a FileStore's lock until killed.
		if _, err := NewFileStore(path).lock(context.Background(), path); err != nil {
			return err
		}
		fmt.Println("locked")
		select {}
	default:
		return fmt.Errorf("unknown kind %q", kind)
	}
	for j := range storesPerChild {
		if err := s.Store(context.Background(), childCred(kind, id, j)); err != nil {
			return err
		}
	}
	return nil
}

// childCred: different hosts for the file (one file, many hosts), one host
// and different users for the keyring (one item, many entries).
func childCred(kind, id string, j int) Credential {
	if kind == "file" {
		return cr("https", fmt.Sprintf("host%s-%d.example", id, j), "", "u", "p"+id)
	}
	return cr("https", "same.example", "", fmt.Sprintf("user%s-%d", id, j), "p"+id)
}

func runChildren(t *testing.T, kind, path string, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), goraceEnv(), childEnvKind+"="+kind, childEnvPath+"="+path, childEnvID+"="+strconv.Itoa(i))
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("child %d: %v\n%s", i, err, out)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestParallelProcesses(t *testing.T) {
	const n = 20
	t.Run("file", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "creds")
		runChildren(t, "file", path, n)
		s := NewFileStore(path)
		checkAll(t, s, "file", n)
		if _, err := os.Stat(path + ".lock"); !os.IsNotExist(err) {
			t.Errorf("lock file left: %v", err)
		}
	})
	t.Run("keyring", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		runChildren(t, "keyring", dir, n)
		k := NewKeyringStore(gitcredtest.DirSecrets{Dir: dir}, keyringtest.IsNotFound)
		checkAll(t, k, "keyring", n)
	})
}

func checkAll(t *testing.T, s Store, kind string, n int) {
	t.Helper()
	missing := 0
	for i := range n {
		for j := range storesPerChild {
			c := childCred(kind, strconv.Itoa(i), j)
			q := c
			q.Password, q.HasPassword = "", false
			got, ok, err := s.Get(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			if !ok || got.Password != c.Password {
				missing++
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d stored credentials lost", missing, n*storesPerChild)
	}
}

// Goroutines against the in-memory keyring: different hosts and one host.
func TestKeyringStoreParallelGoroutines(t *testing.T) {
	mem := &keyringtest.Mem{}
	k := newTestKeyring(t, mem)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Go(func() {
			errs <- k.Store(context.Background(), cr("https", fmt.Sprintf("h%d.example", i), "", "u", "p"))
		})
		wg.Go(func() {
			errs <- k.Store(context.Background(), cr("https", "same.example", "", fmt.Sprintf("u%d", i), "p"))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		for _, q := range []Credential{
			cr("https", fmt.Sprintf("h%d.example", i), "", "u", "-"),
			cr("https", "same.example", "", fmt.Sprintf("u%d", i), "-"),
		} {
			if _, ok, err := k.Get(context.Background(), q); !ok || err != nil {
				t.Errorf("lost %s (%s): %v", q.URL(), q.Username, err)
			}
		}
	}
	if got := len(mem.Items()); got != n+1 {
		t.Errorf("%d keyring items, want %d", got, n+1)
	}
}

// holdLock starts a process that holds the FileStore lock of path until the
// test kills it (or ends).
func holdLock(t *testing.T, path string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), goraceEnv(), childEnvKind+"=holdlock", childEnvPath+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("lock holder: %q %v", line, err)
	}
	return cmd
}
