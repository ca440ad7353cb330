//go:build !windows

package cmd

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"golang.org/x/term"
)

// The tests in this file run the built binary on a real pseudo-terminal,
// so that Ctrl-C goes through the tty driver (ISIG → SIGINT) and Ctrl-D
// through its line discipline, as they do for a user.

// ptyRun is the binary running with a pty as its controlling terminal and
// its stdin, stdout and stderr.
type ptyRun struct {
	t      *testing.T
	ptmx   *os.File // the terminal's side: what is typed, what is shown
	tty    *os.File // the program's side, kept open to read its modes
	before *term.State
	cmd    *exec.Cmd
	exited chan struct{}
	read   chan struct{} // closed when everything shown has been read

	mu  sync.Mutex
	out bytes.Buffer
}

// ptyTimeout bounds each wait; a program that ignores Ctrl-C hits it.
const ptyTimeout = 10 * time.Second

func startOnPTY(t *testing.T, env []string, args ...string) *ptyRun {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ptmx.Close(); tty.Close() })
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 200}); err != nil {
		t.Fatal(err)
	}
	before, err := term.GetState(int(tty.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(testBinary(t), args...)
	c.Env = env
	c.Stdin, c.Stdout, c.Stderr = tty, tty, tty
	// A session of its own with the pty as controlling terminal: the tty
	// driver then sends SIGINT to it for Ctrl-C.
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	p := &ptyRun{t: t, ptmx: ptmx, tty: tty, before: before, cmd: c, exited: make(chan struct{}), read: make(chan struct{})}
	go func() {
		defer close(p.read)
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() { _ = c.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = c.Process.Kill()
			<-p.exited
		}
	})
	return p
}

