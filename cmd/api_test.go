package cmd

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/internal/golden"
	"github.com/rhodecode-cli/rhodecode/keyring"
)

// apiEnv is alice logged in with her API token (a1ce…) as instance
// "work", with a VCS token besides, so get_user lists two secrets.
func apiEnv(t *testing.T) (*testEnv, *fakerc.Server, string) {
	t.Helper()
	srv, tok := fakeWithAlice(t)
	u, _ := srv.User("alice")
	srv.InsertToken(fakerc.Token{UserID: u.ID, Secret: "5ec0" + strings.Repeat("4", 36), Role: fakerc.RoleVCS, Description: "git", Expires: -1})
	e := newTestEnv(t)
	e.stdin = tok
	e.mustRun("auth", "login", "--url", srv.URL, "--name", "work", "--with-token")
	e.stdin = ""
	srv.ResetCalls()
	return e, srv, tok
}

// lastArgs is the args object the server received in the last call.
func lastArgs(t *testing.T, srv *fakerc.Server) map[string]any {
	t.Helper()
	calls := srv.Calls()
	if len(calls) == 0 {
		t.Fatal("no API call was made")
	}
	var m map[string]any
	if err := json.Unmarshal(calls[len(calls)-1].Args, &m); err != nil {
		t.Fatalf("args %s: %v", calls[len(calls)-1].Args, err)
	}
	return m
}

func TestAPIOutput(t *testing.T) {
	e, srv, tok := apiEnv(t)
	for _, mode := range []struct {
		name string
		tty  bool
		args []string
	}{
		{"tty", true, []string{"api", "get_user"}},
		{"notty", false, []string{"api", "get_user"}},
		{"raw", false, []string{"api", "get_user", "--raw"}},
		{"jq", false, []string{"api", "get_user", "--jq", "{name: .username, tokens: .auth_tokens}"}},
		{"jq.tty", true, []string{"api", "get_user", "--jq", ".auth_tokens"}},
		{"jq.string", false, []string{"api", "get_user", "-q", ".username, .email"}},
		{"template", false, []string{"api", "get_user", "--template", "{{.username}} <{{.email}}> {{len .auth_tokens}} tokens\n"}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			e.tty = mode.tty
			r := e.mustRun(mode.args...)
			if strings.Contains(r.stdout+r.stderr, tok) {
				t.Errorf("the API token is in the output:\n%s%s", r.stdout, r.stderr)
			}
			golden.Assert(t, "stdout", []byte(scrubTokens(r.stdout, srv)))
			if r.stderr != "" {
				t.Errorf("stderr: %q", r.stderr)
			}
		})
	}
}

