package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/internal/golden"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/keyring/keyringtest"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// fakeWithAlice starts a fake RhodeCode with user alice and an API token.
func fakeWithAlice(t *testing.T, opts ...fakerc.Option) (*fakerc.Server, string) {
	t.Helper()
	srv := fakerc.New(t, opts...)
	u := srv.AddUser(fakerc.User{Username: "alice", Password: "wonderland", Email: "alice@example.com", Active: true})
	// A fixed secret keeps golden files stable.
	tok := srv.InsertToken(fakerc.Token{UserID: u.ID, Secret: "a1ce" + strings.Repeat("0", 36), Role: fakerc.RoleAPI, Description: "cli", Expires: -1})
	return srv, tok.Secret
}

// scrub replaces what changes between runs, the fake servers' ports, with
// PORT1, PORT2, ... (ephemeral ports have five digits, so tables stay
// aligned) so output can be compared with golden files.
func scrub(s string, srvs ...*fakerc.Server) string {
	for i, srv := range srvs {
		s = strings.ReplaceAll(s, srv.Host(), "127.0.0.1:PORT"+string(rune('1'+i)))
	}
	return s
}

func readConfig(t *testing.T, e *testEnv) *rhoderc.File {
	t.Helper()
	f, err := rhoderc.Load(e.config)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLoginWithToken(t *testing.T) {
	srv, tok := fakeWithAlice(t)
	e := newTestEnv(t)
	e.stdin = tok + "\n"
	r := e.mustRun("auth", "login", "--url", srv.URL+"/", "--with-token", "--name", "work", "--json")
	golden.Assert(t, "stdout", []byte(scrub(r.stdout, srv)))
	if r.stderr != "" {
		t.Errorf("non-TTY login printed chatter: %q", r.stderr)
	}
	got, err := e.secret("work", srv.URL, keyring.AccountAPIToken)
	if err != nil || got != tok {
		t.Fatalf("keyring holds %q, %v; want the token", got, err)
	}
	cfg := readConfig(t, e)
	in, ok := cfg.Instance("work")
	if !ok || in.URL != srv.URL || in.Username != "alice" || in.Token != "" || storageOf(in) != rhoderc.StorageKeyring {
		t.Fatalf("instance = %+v, %v", in, ok)
	}
	if cfg.DefaultInstance() != "work" {
		t.Errorf("default = %q, want work (first instance)", cfg.DefaultInstance())
	}
	b, _ := os.ReadFile(e.config)
	if strings.Contains(string(b), tok) {
		t.Error("token written to the config file with keyring storage")
	}
	fi, _ := os.Stat(e.config)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	// The token reached the server in the JSON-RPC envelope, once.
	calls := srv.Calls()
	if len(calls) != 1 || calls[0].Method != "get_user" || calls[0].Token != tok || !strings.HasPrefix(calls[0].UserAgent, "rhodecode-cli/1.2.3") {
		t.Errorf("calls = %+v", calls)
	}

	// Logging in again replaces the token.
	tok2 := srv.AddToken("alice", fakerc.RoleAll, "second", -1).Secret
	e.stdin = tok2
	e.mustRun("auth", "login", "--url", srv.URL, "--with-token")
	got, _ = e.secret("work", srv.URL, keyring.AccountAPIToken)
	if got != tok2 {
		t.Errorf("after re-login keyring holds %q, want the new token", got)
	}
	if n := len(readConfig(t, e).Instances()); n != 1 {
		t.Errorf("re-login made %d instances, want 1", n)
	}
}

func TestLoginTTYPrompts(t *testing.T) {
	srv, tok := fakeWithAlice(t)
	e := newTestEnv(t)
	e.tty = true
	e.stdin = srv.URL + "\n\n" + tok + "\n"
	r := e.mustRun("auth", "login")
	want := "RhodeCode URL: RhodeCode user name (empty to paste an API token instead): Paste an API token (role \"api calls\" or \"all\"): ✓ Logged in to " + srv.URL + " as alice (instance \"127.0.0.1-" + srv.URL[strings.LastIndex(srv.URL, ":")+1:] + "\", token in the OS keyring)\n"
	if r.stderr != want {
		t.Errorf("stderr:\n%q\nwant\n%q", r.stderr, want)
	}
	if strings.Contains(r.stdout+r.stderr, tok) {
		t.Error("pasted token echoed")
	}
}

func TestLoginFailuresSaveNothing(t *testing.T) {
	srv, tok := fakeWithAlice(t)
	vcs := srv.AddToken("alice", fakerc.RoleVCS, "git", -1).Secret
	expired := srv.AddToken("alice", fakerc.RoleAPI, "old", 0).Secret
	closed := fakerc.New(t)
	closedURL := closed.URL
	closed.Close()

	cases := []struct {
		name     string
		url      string
		stdin    string
		args     []string
		fault    fakerc.Fault
		secrets  *keyringtest.Mem
		wantCode int
		wantErr  string
	}{
		{name: "unknown token", url: srv.URL, stdin: strings.Repeat("ab", 20), wantCode: 4, wantErr: "Invalid API KEY"},
		{name: "expired token", url: srv.URL, stdin: expired, wantCode: 4, wantErr: "Invalid API KEY"},
		{name: "vcs role token", url: srv.URL, stdin: vcs, wantCode: 4, wantErr: "bad role"},
		{name: "html answer", url: srv.URL, stdin: tok, fault: fakerc.FaultHTML200, wantCode: 3, wantErr: "HTML"},
		{name: "server error", url: srv.URL, stdin: tok, fault: fakerc.FaultHTTP500, wantCode: 3, wantErr: "HTTP 500"},
		{name: "dropped connection", url: srv.URL, stdin: tok, fault: fakerc.FaultDropConnection, wantCode: 3, wantErr: "connection was closed"},
		{name: "redirect to login", url: srv.URL, stdin: tok, fault: fakerc.FaultRedirectLogin, wantCode: 3, wantErr: "login"},
		{name: "slow server", url: srv.URL, stdin: tok, fault: fakerc.FaultSlow, wantCode: 3, wantErr: "within"},
		{name: "refused", url: closedURL, stdin: tok, wantCode: 3, wantErr: "connection refused"},
		{name: "empty stdin", url: srv.URL, stdin: "", wantCode: 2, wantErr: "no token"},
		{name: "two words", url: srv.URL, stdin: tok + " " + tok, wantCode: 2, wantErr: "single word"},
		{name: "no with-token, not a terminal", url: srv.URL, args: []string{"auth", "login", "--url", srv.URL}, wantCode: 2, wantErr: "--with-token is required"},
		{name: "bad storage", url: srv.URL, stdin: tok, args: []string{"auth", "login", "--url", srv.URL, "--with-token", "--storage", "disk"}, wantCode: 2, wantErr: "--storage"},
		{name: "keyring locked", url: srv.URL, stdin: tok, secrets: &keyringtest.Mem{Err: errKeyringLocked}, wantCode: 1, wantErr: "rerun with --storage file"},
		{name: "ftp url", url: "ftp://x", stdin: tok, wantCode: 2, wantErr: "http:// or https://"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.SetFault(tc.fault)
			defer srv.SetFault(fakerc.FaultNone)
			if tc.fault == fakerc.FaultSlow {
				srv.SetDelay(5 * 1e9)
			}
			e := newTestEnv(t)
			if tc.secrets != nil {
				e.secrets = tc.secrets
			}
			e.stdin = tc.stdin
			args := tc.args
			if args == nil {
				args = []string{"auth", "login", "--url", tc.url, "--with-token"}
			}
			r := e.run(args...)
			if r.code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", r.code, tc.wantCode, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.wantErr) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
				t.Errorf("stderr %q does not say %q in one line (plus usage hint)", r.stderr, tc.wantErr)
			}
			if strings.Contains(r.stderr, tok) || strings.Contains(r.stderr, vcs) {
				t.Error("token in the error message")
			}
			if _, err := os.Stat(e.config); !os.IsNotExist(err) {
				t.Errorf("config file written after a failed login (%v)", err)
			}
			if m, ok := e.secrets.(*keyringtest.Mem); ok && len(m.Items()) != 0 {
				t.Errorf("keyring written after a failed login: %d entries", len(m.Items()))
			}
		})
	}
}

