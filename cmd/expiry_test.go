package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/internal/iostreams"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// expiryClock is the clock of the servers and the commands of one test;
// advancing it moves both.
type expiryClock struct{ now time.Time }

func (c *expiryClock) Now() time.Time { return c.now }

// expiryEnv logs in to two servers as alice, all on one fake clock: "work"
// with an API token for 30 days and (setup-git) a VCS token for 3 days,
// "lab" with an API token for 1 hour.
func expiryEnv(t *testing.T) (*testEnv, *expiryClock, *fakerc.Server, *fakerc.Server) {
	t.Helper()
	clock := &expiryClock{now: testNow}
	work := gitServer(t, fakerc.WithClock(clock.Now))
	lab := gitServer(t, fakerc.WithClock(clock.Now))
	e := newTestEnv(t)
	e.now = clock.Now
	e.env["XDG_STATE_HOME"] = filepath.Join(e.home, "state")
	passwordLoginEnv(t, e, work, "--storage", "file", "--lifetime", "30d")
	e.stdin = "wonderland\n"
	e.mustRun("setup-git", "-i", "work", "--lifetime", "3d", "--password-stdin")
	e.mustRun("auth", "login", "--url", lab.URL, "--name", "lab", "--username", "alice", "--password-stdin", "--storage", "file", "--lifetime", "1h")
	e.stdin = ""
	return e, clock, work, lab
}

// TestExpiryRecordedAtLogin: the API token's expiry is a typed field of the
// config file, written at a password login and at a rotation.
func TestExpiryRecordedAtLogin(t *testing.T) {
	e, _, _, lab := expiryEnv(t)
	cfg := readConfig(t, e)
	for name, want := range map[string]time.Duration{"work": 30 * 24 * time.Hour, "lab": time.Hour} {
		in, _ := cfg.Instance(name)
		if got := time.Unix(in.TokenExpires, 0); !got.Equal(testNow.Add(want)) {
			t.Errorf("%s: token_expires %v, want %v", name, got.UTC(), testNow.Add(want))
		}
	}
	in, _ := cfg.Instance("work")
	if !time.Unix(in.VCSTokenExpires, 0).Equal(testNow.Add(3 * 24 * time.Hour)) {
		t.Errorf("vcs_token_expires %d", in.VCSTokenExpires)
	}

	// Rotating the tool's own API token records the new one's expiry.
	labIn, _ := cfg.Instance("lab")
	e.mustRun("token", "rotate", "-i", "lab", itoa(labIn.TokenID), "--lifetime", "2w")
	labIn, _ = readConfig(t, e).Instance("lab")
	if !time.Unix(labIn.TokenExpires, 0).Equal(testNow.Add(14 * 24 * time.Hour)) {
		t.Errorf("after rotate: token_expires %v", time.Unix(labIn.TokenExpires, 0).UTC())
	}

	// Revoking the tool's own API token forgets its expiry with it.
	workIn, _ := cfg.Instance("work")
	e.mustRun("token", "revoke", "-i", "work", itoa(workIn.TokenID), "--yes")
	if v, ok := readConfig(t, e).InstanceValue("work", rhoderc.KeyTokenExpires); ok {
		t.Errorf("token_expires = %q after revoking the API token", v)
	}

	// A pasted token's expiry is unknown: the old value goes.
	e.stdin = lab.AddToken("alice", fakerc.RoleAPI, "pasted", -1).Secret + "\n"
	e.mustRun("auth", "login", "--url", lab.URL, "--name", "lab", "--with-token")
	e.stdin = ""
	if v, ok := readConfig(t, e).InstanceValue("lab", rhoderc.KeyTokenExpires); ok {
		t.Errorf("token_expires = %q after a --with-token login", v)
	}
	r := e.mustRun("auth", "status", "-i", "lab", "--offline", "--json")
	if !strings.Contains(r.stdout, `"api_token_expires": null`) {
		t.Errorf("unknown expiry in JSON:\n%s", r.stdout)
	}
	e.tty = true
	if r := e.mustRun("auth", "status", "-i", "lab", "--offline"); !strings.Contains(r.stdout, "unknown") {
		t.Errorf("unknown expiry on a terminal:\n%s", r.stdout)
	}
	// Unknown does not trip the gate.
	if r := e.run("auth", "status", "-i", "lab", "--offline", "--fail-if-expiring", "3650d"); r.code != 0 {
		t.Errorf("gate on an unknown expiry: exit %d %s", r.code, r.stderr)
	}
}

