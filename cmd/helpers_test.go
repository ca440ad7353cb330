package cmd

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/iostreams"
	"github.com/rhodecode-cli/rhodecode/keyring"
)

// memSecrets is an in-memory secretStore. err, when set, is returned by
// every call, the way an unusable OS keyring answers.
type memSecrets struct {
	mu  sync.Mutex
	m   map[string]string
	err error
}

func newMemSecrets() *memSecrets { return &memSecrets{m: map[string]string{}} }

func (s *memSecrets) Get(_ context.Context, service, account string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return "", s.err
	}
	v, ok := s.m[service+"\x00"+account]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (s *memSecrets) Set(_ context.Context, service, account, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.m[service+"\x00"+account] = secret
	return nil
}

func (s *memSecrets) Delete(_ context.Context, service, account string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	k := service + "\x00" + account
	if _, ok := s.m[k]; !ok {
		return keyring.ErrNotFound
	}
	delete(s.m, k)
	return nil
}

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
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	home := t.TempDir()
	return &testEnv{
		t:       t,
		home:    home,
		config:  filepath.Join(home, ".rhoderc"),
		env:     map[string]string{},
		secrets: newMemSecrets(),
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
		HTTPTimeout: 2 * time.Second,
		Now:         func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) },
		Hostname:    func() (string, error) { return "testhost", nil },
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

var _ = bytes.Buffer{}