func TestLoginFileStorage(t *testing.T) {
	srv, tok := fakeWithAlice(t)
	t.Run("flag", func(t *testing.T) {
		e := newTestEnv(t)
		e.stdin = tok
		r := e.mustRun("auth", "login", "--url", srv.URL, "--with-token", "--storage", "file")
		if !strings.Contains(r.stderr, "plain text") {
			t.Errorf("no plain-text warning: %q", r.stderr)
		}
		in, _ := readConfig(t, e).Instance(nameFromURL(srv.URL))
		if in.Token != tok || storageOf(in) != rhoderc.StorageFile {
			t.Errorf("instance %+v", in)
		}
	})
	t.Run("locked keyring, yes on a terminal", func(t *testing.T) {
		e := newTestEnv(t)
		e.secrets = &keyringtest.Mem{Err: errKeyringLocked}
		e.tty = true
		e.stdin = srv.URL + "\ny\n\n" + tok + "\n"
		r := e.mustRun("auth", "login")
		if !strings.Contains(r.stderr, "the keyring is locked") || !strings.Contains(r.stderr, "instead (plain text, mode 0600)? [y/N]") {
			t.Errorf("stderr %q", r.stderr)
		}
		in, _ := readConfig(t, e).Instance(nameFromURL(srv.URL))
		if in.Token != tok {
			t.Errorf("instance %+v", in)
		}
	})
	t.Run("locked keyring, no on a terminal", func(t *testing.T) {
		e := newTestEnv(t)
		e.secrets = &keyringtest.Mem{Err: errKeyringLocked}
		e.tty = true
		e.stdin = srv.URL + "\nn\n"
		if r := e.run("auth", "login"); r.code != 1 || !strings.Contains(r.stderr, "nothing was saved") {
			t.Errorf("exit %d stderr %q", r.code, r.stderr)
		}
		if _, err := os.Stat(e.config); !os.IsNotExist(err) {
			t.Error("config written")
		}
	})
}