// TestStatusShowsExpiry: relative on a terminal, RFC 3339 piped and in
// --json.
func TestStatusShowsExpiry(t *testing.T) {
	e, _, _, _ := expiryEnv(t)
	e.tty = true
	r := e.mustRun("auth", "status", "--offline")
	for _, want := range []string{"EXPIRES", "in 30 days", "in 1 hour", "expires in 3 days"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("terminal: %q missing from\n%s", want, r.stdout)
		}
	}
	e.tty = false
	r = e.mustRun("auth", "status", "--offline")
	if !strings.Contains(r.stdout, "\t2026-12-30T12:00:00Z\n") || !strings.Contains(r.stdout, "\t2026-11-30T13:00:00Z\n") {
		t.Errorf("piped: API token expiries not last:\n%s", r.stdout)
	}
	r = e.mustRun("auth", "status", "--offline", "--json")
	var got struct {
		Instances []struct {
			Name            string  `json:"name"`
			APITokenExpires *string `json:"api_token_expires"`
			VCSTokenExpires *string `json:"vcs_token_expires"`
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{
		"work": {"2026-12-30T12:00:00Z", "2026-12-03T12:00:00Z"},
		"lab":  {"2026-11-30T13:00:00Z", "<nil>"},
	}
	for _, in := range got.Instances {
		str := func(p *string) string {
			if p == nil {
				return "<nil>"
			}
			return *p
		}
		if w := want[in.Name]; str(in.APITokenExpires) != w[0] || str(in.VCSTokenExpires) != w[1] {
			t.Errorf("%s: api %s vcs %s, want %v", in.Name, str(in.APITokenExpires), str(in.VCSTokenExpires), w)
		}
	}
}

// TestFailIfExpiring: the gate's exit code and message, and that the
// command it names does renew the token.
func TestFailIfExpiring(t *testing.T) {
	e, clock, _, _ := expiryEnv(t)
	cfg := readConfig(t, e)
	work, _ := cfg.Instance("work")

	if r := e.run("auth", "status", "--offline", "--fail-if-expiring", "30m"); r.code != 0 {
		t.Errorf("nothing within 30m: exit %d\n%s", r.code, r.stderr)
	}
	r := e.run("auth", "status", "--offline", "--fail-if-expiring", "2h")
	if r.code != ExitExpiring {
		t.Fatalf("within 2h: exit %d, want %d", r.code, ExitExpiring)
	}
	if r.stderr != "rhodecode: the API token of instance lab expires in 1 hour (2026-11-30T13:00:00Z); renew it: rhodecode auth login --name lab --username alice\n" {
		t.Errorf("stderr %q", r.stderr)
	}
	if !strings.Contains(r.stdout, "lab\t") {
		t.Errorf("the gate hid the status:\n%s", r.stdout)
	}
	// Online, and with --json, the same.
	r = e.run("auth", "status", "--json", "--fail-if-expiring", "7d")
	vcsLine := "rhodecode: the VCS token of instance work expires in 3 days (2026-12-03T12:00:00Z); renew it: rhodecode token rotate " + itoa(work.VCSTokenID) + " -i work --lifetime 90d\n"
	if r.code != ExitExpiring || !strings.Contains(r.stderr, vcsLine) || !strings.Contains(r.stderr, "API token of instance lab") {
		t.Errorf("within 7d: exit %d\n%s", r.code, r.stderr)
	}
	if !json.Valid([]byte(r.stdout)) {
		t.Errorf("stdout is not JSON:\n%s", r.stdout)
	}
	if r := e.run("auth", "status", "-i", "work", "--offline", "--fail-if-expiring", "31d"); r.code != ExitExpiring || !strings.Contains(r.stderr, "API token of instance work expires in 30 days") {
		t.Errorf("within 31d: exit %d %q", r.code, r.stderr)
	}
	for _, bad := range []string{"forever", "soon", "5"} {
		if r := e.run("auth", "status", "--fail-if-expiring", bad); r.code != ExitUsage {
			t.Errorf("--fail-if-expiring %s: exit %d", bad, r.code)
		}
	}

	// Two hours on, lab's token has expired: it trips any window.
	clock.now = testNow.Add(2 * time.Hour)
	r = e.run("auth", "status", "-i", "lab", "--offline", "--fail-if-expiring", "1m")
	if r.code != ExitExpiring || !strings.Contains(r.stderr, "API token of instance lab expired 1 hour ago") {
		t.Errorf("expired: exit %d %q", r.code, r.stderr)
	}

	// The commands it names renew the tokens: the gate passes after them.
	e.mustRun(strings.Fields(strings.TrimPrefix(strings.TrimSpace(vcsLine[strings.Index(vcsLine, "renew it: ")+len("renew it: "):]), "rhodecode "))...)
	e.stdin = "wonderland\n"
	e.mustRun("auth", "login", "--name", "lab", "--username", "alice", "--password-stdin")
	e.stdin = ""
	if r := e.run("auth", "status", "--fail-if-expiring", "7d"); r.code != 0 {
		t.Errorf("after renewing: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestFailIfExpiringNotOK: an API token that is not OK wins over the
// gate: exit 1, not 5. A rejected API token is not named as expiring (it
// no longer works at all); the other tokens' gate lines are still printed.
func TestFailIfExpiringNotOK(t *testing.T) {
	e, _, _, lab := expiryEnv(t)
	labIn, _ := readConfig(t, e).Instance("lab")
	lab.RevokeToken(labIn.TokenID)
	r := e.run("auth", "status", "--fail-if-expiring", "7d")
	if r.code != 1 {
		t.Errorf("lab's API token rejected, work's VCS token expiring: exit %d, want 1\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "API token of instance lab") {
		t.Errorf("the rejected token is named as expiring:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "VCS token of instance work expires in 3 days") || !strings.Contains(r.stderr, "lab: ") {
		t.Errorf("stderr lacks the gate line or the rejection:\n%s", r.stderr)
	}
}

// TestTokenListExpiring: tokens 1 h, 3 d and 30 d from now, and one
// expired, on the fake server's clock.
func TestTokenListExpiring(t *testing.T) {
	for _, v := range layouts {
		t.Run(v, func(t *testing.T) {
			srv := fakeTokenServer(t, v) // a VCS token for 30 d, an http one expired 3 d ago
			u := srv.Tokens("alice")[0].UserID
			for _, tk := range []struct {
				desc string
				in   time.Duration
			}{{"one hour", time.Hour}, {"three days", 3 * 24 * time.Hour}} {
				srv.InsertToken(fakerc.Token{UserID: u, Role: fakerc.RoleVCS, Description: tk.desc, Expires: float64(testNow.Add(tk.in).Unix())})
			}
			e := newTestEnv(t)
			passwordLoginEnv(t, e, srv)
			list := func(args ...string) []string {
				t.Helper()
				r := e.mustRun(append([]string{"token", "list", "--json"}, args...)...)
				var got []tokenJSON
				if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, tk := range got {
					out = append(out, tk.Description)
				}
				return out
			}
			for _, tc := range []struct {
				args []string
				want string
			}{
				{[]string{"--expiring", "30m"}, ""},
				{[]string{"--expiring", "2h"}, "one hour"},
				{[]string{"--expiring", "7d"}, "one hour,three days"},
				{[]string{"--expiring", "5 weeks"}, "CI runner <main>,one hour,three days"},
				{[]string{"--expiring", "7d", "--expired"}, "old dashboard,one hour,three days"},
				{[]string{"--expiring", "7d", "--role", "http", "--expired"}, "old dashboard"},
			} {
				if got := strings.Join(list(tc.args...), ","); got != tc.want {
					t.Errorf("%v: %q, want %q", tc.args, got, tc.want)
				}
			}
			e.tty = true
			if r := e.mustRun("token", "list", "--expiring", "2d"); !strings.Contains(r.stdout, "in 1 hour") || strings.Contains(r.stdout, "three days") {
				t.Errorf("terminal:\n%s", r.stdout)
			}
			for _, bad := range [][]string{{"--expiring", "forever"}, {"--expiring", "7"}, {"--expiring", "7d", "--active"}} {
				if r := e.run(append([]string{"token", "list"}, bad...)...); r.code != ExitUsage {
					t.Errorf("%v: exit %d", bad, r.code)
				}
			}
		})
	}
}

// TestExpiryWarningOncePerDay: on a terminal, once a day per instance, on
// stderr; the day is kept under XDG_STATE_HOME.
func TestExpiryWarningOncePerDay(t *testing.T) {
	e, clock, _, _ := expiryEnv(t)
	state := filepath.Join(e.env["XDG_STATE_HOME"], "rhodecode", "expiry-warned.json")
	e.tty = true
	r := e.mustRun("auth", "token", "-i", "lab")
	want := "rhodecode: warning: instance lab: its API token expires in 1 hour (renew: rhodecode auth login --name lab --username alice)\n"
	if r.stderr != want {
		t.Errorf("first run: stderr %q, want %q", r.stderr, want)
	}
	if strings.Contains(r.stdout, "warning") {
		t.Errorf("warning on stdout: %q", r.stdout)
	}
	if _, err := os.Stat(state); err != nil {
		t.Fatalf("state file: %v", err)
	}
	// The same day: not again, for that instance; the other instance
	// (VCS token in 3 days) gets its own.
	clock.now = testNow.Add(30 * time.Minute)
	if r := e.mustRun("auth", "token", "-i", "lab"); r.stderr != "" {
		t.Errorf("second run the same day: %q", r.stderr)
	}
	r = e.mustRun("token", "list", "-i", "work")
	if !strings.Contains(r.stderr, "instance work: its VCS token expires in 3 days (renew: rhodecode token rotate") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("work: stderr %q", r.stderr)
	}
	// The next day: again (now expired).
	clock.now = testNow.Add(24 * time.Hour)
	if r := e.run("auth", "token", "-i", "lab"); !strings.Contains(r.stderr, "instance lab: its API token expired 23 hours ago") {
		t.Errorf("next day: %q", r.stderr)
	}

	// Piped, or stderr not a terminal: never, and no state is written.
	os.RemoveAll(filepath.Dir(state))
	clock.now = testNow.Add(48 * time.Hour)
	e.tty = false
	if r := e.mustRun("token", "list", "-i", "work"); strings.Contains(r.stderr, "warning") {
		t.Errorf("piped: %q", r.stderr)
	}
	if _, err := os.Stat(state); err == nil {
		t.Error("a piped command wrote the state file")
	}

	// Commands that say it themselves, or are about to change it, do not.
	e.tty = true
	for _, args := range [][]string{{"auth", "status", "--offline"}, {"version"}, {"token", "list", "--help"}, {"doctor", "-i", "work"}} {
		if r := e.run(args...); strings.Contains(r.stderr, "rhodecode: warning: instance") {
			t.Errorf("%v warned: %q", args, r.stderr)
		}
	}
	// Without XDG_STATE_HOME the state goes to ~/.local/state.
	delete(e.env, "XDG_STATE_HOME")
	if r := e.mustRun("token", "list", "-i", "work"); !strings.Contains(r.stderr, "instance work") {
		t.Errorf("default state dir: %q", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(e.home, ".local", "state", "rhodecode", "expiry-warned.json")); err != nil {
		t.Error(err)
	}
	// A state dir that cannot be written: the warning shows, nothing fails.
	e.env["XDG_STATE_HOME"] = filepath.Join(e.config, "not-a-dir")
	if r := e.mustRun("token", "list", "-i", "work"); !strings.Contains(r.stderr, "instance work") {
		t.Errorf("unwritable state: %q", r.stderr)
	}
}

// TestExpiryWarningNeverInHelper: the credential helper, on a terminal,
// through the command tree or its fast path, answers git and nothing else.
func TestExpiryWarningNeverInHelper(t *testing.T) {
	e, _, work, _ := expiryEnv(t)
	state := filepath.Join(e.env["XDG_STATE_HOME"], "rhodecode", "expiry-warned.json")
	query := "protocol=http\nhost=" + work.Host() + "\n\n"
	e.tty = true
	e.stdin = query
	r := e.mustRun("credential-helper", "--storage", "file", "get")
	e.stdin = ""
	if !strings.HasPrefix(r.stdout, "username=alice\npassword=") || strings.Contains(r.stdout+r.stderr, "warning") {
		t.Errorf("helper via Main: stdout %q stderr %q", r.stdout, r.stderr)
	}

	ios, in, out, errOut := iostreams.Test()
	in.WriteString(query)
	ios.SetStdinTTY(true)
	ios.SetStdoutTTY(true)
	ios.SetStderrTTY(true)
	env := map[string]string{"RHODERC": e.config, "XDG_STATE_HOME": e.env["XDG_STATE_HOME"]}
	f := &Factory{
		IO: ios, Getenv: func(k string) string { return env[k] },
		HomeDir: func() (string, error) { return e.home, nil },
		Secrets: e.secrets, Now: e.now,
		HTTPTimeout: 2 * time.Second,
	}
	code, ok := CredentialHelperFast(t.Context(), []string{"credential-helper", "--storage", "file", "get"}, f)
	if !ok || code != 0 || !strings.HasPrefix(out.String(), "username=alice\npassword=") || errOut.String() != "" {
		t.Errorf("fast path: ok %v code %d stdout %q stderr %q", ok, code, out.String(), errOut.String())
	}
	if _, err := os.Stat(state); err == nil {
		t.Error("the helper wrote the warning state")
	}
}
