package rhoderc

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

const crashEnv = "RHODERC_TEST_CRASH_WRITER"

// crashStates are the two contents the crash writer alternates between;
// the token makes each a file that must stay private.
func crashStates(i int) (name, token string) {
	return "work", strings.Repeat(string(rune('a'+i%2)), 40)
}

// TestCrashWriterProcess is not a real test: TestUpdateSurvivesKill runs
// the test binary with it selected, as a writer to kill.
func TestCrashWriterProcess(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("crash writer process only")
	}
	fmt.Println("ready")
	for i := 0; ; i++ {
		err := Update(context.Background(), path, func(f *File) error {
			name, tok := crashStates(i)
			f.SetInstance(Instance{Name: name, URL: "https://code.example.com", Storage: StorageFile, Token: tok})
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "writer:", err)
			os.Exit(1)
		}
	}
}

// TestUpdateSurvivesKill kills a process that writes the file in a loop
// (SIGKILL, at random points) 100 times. After each kill the file parses
// and holds one of the two states, and the only leftover can be a
// temporary file with the one-dot name; the next Update removes it and
// makes the file 0600 again.
func TestUpdateSurvivesKill(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL and Unix permissions")
	}
	if testing.Short() {
		t.Skip("spawns 100 processes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, ".rhoderc")
	var states [][]byte
	for i := range 2 {
		f, err := Parse(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		name, tok := crashStates(i)
		f.SetInstance(Instance{Name: name, URL: "https://code.example.com", Storage: StorageFile, Token: tok})
		b, err := f.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		states = append(states, b)
	}
	if err := os.WriteFile(path, states[0], 0o600); err != nil {
		t.Fatal(err)
	}
	tempName := func(name string) bool { return strings.HasSuffix(name, ".tmp") }

	leftovers := 0
	for round := range 100 {
		// A 0644 file must be 0600 after the next Update, whether the
		// writer got to replace it or not.
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWriterProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+path)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if _, err := bufio.NewReader(stdout).ReadString('\n'); err != nil {
			_ = cmd.Wait()
			t.Fatalf("round %d: writer did not start: %v\n%s", round, err, stderr.String())
		}
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
		_ = cmd.Process.Kill()
		// Anything but death by the signal means the writer failed.
		if err := cmd.Wait(); err == nil || cmd.ProcessState.Exited() {
			t.Fatalf("round %d: writer ended on its own (%v):\n%s", round, err, stderr.String())
		}

		check := func(when string) {
			t.Helper()
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("round %d %s: %v", round, when, err)
			}
			if !slices.ContainsFunc(states, func(s []byte) bool { return string(s) == string(b) }) {
				t.Fatalf("round %d %s: content is neither state:\n%s", round, when, b)
			}
			if _, err := Load(path); err != nil {
				t.Fatalf("round %d %s: %v", round, when, err)
			}
		}
		check("after the kill")
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !tempName(e.Name()) {
				continue
			}
			leftovers++
			if strings.HasPrefix(e.Name(), "..") {
				t.Fatalf("round %d: temporary file %q has two leading dots", round, e.Name())
			}
		}

		if err := Update(context.Background(), path, func(*File) error { return nil }); err != nil {
			t.Fatalf("round %d: update after the kill: %v", round, err)
		}
		check("after the next update")
		entries, err = os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() != ".rhoderc" && e.Name() != ".rhoderc.lock" {
				t.Fatalf("round %d: %q left behind", round, e.Name())
			}
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("round %d: mode after the next update: %v (%v), want 0600", round, fi.Mode().Perm(), err)
		}
	}
	t.Logf("%d of 100 kills left a temporary file", leftovers)
}