// An INI file written by rhodecode-tools keeps its bytes; the token stays
// in api_key where rhodecode-tools reads it.
func TestLoginINIKeepsFile(t *testing.T) {
	srv, tok := fakeWithAlice(t)
	e := newTestEnv(t)
	ini := "# written by rhodecode-setup-config\n[instance:enterprise-1]\napi_host = " + srv.URL + "/\napi_key = 91fdbdc257289c46633ef5aab274412911de1ba9\nrepo_dir = /home/brian/repos\n\n[instance:production]\napi_host = https://code.example.com\napi_key = 5a925f65438d29f8d6ced8ab8e8c3d305998d1d9\n"
	if err := os.WriteFile(e.config, []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	e.stdin = tok
	e.mustRun("auth", "login", "--url", srv.URL, "--with-token")
	b, _ := os.ReadFile(e.config)
	got := scrub(string(b), srv)
	golden.Assert(t, "rhoderc", []byte(got))
	if m := e.secrets.(*keyringtest.Mem); len(m.Items()) != 0 {
		t.Error("token put in the keyring for an INI instance without --storage keyring")
	}

	// Moving it to the keyring removes api_key from the file.
	e.stdin = tok
	e.mustRun("auth", "login", "--url", srv.URL, "--with-token", "--storage", "keyring")
	b, _ = os.ReadFile(e.config)
	if strings.Contains(string(b), tok) {
		t.Error("api_key still in the file after --storage keyring")
	}
	if !strings.Contains(string(b), "5a925f65438d29f8d6ced8ab8e8c3d305998d1d9") || !strings.Contains(string(b), "repo_dir = /home/brian/repos") {
		t.Error("other instance or repo_dir lost")
	}
}

func TestBrokenConfigIsNeverOverwritten(t *testing.T) {
	srv, tok := fakeWithAlice(t)
	for _, tc := range []struct{ name, content, want string }{
		{"toml", "default = \"work\"\n[instances.work\nurl = 1\n", ".rhoderc:2"},
		{"ini", "[instance:x]\napi_host = http://x\nthis is not ini\n", ".rhoderc:3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			os.WriteFile(e.config, []byte(tc.content), 0o644)
			for _, args := range [][]string{
				{"auth", "login", "--url", srv.URL, "--with-token"},
				{"auth", "status"},
				{"auth", "switch", "x"},
				{"auth", "logout", "x"},
				{"auth", "token"},
			} {
				e.stdin = tok
				r := e.run(args...)
				if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
					t.Errorf("%v: exit %d, stderr %q; want exit 1 naming %s", args, r.code, r.stderr, tc.want)
				}
			}
			b, _ := os.ReadFile(e.config)
			if string(b) != tc.content {
				t.Error("broken file was changed")
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		e := newTestEnv(t)
		os.Mkdir(e.config, 0o755)
		e.stdin = tok
		r := e.run("auth", "login", "--url", srv.URL, "--with-token")
		if r.code != 1 || !strings.Contains(r.stderr, "directory") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
		if fi, err := os.Stat(e.config); err != nil || !fi.IsDir() {
			t.Error("directory replaced")
		}
	})
}

// loginTwo logs e in to two fake servers, "work" (default) and "lab".
func loginTwo(t *testing.T, e *testEnv) (work, lab *fakerc.Server, workTok, labTok string) {
	t.Helper()
	work, workTok = fakeWithAlice(t)
	lab = fakerc.New(t)
	bob := lab.AddUser(fakerc.User{Username: "Bob", Password: "builder", Active: true})
	labTok = lab.InsertToken(fakerc.Token{UserID: bob.ID, Secret: "b0b0" + strings.Repeat("1", 36), Role: fakerc.RoleAll, Description: "cli", Expires: -1}).Secret
	e.stdin = workTok
	e.mustRun("auth", "login", "--url", work.URL, "--name", "work", "--with-token")
	e.stdin = labTok
	e.mustRun("auth", "login", "--url", lab.URL, "--name", "lab", "--with-token", "--storage", "file")
	e.stdin = ""
	return
}

func TestStatus(t *testing.T) {
	e := newTestEnv(t)
	work, lab, _, _ := loginTwo(t, e)

	for _, mode := range []struct {
		name string
		tty  bool
		args []string
	}{
		{"tty", true, []string{"auth", "status"}},
		{"notty", false, []string{"auth", "status"}},
		{"json", false, []string{"auth", "status", "--json"}},
		{"offline", true, []string{"auth", "status", "--offline"}},
		{"one instance", true, []string{"auth", "status", "-i", "lab", "--show-token"}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			e.tty = mode.tty
			r := e.mustRun(mode.args...)
			golden.Assert(t, "stdout", []byte(scrub(r.stdout, work, lab)))
		})
	}

	// A revoked token makes the status fail, with exit 1.
	for _, tk := range lab.Tokens("Bob") {
		lab.RevokeToken(tk.ID)
	}
	e.tty = true
	r := e.run("auth", "status")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1", r.code)
	}
	// The table says "token-rejected"; why, on stderr.
	golden.Assert(t, "revoked", []byte(scrub(r.stdout, work, lab)))
	golden.Assert(t, "revoked.stderr", []byte(scrub(r.stderr, work, lab)))

	// A server that is down: one word in the table, piped too, and every
	// row keeps its columns.
	work.Close()
	for _, tty := range []bool{true, false} {
		e.tty = tty
		r = e.run("auth", "status")
		if r.code != 1 {
			t.Fatalf("exit %d, want 1", r.code)
		}
		name := map[bool]string{true: "down", false: "down.notty"}[tty]
		golden.Assert(t, name, []byte(scrub(r.stdout, work, lab)))
		golden.Assert(t, name+".stderr", []byte(scrub(r.stderr, work, lab)))
		for i, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			if !tty && strings.Count(line, "\t") != 10 { // name … default, hg, svn, API token expiry
				t.Errorf("piped row %d has %d tabs: %q", i, strings.Count(line, "\t"), line)
			}
		}
	}
}