func TestAPIArguments(t *testing.T) {
	e, srv, _ := apiEnv(t)
	dir := t.TempDir()
	note := filepath.Join(dir, "note.md")
	if err := os.WriteFile(note, []byte("# notes\nline 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.mustRun("api", "get_user",
		"-f", "s=x", "-f", "snum=12", "-f", "eq=a=b",
		"-F", "n=12", "-F", "f=-2.5e3", "-F", "t=true", "-F", "fa=false", "-F", "z=null",
		"-F", "hex=0x10", "-F", "word=hello",
		"-F", `arr=[1,"a"]`, "-F", `obj={"a":{"b":null}}`,
		"-F", "file=@"+note,
		"-F", "l[]=1", "-f", "l[]=two",
		"repoid:team/app", "colon:a:b")
	want := map[string]any{
		"s": "x", "snum": "12", "eq": "a=b",
		"n": 12.0, "f": -2500.0, "t": true, "fa": false, "z": nil,
		"hex": "0x10", "word": "hello",
		"arr": []any{1.0, "a"}, "obj": map[string]any{"a": map[string]any{"b": nil}},
		"file":   "# notes\nline 2\n",
		"l":      []any{1.0, "two"},
		"repoid": "team/app", "colon": "a:b",
	}
	if got := lastArgs(t, srv); !reflect.DeepEqual(got, want) {
		t.Errorf("args sent\n got %v\nwant %v", got, want)
	}
	// The sent number is the number typed, not a float's rendering.
	if calls := srv.Calls(); !strings.Contains(string(calls[len(calls)-1].Args), `"n":12`) {
		t.Errorf("-F n=12 sent as %s", calls[len(calls)-1].Args)
	}

	// @- reads standard input, as a string.
	e.stdin = "from stdin\n"
	e.mustRun("api", "get_user", "-F", "msg=@-")
	if got := lastArgs(t, srv)["msg"]; got != "from stdin\n" {
		t.Errorf("@- sent %q", got)
	}

	// --input: a whole object; -f and -F set keys over it, the later wins.
	in := filepath.Join(dir, "args.json")
	alice, _ := srv.User("alice")
	id := strconv.Itoa(alice.ID)
	if err := os.WriteFile(in, []byte(`{"userid": `+id+`, "keep": [1, 2], "x": "from file"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.run("api", "get_user", "--input", in, "-f", "x=from -f", "-F", "x=3")
	if r.code != 0 {
		t.Fatalf("--input: exit %d: %s", r.code, r.stderr)
	}
	want = map[string]any{"userid": float64(alice.ID), "keep": []any{1.0, 2.0}, "x": 3.0}
	if got := lastArgs(t, srv); !reflect.DeepEqual(got, want) {
		t.Errorf("--input args\n got %v\nwant %v", got, want)
	}
	e.stdin = `{"userid": ` + id + `}`
	e.mustRun("api", "get_user", "--input", "-")
	if got := lastArgs(t, srv); !reflect.DeepEqual(got, map[string]any{"userid": float64(alice.ID)}) {
		t.Errorf("--input - sent %v", got)
	}
	e.stdin = ""

	// Mistakes on the command line: exit 2, one line, nothing sent.
	notObject := filepath.Join(dir, "list.json")
	_ = os.WriteFile(notObject, []byte(`[1]`), 0o600)
	srv.ResetCalls()
	for _, args := range [][]string{
		{"api"},
		{"api", "get_user", "stray"},
		{"api", "get_user", ":value"},
		{"api", "get_user", "-f", "novalue"},
		{"api", "get_user", "-f", "=x"},
		{"api", "get_user", "-F", "bad=[1,"},
		{"api", "get_user", "-F", "f=@" + filepath.Join(dir, "missing")},
		{"api", "get_user", "-F", "f=@"},
		{"api", "get_user", "--input", notObject},
		{"api", "get_user", "--input", filepath.Join(dir, "missing")},
		{"api", "get_user", "--input", "-", "-F", "a=@-"},
		{"api", "get_user", "--jq", ".["},
		{"api", "get_user", "--jq", "nosuchfunction"},
		{"api", "get_user", "--template", "{{.a"},
		{"api", "get_user", "--jq", ".", "--template", "x"},
	} {
		r := e.run(args...)
		if r.code != ExitUsage || strings.Count(r.stderr, "\n") != 2 || !strings.Contains(r.stderr, "--help' for usage") {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and one line with the usage hint", args, r.code, r.stderr)
		}
		if r.stdout != "" {
			t.Errorf("%q printed %q", args, r.stdout)
		}
	}
	if calls := srv.Calls(); len(calls) != 0 {
		t.Errorf("usage errors made %d API calls", len(calls))
	}
}

// Error answers: one line on stderr, nothing on stdout (but with --raw),
// exit 1; a rejected token exits 4. Every answer is HTTP 200 (protocol
// §2.5), so the error member decides.
func TestAPIErrors(t *testing.T) {
	e, srv, tok := apiEnv(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"method error", []string{"api", "get_user", "-f", "userid=root"}, ExitError},
		{"method error raw", []string{"api", "get_user", "-f", "userid=root", "--raw"}, ExitError},
		{"no such method", []string{"api", "get_tokens"}, ExitError},
		{"missing argument", []string{"api", "delete_user"}, ExitError},
		{"forbidden", []string{"api", "get_users"}, ExitError},
		{"jq not run on an error", []string{"api", "get_user", "-f", "userid=root", "--jq", ".username"}, ExitError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.run(tc.args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", r.code, tc.code, r.stderr)
			}
			if strings.Count(r.stderr, "\n") != 1 || strings.Contains(r.stderr+r.stdout, tok) {
				t.Errorf("stderr not one line without the token: %q", r.stderr)
			}
			golden.Assert(t, "stderr", []byte(scrub(r.stderr, srv)))
			golden.Assert(t, "stdout", []byte(scrub(r.stdout, srv)))
		})
	}

	// A server that is not the API: exit 3.
	srv.SetFault(fakerc.FaultHTML200)
	if r := e.run("api", "get_user"); r.code != ExitUnreachable || r.stdout != "" {
		t.Errorf("HTML answer: exit %d, stdout %q", r.code, r.stdout)
	}
	srv.SetFault(fakerc.FaultNone)

	// A revoked token: exit 4, stdout empty, with --raw the envelope.
	for _, tk := range srv.Tokens("alice") {
		if tk.Secret == tok {
			srv.RevokeToken(tk.ID)
		}
	}
	r := e.run("api", "get_user")
	if r.code != ExitAuth || r.stdout != "" || !strings.Contains(r.stderr, "rejected the API token") {
		t.Errorf("revoked token: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = e.run("api", "get_user", "--raw")
	if r.code != ExitAuth || !strings.Contains(r.stdout, `"error":"Invalid API KEY"`) {
		t.Errorf("revoked token --raw: exit %d, stdout %q", r.code, r.stdout)
	}
}

// The token is in neither the --debug trace nor the output, and CI's
// RHODECODE_HOST + RHODECODE_TOKEN work without a config file.
func TestAPIDebugAndEnv(t *testing.T) {
	srv, tok := fakeWithAlice(t)
	e := newTestEnv(t)
	e.env["RHODECODE_HOST"] = srv.URL
	e.env["RHODECODE_TOKEN"] = tok
	r := e.mustRun("api", "get_user", "--debug", "--jq", ".username")
	if r.stdout != "alice\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	if !strings.Contains(r.stderr, "_admin/api") || strings.Contains(r.stderr, tok) {
		t.Errorf("--debug trace missing or leaks the token:\n%s", r.stderr)
	}
	if _, err := os.Stat(e.config); !os.IsNotExist(err) {
		t.Errorf("the environment mode wrote a config file: %v", err)
	}
}

// Every method the fake server implements (a real server's) completes.
func TestAPIMethodCompletion(t *testing.T) {
	srv, _ := fakeWithAlice(t)
	e := newTestEnv(t)
	r := e.mustRun("__complete", "api", "get_us")
	var got []string
	for _, line := range strings.Split(r.stdout, "\n") {
		if name, _, ok := strings.Cut(line, "\t"); ok {
			got = append(got, name)
		}
	}
	sort.Strings(got)
	want := []string{"get_user", "get_user_audit_logs", "get_user_group", "get_user_groups", "get_user_locks", "get_users"}
	if !slices.Equal(got, want) {
		t.Errorf("completions of get_us: %q; want %q", got, want)
	}
	if !strings.Contains(r.stdout, ":4\n") { // ShellCompDirectiveNoFileComp
		t.Errorf("completion directive: %q", r.stdout)
	}
	// The fake's "No such method" hint lists the methods it registers.
	srv.ResetCalls()
	e.env["RHODECODE_HOST"], e.env["RHODECODE_TOKEN"] = srv.URL, "a1ce"+strings.Repeat("0", 36)
	r = e.run("api", "zzz_get")
	_, list, _ := strings.Cut(r.stderr, "Similar methods: ")
	list, _, _ = strings.Cut(list, ")")
	if list == "" {
		t.Fatalf("no method list in %q", r.stderr)
	}
	for _, m := range strings.Split(list, ", ") {
		if _, ok := apiMethods[m]; !ok {
			t.Errorf("method %s of the fake is not in apiMethods", m)
		}
	}
}

// A deprecated method (RhodeCode adds DEPRECATION_WARNING to the answer)
// works, and the warning goes to stderr, not into the result.
func TestAPIDeprecatedMethod(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID int `json:"id"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id": %d, "result": {"server_ip_addr": "10.0.0.1"}, "error": null, "DEPRECATION_WARNING": "DEPRECATED METHOD Please use method `+"`get_ip`"+` instead."}`, req.ID)
	}))
	defer srv.Close()
	e := newTestEnv(t)
	e.env["RHODECODE_HOST"], e.env["RHODECODE_TOKEN"] = srv.URL, strings.Repeat("ab", 20)
	r := e.mustRun("api", "show_ip")
	if r.stdout != `{"server_ip_addr":"10.0.0.1"}`+"\n" || !strings.Contains(r.stderr, "show_ip: DEPRECATED METHOD Please use method `get_ip` instead.") {
		t.Errorf("stdout %q\nstderr %q", r.stdout, r.stderr)
	}
}