func (p *ptyRun) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// waitFor waits until the screen shows text.
func (p *ptyRun) waitFor(text string) {
	p.t.Helper()
	deadline := time.Now().Add(ptyTimeout)
	for !strings.Contains(p.output(), text) {
		select {
		case <-p.exited:
			time.Sleep(50 * time.Millisecond) // let the reader catch up
			if strings.Contains(p.output(), text) {
				return
			}
			p.t.Fatalf("exited (code %d) before showing %q; screen:\n%s", p.cmd.ProcessState.ExitCode(), text, p.output())
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("no %q within %v; screen:\n%s", text, ptyTimeout, p.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// send types s on the keyboard.
func (p *ptyRun) send(s string) {
	p.t.Helper()
	if _, err := p.ptmx.Write([]byte(s)); err != nil {
		p.t.Fatal(err)
	}
}

// exit waits for the program to end and returns its exit code; it fails
// the test if the terminal's modes are not the ones it started with.
func (p *ptyRun) exit() int {
	p.t.Helper()
	select {
	case <-p.exited:
	case <-time.After(ptyTimeout):
		p.t.Fatalf("still running %v after the last key; screen:\n%s", ptyTimeout, p.output())
	}
	after, err := term.GetState(int(p.tty.Fd()))
	if err != nil {
		p.t.Fatal(err)
	}
	// With the program's side closed, reading the terminal's side ends
	// (EIO) once all the program wrote has been read: the screen is whole.
	p.tty.Close()
	select {
	case <-p.read:
	case <-time.After(ptyTimeout):
		p.t.Fatalf("the screen did not end after the program did:\n%s", p.output())
	}
	if !reflect.DeepEqual(after, p.before) {
		p.t.Errorf("terminal modes changed by the run:\nbefore %+v\nafter  %+v", p.before, after)
	}
	return p.cmd.ProcessState.ExitCode()
}

// ptyEnv is the child's environment: its own HOME and config file, no
// colour, and a session bus address that leads nowhere, so that the
// user's real keyring is never touched and counts as unavailable.
func ptyEnv(e *testEnv) []string {
	return []string{
		"HOME=" + e.home,
		"RHODERC=" + e.config,
		"PATH=" + os.Getenv("PATH"),
		"TERM=xterm",
		"NO_COLOR=1",
		"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(e.home, "no-bus"),
	}
}

// fileState is the config file's content, or "absent".
func fileState(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "absent"
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func tokenIDs(srv *fakerc.Server, user string) []int {
	var ids []int
	for _, tk := range srv.Tokens(user) {
		ids = append(ids, tk.ID)
	}
	return ids
}

// TestPromptInterrupt presses Ctrl-C at each prompt: the command ends at
// once with 130, the terminal is as it was, and nothing changed on disk or
// on the server. Ctrl-D (end of input) is a clear error, not an answer.
func TestPromptInterrupt(t *testing.T) {
	srv, _ := fakeWithAlice(t)

	cases := []struct {
		name string
		// setup returns the arguments; it may log in first (in-process).
		args func(t *testing.T, e *testEnv) []string
		// answers are {prompt, typed} pairs answered before prompt.
		answers  [][2]string
		prompt   string
		key      string // typed at prompt; "" sends SIGINT with kill(2)
		wantCode int
		wantErr  string
	}{
		{
			name:   "url",
			args:   func(*testing.T, *testEnv) []string { return []string{"auth", "login"} },
			prompt: "RhodeCode URL: ", key: "\x03", wantCode: ExitInterrupted, wantErr: "rhodecode: interrupted",
		},
		{
			name:   "storage",
			args:   func(*testing.T, *testEnv) []string { return []string{"auth", "login", "--url", srv.URL} },
			prompt: "[y/N] ", key: "\x03", wantCode: ExitInterrupted, wantErr: "rhodecode: interrupted",
		},
		{
			name: "username",
			args: func(*testing.T, *testEnv) []string {
				return []string{"auth", "login", "--url", srv.URL, "--storage", "file"}
			},
			prompt: "RhodeCode user name", key: "\x03", wantCode: ExitInterrupted, wantErr: "rhodecode: interrupted",
		},
		{
			name: "password",
			args: func(*testing.T, *testEnv) []string {
				return []string{"auth", "login", "--url", srv.URL, "--storage", "file", "--username", "alice"}
			},
			prompt: "Password for alice", key: "\x03", wantCode: ExitInterrupted, wantErr: "rhodecode: interrupted",
		},
		{
			name: "revoke confirmation",
			args: func(t *testing.T, e *testEnv) []string {
				e.stdin = "wonderland"
				e.mustRun("auth", "login", "--url", srv.URL, "--storage", "file", "--username", "alice", "--password-stdin")
				victim := srv.AddToken("alice", fakerc.RoleVCS, "victim", -1)
				return []string{"token", "revoke", strconv.Itoa(victim.ID)}
			},
			prompt: "Revoke ", key: "\x03", wantCode: ExitInterrupted, wantErr: "rhodecode: interrupted",
		},
		{
			name: "pasted token",
			args: func(*testing.T, *testEnv) []string {
				return []string{"auth", "login", "--url", srv.URL, "--storage", "file"}
			},
			answers: [][2]string{{"RhodeCode user name", "\r"}},
			prompt:  "Paste an API token", key: "a1ce\x03", wantCode: ExitInterrupted, wantErr: "rhodecode: interrupted",
		},
		{
			name:    "password after a typed URL",
			args:    func(*testing.T, *testEnv) []string { return []string{"auth", "login", "--storage", "file"} },
			answers: [][2]string{{"RhodeCode URL: ", srv.URL + "\r"}, {"RhodeCode user name", "alice\r"}},
			prompt:  "Password for alice", key: "wonder\x03", wantCode: ExitInterrupted, wantErr: "rhodecode: interrupted",
		},
		// SIGINT from elsewhere while the masked prompt has the terminal
		// in raw mode: the modes must still come back.
		{
			name: "password, SIGINT from kill",
			args: func(*testing.T, *testEnv) []string {
				return []string{"auth", "login", "--url", srv.URL, "--storage", "file", "--username", "alice"}
			},
			prompt: "Password for alice", key: "", wantCode: ExitInterrupted, wantErr: "rhodecode: interrupted",
		},
		// Typing while the prompt waits, then Ctrl-C: the half-typed
		// text is not taken as the answer.
		{
			name:   "url half typed",
			args:   func(*testing.T, *testEnv) []string { return []string{"auth", "login"} },
			prompt: "RhodeCode URL: ", key: "https://cl\x03", wantCode: ExitInterrupted, wantErr: "rhodecode: interrupted",
		},
		{
			name:   "url end of input",
			args:   func(*testing.T, *testEnv) []string { return []string{"auth", "login"} },
			prompt: "RhodeCode URL: ", key: "\x04", wantCode: ExitError, wantErr: `standard input ended before "RhodeCode URL" was answered`,
		},
		{
			name: "password end of input",
			args: func(*testing.T, *testEnv) []string {
				return []string{"auth", "login", "--url", srv.URL, "--storage", "file", "--username", "alice"}
			},
			prompt: "Password for alice", key: "\x04", wantCode: ExitError, wantErr: "standard input ended before",
		},
		{
			name: "revoke end of input",
			args: func(t *testing.T, e *testEnv) []string {
				e.stdin = "wonderland"
				e.mustRun("auth", "login", "--url", srv.URL, "--storage", "file", "--username", "alice", "--password-stdin")
				victim := srv.AddToken("alice", fakerc.RoleVCS, "victim", -1)
				return []string{"token", "revoke", strconv.Itoa(victim.ID)}
			},
			prompt: "Revoke ", key: "\x04", wantCode: ExitError, wantErr: "standard input ended before",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			args := tc.args(t, e)
			config := fileState(t, e.config)
			tokens := tokenIDs(srv, "alice")

			p := startOnPTY(t, ptyEnv(e), args...)
			for _, a := range tc.answers {
				p.waitFor(a[0])
				p.send(a[1])
			}
			p.waitFor(tc.prompt)
			if tc.key == "" {
				time.Sleep(100 * time.Millisecond) // let the read start
				if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
					t.Fatal(err)
				}
			} else {
				p.send(tc.key)
			}
			if code := p.exit(); code != tc.wantCode {
				t.Fatalf("exit %d, want %d; screen:\n%s", code, tc.wantCode, p.output())
			}
			screen := p.output()
			if !strings.Contains(screen, tc.wantErr) {
				t.Errorf("screen does not say %q:\n%s", tc.wantErr, screen)
			}
			if strings.Contains(screen, "not a URL") {
				t.Errorf("half-typed text taken as the answer:\n%s", screen)
			}
			if got := fileState(t, e.config); got != config {
				t.Errorf("config file changed:\nbefore %s\nafter  %s", config, got)
			}
			if got := tokenIDs(srv, "alice"); !reflect.DeepEqual(got, tokens) {
				t.Errorf("tokens on the server changed: before %v, after %v", tokens, got)
			}
		})
	}
}

// TestLoginChecksURLFirst: a URL that does not answer, or answers but not
// as RhodeCode, ends the login with today's error and exit code before any
// other question (storage, user name, password) is asked.
func TestLoginChecksURLFirst(t *testing.T) {
	closed := fakerc.New(t)
	closedURL := closed.URL
	closed.Close()
	portal := fakerc.New(t)
	portal.SetFault(fakerc.FaultHTML200)

	later := []string{"[y/N]", "user name", "Password", "Paste an API token"}
	cases := []struct {
		name    string
		args    []string
		typed   string // the answer to "RhodeCode URL: ", when asked
		wantErr string
	}{
		{name: "typed, refused", args: []string{"auth", "login"}, typed: closedURL, wantErr: "connection refused"},
		{name: "typed, not RhodeCode", args: []string{"auth", "login"}, typed: portal.URL, wantErr: "HTML page"},
		{name: "flags, refused", args: []string{"auth", "login", "--url", closedURL, "--username", "alice"}, wantErr: "connection refused"},
		{name: "flags, not RhodeCode", args: []string{"auth", "login", "--url", portal.URL, "--username", "alice", "--storage", "file"}, wantErr: "HTML page"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			p := startOnPTY(t, ptyEnv(e), tc.args...)
			if tc.typed != "" {
				p.waitFor("RhodeCode URL: ")
				p.send(tc.typed + "\r")
			}
			if code := p.exit(); code != ExitUnreachable {
				t.Fatalf("exit %d, want %d; screen:\n%s", code, ExitUnreachable, p.output())
			}
			screen := p.output()
			if !strings.Contains(screen, tc.wantErr) {
				t.Errorf("screen does not say %q:\n%s", tc.wantErr, screen)
			}
			for _, q := range later {
				if strings.Contains(screen, q) {
					t.Errorf("asked %q after a bad URL:\n%s", q, screen)
				}
			}
			if got := fileState(t, e.config); got != "absent" {
				t.Errorf("config file written: %s", got)
			}
		})
	}
}

// TestInteractiveLoginOnPTY: with a good URL every question is asked in
// turn and the login goes through.
func TestInteractiveLoginOnPTY(t *testing.T) {
	srv, _ := fakeWithAlice(t)
	e := newTestEnv(t)
	before := len(srv.Tokens("alice"))
	p := startOnPTY(t, ptyEnv(e), "auth", "login")
	p.waitFor("RhodeCode URL: ")
	p.send(srv.URL + "\r")
	p.waitFor("[y/N] ") // the keyring is unavailable: keep the token in the file?
	p.send("y\r")
	p.waitFor("RhodeCode user name")
	p.send("alice\r")
	p.waitFor("Password for alice")
	p.send("wonderland\r")
	if code := p.exit(); code != 0 {
		t.Fatalf("exit %d; screen:\n%s", code, p.output())
	}
	screen := p.output()
	if !strings.Contains(screen, "Logged in to "+srv.URL+" as alice") {
		t.Errorf("no success line:\n%s", screen)
	}
	if strings.Contains(screen, "wonderland") {
		t.Error("password echoed")
	}
	if got := len(srv.Tokens("alice")); got != before+1 {
		t.Errorf("alice has %d tokens, want %d", got, before+1)
	}
	if cfg := fileState(t, e.config); !strings.Contains(cfg, "alice") {
		t.Errorf("config file does not record alice:\n%s", cfg)
	}
}

// On a colour terminal the icons keep their colour codes: the sanitiser
// of server text (termtext.Fprintf) passes them whole, where it once
// printed "[32m✓[0m" with the escapes removed.
func TestIconsInColourOnPTY(t *testing.T) {
	home := t.TempDir()
	env := []string{
		"HOME=" + home, "RHODERC=" + filepath.Join(home, ".rhoderc"), "PATH=" + os.Getenv("PATH"), "TERM=xterm",
		"RHODECODE_HOST=https://code.example.com", "RHODECODE_USERNAME=bot",
		"RHODECODE_VCS_TOKEN=0123456789abcdef0123456789abcdef01234567",
	}
	p := startOnPTY(t, env, "setup-hg")
	p.waitFor("hg uses RHODECODE_VCS_TOKEN")
	if code := p.exit(); code != 0 {
		t.Fatalf("exit %d; screen:\n%s", code, p.output())
	}
	if out := p.output(); !strings.Contains(out, "\x1b[32m✓\x1b[0m hg uses") {
		t.Errorf("no green check mark on the terminal:\n%q", out)
	}
}