func TestStatusBoundedTime(t *testing.T) {
	e := newTestEnv(t)
	work, _, _, _ := loginTwo(t, e)
	work.SetFault(fakerc.FaultSlow)
	work.SetDelay(60 * 1e9)
	r := e.run("auth", "status", "--json")
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	var got struct{ Instances []instanceStatus }
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.Instances[0].State != "unreachable" || got.Instances[1].State != "ok" {
		t.Errorf("states %q %q", got.Instances[0].State, got.Instances[1].State)
	}
}

func TestSwitchTokenLogout(t *testing.T) {
	e := newTestEnv(t)
	work, lab, workTok, labTok := loginTwo(t, e)
	_ = work

	if r := e.mustRun("auth", "token"); r.stdout != workTok+"\n" {
		t.Errorf("token of default = %q", r.stdout)
	}
	if r := e.mustRun("auth", "token", "-i", "lab"); r.stdout != labTok+"\n" {
		t.Errorf("token -i lab = %q", r.stdout)
	}
	e.env["RHODECODE_INSTANCE"] = "lab"
	if r := e.mustRun("auth", "token"); r.stdout != labTok+"\n" {
		t.Errorf("RHODECODE_INSTANCE=lab gave %q", r.stdout)
	}
	delete(e.env, "RHODECODE_INSTANCE")

	e.mustRun("auth", "switch", "lab")
	if d := readConfig(t, e).DefaultInstance(); d != "lab" {
		t.Errorf("default %q", d)
	}
	if r := e.run("auth", "switch", "nope"); r.code != 2 {
		t.Errorf("switch to unknown: exit %d", r.code)
	}

	r := e.mustRun("auth", "logout", "work", "--json")
	if !strings.Contains(r.stdout, `"logged_out": true`) {
		t.Errorf("stdout %q", r.stdout)
	}
	if _, err := e.secret("work", work.URL, keyring.AccountAPIToken); err != keyring.ErrNotFound {
		t.Errorf("keyring entry left after logout: %v", err)
	}
	e.mustRun("auth", "logout")
	b, _ := os.ReadFile(e.config)
	if strings.Contains(string(b), labTok) || strings.Contains(string(b), lab.URL) {
		t.Errorf("file still has the lab instance:\n%s", b)
	}
	if r := e.run("auth", "token"); r.code != 4 || !strings.Contains(r.stderr, "rhodecode auth login") {
		t.Errorf("token after logout: exit %d %q", r.code, r.stderr)
	}
}