// TestAPIRedactsVCSToken: the managed VCS token the tool keeps reads
// [REDACTED] in an api result, like the API token; the user's other
// tokens print as the server sends them.
func TestAPIRedactsVCSToken(t *testing.T) {
	srv := gitServer(t)
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv)
	e.mustRun("setup-git")
	vcsTok, _ := e.secret("work", srv.URL, keyring.AccountVCSToken)
	if vcsTok == "" {
		t.Fatal("no managed VCS token")
	}
	other := srv.AddToken("alice", fakerc.RoleFeed, "mine", -1)
	r := e.mustRun("api", "get_user", "--jq", ".auth_tokens[]")
	if strings.Contains(r.stdout+r.stderr, vcsTok) {
		t.Errorf("the managed VCS token is in the output:\n%s", r.stdout)
	}
	if strings.Count(r.stdout, client.Redacted) != 2 || !strings.Contains(r.stdout, other.Secret) {
		t.Errorf("want the API and VCS tokens redacted and the others shown:\n%s", r.stdout)
	}

	// CI: the environment's VCS token too.
	c := newTestEnv(t)
	c.env["RHODECODE_HOST"] = srv.URL
	c.env["RHODECODE_TOKEN"], _ = e.secret("work", srv.URL, keyring.AccountAPIToken)
	c.env["RHODECODE_VCS_TOKEN"] = vcsTok
	if r := c.mustRun("api", "get_user", "--jq", ".auth_tokens[]"); strings.Contains(r.stdout, vcsTok) || strings.Count(r.stdout, client.Redacted) != 2 {
		t.Errorf("environment: want both tokens redacted:\n%s", r.stdout)
	}
}
