package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/internal/hgtest"
	"github.com/rhodecode-cli/rhodecode/internal/testenv"
)

// The playground is run as a user runs it: built, started, its printed
// lines pasted into a shell, stopped with a signal.
func TestPlayground(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the playground and rhodecode")
	}
	for _, tool := range []string{"go", "git", "sh"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s: %v", tool, err)
		}
	}
	bin := filepath.Join(t.TempDir(), "demo")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	t.Run("printed lines work, Ctrl-C stops cleanly", func(t *testing.T) {
		pg := startPlayground(t, bin, "-serve")
		url := pg.match(t, `^Fake RhodeCode \S+ listening at (http://127\.0\.0\.1:[0-9]+)$`)
		users := map[string]string{}
		for _, m := range regexp.MustCompile(`(?m)^  (\w+) +password (\S+) +\w+ access`).FindAllStringSubmatch(pg.out(), -1) {
			users[m[1]] = m[2]
		}
		if users["alice"] == "" || users["bob"] == "" {
			t.Fatalf("no passwords for alice and bob in:\n%s", pg.out())
		}
		paste := pg.pasteBlock(t)
		rhoderc := pg.match(t, `export .* RHODERC=(\S+) `)

		// The pasted lines, as typed; only the password comes through a
		// pipe instead of the masked prompt. Then bob's password, too.
		var script []string
		for _, l := range paste {
			if strings.HasPrefix(l, "rhodecode auth login ") {
				l += " --password-stdin <<'EOF'\n" + users["alice"] + "\nEOF"
			}
			script = append(script, l)
		}
		script = append(script, "rhodecode auth login --url "+url+" --name as-bob --username bob --storage file --password-stdin <<'EOF'\n"+users["bob"]+"\nEOF",
			"rhodecode auth status")
		home, work := t.TempDir(), t.TempDir()
		sh := exec.Command("sh", "-ec", strings.Join(script, "\n"))
		sh.Dir = work
		sh.Env = append(cleanEnv(), "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0")
		out, err := sh.CombinedOutput()
		if err != nil {
			t.Fatalf("the pasted lines failed: %v\n%s\nscript:\n%s", err, out, strings.Join(script, "\n"))
		}
		if _, err := os.Stat(filepath.Join(work, "hello", "README.md")); err != nil {
			t.Errorf("git clone left no hello/README.md: %v\n%s", err, out)
		}
		// hg and svn, where the playground serves them, clone with the
		// VCS token setup-hg and setup-svn put in the playground's HOME.
		// In CI (RHODECODE_TEST_HG/SVN=1) they must be there.
		for _, r := range []struct{ repo, dir, file, require string }{
			{demoHgRepo, "hello-hg", "README.md", hgtest.EnvRequire},
			{demoSvnRepo, "trunk", "README.txt", fakerc.TestSVNEnv},
		} {
			if !strings.Contains(pg.out(), r.repo+" ") || strings.Contains(pg.out(), "("+r.repo+": skipped") {
				if testenv.Required(r.require) {
					t.Errorf("%s=1 but the playground does not serve %s:\n%s", r.require, r.repo, pg.out())
				}
				continue
			}
			if _, err := os.Stat(filepath.Join(work, r.dir, r.file)); err != nil {
				t.Errorf("the %s checkout left no %s/%s: %v\n%s", r.repo, r.dir, r.file, err, out)
			}
		}
		if st := string(out); !strings.Contains(st, "\talice\tfile\t") || !strings.Contains(st, "\tbob\tfile\t") {
			t.Errorf("auth status does not show alice and bob logged in:\n%s", out)
		}
		// Nothing landed in the user's HOME: the export line's HOME,
		// RHODERC and GIT_CONFIG_GLOBAL kept it all in the playground's
		// directory.
		if left, _ := os.ReadDir(home); len(left) > 0 {
			t.Errorf("the pasted lines wrote to HOME: %v", left)
		}
		if _, err := os.Stat(rhoderc); err != nil {
			t.Errorf("RHODERC %s: %v", rhoderc, err)
		}

		pg.stop(t, os.Interrupt)
		if _, err := os.Stat(filepath.Dir(rhoderc)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the playground's directory is left after Ctrl-C: %v", err)
		}
		resp, err := (&net.Dialer{Timeout: time.Second}).Dial("tcp", strings.TrimPrefix(url, "http://"))
		if err == nil {
			resp.Close()
			t.Errorf("the server still answers at %s after Ctrl-C", url)
		}
	})

	t.Run("-addr and SIGTERM", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		pg := startPlayground(t, bin, "-serve", "-addr", addr)
		if url := pg.match(t, `listening at (\S+)$`); url != "http://"+addr {
			t.Errorf("listening at %s, want http://%s", url, addr)
		}
		pg.stop(t, syscall.SIGTERM)
	})

	t.Run("taken address", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		cmd := exec.Command(bin, "-serve", "-addr", l.Addr().String())
		cmd.Env = cleanEnv()
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Fatalf("exit: %v, want status 1\n%s", err, out)
		}
		if !strings.Contains(string(out), "playground: cannot start the fake server on "+l.Addr().String()+" (choose another -addr)") {
			t.Errorf("output does not name the address:\n%s", out)
		}
	})

	t.Run("-addr without -serve", func(t *testing.T) {
		out, err := exec.Command(bin, "-addr", "127.0.0.1:0").CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "add -serve") {
			t.Errorf("exit: %v, want status 2 and a hint\n%s", err, out)
		}
	})
}