func TestEnvOverrides(t *testing.T) {
	srv, tok := fakeWithAlice(t)
	e := newTestEnv(t)
	e.env["RHODECODE_HOST"] = srv.URL
	e.env["RHODECODE_TOKEN"] = tok
	if r := e.mustRun("auth", "token"); r.stdout != tok+"\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	r := e.mustRun("auth", "status", "--json")
	if !strings.Contains(r.stdout, `"storage": "env"`) || !strings.Contains(r.stdout, `"state": "ok"`) {
		t.Errorf("status %s", r.stdout)
	}
	if _, err := os.Stat(e.config); !os.IsNotExist(err) {
		t.Error("env mode touched the config file")
	}
	delete(e.env, "RHODECODE_HOST")
	if r := e.run("auth", "token"); r.code != 2 || !strings.Contains(r.stderr, "RHODECODE_HOST") {
		t.Errorf("token without host: exit %d %q", r.code, r.stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	e := newTestEnv(t)
	for _, args := range [][]string{
		{"nope"},
		{"auth", "login", "--bogus"},
		{"auth", "switch"},
		{"auth", "status", "extra"},
		{"version", "x"},
	} {
		if r := e.run(args...); r.code != 2 || !strings.HasPrefix(r.stderr, "rhodecode: ") {
			t.Errorf("%v: exit %d stderr %q", args, r.code, r.stderr)
		}
	}
	if r := e.run("auth", "token"); r.code != 4 {
		t.Errorf("token with no login: exit %d, want 4", r.code)
	}
}

func TestVersion(t *testing.T) {
	e := newTestEnv(t)
	r := e.mustRun("version")
	if !strings.HasPrefix(r.stdout, "rhodecode 1.2.3 (commit abc1234, built 2026-11-30, go1.") {
		t.Errorf("version %q", r.stdout)
	}
	r = e.mustRun("version", "--json")
	var v map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || v["version"] != "1.2.3" {
		t.Errorf("json %q %v", r.stdout, err)
	}
}

// TestDebugNeverLeaksSecrets runs commands with --debug and fails if a
// secret appears anywhere except where the user asked for it.
func TestDebugNeverLeaksSecrets(t *testing.T) {
	srv, tok := fakeWithAlice(t)
	other := srv.AddToken("alice", fakerc.RoleVCS, "git", -1).Secret
	e := newTestEnv(t)
	e.stdin = tok
	var all strings.Builder
	r := e.mustRun("auth", "login", "--url", srv.URL, "--with-token", "--debug")
	all.WriteString(r.stdout + r.stderr)
	if !strings.Contains(r.stderr, "/_admin/api") {
		t.Fatalf("--debug printed no trace: %q", r.stderr)
	}
	r = e.mustRun("auth", "status", "--debug", "--json")
	all.WriteString(r.stdout + r.stderr)
	r = e.mustRun("auth", "token", "--debug")
	all.WriteString(r.stderr) // stdout is the token, on purpose
	e.stdin = strings.Repeat("0", 40)
	r = e.run("auth", "login", "--url", srv.URL, "--with-token", "--debug")
	all.WriteString(r.stdout + r.stderr)
	for _, secret := range []string{tok, other, strings.Repeat("0", 40)} {
		if strings.Contains(all.String(), secret) {
			t.Errorf("secret %s… leaked into output", secret[:6])
		}
	}
}

func TestConfigPathPrecedence(t *testing.T) {
	srv, tok := fakeWithAlice(t)
	e := newTestEnv(t)
	other := filepath.Join(t.TempDir(), "rc")
	e.stdin = tok
	e.mustRun("auth", "login", "--url", srv.URL, "--with-token", "--config", other)
	if _, err := os.Stat(other); err != nil {
		t.Errorf("--config not used: %v", err)
	}
	if _, err := os.Stat(e.config); !os.IsNotExist(err) {
		t.Error("RHODERC file written although --config was given")
	}
}

// RHODECODE_HOST+RHODECODE_TOKEN beat RHODECODE_INSTANCE; -i beats both.
func TestInstancePrecedence(t *testing.T) {
	e := newTestEnv(t)
	_, _, _, labTok := loginTwo(t, e)
	envSrv, envTok := fakeWithAlice(t)
	e.env["RHODECODE_INSTANCE"] = "lab"
	if r := e.mustRun("auth", "token"); r.stdout != labTok+"\n" {
		t.Errorf("RHODECODE_INSTANCE: %q", r.stdout)
	}
	e.env["RHODECODE_HOST"] = envSrv.URL
	e.env["RHODECODE_TOKEN"] = envTok
	if r := e.mustRun("auth", "token"); r.stdout != envTok+"\n" {
		t.Errorf("env pair over RHODECODE_INSTANCE: %q", r.stdout)
	}
	// (fakeWithAlice gives every server the same fixed API token, so -i
	// is checked with lab, whose token differs.)
	if r := e.mustRun("auth", "token", "-i", "lab"); r.stdout != labTok+"\n" {
		t.Errorf("-i over the env pair: %q", r.stdout)
	}
}
