package cmd

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/internal/golden"
)

// --jq and --template on token list and auth status: the same document
// --json prints, filtered; both imply --json.
func TestJQTemplate(t *testing.T) {
	srv := fakeTokenServer(t, "4.27.0")
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv)
	for _, mode := range []struct {
		name string
		tty  bool
		args []string
	}{
		{"list.jq", false, []string{"token", "list", "--jq", ".[] | select(.role_name == \"vcs\") | .id"}},
		{"list.jq.strings", false, []string{"token", "list", "--jq", ".[].description"}},
		{"list.jq.objects", false, []string{"token", "list", "-q", ".[] | {id, expired}"}},
		{"list.jq.tty", true, []string{"token", "list", "-q", "[.[] | select(.expired) | {id, description}]"}},
		{"list.template", false, []string{"token", "list", "--template", "{{range .}}{{tablerow .id .role_name .description}}{{end}}"}},
		{"list.template.tty", true, []string{"token", "list", "-t", "{{range .}}{{tablerow .id .role_name .description}}{{end}}"}},
		{"status.jq", false, []string{"auth", "status", "--jq", ".instances[] | [.name, .state] | join(\" \")"}},
		{"status.template", false, []string{"auth", "status", "--template", "{{range .instances}}{{.name}}: {{.username}} {{.state}}\n{{end}}"}},
		{"status.template.json", false, []string{"auth", "status", "--template", "{{json (pluck \"name\" .instances)}}\n"}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			e.tty = mode.tty
			r := e.mustRun(mode.args...)
			golden.Assert(t, "stdout", []byte(scrubTokens(r.stdout, srv)))
		})
	}
}

// A mistake in --jq or --template is a usage error found before any
// request: with the server down, the answer is still exit 2, not 3.
func TestJQTemplateUsageErrors(t *testing.T) {
	srv := fakeTokenServer(t, "4.27.0")
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv)
	srv.Close()
	for _, args := range [][]string{
		{"token", "list", "--jq", ".[] | "},
		{"token", "list", "--jq", "undefined_fn(1)"},
		{"auth", "status", "--jq", "{"},
		{"auth", "status", "--template", "{{range .instances}"},
		{"auth", "status", "--template", "{{nosuch}}"},
		{"token", "list", "--jq", ".", "--template", "{{.}}"},
	} {
		r := e.run(args...)
		if r.code != ExitUsage || r.stdout != "" {
			t.Errorf("%q: exit %d, stdout %q; want exit 2 and nothing", args, r.code, r.stdout)
		}
		if !strings.HasPrefix(r.stderr, "rhodecode: --jq: ") && !strings.HasPrefix(r.stderr, "rhodecode: --template: ") {
			t.Errorf("%q: stderr %q does not name the flag", args, r.stderr)
		}
	}
	// A runtime error in the expression is an error (exit 1), after the
	// command ran.
	e2 := newTestEnv(t)
	work, tok := fakeWithAlice(t)
	e2.stdin = tok
	e2.mustRun("auth", "login", "--url", work.URL, "--name", "work", "--with-token")
	r := e2.run("auth", "status", "--jq", ".instances + 1")
	if r.code != ExitError || !strings.Contains(r.stderr, "--jq: ") {
		t.Errorf("runtime error: exit %d, stderr %q", r.code, r.stderr)
	}
}

// Strings from the server that --jq prints raw, and --template text, are
// sanitised on a terminal (an escape sequence in a token description must
// not reach it) but kept whole when piped, as jq -r does; JSON values
// escape the controls either way.
func TestJQTemplateServerText(t *testing.T) {
	srv := fakeTokenServer(t, "4.27.0")
	u, _ := srv.User("alice")
	srv.InsertToken(fakerc.Token{UserID: u.ID, Secret: "e5c0" + strings.Repeat("5", 36), Role: fakerc.RoleFeed, Description: "evil\x1b]0;pwned\x07\u202eline", Expires: float64(testNow.Add(time.Hour).Unix())})
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv)
	sel := `.[] | select(.description | startswith("evil"))`
	for _, tc := range []struct {
		tty      bool
		args     []string
		raw      bool // the controls are printed as they are
		escaped  bool // as JSON \u escapes
		contains string
	}{
		{tty: true, args: []string{"--jq", sel + " | .description"}, contains: "evil]0;pwnedline\n"},
		{tty: false, args: []string{"--jq", sel + " | .description"}, raw: true},
		{tty: true, args: []string{"--template", "{{range .}}{{.description}}\n{{end}}"}, contains: "evil]0;pwnedline\n"},
		{tty: false, args: []string{"--template", "{{range .}}{{.description}}\n{{end}}"}, raw: true},
		{tty: true, args: []string{"--jq", sel + " | {description}"}, escaped: true},
		{tty: false, args: []string{"--jq", sel + " | {description}"}, escaped: true},
	} {
		e.tty = tc.tty
		r := e.mustRun(append([]string{"token", "list"}, tc.args...)...)
		hasRaw := strings.ContainsAny(r.stdout, "\x1b\x07\u202e")
		if hasRaw != tc.raw {
			t.Errorf("tty %v %q: raw controls %v, want %v: %q", tc.tty, tc.args, hasRaw, tc.raw, r.stdout)
		}
		if tc.escaped && !strings.Contains(r.stdout, `evil\u001b]0;pwned\u0007\u202eline`) {
			t.Errorf("tty %v %q: controls not escaped: %q", tc.tty, tc.args, r.stdout)
		}
		if !strings.Contains(r.stdout, tc.contains) {
			t.Errorf("tty %v %q: %q does not contain %q", tc.tty, tc.args, r.stdout, tc.contains)
		}
	}
}

// writeJSON without a filter is unchanged: the same bytes as before.
func TestWriteJSONUnfiltered(t *testing.T) {
	var b bytes.Buffer
	if err := writeJSON(&b, map[string]any{"a": "x\u202e<y>", "n": 1}); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"a\": \"x\\u202e<y>\",\n  \"n\": 1\n}\n"; b.String() != want {
		t.Errorf("writeJSON = %q; want %q", b.String(), want)
	}
}

// A filter that fails at run time comes after the command's work: the
// secret of the token just created is printed all the same (the
// unfiltered document), with exit 1 and a line that says why.
func TestJQRuntimeErrorLosesNothing(t *testing.T) {
	srv := fakeTokenServer(t, "4.27.0")
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv)
	for _, args := range [][]string{
		{"--jq", ".token, (.id + \"x\")"},
		{"--template", "{{.token}} {{index .id 3}}"},
	} {
		before := len(srv.Tokens("alice"))
		r := e.run(append([]string{"token", "create", "--role", "vcs", "--description", "lost?"}, args...)...)
		toks := srv.Tokens("alice")
		if len(toks) != before+1 {
			t.Fatalf("%q: no token was created: %s", args, r.stderr)
		}
		secret := toks[len(toks)-1].Secret
		if r.code != ExitError || !strings.Contains(r.stderr, "the JSON it was given is printed instead") {
			t.Errorf("%q: exit %d, stderr %q", args, r.code, r.stderr)
		}
		if strings.Count(r.stdout, secret) != 1 || !strings.HasPrefix(r.stdout, "{\n") || !strings.Contains(r.stdout, `"token": "`+secret+`"`) {
			t.Errorf("%q: stdout is not the whole document, once: %q", args, r.stdout)
		}
	}
}