// cleanEnv is the test's environment without RHODECODE_* (CI sets
// RHODECODE_TEST_KEYRING), RHODERC, GIT_* or a D-Bus session. HOME stays
// for go build's cache; the pasted lines get a HOME of their own.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "RHODECODE_") || strings.HasPrefix(name, "GIT_") ||
			name == "RHODERC" || name == "DBUS_SESSION_BUS_ADDRESS" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// runningPlayground is a started playground and what it printed.
type runningPlayground struct {
	cmd   *exec.Cmd
	lines chan string // closed at EOF
	seen  []string
	done  chan error
}

// startPlayground runs the playground and waits until it says it is up.
func startPlayground(t *testing.T, bin string, args ...string) *runningPlayground {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = cleanEnv()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pg := &runningPlayground{cmd: cmd, lines: make(chan string, 100), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			pg.lines <- sc.Text()
		}
		_, _ = io.Copy(io.Discard, stdout)
		close(pg.lines)
		pg.done <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	// A cold build cache makes the first build slow.
	timeout := time.After(3 * time.Minute)
	for {
		select {
		case l, ok := <-pg.lines:
			if !ok {
				t.Fatalf("the playground exited before it was up: %v\n%s", <-pg.done, pg.out())
			}
			pg.seen = append(pg.seen, l)
			if l == "Press Ctrl-C to stop the server." {
				return pg
			}
		case <-timeout:
			t.Fatalf("the playground is not up after 3 minutes:\n%s", pg.out())
		}
	}
}

func (pg *runningPlayground) out() string { return strings.Join(pg.seen, "\n") + "\n" }

// match returns the first submatch of re in the output so far.
func (pg *runningPlayground) match(t *testing.T, re string) string {
	t.Helper()
	m := regexp.MustCompile("(?m)" + re).FindStringSubmatch(pg.out())
	if m == nil {
		t.Fatalf("no line matches %s in:\n%s", re, pg.out())
	}
	return m[1]
}

// pasteBlock is the indented lines after "In another terminal, paste:".
func (pg *runningPlayground) pasteBlock(t *testing.T) []string {
	t.Helper()
	var block []string
	in := false
	for _, l := range pg.seen {
		switch {
		case l == "In another terminal, paste:":
			in = true
		case in && l == "" && len(block) > 0:
			return block
		case in && strings.HasPrefix(l, "  "):
			block = append(block, strings.TrimPrefix(l, "  "))
		}
	}
	t.Fatalf("no paste block in:\n%s", pg.out())
	return nil
}

// stop sends sig and wants a clean exit (status 0) that says so.
func (pg *runningPlayground) stop(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := pg.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(20 * time.Second)
	for {
		select {
		case l, ok := <-pg.lines:
			if ok {
				pg.seen = append(pg.seen, l)
				continue
			}
			if err := <-pg.done; err != nil {
				t.Fatalf("after %v: %v, want exit status 0\n%s", sig, err, pg.out())
			}
			if !strings.Contains(pg.out(), "Stopping the playground.") {
				t.Errorf("no goodbye after %v:\n%s", sig, pg.out())
			}
			return
		case <-timeout:
			t.Fatalf("still running 20 s after %v:\n%s", sig, pg.out())
		}
	}
}
