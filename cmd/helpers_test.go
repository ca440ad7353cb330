package cmd

import (
	"bytes"
	"context"
	"fmt"
	"github.com/rhodecode-cli/rhodecode/internal/tomlcodec"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/iostreams"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/keyring/keyringtest"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// errKeyringLocked is what the keyring package returns for a locked collection.
var errKeyringLocked = fmt.Errorf("%w: the keyring is locked", keyring.ErrUnavailable)

// testEnv is one isolated run environment: a temp HOME, a config path,
// environment variables, a secret store and buffered streams.
type testEnv struct {
	t       *testing.T
	home    string
	config  string
	env     map[string]string
	secrets secretStore
	tty     bool
	stdin   string
	// timeout is the Factory's HTTPTimeout; newTestEnv sets 2 s.
	timeout time.Duration
	// now, when set, is the commands' clock (else testNow's date).
	now func() time.Time
	// hostname, when set, is the Factory's Hostname (else "testhost").
	hostname func() (string, error)
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	home := t.TempDir()
	return &testEnv{
		t:       t,
		home:    home,
		config:  filepath.Join(home, ".rhoderc"),
		env:     map[string]string{},
		secrets: &keyringtest.Mem{},
		timeout: 2 * time.Second,
	}
}

type result struct {
	code   int
	stdout string
	stderr string
}

// run executes the command line through the whole cobra tree and Main.
func (e *testEnv) run(args ...string) result {
	e.t.Helper()
	io, in, out, errOut := iostreams.Test()
	in.WriteString(e.stdin)
	io.SetStdinTTY(e.tty)
	io.SetStdoutTTY(e.tty)
	io.SetStderrTTY(e.tty)
	env := map[string]string{"RHODERC": e.config}
	for k, v := range e.env {
		env[k] = v
	}
	f := &Factory{
		IO:          io,
		Getenv:      func(k string) string { return env[k] },
		HomeDir:     func() (string, error) { return e.home, nil },
		Build:       BuildInfo{Version: "1.2.3", Commit: "abc1234", Date: "2026-11-30"},
		Secrets:     e.secrets,
		HTTPTimeout: e.timeout,
		Now:         func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) },
		Hostname:    func() (string, error) { return "testhost", nil },
		Git: func(ctx context.Context, args ...string) (string, error) {
			return runGitEnv(ctx, e.gitEnv(), args...)
		},
		Executable: func() (string, error) { return testBinary(e.t), nil },
	}
	if e.now != nil {
		f.Now = e.now
	}
	if e.hostname != nil {
		f.Hostname = e.hostname
	}
	code := Main(e.t.Context(), args, f)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// mustRun fails the test unless the command exits 0.
func (e *testEnv) mustRun(args ...string) result {
	e.t.Helper()
	r := e.run(args...)
	if r.code != 0 {
		e.t.Fatalf("%v: exit %d\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
	}
	return r
}

// gitEnv isolates git (and the helper it starts) in the test's HOME: no
// system or user config but what the test writes, and never a prompt.
func (e *testEnv) gitEnv() []string {
	env := []string{
		"HOME=" + e.home,
		"PATH=" + os.Getenv("PATH"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
	}
	if v := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); v != "" {
		env = append(env, "DBUS_SESSION_BUS_ADDRESS="+v)
	}
	for k, v := range e.env {
		env = append(env, k+"="+v)
	}
	return env
}

// git runs real git in dir with the isolated environment.
func (e *testEnv) git(dir string, args ...string) (string, error) {
	e.t.Helper()
	c := exec.CommandContext(e.t.Context(), "git", args...)
	c.Dir = dir
	c.Env = e.gitEnv()
	out, err := c.CombinedOutput()
	return string(out), err
}

func runGitEnv(ctx context.Context, env []string, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	c := exec.CommandContext(ctx, "git", args...)
	c.Env = env
	c.Stdout, c.Stderr = &stdout, &stderr
	err := c.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return stdout.String(), &GitError{Args: args, Code: ee.ExitCode(), Stderr: strings.TrimSpace(stderr.String())}
	}
	return stdout.String(), err
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// testBinary builds the rhodecode binary (and git-credential-rhodecode
// beside it) once per test run, for git to start as its credential helper.
func testBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "rhodecode-bin-")
		if err != nil {
			binErr = err
			return
		}
		// Both programs in one directory, as go install and the release
		// archives put them: setup-git then points git at the small
		// helper, and the tests that run git run it.
		binPath = filepath.Join(dir, "rhodecode")
		out, err := exec.Command("go", "build", "-o", dir, "github.com/rhodecode-cli/rhodecode",
			"github.com/rhodecode-cli/rhodecode/git-credential-rhodecode").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	rhoderc.UseTOMLLibrary(tomlcodec.Library{}) // as main does
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// secret reads what the commands stored for instance name at url.
func (e *testEnv) secret(name, url, kind string) (string, error) {
	e.t.Helper()
	svc, acct := secretRef(rhoderc.Instance{Name: name, URL: url}, kind)
	return e.secrets.Get(e.t.Context(), svc, acct)
}
